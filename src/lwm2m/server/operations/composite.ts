/**
 * Composite operations (LwM2M 1.1+): Read-Composite and Observe-Composite (FETCH on the
 * root with a SenML path list), their cancel, and Write-Composite (iPATCH with values
 * for several paths). A 1.0 client has none of them: BAD_REQUEST.
 */
import { LwM2mPath } from '../../path.js';
import type { LwM2mNode } from '../../node.js';
import type { DownlinkOp, DownlinkRequest } from '../../transport.js';
import { ContentFormat } from '../../codec/codec.js';
import type { PathLike, Registration } from '../types.js';
import { badRequest, toPath, toPaths, type OperationContext } from './common.js';
import {
  atLeast,
  COMPOSITE_FORMATS,
  codecFormat,
  compositeAcceptFormat,
  compositePathFormat,
  compositeValueFormat,
} from './format.js';
import { codecContext } from './decode.js';
import { checkFormat } from './write.js';

function needComposite(reg: Registration, what: string): void {
  if (!atLeast(reg, '1.1')) throw badRequest(`${what} needs LwM2M 1.1 or later (client is ${reg.version})`);
}

function checkCompositeFormat(ctx: OperationContext, format: number): number {
  const f = checkFormat(ctx, format);
  if (!COMPOSITE_FORMATS.includes(f)) throw badRequest(`content format ${f} cannot carry several paths`);
  return f;
}

/** The path list body: the preferred format, else plain SenML (CBOR if announced, then JSON). */
function encodePathList(reg: Registration, ctx: OperationContext, paths: readonly LwM2mPath[]): { format: number; payload: Uint8Array } {
  const preferred = compositePathFormat(reg, ctx.codecs);
  const tries = [preferred];
  if (reg.contentFormats.includes(ContentFormat.SENML_CBOR)) tries.push(ContentFormat.SENML_CBOR);
  tries.push(ContentFormat.SENML_JSON);
  let last = '';
  for (const f of tries) {
    const r = ctx.codecs.encodePaths(codecFormat(ctx.codecs, f), paths);
    if (r.ok) return { format: f, payload: r.value };
    last = r.error.message;
  }
  throw badRequest(`cannot encode the path list: ${last}`);
}

/** Read-Composite, Observe-Composite and its active cancel. */
export function fetchCompositeDownlink(
  reg: Registration,
  ctx: OperationContext,
  op: Extract<DownlinkOp, 'readComposite' | 'observeComposite' | 'cancelObserveComposite'>,
  rawPaths: readonly PathLike[],
  format: number | undefined,
  token: Uint8Array | undefined,
): DownlinkRequest {
  needComposite(reg, op);
  const paths = toPaths(rawPaths);
  const body = encodePathList(reg, ctx, paths);
  const accept = format !== undefined ? checkCompositeFormat(ctx, format) : compositeAcceptFormat(reg, ctx.codecs, body.format);
  const dl: DownlinkRequest = {
    op,
    path: LwM2mPath.ROOT,
    rootPath: reg.rootPath,
    contentFormat: body.format,
    accept,
    payload: body.payload,
  };
  if (token && op !== 'readComposite') dl.token = token;
  return dl;
}

export function writeCompositeDownlink(
  reg: Registration,
  ctx: OperationContext,
  nodes: ReadonlyMap<string, LwM2mNode | null>,
  format: number | undefined,
): DownlinkRequest {
  needComposite(reg, 'writeComposite');
  if (!(nodes instanceof Map) || nodes.size === 0) throw badRequest('write-composite needs at least one path and node');
  const canonical = new Map<string, LwM2mNode | null>();
  for (const [k, v] of nodes) {
    const p = toPath(k);
    if (p.depth < 2) throw badRequest(`write-composite path ${p.toString()} must name an instance, resource or resource instance`);
    canonical.set(p.toString(), v);
  }
  const f = format !== undefined ? checkCompositeFormat(ctx, format) : compositeValueFormat(reg, ctx.codecs);
  const r = ctx.codecs.encodeNodes(codecFormat(ctx.codecs, f), canonical, codecContext(reg, ctx));
  if (!r.ok) throw badRequest(`cannot encode the write-composite values as content format ${f}: ${r.error.message}`);
  return { op: 'writeComposite', path: LwM2mPath.ROOT, rootPath: reg.rootPath, contentFormat: f, payload: r.value };
}
