/**
 * A client's response (or a notification) to a typed OperationResult. Never throws:
 * - 2.xx: success; read / observe / composite payloads decoded (an empty 2.05 is legal:
 *   no node), discover parsed as link-format, create gives `location`;
 * - 4.xx / 5.xx: success false, the code, and the raw payload (diagnostic text);
 * - a 2.xx whose payload does not decode: success false, error BAD_RESPONSE with the
 *   codec's message, payload kept.
 */
import { LwM2mPath } from '../../path.js';
import { parseLinks } from '../../codec/link-format.js';
import type { DownlinkRequest, DownlinkResponse } from '../../transport.js';
import type { OperationRequest, OperationResult, Registration } from '../types.js';
import { toPaths, type OperationContext } from './common.js';
import { decodeAt, decodeComposite } from './decode.js';

function isSuccess(code: string): boolean {
  return typeof code === 'string' && code.startsWith('2.');
}

function badResponse(base: OperationResult, payload: Uint8Array, message: string): OperationResult {
  return { ...base, success: false, payload, error: { code: 'BAD_RESPONSE', message } };
}

/** The new instance's path from Location-Path, without the registration's alternate root. */
export function locationOf(reg: Registration, segments: readonly string[] | undefined): string | undefined {
  if (!segments || segments.length === 0) return undefined;
  let segs = segments.filter((s) => s.length > 0);
  const root = (reg.rootPath ?? '/').split('/').filter((s) => s.length > 0);
  if (root.length > 0 && root.every((s, i) => segs[i] === s)) segs = segs.slice(root.length);
  const text = '/' + segs.join('/');
  try {
    return LwM2mPath.parse(text).toString();
  } catch {
    return text;
  }
}

function resultOf(reg: Registration, req: OperationRequest, dl: DownlinkRequest, res: DownlinkResponse, ctx: OperationContext): OperationResult {
  const payload = res.payload instanceof Uint8Array ? res.payload : new Uint8Array(0);
  const base: OperationResult = { code: res.code, success: false };
  if (res.contentFormat !== undefined) base.contentFormat = res.contentFormat;
  if (!isSuccess(res.code)) {
    if (payload.length > 0) base.payload = payload;
    return base;
  }
  // every notification comes through here: the read's result is built once, without spreads
  if (req.op === 'read' || req.op === 'observe' || req.op === 'cancelObserve') {
    if (payload.length === 0) return { ...base, success: true };
    const d = decodeAt(reg, dl.path, payload, res.contentFormat, dl.accept, ctx);
    if (!d.ok) return badResponse(base, payload, d.message);
    const out: OperationResult = { code: res.code, success: true, contentFormat: res.contentFormat ?? d.format };
    if (d.node !== undefined) out.node = d.node;
    if (d.timestamped) out.timestamped = d.timestamped;
    return out;
  }
  const ok: OperationResult = { ...base, success: true };
  switch (req.op) {
    case 'readComposite':
    case 'observeComposite':
    case 'cancelObserveComposite': {
      if (payload.length === 0) return { ...ok, nodes: new Map() };
      const d = decodeComposite(reg, toPaths(req.paths), payload, res.contentFormat, dl.accept, ctx);
      if (!d.ok) return badResponse(base, payload, d.message);
      const out: OperationResult = { ...ok, contentFormat: res.contentFormat ?? d.format, nodes: d.nodes };
      if (d.timestamped) out.timestamped = d.timestamped;
      return out;
    }
    case 'discover': {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
      } catch {
        return badResponse(base, payload, 'discover answer is not UTF-8 text');
      }
      try {
        return { ...ok, links: text.trim() === '' ? [] : parseLinks(text) };
      } catch (e) {
        return badResponse(base, payload, `discover answer is not link-format: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    case 'create': {
      const location =
        locationOf(reg, res.location) ??
        (req.instance?.id !== undefined && dl.path.objectId !== undefined ? `/${dl.path.objectId}/${req.instance.id}` : undefined);
      const out: OperationResult = location !== undefined ? { ...ok, location } : ok;
      if (payload.length > 0) out.payload = payload;
      return out;
    }
    case 'write':
    case 'writeAttributes':
    case 'execute':
    case 'delete':
    case 'writeComposite': {
      if (payload.length > 0) return { ...ok, payload };
      return ok;
    }
  }
}

export function toResult(reg: Registration, req: OperationRequest, dl: DownlinkRequest, res: DownlinkResponse, ctx: OperationContext): OperationResult {
  try {
    return resultOf(reg, req, dl, res, ctx);
  } catch (e) {
    const r: OperationResult = {
      code: res?.code,
      success: false,
      error: { code: 'BAD_RESPONSE', message: e instanceof Error ? e.message : String(e) },
    };
    if (res?.payload instanceof Uint8Array && res.payload.length > 0) r.payload = res.payload;
    return r;
  }
}
