// STUB: replaced by the real codec.
import { CodecError, type NodeCodec } from './codec.js';

export const lwm2mCborCodec: NodeCodec = {
  formats: [],
  name: 'lwm2m-cbor',
  encode() { throw new CodecError('UNSUPPORTED', 'lwm2m-cbor: not implemented'); },
  decode() { throw new CodecError('UNSUPPORTED', 'lwm2m-cbor: not implemented'); },
};
