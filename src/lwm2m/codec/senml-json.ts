// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const senmlJsonCodec: NodeCodec = {
  formats: [],
  name: 'senml-json',
  encode() { throw new CodecError('UNSUPPORTED', 'senml-json: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'senml-json: not implemented'); },
};
