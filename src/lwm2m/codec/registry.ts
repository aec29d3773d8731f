/**
 * Codecs by content format, per instance. Every call returns a CodecResult:
 * whatever a codec throws becomes a CodecError, never an escaping exception.
 */
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode, TimestampedNodes } from '../node.js';
import {
  CodecError,
  isMultiNodeCodec,
  type CodecContext,
  type CodecResult,
  type MultiNodeCodec,
  type NodeCodec,
} from './codec.js';
import { textCodec } from './text.js';
import { opaqueCodec } from './opaque.js';
import { cborCodec } from './cbor.js';
import { tlvCodec } from './tlv.js';
import { senmlJsonCodec } from './senml-json.js';
import { senmlCborCodec } from './senml-cbor.js';
import { omaJsonCodec } from './oma-json.js';
import { lwm2mCborCodec } from './lwm2m-cbor.js';

export const BUILTIN_CODECS: readonly NodeCodec[] = [
  textCodec,
  opaqueCodec,
  cborCodec,
  tlvCodec,
  senmlJsonCodec,
  senmlCborCodec,
  omaJsonCodec,
  lwm2mCborCodec,
];

function guard<T>(fn: () => T): CodecResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof CodecError) return { ok: false, error: e };
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, error: new CodecError('INTERNAL', msg) };
  }
}

export class CodecRegistry {
  private readonly byFormat = new Map<number, NodeCodec>();

  constructor(codecs: readonly NodeCodec[] = BUILTIN_CODECS) {
    for (const c of codecs) this.register(c);
  }

  register(codec: NodeCodec): void {
    for (const f of codec.formats) this.byFormat.set(f, codec);
  }

  supports(format: number): boolean {
    return this.byFormat.has(format);
  }

  formats(): number[] {
    return [...this.byFormat.keys()];
  }

  get(format: number): NodeCodec | undefined {
    return this.byFormat.get(format);
  }

  private need(format: number): NodeCodec {
    const c = this.byFormat.get(format);
    if (!c) throw new CodecError('UNKNOWN_FORMAT', `no codec for content format ${format}`);
    return c;
  }

  private needMulti(format: number): MultiNodeCodec {
    const c = this.need(format);
    if (!isMultiNodeCodec(c)) throw new CodecError('UNSUPPORTED', `content format ${format} cannot carry several paths`);
    return c;
  }

  encode(format: number, path: LwM2mPath, node: LwM2mNode, ctx: CodecContext): CodecResult<Uint8Array> {
    return guard(() => this.need(format).encode(path, node, ctx));
  }

  decode(format: number, path: LwM2mPath, payload: Uint8Array, ctx: CodecContext): CodecResult<LwM2mNode> {
    return guard(() => {
      if (payload.length > ctx.limits.maxPayload) throw new CodecError('LIMIT_EXCEEDED', `payload of ${payload.length} bytes`);
      return this.need(format).decode(path, payload, ctx);
    });
  }

  encodeNodes(format: number, nodes: ReadonlyMap<string, LwM2mNode | null>, ctx: CodecContext): CodecResult<Uint8Array> {
    return guard(() => this.needMulti(format).encodeNodes(nodes, ctx));
  }

  decodeNodes(format: number, payload: Uint8Array, paths: readonly LwM2mPath[] | undefined, ctx: CodecContext): CodecResult<Map<string, LwM2mNode | null>> {
    return guard(() => {
      if (payload.length > ctx.limits.maxPayload) throw new CodecError('LIMIT_EXCEEDED', `payload of ${payload.length} bytes`);
      return this.needMulti(format).decodeNodes(payload, paths, ctx);
    });
  }

  encodeTimestamped(format: number, path: LwM2mPath | undefined, data: readonly TimestampedNodes[], ctx: CodecContext): CodecResult<Uint8Array> {
    return guard(() => this.needMulti(format).encodeTimestamped(path, data, ctx));
  }

  decodeTimestamped(format: number, path: LwM2mPath | undefined, payload: Uint8Array, ctx: CodecContext): CodecResult<TimestampedNodes[]> {
    return guard(() => {
      if (payload.length > ctx.limits.maxPayload) throw new CodecError('LIMIT_EXCEEDED', `payload of ${payload.length} bytes`);
      return this.needMulti(format).decodeTimestamped(path, payload, ctx);
    });
  }

  encodePaths(format: number, paths: readonly LwM2mPath[]): CodecResult<Uint8Array> {
    return guard(() => {
      const c = this.needMulti(format);
      if (!c.encodePaths) throw new CodecError('UNSUPPORTED', `content format ${format} cannot carry a path list`);
      return c.encodePaths(paths);
    });
  }

  decodePaths(format: number, payload: Uint8Array, ctx: CodecContext): CodecResult<LwM2mPath[]> {
    return guard(() => {
      const c = this.needMulti(format);
      if (!c.decodePaths) throw new CodecError('UNSUPPORTED', `content format ${format} cannot carry a path list`);
      return c.decodePaths(payload, ctx);
    });
  }
}
