/**
 * A simulated LwM2M client in its bootstrap phase, on real UDP, written from the
 * specification (LwM2M 1.1 Core 5.2.7 and 6.1.7, Transport 6.2), not from the gateway:
 * it sends Bootstrap-Request (POST /bs?ep=&pct=), then answers the Bootstrap Server as a
 * client does:
 *
 *   DELETE /, /0, /1, /o, /o/i  -> 2.02; its Bootstrap-Server account (/0/i with /0/i/1
 *                                  true) survives (1.1); a 1.0 client answers 4.00 to /
 *   PUT /o/i (/o) with a format -> 2.04 (instance replaced); 4.15 for a format it lacks
 *   GET / with Accept 40        -> Bootstrap-Discover: </>;lwm2m=1.1,</0/0>,...
 *   GET /o[/i]                  -> Bootstrap-Read (/1 and /2 only in 1.1)
 *   POST /bs                    -> Bootstrap-Finish: 2.04
 *
 * It keeps what it got (its ObjectStore) and can misbehave: answer a code of its choice to
 * a write, never answer Finish, or stop answering altogether.
 *
 * It shares no code with the gateway: its own CoAP link, formats and store (the test
 * client's) on node:dgram, coap-packet and cbor-x.
 */
import type { CoapOpt, Msg } from './lwm2m-test-client-coap.js';
import { METHOD, O, getStrings, getUint, opt } from './lwm2m-test-client-coap.js';
import { CF, decodePayload, encodePayload } from './lwm2m-test-client-formats.js';
import { ClientLink } from './lwm2m-test-client-link.js';
import type { Remote } from './lwm2m-test-client-link.js';
import { ObjectStore } from './lwm2m-test-client-store.js';
import type { ObjectDef } from './lwm2m-test-client-store.js';
import { FormatError } from './lwm2m-test-client-tlv.js';

/** What this client knows of the objects a bootstrap writes (types as in the OMA registry). */
export const BOOTSTRAP_OBJECTS: ObjectDef[] = [
  {
    id: 0,
    resources: {
      0: { type: 'string', ops: 'RW' }, 1: { type: 'boolean', ops: 'RW' }, 2: { type: 'integer', ops: 'RW' },
      3: { type: 'opaque', ops: 'RW' }, 4: { type: 'opaque', ops: 'RW' }, 5: { type: 'opaque', ops: 'RW' },
      10: { type: 'integer', ops: 'RW' }, 11: { type: 'integer', ops: 'RW' }, 12: { type: 'integer', ops: 'RW' },
    },
  },
  {
    id: 1,
    resources: {
      0: { type: 'integer', ops: 'RW' }, 1: { type: 'integer', ops: 'RW' }, 2: { type: 'integer', ops: 'RW' },
      3: { type: 'integer', ops: 'RW' }, 6: { type: 'boolean', ops: 'RW' }, 7: { type: 'string', ops: 'RW' },
    },
  },
  { id: 3, resources: { 0: { type: 'string', ops: 'R' } } },
  { id: 5, resources: { 1: { type: 'string', ops: 'RW' } } },
  {
    id: 24,
    resources: { 0: { type: 'boolean', ops: 'RW' }, 1: { type: 'string', ops: 'RW' }, 3: { type: 'boolean', ops: 'RW' }, 5: { type: 'integer', ops: 'RW' }, 6: { type: 'string', ops: 'RW' } },
  },
];

export interface BootstrapClientOptions {
  serverPort: number;
  serverAddress?: string;
  endpoint: string;
  /** '1.0': 4.00 to Delete /, no Discover; default '1.1' */
  version?: '1.0' | '1.1';
  /** formats it takes for writes (default TLV, SenML JSON, SenML CBOR) */
  formats?: number[];
  /** answer this code to a write of this path (e.g. { '/1/0': '4.00' }) */
  failWrites?: Record<string, string>;
  /** never answer Bootstrap-Finish */
  neverFinish?: boolean;
  /** answer Bootstrap-Finish with this code (default 2.04) */
  finishCode?: string;
  /** answer nothing after the Bootstrap-Request */
  silent?: boolean;
}

export interface BootstrapRequestRecord {
  method: string;
  path: string;
  contentFormat?: number;
  accept?: number;
  code: string;
}

