// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const opaqueCodec: NodeCodec = {
  formats: [],
  name: 'opaque',
  encode() { throw new CodecError('UNSUPPORTED', 'opaque: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'opaque: not implemented'); },
};
