/** Fuzz test of the OMA JSON decoders (11543, 1543; see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { omaJsonCodec } from '../../../../src/lwm2m/codec/oma-json.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(omaJsonCodec);
