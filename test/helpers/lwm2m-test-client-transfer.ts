/**
 * The test client's block-wise transfers (RFC 7959: Block2 answers served from the
 * whole representation, Block1 uploads reassembled) and its observations (RFC 7641).
 */
import type { Block, CoapOpt, Msg } from './lwm2m-test-client-coap.js';
import { O, blockBytes, blockOpt, getOpt, getStrings, opt } from './lwm2m-test-client-coap.js';
import type { ObserveAction } from './lwm2m-test-client-handler.js';
import { pathText } from './lwm2m-test-client-formats.js';
import type { Remote } from './lwm2m-test-client-link.js';

function etagOf(b: Buffer): Buffer {
  let h = 0x811c9dc5;
  for (const byte of b) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  const out = Buffer.alloc(4);
  out.writeUInt32BE(h);
  return out;
}

/**
 * The block of `payload` that `asked` names, at the smaller of its size and ours.
 * undefined: the payload fits in one block (send it whole); null: no such block (4.02).
 */
export function sliceBlock2(payload: Buffer, asked: Block, ourSzx: number): { options: CoapOpt[]; payload: Buffer } | undefined | null {
  const szx = Math.min(asked.szx, ourSzx);
  const size = blockBytes(szx);
  if (payload.length <= size && asked.num === 0) return undefined;
  const start = asked.num * size;
  if (start >= payload.length) return null;
  const more = start + size < payload.length;
  const options = [blockOpt(O.Block2, { num: asked.num, more, szx }), opt(O.ETag, etagOf(payload))];
  if (asked.num === 0) options.push(opt(O.Size2, payload.length));
  return { options, payload: payload.subarray(start, start + size) };
}

interface Upload {
  parts: Buffer[];
  received: number;
}

export interface Block1Step {
  /** an answer to send now (2.31 Continue, or an error) */
  reply?: { code: string; options: CoapOpt[]; payload: Buffer };
  /** the whole body, when the last block came */
  body?: Buffer;
  /** options for the final answer (the Block1 echo) */
  options: CoapOpt[];
}

export class Block1Receiver {
  private readonly uploads = new Map<string, Upload>();
  /** completed uploads: total bytes */
  readonly completed: number[] = [];

  constructor(
    private readonly ourSzx: number,
    private readonly maxBody = 8 * 1024 * 1024,
  ) {}

  receive(m: Msg, b: Block): Block1Step {
    const tag = getOpt(m, O.RequestTag)?.toString('hex') ?? '';
    const key = `${m.code}|${getStrings(m, O.UriPath).join('/')}|${getStrings(m, O.UriQuery).join('&')}|${tag}`;
    const size = blockBytes(b.szx);
    if (b.num === 0) this.uploads.set(key, { parts: [], received: 0 });
    const up = this.uploads.get(key);
    const none = Buffer.alloc(0);
    if (!up || b.num * size !== up.received || (b.more && m.payload.length !== size)) {
      this.uploads.delete(key);
      return { reply: { code: '4.08', options: [], payload: none }, options: [] };
    }
    up.parts.push(m.payload);
    up.received += m.payload.length;
    if (up.received > this.maxBody) {
      this.uploads.delete(key);
      return { reply: { code: '4.13', options: [opt(O.Size1, this.maxBody)], payload: none }, options: [] };
    }
    if (b.more) {
      const szx = Math.min(b.szx, this.ourSzx);
      return { reply: { code: '2.31', options: [blockOpt(O.Block1, { num: b.num, more: true, szx })], payload: none }, options: [] };
    }
    this.uploads.delete(key);
    this.completed.push(up.received);
    return { body: Buffer.concat(up.parts), options: [blockOpt(O.Block1, { num: b.num, more: false, szx: b.szx })] };
  }
}

export interface Observation {
  token: Buffer;
  paths: number[][];
  composite: boolean;
  format: number;
  peer: Remote;
  seq: number;
}

const under = (a: string, b: string): boolean => a === b || a.startsWith(b === '/' ? '/' : b + '/');

export class Observers {
  private readonly byToken = new Map<string, Observation>();
  private readonly byMid = new Map<number, Observation>();
  private seq = 0;

  add(token: Buffer, action: ObserveAction, peer: Remote): Observation {
    const ob: Observation = { token, paths: action.paths, composite: action.composite, format: action.format, peer, seq: 0 };
    this.byToken.set(token.toString('hex'), ob);
    return ob;
  }

  /** Observe sequence numbers increase across the client (24 bits). */
  nextSeq(ob: Observation): number {
    this.seq = (this.seq + 1) & 0xffffff;
    ob.seq = this.seq;
    return this.seq;
  }

  /** Notifications of the observers at `from` go to `to` from now on. */
  movePeer(from: Remote, to: Remote): void {
    for (const ob of this.byToken.values()) if (ob.peer.address === from.address && ob.peer.port === from.port) ob.peer = { ...to };
  }

  removeToken(token: Buffer): void {
    this.byToken.delete(token.toString('hex'));
  }

  remove(ob: Observation): void {
    if (this.byToken.get(ob.token.toString('hex')) === ob) this.removeToken(ob.token);
  }

  sentWithMid(mid: number, ob: Observation): void {
    this.byMid.set(mid, ob);
    if (this.byMid.size > 1000) this.byMid.delete(this.byMid.keys().next().value!);
  }

  /** A RST for a NON notification cancels its observation (RFC 7641 3.6). */
  resetByMid(mid: number): void {
    const ob = this.byMid.get(mid);
    if (ob) this.remove(ob);
  }

  covering(paths: string[] | undefined): Observation[] {
    return [...this.byToken.values()].filter(
      (ob) =>
        paths === undefined ||
        ob.paths.some((p) => paths.some((c) => under(c, pathText(p)) || under(pathText(p), c))),
    );
  }

  list(): { token: string; paths: string[]; composite: boolean; format: number }[] {
    return [...this.byToken.values()].map((ob) => ({
      token: ob.token.toString('hex'),
      paths: ob.paths.map((p) => pathText(p)),
      composite: ob.composite,
      format: ob.format,
    }));
  }

  clear(): void {
    this.byToken.clear();
    this.byMid.clear();
  }
}
