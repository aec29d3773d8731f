// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const textCodec: NodeCodec = {
  formats: [],
  name: 'text',
  encode() { throw new CodecError('UNSUPPORTED', 'text: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'text: not implemented'); },
};
