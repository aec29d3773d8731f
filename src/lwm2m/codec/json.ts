// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const omaJsonCodec: NodeCodec = {
  formats: [],
  name: 'json',
  encode() { throw new CodecError('UNSUPPORTED', 'json: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'json: not implemented'); },
};
