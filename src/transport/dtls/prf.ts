/**
 * The TLS 1.2 pseudo-random function with SHA-256 (RFC 5246 section 5) and the secrets a
 * PSK handshake derives from it: the premaster secret (RFC 4279), the master secret (plain
 * or extended, RFC 7627), the key block and the Finished verify_data.
 */
import { createHash, createHmac } from 'node:crypto';

/** P_SHA256(secret, label + seed) cut to `length` bytes (at most 1024). */
export function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 1024) throw new RangeError('prf: length out of range');
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out: Buffer[] = [];
  let total = 0;
  let a = labelSeed;
  while (total < length) {
    a = createHmac('sha256', secret).update(a).digest();
    const block = createHmac('sha256', secret).update(a).update(labelSeed).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** RFC 4279 section 2: uint16 N, N zero bytes, uint16 N, the PSK (N = its length). */
export function pskPremaster(psk: Buffer): Buffer {
  const n = psk.length;
  const out = Buffer.alloc(4 + 2 * n);
  out.writeUInt16BE(n, 0);
  out.writeUInt16BE(n, 2 + n);
  psk.copy(out, 4 + n);
  return out;
}

/** The 48-byte master secret; with `sessionHash` the extended one of RFC 7627. */
export function masterSecret(premaster: Buffer, clientRandom: Buffer, serverRandom: Buffer, sessionHash?: Buffer): Buffer {
  if (sessionHash) return prf(premaster, 'extended master secret', sessionHash, 48);
  return prf(premaster, 'master secret', Buffer.concat([clientRandom, serverRandom]), 48);
}

export interface KeyBlock {
  clientMac: Buffer;
  serverMac: Buffer;
  clientKey: Buffer;
  serverKey: Buffer;
  clientIv: Buffer;
  serverIv: Buffer;
}

/** Splits the key block (RFC 5246 6.3) for MAC keys, encryption keys and fixed IVs of these sizes. */
export function keyBlock(master: Buffer, clientRandom: Buffer, serverRandom: Buffer, macLen: number, keyLen: number, ivLen: number): KeyBlock {
  const kb = prf(master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 2 * (macLen + keyLen + ivLen));
  let o = 0;
  const take = (n: number): Buffer => {
    const b = Buffer.from(kb.subarray(o, o + n));
    o += n;
    return b;
  };
  return { clientMac: take(macLen), serverMac: take(macLen), clientKey: take(keyLen), serverKey: take(keyLen), clientIv: take(ivLen), serverIv: take(ivLen) };
}

export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The 12-byte verify_data of a Finished message over the transcript so far. */
export function verifyData(master: Buffer, sender: 'client' | 'server', transcript: Buffer): Buffer {
  return prf(master, `${sender} finished`, sha256(transcript), 12);
}
