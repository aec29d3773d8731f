/**
 * AES-128-CCM with an 8-byte tag as DTLS 1.2 uses it (RFC 6655, RFC 5246 6.2.3.3): the
 * nonce is the 4-byte implicit IV and the 8-byte explicit nonce (epoch and sequence
 * number); the additional data is epoch, sequence, type, version and plaintext length.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { cidAdditionalData } from './cid-record.js';

export const TAG_LENGTH = 8;
export const EXPLICIT_NONCE_LENGTH = 8;

/** Raw CCM_8 encryption: ciphertext followed by the 8-byte tag. */
export function ccm8Seal(key: Buffer, nonce: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG_LENGTH });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]);
}

/** Raw CCM_8 decryption of ciphertext + tag; undefined when it does not authenticate. */
export function ccm8Open(key: Buffer, nonce: Buffer, aad: Buffer, sealed: Buffer): Buffer | undefined {
  if (sealed.length < TAG_LENGTH) return undefined;
  const body = sealed.subarray(0, sealed.length - TAG_LENGTH);
  try {
    const d = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: TAG_LENGTH });
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    d.setAAD(aad, { plaintextLength: body.length });
    const out = d.update(body);
    d.final();
    return out;
  } catch {
    return undefined;
  }
}

/** epoch (2 bytes) and 48-bit sequence number as 8 bytes: the explicit nonce and the head of the AAD. */
export function epochSeq(epoch: number, seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(epoch, 0);
  b.writeUIntBE(seq, 2, 6);
  return b;
}

/**
 * RFC 5246 6.2.3.3 additional data for DTLS: epoch+seq, type, version, plaintext length;
 * with a (non-empty) connection ID that of RFC 9146 5.3.
 */
export function additionalData(epoch: number, seq: number, type: number, version: number, length: number, cid?: Buffer): Buffer {
  if (cid && cid.length > 0) return cidAdditionalData(cid, epoch, seq, version, length);
  const b = Buffer.alloc(13);
  epochSeq(epoch, seq).copy(b, 0);
  b[8] = type;
  b.writeUInt16BE(version, 9);
  b.writeUInt16BE(length, 11);
  return b;
}

/** The fragment of a protected record: explicit nonce, ciphertext, tag. */
export function sealRecord(key: Buffer, fixedIv: Buffer, epoch: number, seq: number, type: number, version: number, plaintext: Buffer, cid?: Buffer): Buffer {
  const explicit = epochSeq(epoch, seq);
  const nonce = Buffer.concat([fixedIv, explicit]);
  return Buffer.concat([explicit, ccm8Seal(key, nonce, additionalData(epoch, seq, type, version, plaintext.length, cid), plaintext)]);
}

/** The plaintext of a protected record's fragment; undefined when it is short or does not authenticate. */
export function openRecord(key: Buffer, fixedIv: Buffer, epoch: number, seq: number, type: number, version: number, fragment: Buffer, cid?: Buffer): Buffer | undefined {
  if (fragment.length < EXPLICIT_NONCE_LENGTH + TAG_LENGTH) return undefined;
  const nonce = Buffer.concat([fixedIv, fragment.subarray(0, EXPLICIT_NONCE_LENGTH)]);
  const sealed = fragment.subarray(EXPLICIT_NONCE_LENGTH);
  const aad = additionalData(epoch, seq, type, version, sealed.length - TAG_LENGTH, cid);
  return ccm8Open(key, nonce, aad, sealed);
}
