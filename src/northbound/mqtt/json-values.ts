/**
 * LwM2M values and results as the JSON of the generic topic API: every leaf of a node
 * becomes `{ path, value }`; CoAP codes get their reason text (`"2.05"` -> `"content"`);
 * an operation that got no answer from the device gets a gateway-side code.
 *
 * Value encodings: strings and numbers as JSON; 64-bit integers outside the safe range as
 * decimal strings; booleans; opaque as base64; time as seconds since the epoch; object
 * links as `"3:0"`.
 */
import { LwM2mPath } from '../../lwm2m/path.js';
import type { LwM2mNode, Value } from '../../lwm2m/node.js';
import type { ResourceType } from '../../lwm2m/model/types.js';
import type { OperationErrorCode, OperationResult } from '../../lwm2m/server/types.js';

export interface ContentItem {
  path: string;
  value: unknown;
  /** seconds since the epoch, for values that came with a timestamp (SenML `t`) */
  time?: number;
}

/** The JSON form of one value. */
export function jsonValue(v: Value): unknown {
  if (v === null) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (typeof v === 'object') return `${v.objectId}:${v.instanceId}`;
  return v;
}

function asPath(p: LwM2mPath | string): LwM2mPath | undefined {
  if (p instanceof LwM2mPath) return p;
  try {
    return LwM2mPath.parse(p);
  } catch {
    return undefined;
  }
}

/** Every leaf of `node` (found at `at`) as `{ path, value }`, in tree order. */
export function contentOf(at: LwM2mPath | string, node: LwM2mNode, out: ContentItem[] = [], time?: number): ContentItem[] {
  const path = asPath(at);
  if (!path) return out;
  const push = (p: LwM2mPath, value: Value): void => {
    out.push(time === undefined ? { path: p.toString(), value: jsonValue(value) } : { path: p.toString(), value: jsonValue(value), time });
  };
  const o = path.objectId;
  switch (node.kind) {
    case 'object':
      for (const inst of node.instances.values()) if (inst.id !== undefined) contentOf(LwM2mPath.of(node.id, inst.id), inst, out, time);
      break;
    case 'instance': {
      const i = node.id ?? path.instanceId;
      if (o === undefined || i === undefined) break;
      for (const r of node.resources.values()) contentOf(LwM2mPath.of(o, i, r.id), r, out, time);
      break;
    }
    case 'multiResource':
      if (o === undefined || path.instanceId === undefined) break;
      for (const ri of node.instances.values()) push(LwM2mPath.of(o, path.instanceId, node.id, ri.id), ri.value);
      break;
    case 'resource':
      if (o === undefined || path.instanceId === undefined) break;
      push(LwM2mPath.of(o, path.instanceId, node.id), node.value);
      break;
    case 'resourceInstance':
      if (o === undefined || path.instanceId === undefined || path.resourceId === undefined) break;
      push(LwM2mPath.of(o, path.instanceId, path.resourceId, node.id), node.value);
      break;
  }
  return out;
}

/** The content of a read/observe result or notification: single node, composite nodes, or timestamped records. */
export function resultContent(
  at: LwM2mPath | string | undefined,
  r: { node?: LwM2mNode; nodes?: Map<string, LwM2mNode | null>; timestamped?: { time: number | undefined; nodes: Map<string, LwM2mNode> }[] },
): ContentItem[] {
  const out: ContentItem[] = [];
  if (r.timestamped && r.timestamped.length > 1) {
    for (const rec of r.timestamped) for (const [p, n] of rec.nodes) contentOf(p, n, out, rec.time);
    return out;
  }
  if (r.nodes) {
    for (const [p, n] of r.nodes) if (n) contentOf(p, n, out);
    return out;
  }
  if (r.node && at !== undefined) contentOf(at, r.node, out);
  return out;
}

const REASONS: Record<string, string> = {
  '2.01': 'created',
  '2.02': 'deleted',
  '2.03': 'valid',
  '2.04': 'changed',
  '2.05': 'content',
  '2.31': 'continue',
  '4.00': 'bad_request',
  '4.01': 'unauthorized',
  '4.02': 'bad_option',
  '4.03': 'forbidden',
  '4.04': 'not_found',
  '4.05': 'method_not_allowed',
  '4.06': 'not_acceptable',
  '4.08': 'request_entity_incomplete',
  '4.09': 'conflict',
  '4.12': 'precondition_failed',
  '4.13': 'request_entity_too_large',
  '4.15': 'unsupported_content_format',
  '5.00': 'internal_server_error',
  '5.01': 'not_implemented',
  '5.02': 'bad_gateway',
  '5.03': 'service_unavailable',
  '5.04': 'gateway_timeout',
  '5.05': 'proxying_not_supported',
};

/** The reason text of a CoAP code ("2.05" -> "content"); "unknown" for a code without one. */
export function codeMsg(code: string): string {
  return REASONS[code] ?? 'unknown';
}

/** The code the gateway reports when the device gave no usable answer. */
const NO_ANSWER: Record<OperationErrorCode, string> = {
  NOT_REGISTERED: '4.04',
  BAD_REQUEST: '4.00',
  TIMEOUT: '5.04',
  QUEUE_EXPIRED: '5.04',
  QUEUE_FULL: '5.03',
  CANCELLED: '5.03',
  TRANSPORT: '5.02',
  NOT_SUPPORTED: '4.05',
  BAD_RESPONSE: '5.02',
};

export interface ResultStatus {
  code: string;
  codeMsg: string;
  /** set when the code is the gateway's, not the device's (or the device's answer was unusable) */
  error?: { code: OperationErrorCode; message: string };
}

/** `code` / `codeMsg` of a result: the device's answer, or the gateway's code with the reason. */
export function resultStatus(r: OperationResult): ResultStatus {
  if (r.error) {
    const code = r.error.code === 'BAD_RESPONSE' && r.code ? r.code : NO_ANSWER[r.error.code];
    return { code, codeMsg: r.error.code === 'BAD_RESPONSE' ? 'bad_response' : codeMsg(code), error: { code: r.error.code, message: r.error.message } };
  }
  const code = r.code ?? (r.success ? '2.05' : '5.00');
  return { code, codeMsg: codeMsg(code) };
}

const TYPE_NAMES: Record<string, ResourceType> = {
  string: 'string',
  integer: 'integer',
  int: 'integer',
  'unsigned integer': 'unsigned',
  unsigned: 'unsigned',
  float: 'float',
  boolean: 'boolean',
  opaque: 'opaque',
  time: 'time',
  objlnk: 'objlnk',
  corelnk: 'corelnk',
};

/** The resource type a command names ("Integer", "Float", "Objlnk"...; any case); undefined if unknown. */
export function valueType(name: unknown): ResourceType | undefined {
  return typeof name === 'string' ? TYPE_NAMES[name.trim().toLowerCase()] : undefined;
}