const STORE_VALUES = {
  // the Bootstrap-Server account, and a server account of an earlier bootstrap
  '/0/0': { 0: 'coap://bootstrap.example:5685', 1: true, 2: 3, 3: new Uint8Array(0), 4: new Uint8Array(0), 5: new Uint8Array(0) },
  '/0/5': { 0: 'coap://old.example:5683', 1: false, 2: 3, 10: 99 },
  '/1/5': { 0: 99, 1: 60, 6: false, 7: 'U' },
  '/3/0': { 0: 'Test Devices Ltd' },
};

export class BootstrapTestClient {
  readonly store = new ObjectStore(BOOTSTRAP_OBJECTS, STORE_VALUES);
  readonly received: BootstrapRequestRecord[] = [];
  private readonly link = new ClientLink({ ackTimeoutMs: 250, maxRetransmit: 4, responseTimeoutMs: 5000 });
  private readonly remote: Remote;
  private finishedResolve: (() => void) | undefined;
  /** resolves when Bootstrap-Finish came (and was answered 2.04) */
  readonly finished: Promise<void>;

  constructor(private readonly options: BootstrapClientOptions) {
    this.remote = { address: options.serverAddress ?? '127.0.0.1', port: options.serverPort };
    this.finished = new Promise((r) => (this.finishedResolve = r));
    this.link.onRequest = (m) => this.answer(m);
  }

  async open(): Promise<this> {
    await this.link.open(this.remote.address.includes(':') ? '::1' : '127.0.0.1');
    return this;
  }

  close(): Promise<void> {
    return this.link.close();
  }

  /** The Bootstrap-Request message (Uri-Path bs, Uri-Query ep and pct). */
  static bootstrapRequestMsg(query: string[], mid: number, token: Buffer): Msg {
    return { type: 'CON', code: '0.02', mid, token, options: [opt(O.UriPath, 'bs'), ...query.map((x) => opt(O.UriQuery, x))], payload: Buffer.alloc(0) };
  }

  /** Sends Bootstrap-Request; resolves with the server's answer code. */
  async bootstrapRequest(pct?: number, query: string[] = [`ep=${this.options.endpoint}`]): Promise<string> {
    const q = pct !== undefined ? [...query, `pct=${pct}`] : query;
    const { mid: _mid, token: _token, ...m } = BootstrapTestClient.bootstrapRequestMsg(q, 0, Buffer.alloc(0));
    const r = await this.link.request(m, this.remote);
    return r.code;
  }

  /** Bootstrap-Pack-Request (1.2): the answer code, format and payload. */
  async bootstrapPack(accept?: number): Promise<{ code: string; contentFormat?: number; payload: Buffer }> {
    const options: CoapOpt[] = [opt(O.UriPath, 'bspack'), opt(O.UriQuery, `ep=${this.options.endpoint}`)];
    if (accept !== undefined) options.push(opt(O.Accept, accept));
    const r = await this.link.request({ type: 'CON', code: '0.01', options, payload: Buffer.alloc(0) }, this.remote);
    const cf = getUint(r, O.ContentFormat);
    return { code: r.code, payload: r.payload, ...(cf !== undefined ? { contentFormat: cf } : {}) };
  }

  /** The answer to a request of the Bootstrap Server (undefined: none); public to run the client over another link (DTLS). */
  answer(m: Msg): Msg | undefined {
    if (this.options.silent) return undefined;
    const method = METHOD[m.code] ?? m.code;
    const segs = getStrings(m, O.UriPath);
    const path = '/' + segs.join('/');
    const cf = getUint(m, O.ContentFormat);
    const accept = getUint(m, O.Accept);
    const a = this.handle(method, segs, m.payload, cf, accept);
    if (a === undefined) return undefined;
    this.received.push({ method, path, code: a.code, ...(cf !== undefined ? { contentFormat: cf } : {}), ...(accept !== undefined ? { accept } : {}) });
    const options = a.contentFormat !== undefined ? [opt(O.ContentFormat, a.contentFormat)] : [];
    const type = m.type === 'CON' ? 'ACK' : 'NON';
    return { type, code: a.code, mid: m.type === 'CON' ? m.mid : this.link.nextMid(), token: m.token, options, payload: a.payload ?? Buffer.alloc(0) };
  }

