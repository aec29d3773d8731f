/**
 * How the test client answers the server's device-management requests: read (in the
 * format asked for), discover, write, write-attributes, execute, create, delete,
 * composite read/write, observe and cancel. Pure: the client class does the I/O.
 */
import type { Value } from '../../src/lwm2m/node.js';
import type { CoapOpt, Msg } from './lwm2m-test-client-coap.js';
import { METHOD, O, getStrings, getUint, opt } from './lwm2m-test-client-coap.js';
import {
  CF,
  decodeCompositePaths,
  decodeCompositeWrite,
  decodePayload,
  encodePayload,
  pathText,
} from './lwm2m-test-client-formats.js';
import type { ObjectStore } from './lwm2m-test-client-store.js';
import type { Leaf } from './lwm2m-test-client-tlv.js';
import { FormatError } from './lwm2m-test-client-tlv.js';

export interface Reply {
  code: string;
  options: CoapOpt[];
  payload: Buffer;
}

export interface ObserveAction {
  kind: 'observe' | 'cancel';
  paths: number[][];
  composite: boolean;
  format: number;
}

export interface Handled {
  reply: Reply;
  /** paths whose values changed (writes, create, delete): notify observers */
  changed: string[];
  observe?: ObserveAction;
}

export interface HandlerConfig {
  store: ObjectStore;
  /** formats this client can produce and consume */
  formats: readonly number[];
  /** format for a read without Accept, above resource level */
  defaultFormat: number;
  /** a read or observe without Accept gets 5.00 */
  requireAccept: boolean;
  /** alternate path prefix segments, e.g. ["lwm2m"] */
  root: string[];
  /** called on Execute with the resource path and the argument text */
  onExecute: (path: string, args: string) => void;
}

const reply = (code: string, options: CoapOpt[] = [], payload: Buffer = Buffer.alloc(0)): Reply => ({ code, options, payload });

/** The LwM2M path of a request, or undefined when it lies outside the client's root. */
export function lwm2mPathOf(m: Msg, root: readonly string[]): number[] | undefined {
  const segs = getStrings(m, O.UriPath);
  if (root.some((s, k) => segs[k] !== s)) return undefined;
  const rest = segs.slice(root.length);
  if (rest.length > 4 || !rest.every((s) => /^\d{1,5}$/.test(s))) return undefined;
  return rest.map(Number);
}

export class RequestHandler {
  constructor(private readonly cfg: HandlerConfig) {}

  private get store(): ObjectStore {
    return this.cfg.store;
  }

  /** The format for a read of `path` with no Accept. */
  private defaultFormatFor(path: number[], leaves: readonly Leaf[]): number {
    const single = leaves.length === 1 && leaves[0]!.path.length === path.length;
    if (path.length >= 3 && single) return leaves[0]!.type === 'opaque' ? CF.OPAQUE : CF.TEXT;
    return this.cfg.defaultFormat;
  }

  handle(m: Msg, payload: Buffer): Handled {
    const none: string[] = [];
    const path = lwm2mPathOf(m, this.cfg.root);
    if (!path) return { reply: reply('4.04'), changed: none };
    const method = METHOD[m.code];
    try {
      switch (method) {
        case 'GET':
          return this.get(m, path);
        case 'FETCH':
          return this.fetch(m, path, payload);
        case 'PUT':
          return this.put(m, path, payload);
        case 'POST':
          return this.post(m, path, payload);
        case 'DELETE': {
          const code = this.store.delete(path);
          return { reply: reply(code), changed: code === '2.02' ? [pathText(path)] : none };
        }
        case 'iPATCH':
          return this.writeComposite(m, path, payload);
        default:
          return { reply: reply('4.05'), changed: none };
      }
    } catch (err) {
      if (err instanceof FormatError) return { reply: reply('4.00'), changed: none };
      throw err;
    }
  }

  readReply(path: number[], accept: number | undefined): Reply {
    const leaves = this.store.leaves(path);
    if (!leaves) return reply('4.04');
    if (path.length >= 3 && this.store.resourceDef(path[0]!, path[2]!)?.ops === 'E') return reply('4.05');
    if (path.length >= 3 && leaves.length === 0) return reply('4.05');
    const format = accept ?? this.defaultFormatFor(path, leaves);
    if (!this.cfg.formats.includes(format)) return reply('4.06');
    const body = encodePayload(format, path, leaves);
    if (!body) return reply('4.06');
    return reply('2.05', [opt(O.ContentFormat, format)], body);
  }

  private get(m: Msg, path: number[]): Handled {
    const accept = getUint(m, O.Accept);
    if (accept === CF.LINK) {
      const links = this.store.discover(path);
      if (links === undefined) return { reply: reply(path.length === 0 || path.length > 3 ? '4.00' : '4.04'), changed: [] };
      return { reply: reply('2.05', [opt(O.ContentFormat, CF.LINK)], Buffer.from(links)), changed: [] };
    }
    const observe = getUint(m, O.Observe);
    if (accept === undefined && this.cfg.requireAccept && observe !== 1) return { reply: reply('5.00'), changed: [] };
    const r = this.readReply(path, accept);
    const h: Handled = { reply: r, changed: [] };
    if (observe !== undefined && (observe === 1 || r.code === '2.05')) {
      const format = accept ?? (r.code === '2.05' ? (getUint({ ...m, options: r.options }, O.ContentFormat) ?? CF.TEXT) : CF.TEXT);
      h.observe = { kind: observe === 0 ? 'observe' : 'cancel', paths: [path], composite: false, format };
    }
    return h;
  }

