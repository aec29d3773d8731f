/** Fuzz test of the text (0, 1541) decoders (see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { textCodec } from '../../../../src/lwm2m/codec/text.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(textCodec);
