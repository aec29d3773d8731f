/**
 * Typed operations <-> binding-level requests: picks the content format from what the
 * client announced, encodes values with the codecs, decodes responses into typed results.
 * Pure: no I/O, no timers.
 *
 * The parts:
 * - operations/format.ts     content-format choice (the decision table) and inference
 * - operations/accept.ts     the Accept of reads and observes, and the formats to retry with
 * - operations/write.ts      write (replace / partial) and create payloads
 * - operations/attributes.ts write-attributes query strings and their checks
 * - operations/execute.ts    execute argument syntax
 * - operations/composite.ts  read-/observe-/write-composite
 * - operations/decode.ts     response payloads to nodes (with timestamps)
 * - operations/merge.ts      several timestamps folded into the latest values
 * - operations/values.ts     plain values (JSON) to typed nodes by the model, for callers
 * - operations/result.ts     responses to OperationResult
 *
 * Path rules (LwM2M Core, DM interface): read / observe / discover need at least an
 * object (no root); write replace /o/i, /o/i/r, /o/i/r/ri (1.1+); partial update /o/i
 * (1.1+: multiple resource /o/i/r); execute /o/i/r; create /o; delete /o/i (1.1+ also
 * /o/i/r/ri). Discover `depth` needs 1.2.
 */
import type { LwM2mPath } from '../../path.js';
import type { DownlinkRequest } from '../../transport.js';
import type { TimestampedNodes } from '../../node.js';
import { ContentFormat } from '../../codec/codec.js';
import type { OperationRequest, Registration } from '../types.js';
import { badRequest, toPath, type OperationContext } from './common.js';
import { attributesToQuery } from './attributes.js';
import { parseExecuteArgs } from './execute.js';
import { atLeast, codecFormat, guessSendFormat, SEND_FORMATS } from './format.js';
import { checkFormat, createDownlink, writeDownlink } from './write.js';
import { fetchCompositeDownlink, writeCompositeDownlink } from './composite.js';
import { codecContext } from './decode.js';
import { NO_ACCEPT, readAcceptChoice } from './accept.js';

export { OperationError, type OperationContext } from './common.js';
export { toResult, locationOf } from './result.js';
export { parseExecuteArgs, formatExecuteArgs, type ExecuteArgument } from './execute.js';
export { attributesToQuery } from './attributes.js';
export { valueNode, typedValue } from './values.js';

function needObject(path: LwM2mPath, what: string): void {
  if (path.isRoot()) throw badRequest(`${what} needs at least an object path`);
}

/**
 * Build the downlink for `req` (for observe ops, `token` is the observation's token). Throws OperationError.
 * `observedFormat`: for an active cancel, the Accept the observation was started with, so the
 * cancel carries the same Accept as the registration request (RFC 7641 section 3.6).
 */
