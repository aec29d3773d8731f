/**
 * DTLS 1.2 records (RFC 6347 4.1): type, version, epoch, 48-bit sequence number, length
 * and fragment; several may share one datagram. Parsing never reads past the datagram and
 * refuses lengths beyond 2^14 + 2048.
 */

export const ContentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;
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
}

function knownType(t: number): boolean {
  return t >= 20 && t <= 23;
}

/**
 * The records of one datagram. A malformed record (unknown type, a version that is not
 * DTLS, a length past the datagram or the bound) ends parsing: what came before is kept.
 */
export function parseRecords(datagram: Buffer, max = 16): DtlsRecord[] {
  const out: DtlsRecord[] = [];
  let o = 0;
  while (o + RECORD_HEADER <= datagram.length && out.length < max) {
    const type = datagram[o]!;
    const version = datagram.readUInt16BE(o + 1);
    const epoch = datagram.readUInt16BE(o + 3);
    const seq = datagram.readUIntBE(o + 5, 6);
    const length = datagram.readUInt16BE(o + 11);
    if (!knownType(type) || (version !== DTLS_1_2 && version !== DTLS_1_0)) break;
    if (length > MAX_FRAGMENT || o + RECORD_HEADER + length > datagram.length) break;
    out.push({ type, version, epoch, seq, fragment: datagram.subarray(o + RECORD_HEADER, o + RECORD_HEADER + length) });
    o += RECORD_HEADER + length;
  }
  return out;
}

export function serializeRecord(r: DtlsRecord): Buffer {
  if (r.fragment.length > MAX_FRAGMENT) throw new RangeError('record fragment too long');
  if (!Number.isInteger(r.seq) || r.seq < 0 || r.seq > MAX_SEQ) throw new RangeError('record sequence out of range');
  const h = Buffer.alloc(RECORD_HEADER);
  h[0] = r.type;
  h.writeUInt16BE(r.version, 1);
  h.writeUInt16BE(r.epoch, 3);
  h.writeUIntBE(r.seq, 5, 6);
  h.writeUInt16BE(r.fragment.length, 11);
  return Buffer.concat([h, r.fragment]);
}
