/** Fuzz test of the opaque (42, 1544) decoders (see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { opaqueCodec } from '../../../../src/lwm2m/codec/opaque.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(opaqueCodec);
