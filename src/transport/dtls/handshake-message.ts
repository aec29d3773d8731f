/**
 * DTLS 1.2 handshake messages (RFC 6347 4.2.2, RFC 5246 7.4, RFC 4279): the 12-byte
 * header, the ClientHello read with every vector bounded, the ServerHello and
 * HelloVerifyRequest written, the PSK ClientKeyExchange read.
 */

export const HandshakeType = {
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

export const HANDSHAKE_HEADER = 12;
export const EXT_EXTENDED_MASTER_SECRET = 0x0017;
export const EXT_RENEGOTIATION_INFO = 0xff01;
/** RFC 9146 3 (54; drafts used 53, with another MAC) */
export const EXT_CONNECTION_ID = 54;
export const SCSV_RENEGOTIATION = 0x00ff;
/** the longest PSK identity accepted (LwM2M: 128 bytes) */
export const MAX_IDENTITY = 128;

export interface HandshakeFragment {
  msgType: number;
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  body: Buffer;
}

/** The handshake fragments of one record; undefined when any is malformed. */
export function parseHandshakeFragments(fragment: Buffer): HandshakeFragment[] | undefined {
  const out: HandshakeFragment[] = [];
  let o = 0;
  while (o < fragment.length) {
    if (o + HANDSHAKE_HEADER > fragment.length || out.length >= 8) return undefined;
    const msgType = fragment[o]!;
    const length = fragment.readUIntBE(o + 1, 3);
    const messageSeq = fragment.readUInt16BE(o + 4);
    const fragmentOffset = fragment.readUIntBE(o + 6, 3);
    const fragmentLength = fragment.readUIntBE(o + 9, 3);
    if (fragmentOffset + fragmentLength > length || o + HANDSHAKE_HEADER + fragmentLength > fragment.length) return undefined;
    out.push({ msgType, length, messageSeq, fragmentOffset, body: fragment.subarray(o + HANDSHAKE_HEADER, o + HANDSHAKE_HEADER + fragmentLength) });
    o += HANDSHAKE_HEADER + fragmentLength;
  }
  return out;
}

/** A whole (unfragmented) handshake message: header and body, as it also enters the transcript. */
export function handshakeMessage(msgType: number, messageSeq: number, body: Buffer): Buffer {
  const h = Buffer.alloc(HANDSHAKE_HEADER);
  h[0] = msgType;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUInt16BE(messageSeq, 4);
  h.writeUIntBE(0, 6, 3);
  h.writeUIntBE(body.length, 9, 3);
  return Buffer.concat([h, body]);
}

/** Reads length-prefixed vectors without ever passing the end. */
export class Reader {
  o = 0;
  constructor(private readonly b: Buffer) {}
  get rest(): number {
    return this.b.length - this.o;
  }
  bytes(n: number): Buffer | undefined {
    if (n > this.rest) return undefined;
    const out = this.b.subarray(this.o, this.o + n);
    this.o += n;
    return out;
  }
  u8(): number | undefined {
    return this.rest >= 1 ? this.b[this.o++] : undefined;
  }
  u16(): number | undefined {
    if (this.rest < 2) return undefined;
    const v = this.b.readUInt16BE(this.o);
    this.o += 2;
    return v;
  }
  vec8(max: number): Buffer | undefined {
    const n = this.u8();
    return n === undefined || n > max ? undefined : this.bytes(n);
  }
  vec16(max: number): Buffer | undefined {
    const n = this.u16();
    return n === undefined || n > max ? undefined : this.bytes(n);
  }
}

export interface ClientHello {
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cookie: Buffer;
  cipherSuites: number[];
  compressions: Buffer;
  /** extension types offered (at most 64 read) */
  extensions: number[];
  /** the data of each extension offered, by type */
  extensionData: ReadonlyMap<number, Buffer>;
  /** the connection_id extension: the ID the client wants in our records (empty: none); undefined when not offered */
  connectionId?: Buffer;
  /** the body without its cookie: what the cookie is computed over */
  cookieInput: Buffer;
}

export function parseClientHello(body: Buffer): ClientHello | undefined {
  const r = new Reader(body);
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec8(32);
  const afterSession = r.o;
  const cookie = r.vec8(255);
  const afterCookie = r.o;
  const suites = r.vec16(512);
  const compressions = r.vec8(255);
  if (version === undefined || !random || !sessionId || !cookie || !suites || !compressions) return undefined;
  if (suites.length === 0 || suites.length % 2 !== 0 || compressions.length === 0) return undefined;
  const cipherSuites: number[] = [];
  for (let i = 0; i < suites.length; i += 2) cipherSuites.push(suites.readUInt16BE(i));
  const extensions: number[] = [];
  const extensionData = new Map<number, Buffer>();
  let connectionId: Buffer | undefined;
  if (r.rest > 0) {
    const exts = r.vec16(4096);
    if (!exts || r.rest !== 0) return undefined;
    const e = new Reader(exts);
    while (e.rest > 0) {
      const type = e.u16();
      const data = e.vec16(4096);
      if (type === undefined || !data || extensions.length >= 64) return undefined;
      if (type === EXT_CONNECTION_ID) {
        const c = new Reader(data);
        connectionId = c.vec8(255);
        if (!connectionId || c.rest !== 0) return undefined;
      }
      extensions.push(type);
      extensionData.set(type, data);
    }
  }
  const cookieInput = Buffer.concat([body.subarray(0, afterSession), body.subarray(afterCookie)]);
  return { version, random, sessionId, cookie, cipherSuites, compressions, extensions, extensionData, cookieInput, ...(connectionId ? { connectionId } : {}) };
}

export function helloVerifyRequest(cookie: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xfe, 0xff, cookie.length]), cookie]);
}

