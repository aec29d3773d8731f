/**
 * Record protection for the suites a LwM2M server offers (LwM2M Transport 5.2.8):
 * AES_128_CCM_8 (AEAD, RFC 6655, RFC 7251) and AES_128_CBC_SHA256 (MAC-then-encrypt with
 * HMAC-SHA256 and an explicit IV, RFC 5246 6.2.3.2, RFC 5487, RFC 5289), with PSK or ECDHE_ECDSA.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { additionalData, openRecord, sealRecord } from './aead-ccm8.js';
import type { KeyBlock } from './prf.js';

export const TLS_PSK_WITH_AES_128_CCM_8 = 0xc0a8;
export const TLS_PSK_WITH_AES_128_CBC_SHA256 = 0x00ae;
/** the certificate suites (RFC 7251, RFC 5289): the same record protection as their PSK twins */
export const TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xc0ae;
export const TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xc023;

function isCbc(suite: number): boolean {
  return suite === TLS_PSK_WITH_AES_128_CBC_SHA256 || suite === TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256;
}

/** With a non-empty `cid` the record is a tls12_cid one: the plaintext is the DTLSInnerPlaintext, authenticated as RFC 9146 5 says. */
export interface RecordCipher {
  /** the protected fragment of a record sent by this server */
  seal(epoch: number, seq: number, type: number, version: number, plaintext: Buffer, cid?: Buffer): Buffer;
  /** the plaintext of a record from the client; undefined when malformed or it does not authenticate */
  open(epoch: number, seq: number, type: number, version: number, fragment: Buffer, cid?: Buffer): Buffer | undefined;
}

/** MAC, key and fixed IV lengths of the key block for a suite. */
export function keyLengths(suite: number): [mac: number, key: number, iv: number] {
  return isCbc(suite) ? [32, 16, 0] : [0, 16, 4];
}

export function recordCipher(suite: number, k: KeyBlock): RecordCipher {
  if (isCbc(suite)) return cbcSha256(k);
  return {
    seal: (epoch, seq, type, version, plaintext, cid) => sealRecord(k.serverKey, k.serverIv, epoch, seq, type, version, plaintext, cid),
    open: (epoch, seq, type, version, fragment, cid) => openRecord(k.clientKey, k.clientIv, epoch, seq, type, version, fragment, cid),
  };
}

const BLOCK = 16;
const MAC = 32;

function mac(key: Buffer, epoch: number, seq: number, type: number, version: number, data: Buffer, cid?: Buffer): Buffer {
  return createHmac('sha256', key).update(additionalData(epoch, seq, type, version, data.length, cid)).update(data).digest();
}

function cbcSha256(k: KeyBlock): RecordCipher {
  return {
    seal(epoch, seq, type, version, plaintext, cid) {
      const body = Buffer.concat([plaintext, mac(k.serverMac, epoch, seq, type, version, plaintext, cid)]);
      const pad = BLOCK - ((body.length + 1) % BLOCK === 0 ? BLOCK : (body.length + 1) % BLOCK);
      const padded = Buffer.concat([body, Buffer.alloc(pad + 1, pad)]);
      const iv = randomBytes(BLOCK);
      const c = createCipheriv('aes-128-cbc', k.serverKey, iv).setAutoPadding(false);
      return Buffer.concat([iv, c.update(padded), c.final()]);
    },
    open(epoch, seq, type, version, fragment, cid) {
      const n = fragment.length - BLOCK;
      if (n < MAC + BLOCK || n % BLOCK !== 0) return undefined;
      const d = createDecipheriv('aes-128-cbc', k.clientKey, fragment.subarray(0, BLOCK)).setAutoPadding(false);
      const dec = Buffer.concat([d.update(fragment.subarray(BLOCK)), d.final()]);
      const pad = dec[dec.length - 1]!;
      let good = pad + 1 + MAC <= dec.length;
      for (let i = 0; i < 256 && good; i++) if (i <= pad && dec[dec.length - 1 - i] !== pad) good = false;
      // on bad padding a MAC is still computed (over the data as if unpadded) before refusing
      const end = good ? dec.length - pad - 1 - MAC : dec.length - MAC;
      const data = dec.subarray(0, end);
      const ok = timingSafeEqual(mac(k.clientMac, epoch, seq, type, version, data, cid), dec.subarray(end, end + MAC));
      return good && ok ? Buffer.from(data) : undefined;
    },
  };
}
