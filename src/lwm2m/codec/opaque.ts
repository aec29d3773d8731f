/**
 * application/octet-stream (content format 42, legacy 1544): the raw bytes of one opaque
 * resource or resource instance. A resource the model does not know is kept as its bytes,
 * flagged `unknown`; a resource the model types otherwise is refused (TYPE_MISMATCH).
 */
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode } from '../node.js';
import { CodecError, ContentFormat, resourceModel, type CodecContext, type NodeCodec } from './codec.js';
import { checkPayloadSize, copyBytes, requireValuePath, singleValueNode, singleValueOf } from './plain-values.js';

export const opaqueCodec: NodeCodec = {
  formats: [ContentFormat.OPAQUE, ContentFormat.OLD_OPAQUE],
  name: 'opaque',

  encode(path: LwM2mPath, node: LwM2mNode, _ctx: CodecContext): Uint8Array {
    const { type, value } = singleValueOf('opaque', path, node);
    if (type !== 'opaque' || !(value instanceof Uint8Array)) {
      throw new CodecError('TYPE_MISMATCH', `opaque carries opaque values only, not ${type}`);
    }
    return copyBytes(value);
  },

  decode(path: LwM2mPath, payload: Uint8Array, ctx: CodecContext): LwM2mNode {
    requireValuePath('opaque', path);
    checkPayloadSize(payload, ctx);
    const rm = resourceModel(ctx, path.objectId, path.resourceId);
    if (rm && rm.type !== 'opaque') {
      throw new CodecError('TYPE_MISMATCH', `resource ${path.toString()} is ${rm.type}, not opaque`);
    }
    return singleValueNode(path, 'opaque', copyBytes(payload), !rm);
  },
};
