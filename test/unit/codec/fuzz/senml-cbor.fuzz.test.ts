/** Fuzz test of the SenML CBOR (112, 322) decoders (see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { senmlCborCodec } from '../../../../src/lwm2m/codec/senml-cbor.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(senmlCborCodec);
