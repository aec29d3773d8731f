// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const senmlCborCodec: NodeCodec = {
  formats: [],
  name: 'senml-cbor',
  encode() { throw new CodecError('UNSUPPORTED', 'senml-cbor: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'senml-cbor: not implemented'); },
};
