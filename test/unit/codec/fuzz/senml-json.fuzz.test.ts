/** Fuzz test of the SenML JSON (110, 320) decoders (see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { senmlJsonCodec } from '../../../../src/lwm2m/codec/senml-json.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(senmlJsonCodec);
