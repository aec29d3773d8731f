/**
 * DTLS 1.2 records (RFC 6347 4.1): type, version, epoch, 48-bit sequence number, length
 * and fragment; several may share one datagram. A tls12_cid record (RFC 9146 4) carries
 * the connection ID after the sequence number: its length is not on the wire, it is the
 * length of the IDs this server issues. Parsing never reads past the datagram and refuses
 * lengths beyond 2^14 + 2048.
 */

export const ContentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23, tls12Cid: 25 } as const;
export const DTLS_1_2 = 0xfefd;
export const DTLS_1_0 = 0xfeff;
export const RECORD_HEADER = 13;
/** RFC 5246 6.2.3: a protected fragment is at most 2^14 + 2048 bytes */
export const MAX_FRAGMENT = 16384 + 2048;
export const MAX_SEQ = 2 ** 48 - 1;

export interface DtlsRecord {
  type: number;
  version: number;
  epoch: number;
  seq: number;
  fragment: Buffer;
  /** the connection ID of a tls12_cid record */
  cid?: Buffer;
}

function knownType(t: number): boolean {
  return (t >= 20 && t <= 23) || t === ContentType.tls12Cid;
}

/**
 * The records of one datagram. A malformed record (unknown type, a version that is not
 * DTLS, a length past the datagram or the bound) ends parsing: what came before is kept.
 * A tls12_cid record is read with `cidLength` bytes of connection ID; when this server
 * issues none (0) it is malformed.
 */
export function parseRecords(datagram: Buffer, max = 16, cidLength = 0): DtlsRecord[] {
  const out: DtlsRecord[] = [];
  let o = 0;
  while (o + RECORD_HEADER <= datagram.length && out.length < max) {
    const type = datagram[o]!;
    const version = datagram.readUInt16BE(o + 1);
    if (!knownType(type) || (version !== DTLS_1_2 && version !== DTLS_1_0)) break;
    const cidLen = type === ContentType.tls12Cid ? cidLength : 0;
    if (type === ContentType.tls12Cid && cidLen === 0) break;
    const header = RECORD_HEADER + cidLen;
    if (o + header > datagram.length) break;
    const epoch = datagram.readUInt16BE(o + 3);
    const seq = datagram.readUIntBE(o + 5, 6);
    const length = datagram.readUInt16BE(o + 11 + cidLen);
    if (length > MAX_FRAGMENT || o + header + length > datagram.length) break;
    const r: DtlsRecord = { type, version, epoch, seq, fragment: datagram.subarray(o + header, o + header + length) };
    if (cidLen > 0) r.cid = datagram.subarray(o + 11, o + 11 + cidLen);
    out.push(r);
    o += header + length;
  }
  return out;
}

export function serializeRecord(r: DtlsRecord): Buffer {
  if (r.fragment.length > MAX_FRAGMENT) throw new RangeError('record fragment too long');
  if (!Number.isInteger(r.seq) || r.seq < 0 || r.seq > MAX_SEQ) throw new RangeError('record sequence out of range');
  const cid = r.cid ?? Buffer.alloc(0);
  const h = Buffer.alloc(RECORD_HEADER + cid.length);
  h[0] = r.type;
  h.writeUInt16BE(r.version, 1);
  h.writeUInt16BE(r.epoch, 3);
  h.writeUIntBE(r.seq, 5, 6);
  cid.copy(h, 11);
  h.writeUInt16BE(r.fragment.length, 11 + cid.length);
  return Buffer.concat([h, r.fragment]);
}
