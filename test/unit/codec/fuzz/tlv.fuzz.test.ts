/** Fuzz test of the TLV (11542, 1542) decoders (see fuzz-helpers.ts): ITERATIONS random and mutated buffers, seeded. */
import { tlvCodec } from '../../../../src/lwm2m/codec/tlv.js';
import { fuzzDecoders } from './fuzz-helpers.js';

fuzzDecoders(tlvCodec);
