/**
 * The protected record of a connection with a connection ID (RFC 9146 4, 5): the content
 * travels as DTLSInnerPlaintext (content, real content type, zero padding) under the outer
 * type tls12_cid, and the AEAD additional data (or the MAC input of a block cipher) starts
 * with a placeholder sequence number so it never collides with that of a record without CID.
 */
import { ContentType } from './record.js';

/** RFC 9146 5: seq_num_placeholder */
const PLACEHOLDER = Buffer.alloc(8, 0xff);
/** connection IDs this server accepts from a client for its own sending (the client's choice) */
export const MAX_PEER_CID = 20;
/** the longest connection ID this server issues */
export const MAX_OWN_CID = 20;

/**
 * seq_num_placeholder + tls12_cid + cid_length + tls12_cid + version + epoch +
 * sequence_number + cid + length_of_DTLSInnerPlaintext (RFC 9146 5.3; 5.1 puts the same
 * bytes before the inner plaintext in the MAC of a block cipher).
 */
export function cidAdditionalData(cid: Buffer, epoch: number, seq: number, version: number, innerLength: number): Buffer {
  const b = Buffer.alloc(23 + cid.length);
  PLACEHOLDER.copy(b, 0);
  b[8] = ContentType.tls12Cid;
  b[9] = cid.length;
  b[10] = ContentType.tls12Cid;
  b.writeUInt16BE(version, 11);
  b.writeUInt16BE(epoch, 13);
  b.writeUIntBE(seq, 15, 6);
  cid.copy(b, 21);
  b.writeUInt16BE(innerLength, 21 + cid.length);
  return b;
}

/** DTLSInnerPlaintext without padding: the content, then its real type. */
export function innerPlaintext(type: number, content: Buffer): Buffer {
  return Buffer.concat([content, Buffer.from([type])]);
}

/** Content and real type of a DTLSInnerPlaintext: the last non-zero byte is the type; undefined when there is none. */
export function parseInnerPlaintext(inner: Buffer): { type: number; content: Buffer } | undefined {
  let i = inner.length - 1;
  while (i >= 0 && inner[i] === 0) i--;
  if (i < 0) return undefined;
  const type = inner[i]!;
  if (type === ContentType.tls12Cid) return undefined;
  return { type, content: inner.subarray(0, i) };
}