  private handle(method: string, segs: string[], payload: Buffer, cf: number | undefined, accept: number | undefined): { code: string; contentFormat?: number; payload?: Buffer } | undefined {
    if (method === 'POST' && segs.length === 1 && segs[0] === 'bs') {
      if (this.options.neverFinish) return undefined;
      const code = this.options.finishCode ?? '2.04';
      if (code === '2.04') setImmediate(() => this.finishedResolve?.());
      return { code };
    }
    const ids = segs.filter((s) => s !== '').map(Number);
    if (ids.some((n) => !Number.isInteger(n) || n < 0 || n > 65534) || ids.length > 2) return { code: '4.00' };
    switch (method) {
      case 'DELETE':
        return { code: this.delete(ids) };
      case 'PUT':
        return this.write(ids, payload, cf);
      case 'GET':
        if (accept === CF.LINK) return this.discover(ids);
        return this.read(ids, accept);
      default:
        return { code: '4.05' };
    }
  }

  /** Is /0/i the Bootstrap-Server account (resource 1 true)? */
  private isBootstrapAccount(i: number): boolean {
    return this.store.get(`/0/${i}/1`) === true;
  }

  private delete(ids: number[]): string {
    const [o, i] = ids;
    if (o === undefined && this.options.version === '1.0') return '4.00';
    const objects = o === undefined ? this.store.objects().map((x) => x.id) : [o];
    if (i !== undefined) {
      if (o === 0 && this.isBootstrapAccount(i)) return '4.00';
      return this.store.hasInstance(o!, i) ? this.store.delete([o!, i]) : '2.02';
    }
    for (const obj of objects) {
      if (obj === 3) continue; // the Device object is the client's own
      for (const inst of this.store.instanceIds(obj)) {
        if (obj === 0 && this.isBootstrapAccount(inst)) continue;
        this.store.delete([obj, inst]);
      }
    }
    return '2.02';
  }

  private write(ids: number[], payload: Buffer, cf: number | undefined): { code: string } {
    const fail = this.options.failWrites?.['/' + ids.join('/')];
    if (fail) return { code: fail };
    const formats = this.options.formats ?? [CF.TLV, CF.SENML_JSON, CF.SENML_CBOR];
    if (cf === undefined || !formats.includes(cf)) return { code: '4.15' };
    if (ids.length !== 2) return { code: '4.00' };
    const [o, i] = ids as [number, number];
    if (!this.store.defs.has(o)) return { code: '4.04' };
    let leaves;
    try {
      leaves = decodePayload(cf, ids, payload, this.store.typeOf);
    } catch (e) {
      if (e instanceof FormatError) return { code: '4.00' };
      throw e;
    }
    if (!leaves) return { code: '4.15' };
    if (o === 0 && this.isBootstrapAccount(i)) return { code: '4.00' }; // the bootstrap account is not overwritten
    if (this.store.hasInstance(o, i)) this.store.delete([o, i]);
    this.store.addInstance(o, i, {});
    return { code: this.store.write(ids, leaves, true, false) };
  }

  private discover(ids: number[]): { code: string; contentFormat: number; payload: Buffer } | { code: string } {
    if (this.options.version === '1.0') return { code: '4.05' };
    if (ids.length > 1) return { code: '4.00' };
    const links = ['</>;lwm2m=1.1'];
    for (const ob of this.store.objects()) {
      if (ids.length === 1 && ob.id !== ids[0]) continue;
      if (ob.instances.length === 0) links.push(`</${ob.id}>`);
      for (const i of ob.instances) links.push(`</${ob.id}/${i}>`);
    }
    return { code: '2.05', contentFormat: CF.LINK, payload: Buffer.from(links.join(','), 'utf8') };
  }

  private read(ids: number[], accept: number | undefined): { code: string; contentFormat?: number; payload?: Buffer } {
    if (ids[0] !== 1 && ids[0] !== 2) return { code: '4.00' };
    const format = accept ?? CF.TLV;
    const leaves = this.store.leaves(ids, false);
    if (!leaves) return { code: '4.04' };
    const payload = encodePayload(format, ids, leaves);
    return payload ? { code: '2.05', contentFormat: format, payload } : { code: '4.06' };
  }

  /** The values written into /o/i, as { resource id: value }. */
  instance(path: string): Record<number, unknown> | undefined {
    const [o, i] = path.split('/').filter((s) => s !== '').map(Number) as [number, number];
    if (!this.store.hasInstance(o, i)) return undefined;
    const out: Record<number, unknown> = {};
    for (const l of this.store.leaves([o, i], false) ?? []) out[l.path[2]!] = l.value;
    return out;
  }

  /** The ids of the instances of object `o`, in order. */
  instances(o: number): number[] {
    return this.store.instanceIds(o).sort((a, b) => a - b);
  }
}
