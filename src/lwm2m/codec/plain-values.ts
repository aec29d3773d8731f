/**
 * Value checks shared by the text, opaque, plain CBOR and TLV codecs: integer ranges,
 * value-against-type checks, and the one-value node that text, opaque and CBOR carry.
 */
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode, ObjLink, ResourceInstanceNode, SingleResourceNode, Value } from '../node.js';
import type { ResourceType } from '../model/types.js';
import { CodecError, type CodecContext } from './codec.js';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** The form decoders give integers in: number inside the safe range, bigint outside. */
export function canonicalInteger(v: bigint): number | bigint {
  return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v;
}

export function isObjLink(v: unknown): v is ObjLink {
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return false;
  const o = v as Partial<ObjLink>;
  return isUint16(o.objectId) && isUint16(o.instanceId);
}

function isUint16(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

function describe(v: Value): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

function mismatch(type: ResourceType, v: Value): CodecError {
  return new CodecError('TYPE_MISMATCH', `value ${describe(v)} does not fit type ${type}`);
}

/**
 * The integer value of an integer, unsigned or time resource as a bigint, checked against
 * the range of its type (int64, or uint64 for unsigned).
 */
export function integerOf(type: 'integer' | 'unsigned' | 'time', v: Value): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else throw mismatch(type, v);
  if (type === 'unsigned' ? b < 0n || b > UINT64_MAX : b < INT64_MIN || b > INT64_MAX) throw mismatch(type, v);
  return b;
}

/** Throws TYPE_MISMATCH unless `v` is a valid JS value for `type` (see node.ts). */
export function checkValue(type: ResourceType, v: Value): void {
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof v !== 'string') throw mismatch(type, v);
      return;
    case 'integer':
    case 'unsigned':
    case 'time':
      integerOf(type, v);
      return;
    case 'float':
      if (typeof v !== 'number') throw mismatch(type, v);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') throw mismatch(type, v);
      return;
    case 'opaque':
      if (!(v instanceof Uint8Array)) throw mismatch(type, v);
      return;
    case 'objlnk':
      if (!isObjLink(v)) throw mismatch(type, v);
      return;
    case 'none':
      if (v !== null) throw mismatch(type, v);
      return;
    default:
      throw new CodecError('TYPE_MISMATCH', `unknown resource type ${String(type)}`);
  }
}

/** A copy of `bytes` as a plain Uint8Array (never a Buffer, never a view on the payload). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * The value that a one-value format (text, opaque, CBOR) encodes: the node must be a single
 * resource at /o/i/r or a resource instance at /o/i/r/ri, with the path's id.
 */
export function singleValueOf(format: string, path: LwM2mPath, node: LwM2mNode): { type: ResourceType; value: Value } {
  if (node.kind !== 'resource' && node.kind !== 'resourceInstance') {
    throw new CodecError('UNSUPPORTED', `${format} carries one resource value, not a ${node.kind} node`);
  }
  const depth = node.kind === 'resource' ? 3 : 4;
  if (path.depth !== depth) throw new CodecError('BAD_NESTING', `a ${node.kind} node cannot sit at ${path.toString()}`);
  const pathId = node.kind === 'resource' ? path.resourceId : path.resourceInstanceId;
  if (node.id !== pathId) throw new CodecError('PATH_MISMATCH', `node id ${node.id} does not match ${path.toString()}`);
  checkValue(node.type, node.value);
  return { type: node.type, value: node.value };
}

/** Throws UNSUPPORTED unless the path names a resource or a resource instance. */
export function requireValuePath(format: string, path: LwM2mPath): void {
  if (path.depth < 3) throw new CodecError('UNSUPPORTED', `${format} carries one resource value, not ${path.toString()}`);
}

/** The node a one-value format decodes into at a resource or resource-instance path. */
export function singleValueNode(path: LwM2mPath, type: ResourceType, value: Value, unknown: boolean): SingleResourceNode | ResourceInstanceNode {
  const node: SingleResourceNode | ResourceInstanceNode =
    path.depth === 4
      ? { kind: 'resourceInstance', id: path.resourceInstanceId as number, type, value }
      : { kind: 'resource', id: path.resourceId as number, type, value };
  if (unknown) node.unknown = true;
  return node;
}

/** LIMIT_EXCEEDED above ctx.limits.maxPayload (the registry checks it too; direct callers get the same bound). */
export function checkPayloadSize(payload: Uint8Array, ctx: CodecContext): void {
  if (payload.length > ctx.limits.maxPayload) {
    throw new CodecError('LIMIT_EXCEEDED', `payload of ${payload.length} bytes exceeds ${ctx.limits.maxPayload}`);
  }
}
