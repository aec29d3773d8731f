// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const tlvCodec: NodeCodec = {
  formats: [],
  name: 'tlv',
  encode() { throw new CodecError('UNSUPPORTED', 'tlv: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'tlv: not implemented'); },
};
