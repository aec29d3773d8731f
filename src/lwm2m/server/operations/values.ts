/**
 * Plain values (from JSON, YAML, MQTT payloads) to typed nodes for a write or create,
 * typed by the object model. For the northbound adapters: `{ op: 'write', path,
 * node: valueNode(ctx, reg, path, 21.5) }`.
 *
 * Accepted per type:
 * - string, corelnk: a string;
 * - integer: an integer number, a bigint, or a decimal string ("-12"); unsigned also >= 0;
 * - float: a finite number or a numeric string;
 * - boolean: true/false, 0/1, "true"/"false", "0"/"1";
 * - opaque: a Uint8Array, or a base64 string;
 * - time: seconds since the epoch (integer), a Date, or an ISO 8601 string;
 * - objlnk: "3:0", or { objectId, instanceId }.
 * A multiple resource takes an object or Map `{ riid: value }`, an instance an object or
 * Map `{ rid: value }`. A resource the model does not know is typed from the JS value and
 * flagged `unknown`. Anything else is a BAD_REQUEST naming the path.
 */
import type { LwM2mPath } from '../../path.js';
import type { LwM2mNode, ObjLink, ObjectInstanceNode, ResourceNode, Value } from '../../node.js';
import type { ResourceModel, ResourceType } from '../../model/types.js';
import type { Registration } from '../types.js';
import { badRequest, toPath, type OperationContext } from './common.js';
import type { PathLike } from '../types.js';

const INT_RE = /^[+-]?\d+$/;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function integer(v: unknown, unsigned: boolean, where: string): number | bigint {
  let big: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) big = BigInt(v);
  else if (typeof v === 'bigint') big = v;
  else if (typeof v === 'string' && INT_RE.test(v.trim())) big = BigInt(v.trim());
  else throw badRequest(`${where}: ${JSON.stringify(v) ?? String(v)} is not an integer`);
  if (unsigned ? big < 0n || big > U64_MAX : big < I64_MIN || big > I64_MAX) {
    throw badRequest(`${where}: ${big} is out of range for ${unsigned ? 'an unsigned' : 'a 64-bit'} integer`);
  }
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function base64(s: string, where: string): Uint8Array {
  const t = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(t) || t.length % 4 === 1) throw badRequest(`${where}: not base64`);
  return new Uint8Array(Buffer.from(t, 'base64'));
}

/** One value converted to `type`; throws BAD_REQUEST. */
export function typedValue(type: ResourceType, v: unknown, where: string): Value {
  switch (type) {
    case 'string':
    case 'corelnk':
      if (typeof v === 'string') return v;
      break;
    case 'integer':
    case 'unsigned':
      return integer(v, type === 'unsigned', where);
    case 'float': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n === 'number' && Number.isFinite(n)) return n;
      break;
    }
    case 'boolean':
      if (v === true || v === 1 || v === 'true' || v === '1') return true;
      if (v === false || v === 0 || v === 'false' || v === '0') return false;
      break;
    case 'opaque':
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') return base64(v, where);
      break;
    case 'time': {
      if (v instanceof Date && !Number.isNaN(v.getTime())) return Math.floor(v.getTime() / 1000);
      if (typeof v === 'string' && !INT_RE.test(v.trim())) {
        const ms = Date.parse(v);
        if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
        break;
      }
      const t = integer(v, false, where);
      return typeof t === 'bigint' ? Number(t) : t;
    }
    case 'objlnk': {
      const m = typeof v === 'string' ? /^(\d{1,5}):(\d{1,5})$/.exec(v.trim()) : null;
      const link: Partial<ObjLink> = m ? { objectId: Number(m[1]), instanceId: Number(m[2]) } : typeof v === 'object' && v !== null ? (v as ObjLink) : {};
      const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 65535;
      if (ok(link.objectId) && ok(link.instanceId)) return { objectId: link.objectId, instanceId: link.instanceId };
      break;
    }
    case 'none':
      throw badRequest(`${where}: an executable resource has no value`);
  }
  throw badRequest(`${where}: ${JSON.stringify(v) ?? String(v)} is not a valid ${type}`);
}

/** The type of a JS value, for resources the model does not know. */
function guessType(v: unknown, where: string): ResourceType {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
  if (v instanceof Uint8Array) return 'opaque';
  if (typeof v === 'object' && v !== null && 'objectId' in v && 'instanceId' in v) return 'objlnk';
  throw badRequest(`${where}: cannot tell the type of ${JSON.stringify(v) ?? String(v)}`);
}

function entries(v: unknown, where: string): [number, unknown][] {
  const list = v instanceof Map ? [...(v as Map<unknown, unknown>)] : typeof v === 'object' && v !== null && !(v instanceof Uint8Array) ? Object.entries(v) : undefined;
  if (!list) throw badRequest(`${where}: expected an object of id -> value`);
  return list.map(([k, x]) => {
    const id = typeof k === 'number' ? k : typeof k === 'string' && /^\d{1,5}$/.test(k) ? Number(k) : -1;
    if (!Number.isInteger(id) || id < 0 || id > 65534) throw badRequest(`${where}: "${String(k)}" is not an id`);
    return [id, x];
  });
}

function resourceNode(model: ResourceModel | undefined, rid: number, v: unknown, where: string): ResourceNode {
  const multiple = model ? model.multiple : v instanceof Map || (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !('objectId' in v));
  if (multiple) {
    const list = entries(v, where);
    const first = list[0];
    const type = model?.type ?? (first ? guessType(first[1], where) : 'string');
    const node: ResourceNode = { kind: 'multiResource', id: rid, type, instances: new Map() };
    for (const [ri, x] of list) node.instances.set(ri, { kind: 'resourceInstance', id: ri, type, value: typedValue(type, x, `${where}/${ri}`) });
    if (!model) node.unknown = true;
    return node;
  }
  const type = model?.type ?? guessType(v, where);
  const node: ResourceNode = { kind: 'resource', id: rid, type, value: typedValue(type, v, where) };
  if (!model) node.unknown = true;
  return node;
}

/** A typed node for `value` at `path` (instance, resource or resource instance). Throws BAD_REQUEST. */
export function valueNode(ctx: Pick<OperationContext, 'models'>, reg: Registration | undefined, pathLike: PathLike, value: unknown): LwM2mNode {
  const path: LwM2mPath = toPath(pathLike);
  const { objectId: o, instanceId: i, resourceId: r, resourceInstanceId: ri } = path;
  const where = path.toString();
  if (o === undefined || i === undefined) throw badRequest(`${where}: values go to an instance, resource or resource instance`);
  const version = reg?.objects.get(o)?.version;
  const model = (rid: number): ResourceModel | undefined => ctx.models.getResource(o, rid, version);
  if (r === undefined) {
    const node: ObjectInstanceNode = { kind: 'instance', id: i, resources: new Map() };
    for (const [rid, x] of entries(value, where)) node.resources.set(rid, resourceNode(model(rid), rid, x, `${where}/${rid}`));
    return node;
  }
  const m = model(r);
  if (ri === undefined) return resourceNode(m, r, value, where);
  const type = m?.type ?? guessType(value, where);
  const node: LwM2mNode = { kind: 'resourceInstance', id: ri, type, value: typedValue(type, value, where) };
  if (!m) node.unknown = true;
  return node;
}
