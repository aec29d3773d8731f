/**
 * The contract every content-format codec follows, and the codec error.
 * Codecs throw CodecError internally; CodecRegistry turns anything thrown into a
 * CodecResult so that no exception escapes to callers.
 */
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode, TimestampedNodes } from '../node.js';
import type { ModelProvider, ResourceModel } from '../model/types.js';

export const ContentFormat = {
  TEXT: 0,
  LINK: 40,
  OPAQUE: 42,
  CBOR: 60,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  SENML_ETCH_JSON: 320,
  SENML_ETCH_CBOR: 322,
  TLV: 11542,
  JSON: 11543,
  LWM2M_CBOR: 11544,
  // pre-registration numbers used by LwM2M 1.0 clients
  OLD_TEXT: 1541,
  OLD_TLV: 1542,
  OLD_JSON: 1543,
  OLD_OPAQUE: 1544,
} as const;

export type CodecErrorCode =
  | 'TRUNCATED' // the payload ends inside a value or header
  | 'MALFORMED' // bytes or text that do not follow the format
  | 'BAD_NESTING' // structure does not match the path (e.g. instance inside resource)
  | 'TYPE_MISMATCH' // a value that does not fit its resource type
  | 'LIMIT_EXCEEDED' // depth, record count or size above the decoder's bounds
  | 'PATH_MISMATCH' // a record names a path outside the request's path
  | 'UNSUPPORTED' // this format cannot carry this node or level
  | 'UNKNOWN_FORMAT' // no codec for this content format
  | 'INTERNAL'; // anything unexpected thrown inside a codec

export class CodecError extends Error {
  readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string) {
    // no stack trace: a flood of malformed payloads makes many of these, and the
    // code and message say all a caller needs
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.name = 'CodecError';
  }
}

export type CodecResult<T> = { ok: true; value: T } | { ok: false; error: CodecError };

export interface DecodeLimits {
  /** Largest payload a decoder accepts, bytes. */
  maxPayload: number;
  /** Most records/entries (TLV entries, SenML records, CBOR map entries) in one payload. */
  maxRecords: number;
  /** Deepest nesting (CBOR/JSON). */
  maxDepth: number;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxPayload: 4 * 1024 * 1024, maxRecords: 100_000, maxDepth: 16 };

export interface CodecContext {
  model: ModelProvider;
  /** Object versions announced by the client at registration (objectId -> "1.1"). */
  objectVersions?: ReadonlyMap<number, string>;
  limits: DecodeLimits;
  /**
   * Milliseconds since the epoch (like Clock.now), used to turn SenML relative times
   * (RFC 8428 section 4.5.3: resolved times below 2^28) into absolute ones. Default Date.now.
   */
  now?: () => number;
}

export function resourceModel(ctx: CodecContext, objectId: number | undefined, resourceId: number | undefined): ResourceModel | undefined {
  if (objectId === undefined || resourceId === undefined) return undefined;
  return ctx.model.getResource(objectId, resourceId, ctx.objectVersions?.get(objectId));
}

/** A format that carries one node at one path (text, opaque, cbor, tlv, and the multi-node ones too). */
export interface NodeCodec {
  readonly formats: readonly number[];
  readonly name: string;
  encode(path: LwM2mPath, node: LwM2mNode, ctx: CodecContext): Uint8Array;
  decode(path: LwM2mPath, payload: Uint8Array, ctx: CodecContext): LwM2mNode;
}

/** A format that can also carry many paths and timestamps (SenML JSON/CBOR, LwM2M CBOR, OMA JSON). */
export interface MultiNodeCodec extends NodeCodec {
  /** Composite read response / composite write request: path string -> node (null: path absent). */
  encodeNodes(nodes: ReadonlyMap<string, LwM2mNode | null>, ctx: CodecContext): Uint8Array;
  /** With `paths`, nodes are grouped under those paths; without, each record is its own resource or resource-instance node. */
  decodeNodes(payload: Uint8Array, paths: readonly LwM2mPath[] | undefined, ctx: CodecContext): Map<string, LwM2mNode | null>;
  /** Notifications with history and Send: several timestamps. `path` is the request path (undefined for Send). */
  encodeTimestamped(path: LwM2mPath | undefined, data: readonly TimestampedNodes[], ctx: CodecContext): Uint8Array;
  decodeTimestamped(path: LwM2mPath | undefined, payload: Uint8Array, ctx: CodecContext): TimestampedNodes[];
  /** Read-composite / observe-composite request bodies: a list of paths. Absent on formats without it. */
  encodePaths?(paths: readonly LwM2mPath[]): Uint8Array;
  decodePaths?(payload: Uint8Array, ctx: CodecContext): LwM2mPath[];
}

export function isMultiNodeCodec(c: NodeCodec): c is MultiNodeCodec {
  return typeof (c as MultiNodeCodec).encodeNodes === 'function';
}