export interface ServerHelloParams {
  random: Buffer;
  sessionId: Buffer;
  cipherSuite: number;
  extendedMasterSecret: boolean;
  renegotiationInfo: boolean;
  /** further extensions, each whole (type, length, data) */
  more?: Buffer[];
  /** the connection_id extension with the ID the client is to use (RFC 9146 3) */
  connectionId?: Buffer;
}

export function serverHello(p: ServerHelloParams): Buffer {
  const exts: Buffer[] = [];
  if (p.extendedMasterSecret) exts.push(Buffer.from([0x00, 0x17, 0x00, 0x00]));
  // an empty renegotiation_info: OpenSSL 3 clients refuse a server without it
  if (p.renegotiationInfo) exts.push(Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00]));
  exts.push(...(p.more ?? []));
  if (p.connectionId) {
    const cid = p.connectionId;
    const e = Buffer.alloc(5);
    e.writeUInt16BE(EXT_CONNECTION_ID, 0);
    e.writeUInt16BE(cid.length + 1, 2);
    e[4] = cid.length;
    exts.push(e, cid);
  }
  const ext = Buffer.concat(exts);
  const head = Buffer.alloc(2 + 32 + 1);
  head.writeUInt16BE(0xfefd, 0);
  p.random.copy(head, 2);
  head[34] = p.sessionId.length;
  const suite = Buffer.alloc(3);
  suite.writeUInt16BE(p.cipherSuite, 0);
  const extLen = Buffer.alloc(2);
  extLen.writeUInt16BE(ext.length, 0);
  return Buffer.concat([head, p.sessionId, suite, ...(ext.length > 0 ? [extLen, ext] : [])]);
}

/** The PSK identity of a ClientKeyExchange (RFC 4279); undefined when malformed or too long. */
export function parsePskClientKeyExchange(body: Buffer): Buffer | undefined {
  const r = new Reader(body);
  const id = r.vec16(MAX_IDENTITY);
  return id && r.rest === 0 ? id : undefined;
}
