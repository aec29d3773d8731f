// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const cborCodec: NodeCodec = {
  formats: [],
  name: 'cbor',
  encode() { throw new CodecError('UNSUPPORTED', 'cbor: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'cbor: not implemented'); },
};
