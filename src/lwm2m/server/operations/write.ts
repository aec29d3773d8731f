/**
 * Payload-carrying device management requests: Write (replace: PUT, partial: POST) and
 * Create (POST on the object). Checks that the node fits the path, picks the format
 * (see operations/format.ts) and encodes; whatever does not encode is a BAD_REQUEST
 * carrying the codec's message.
 */
import type { LwM2mPath } from '../../path.js';
import type { LwM2mNode, ObjectInstanceNode } from '../../node.js';
import type { DownlinkRequest } from '../../transport.js';
import type { Registration } from '../types.js';
import { ContentFormat } from '../../codec/codec.js';
import { badRequest, type OperationContext } from './common.js';
import { atLeast, codecFormat, multiValueFormat, singleValueFormat } from './format.js';
import { codecContext } from './decode.js';

/** An explicit format must have a codec here. Returns the number to put on the wire. */
export function checkFormat(ctx: OperationContext, format: unknown): number {
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 0 || format > 65535) {
    throw badRequest(`invalid content format ${String(format)}`);
  }
  if (!ctx.codecs.supports(codecFormat(ctx.codecs, format))) throw badRequest(`content format ${format} is not supported`);
  return format;
}

function isNode(n: unknown): n is LwM2mNode {
  return typeof n === 'object' && n !== null && typeof (n as { kind?: unknown }).kind === 'string';
}

/** The node as it will be encoded at `path`: kind and id must match the path's level. */
function nodeForPath(path: LwM2mPath, node: unknown): LwM2mNode {
  if (!isNode(node)) throw badRequest('write needs a node');
  const where = path.toString();
  switch (path.depth) {
    case 2:
      if (node.kind !== 'instance') throw badRequest(`${where} is an object instance, the node is a ${node.kind}`);
      if (node.id !== undefined && node.id !== path.instanceId) throw badRequest(`instance node ${node.id} does not match ${where}`);
      return node.id === undefined ? { ...node, id: path.instanceId } : node;
    case 3:
      if (node.kind !== 'resource' && node.kind !== 'multiResource') throw badRequest(`${where} is a resource, the node is a ${node.kind}`);
      if (node.id !== path.resourceId) throw badRequest(`resource node ${node.id} does not match ${where}`);
      return node;
    case 4:
      if (node.kind !== 'resourceInstance') throw badRequest(`${where} is a resource instance, the node is a ${node.kind}`);
      if (node.id !== path.resourceInstanceId) throw badRequest(`resource instance node ${node.id} does not match ${where}`);
      return node;
    default:
      throw badRequest(`cannot write to ${where}: give an instance, resource or resource instance path`);
  }
}

/** The format a node is written in when the caller did not choose. */
export function formatForNode(reg: Registration, ctx: OperationContext, path: LwM2mPath, node: LwM2mNode): number {
  if (node.kind === 'resource' || node.kind === 'resourceInstance') {
    const model =
      path.objectId !== undefined && path.resourceId !== undefined
        ? ctx.models.getResource(path.objectId, path.resourceId, reg.objects?.get(path.objectId)?.version)
        : undefined;
    return singleValueFormat(reg, ctx.codecs, model?.type ?? node.type);
  }
  return multiValueFormat(reg, ctx.codecs);
}

function encode(reg: Registration, ctx: OperationContext, format: number, path: LwM2mPath, node: LwM2mNode): Uint8Array {
  const r = ctx.codecs.encode(codecFormat(ctx.codecs, format), path, node, codecContext(reg, ctx));
  if (!r.ok) throw badRequest(`cannot encode ${path.toString()} as content format ${format}: ${r.error.message}`);
  return r.value;
}

export function writeDownlink(reg: Registration, ctx: OperationContext, path: LwM2mPath, rawNode: unknown, partial: boolean, format: number | undefined): DownlinkRequest {
  if (partial) {
    if (path.depth !== 2 && path.depth !== 3) throw badRequest(`partial update needs an instance (or 1.1+: resource) path, not ${path.toString()}`);
    if (path.depth === 3 && !atLeast(reg, '1.1')) throw badRequest('partial update of a resource needs LwM2M 1.1');
  } else if (path.depth === 4 && !atLeast(reg, '1.1')) {
    throw badRequest('writing a resource instance needs LwM2M 1.1');
  }
  const node = nodeForPath(path, rawNode);
  if (partial && path.depth === 3 && node.kind !== 'multiResource') throw badRequest('partial update of a resource needs a multiple resource');
  const f = format !== undefined ? checkFormat(ctx, format) : formatForNode(reg, ctx, path, node);
  return {
    op: partial ? 'writePartial' : 'write',
    path,
    rootPath: reg.rootPath,
    contentFormat: f,
    payload: encode(reg, ctx, f, path, node),
  };
}

export function createDownlink(reg: Registration, ctx: OperationContext, path: LwM2mPath, inst: unknown, format: number | undefined): DownlinkRequest {
  if (!path.isObject()) throw badRequest(`create needs an object path, not ${path.toString()}`);
  if (!isNode(inst) || inst.kind !== 'instance') throw badRequest('create needs an object instance node');
  const node: ObjectInstanceNode = inst;
  // SenML and LwM2M CBOR name every value by its full path: without an instance id only TLV can carry it
  const f = format !== undefined ? checkFormat(ctx, format) : node.id === undefined ? ContentFormat.TLV : multiValueFormat(reg, ctx.codecs);
  return { op: 'create', path, rootPath: reg.rootPath, contentFormat: f, payload: encode(reg, ctx, f, path, node) };
}