export function toDownlink(
  reg: Registration,
  req: OperationRequest,
  ctx: OperationContext,
  token?: Uint8Array,
  observedFormat?: number,
): DownlinkRequest {
  if (req === null || typeof req !== 'object') throw badRequest('no request');
  const rootPath = reg.rootPath;
  switch (req.op) {
    case 'read':
    case 'observe':
    case 'cancelObserve': {
      const path = toPath(req.path);
      needObject(path, req.op);
      const dl: DownlinkRequest = { op: req.op, path, rootPath };
      const format = req.op === 'cancelObserve' ? observedFormat : req.format;
      if (format !== undefined) dl.accept = checkFormat(ctx, format);
      else if (req.op !== 'cancelObserve') {
        // 1.1+: always an Accept (operations/accept.ts); 1.0: none, the client picks
        const first = readAcceptChoice(reg, req, ctx)?.formats[0];
        if (first !== undefined && first !== NO_ACCEPT) dl.accept = first;
      }
      if (token && req.op !== 'read') dl.token = token;
      return dl;
    }
    case 'discover': {
      const path = toPath(req.path);
      needObject(path, 'discover');
      if (path.depth > 3) throw badRequest('discover needs an object, instance or resource path');
      const dl: DownlinkRequest = { op: 'discover', path, rootPath, accept: ContentFormat.LINK };
      if (req.depth !== undefined) {
        if (!atLeast(reg, '1.2')) throw badRequest(`discover depth needs LwM2M 1.2 (client is ${reg.version})`);
        if (!Number.isInteger(req.depth) || req.depth < 0 || req.depth > 3) throw badRequest('discover depth must be 0, 1, 2 or 3');
        dl.query = [`depth=${req.depth}`];
      }
      return dl;
    }
    case 'write':
      return writeDownlink(reg, ctx, toPath(req.path), req.node, req.partial === true, req.format);
    case 'create':
      return createDownlink(reg, ctx, toPath(req.path), req.instance, req.format);
    case 'writeAttributes': {
      const path = toPath(req.path);
      let query: string[];
      try {
        query = attributesToQuery(reg, path, req.attributes);
      } catch (e) {
        throw badRequest(e instanceof Error ? e.message : String(e));
      }
      return { op: 'writeAttributes', path, rootPath, query };
    }
    case 'execute': {
      const path = toPath(req.path);
      if (!path.isResource()) throw badRequest(`execute needs a resource path, not ${path.toString()}`);
      const dl: DownlinkRequest = { op: 'execute', path, rootPath };
      if (req.args !== undefined && req.args !== '') {
        try {
          parseExecuteArgs(req.args);
        } catch (e) {
          throw badRequest(e instanceof Error ? e.message : String(e));
        }
        dl.payload = new TextEncoder().encode(req.args);
        dl.contentFormat = ContentFormat.TEXT;
      }
      return dl;
    }
    case 'delete': {
      const path = toPath(req.path);
      if (path.isResourceInstance()) {
        if (!atLeast(reg, '1.1')) throw badRequest('deleting a resource instance needs LwM2M 1.1');
      } else if (!path.isObjectInstance()) {
        throw badRequest(`delete needs an object instance path, not ${path.toString()}`);
      }
      return { op: 'delete', path, rootPath };
    }
    case 'readComposite':
      return fetchCompositeDownlink(reg, ctx, 'readComposite', req.paths, req.format, token);
    case 'observeComposite':
      return fetchCompositeDownlink(reg, ctx, 'observeComposite', req.paths, req.format, token);
    case 'cancelObserveComposite':
      return fetchCompositeDownlink(reg, ctx, 'cancelObserveComposite', req.paths, observedFormat, token);
    case 'writeComposite':
      return writeCompositeDownlink(reg, ctx, req.nodes, req.format);
    default: {
      const op: unknown = (req as { op?: unknown }).op;
      throw badRequest(`unknown operation ${String(op)}`);
    }
  }
}

/**
 * Notifications: decode like the response to the observe request that started them
 * (call toResult with the observe/observeComposite request and the notification as response).
 */

/** Decode a Send (/dp) payload: SenML JSON / CBOR or LwM2M CBOR, records grouped by timestamp. */
export function decodeSend(
  reg: Registration,
  contentFormat: number | undefined,
  payload: Uint8Array,
  ctx: OperationContext,
): { ok: true; data: TimestampedNodes[] } | { ok: false; code: '4.00' | '4.15'; message: string } {
  const format = contentFormat ?? guessSendFormat(payload);
  if (format === undefined) return { ok: false, code: '4.15', message: 'send without a content format' };
  if (!SEND_FORMATS.includes(format)) return { ok: false, code: '4.15', message: `send cannot use content format ${format}` };
  const f = codecFormat(ctx.codecs, format);
  if (!ctx.codecs.supports(f)) return { ok: false, code: '4.15', message: `content format ${format} is not supported` };
  if (!(payload instanceof Uint8Array) || payload.length === 0) return { ok: false, code: '4.00', message: 'empty send' };
  const r = ctx.codecs.decodeTimestamped(f, undefined, payload, codecContext(reg, ctx));
  if (!r.ok) return { ok: false, code: '4.00', message: `${r.error.code}: ${r.error.message}` };
  return { ok: true, data: r.value };
}
