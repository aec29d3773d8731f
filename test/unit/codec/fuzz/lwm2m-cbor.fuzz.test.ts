/** Fuzz test of the LwM2M CBOR (11544) decoders (see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { lwm2mCborCodec } from '../../../../src/lwm2m/codec/lwm2m-cbor.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(lwm2mCborCodec);
