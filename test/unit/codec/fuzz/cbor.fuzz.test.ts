/** Fuzz test of the plain CBOR (60) decoders (see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { cborCodec } from '../../../../src/lwm2m/codec/cbor.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(cborCodec);