  compositeReadReply(paths: number[][], format: number): Reply {
    const leaves: Leaf[] = [];
    for (const p of paths) leaves.push(...(this.store.leaves(p) ?? []));
    if (!this.cfg.formats.includes(format)) return reply('4.06');
    const body = encodePayload(format, [], leaves);
    if (!body || format === CF.TLV || format === CF.TEXT || format === CF.OPAQUE) return reply('4.06');
    return reply('2.05', [opt(O.ContentFormat, format)], body);
  }

  private fetch(m: Msg, path: number[], payload: Buffer): Handled {
    if (path.length !== 0) return { reply: reply('4.05'), changed: [] };
    const cf = getUint(m, O.ContentFormat);
    const paths = cf === undefined ? undefined : decodeCompositePaths(cf, payload);
    if (!paths || cf === undefined) return { reply: reply('4.15'), changed: [] };
    const format = getUint(m, O.Accept) ?? cf;
    const r = this.compositeReadReply(paths, format);
    const observe = getUint(m, O.Observe);
    const h: Handled = { reply: r, changed: [] };
    if (observe !== undefined && (observe === 1 || r.code === '2.05')) {
      h.observe = { kind: observe === 0 ? 'observe' : 'cancel', paths, composite: true, format };
    }
    return h;
  }

  private decode(m: Msg, path: number[], payload: Buffer, newInstance?: number): Leaf[] | Reply {
    const cf = getUint(m, O.ContentFormat);
    if (cf === undefined) return reply('4.00');
    if (!this.cfg.formats.includes(cf)) return reply('4.15');
    const leaves = decodePayload(cf, path, payload, this.store.typeOf, newInstance);
    return leaves ?? reply('4.15');
  }

  private put(m: Msg, path: number[], payload: Buffer): Handled {
    if (path.length === 0) return { reply: reply('4.05'), changed: [] };
    const query = getStrings(m, O.UriQuery);
    if (payload.length === 0 && getUint(m, O.ContentFormat) === undefined) {
      if (!this.store.exists(path)) return { reply: reply('4.04'), changed: [] };
      if (!query.every((q) => /^(pmin|pmax|gt|lt|st|epmin|epmax|edge|con|hqmax)(=[-+0-9.eE]+)?$/.test(q))) {
        return { reply: reply('4.00'), changed: [] };
      }
      this.store.attributes.set(pathText(path), query);
      return { reply: reply('2.04'), changed: [] };
    }
    if (path.length === 1) return { reply: reply('4.05'), changed: [] };
    if (!this.store.exists(path.slice(0, 2))) return { reply: reply('4.04'), changed: [] };
    const leaves = this.decode(m, path, payload);
    if (!Array.isArray(leaves)) return { reply: leaves, changed: [] };
    const code = this.store.write(path, leaves, true);
    return { reply: reply(code), changed: code === '2.04' ? leaves.map((l) => pathText(l.path)) : [] };
  }

  private post(m: Msg, path: number[], payload: Buffer): Handled {
    const [o, i, r] = path;
    if (o === undefined) return { reply: reply('4.05'), changed: [] };
    if (i === undefined) {
      const id = this.store.nextInstanceId(o);
      const leaves = this.decode(m, path, payload, id);
      if (!Array.isArray(leaves)) return { reply: leaves, changed: [] };
      const newId = leaves[0]?.path[1] ?? id;
      if (leaves.some((l) => l.path[1] !== newId)) return { reply: reply('4.00'), changed: [] };
      const code = this.store.create(o, newId, leaves);
      const root = this.cfg.root;
      const location = code === '2.01' ? [...root, String(o), String(newId)].map((s) => opt(O.LocationPath, s)) : [];
      return { reply: reply(code, location), changed: code === '2.01' ? [pathText([o, newId])] : [] };
    }
    if (r === undefined) {
      if (!this.store.hasInstance(o, i)) return { reply: reply('4.04'), changed: [] };
      const leaves = this.decode(m, path, payload);
      if (!Array.isArray(leaves)) return { reply: leaves, changed: [] };
      const code = this.store.write(path, leaves, false);
      return { reply: reply(code), changed: code === '2.04' ? leaves.map((l) => pathText(l.path)) : [] };
    }
    if (path.length === 4) return { reply: reply('4.05'), changed: [] };
    const def = this.store.resourceDef(o, r);
    if (!this.store.hasInstance(o, i) || !def) return { reply: reply('4.04'), changed: [] };
    if (def.ops !== 'E') return { reply: reply('4.05'), changed: [] };
    this.cfg.onExecute(pathText(path), payload.toString('utf8'));
    return { reply: reply('2.04'), changed: [] };
  }

  private writeComposite(m: Msg, path: number[], payload: Buffer): Handled {
    if (path.length !== 0) return { reply: reply('4.05'), changed: [] };
    const cf = getUint(m, O.ContentFormat);
    const leaves = cf === undefined || !this.cfg.formats.includes(cf) ? undefined : decodeCompositeWrite(cf, payload, this.store.typeOf);
    if (!leaves) return { reply: reply('4.15'), changed: [] };
    // all or nothing: check every target first
    for (const l of leaves) {
      const def = this.store.resourceDef(l.path[0]!, l.path[2]!);
      if (!this.store.hasInstance(l.path[0]!, l.path[1]!) || !def) return { reply: reply('4.04'), changed: [] };
      if (!def.ops.includes('W')) return { reply: reply('4.05'), changed: [] };
    }
    for (const l of leaves) this.store.write(l.path.slice(0, 3), [l], l.path.length === 3);
    return { reply: reply('2.04'), changed: leaves.map((l) => pathText(l.path)) };
  }
}

export type { Value };
