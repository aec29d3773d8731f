/**
 * Response payloads to typed values: one node at a path (read, observe and their
 * notifications) or several paths (composite). Picks the format from the response's
 * Content-Format, or infers it from the bytes and the request's Accept when the client
 * sent none (pitfall 3). Never throws.
 */
import type { LwM2mPath } from '../../path.js';
import type { LwM2mNode, TimestampedNodes } from '../../node.js';
import { DEFAULT_LIMITS, isMultiNodeCodec, type CodecContext, type CodecError } from '../../codec/codec.js';
import type { CodecRegistry } from '../../codec/registry.js';
import type { ModelProvider } from '../../model/types.js';
import type { Registration } from '../types.js';
import { candidateFormats, codecFormat, COMPOSITE_FORMATS } from './format.js';
import { hasHistory, latestAt } from './merge.js';

export interface DecodeDeps {
  codecs: CodecRegistry;
  models: ModelProvider;
  limits?: CodecContext['limits'];
}

const contexts = new WeakMap<Registration, { deps: DecodeDeps; cc: CodecContext }>();

/** The codec context of a registration (its object versions); cached per registration object. */
export function codecContext(reg: Registration, deps: DecodeDeps): CodecContext {
  const hit = contexts.get(reg);
  if (hit && hit.deps.models === deps.models && hit.deps.limits === deps.limits) return hit.cc;
  const versions = new Map<number, string>();
  for (const [id, o] of reg.objects ?? []) versions.set(id, o.version);
  const cc: CodecContext = { model: deps.models, objectVersions: versions, limits: deps.limits ?? DEFAULT_LIMITS };
  contexts.set(reg, { deps, cc });
  return cc;
}

export type Decoded<T> =
  | ({ ok: true; format: number; timestamped?: TimestampedNodes[] } & T)
  | { ok: false; format?: number; message: string };

function describe(e: CodecError, format: number): string {
  return `content format ${format}: ${e.code}: ${e.message}`;
}

/** The formats to try: the response's own, or (none given) the inferred candidates. */
function formatsFor(codecs: CodecRegistry, payload: Uint8Array, depth: number, contentFormat: number | undefined, accept: number | undefined): number[] {
  if (contentFormat !== undefined) return [codecFormat(codecs, contentFormat)];
  return candidateFormats(payload, depth, accept, codecs);
}

/** Decodes the node at `path`; with several timestamps, `timestamped` and the latest values as `node`. */
export function decodeAt(
  reg: Registration,
  path: LwM2mPath,
  payload: Uint8Array,
  contentFormat: number | undefined,
  accept: number | undefined,
  deps: DecodeDeps,
): Decoded<{ node: LwM2mNode | undefined }> {
  const { codecs } = deps;
  const cc = codecContext(reg, deps);
  const formats = formatsFor(codecs, payload, path.depth, contentFormat, accept);
  if (formats.length === 0) return { ok: false, message: 'no codec can decode this payload' };
  let first: string | undefined;
  for (const f of formats) {
    const codec = codecs.get(f);
    if (codec && isMultiNodeCodec(codec)) {
      // one parse gives both the history (if any) and the latest values
      const t = codecs.decodeTimestamped(f, path, payload, cc);
      if (t.ok) {
        const history = hasHistory(t.value);
        const only = t.value.length === 1 ? t.value[0]?.nodes : undefined;
        const node = only && only.size === 1 && only.has(path.toString()) ? only.get(path.toString()) : latestAt(path, t.value);
        return history ? { ok: true, format: f, node, timestamped: t.value } : { ok: true, format: f, node };
      }
    }
    const d = codecs.decode(f, path, payload, cc);
    if (d.ok) return { ok: true, format: f, node: d.value };
    first ??= describe(d.error, f);
  }
  return { ok: false, format: contentFormat, message: first ?? 'undecodable payload' };
}

/** Decodes a composite answer: one entry per requested path (null: absent). */
export function decodeComposite(
  reg: Registration,
  paths: readonly LwM2mPath[],
  payload: Uint8Array,
  contentFormat: number | undefined,
  accept: number | undefined,
  deps: DecodeDeps,
): Decoded<{ nodes: Map<string, LwM2mNode | null> }> {
  const { codecs } = deps;
  const cc = codecContext(reg, deps);
  const formats =
    contentFormat !== undefined
      ? [codecFormat(codecs, contentFormat)]
      : candidateFormats(payload, 0, accept, codecs).filter((f) => COMPOSITE_FORMATS.includes(f));
  if (formats.length === 0) return { ok: false, message: 'no codec can decode this payload' };
  let first: string | undefined;
  for (const f of formats) {
    const t = codecs.decodeTimestamped(f, undefined, payload, cc);
    if (t.ok && hasHistory(t.value)) {
      const nodes = new Map<string, LwM2mNode | null>();
      for (const p of paths) nodes.set(p.toString(), latestAt(p, t.value) ?? null);
      return { ok: true, format: f, nodes, timestamped: t.value };
    }
    const d = codecs.decodeNodes(f, payload, paths, cc);
    if (d.ok) return { ok: true, format: f, nodes: d.value };
    first ??= describe(d.error, f);
  }
  return { ok: false, format: contentFormat, message: first ?? 'undecodable payload' };
}
