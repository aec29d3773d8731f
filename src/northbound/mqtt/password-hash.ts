/**
 * Password hashes for the embedded broker's users, so the config need not hold passwords:
 *   scrypt$N$r$p$<salt base64>$<hash base64>
 *   pbkdf2-sha512$<iterations>$<salt base64>$<hash base64>
 *   $7$<iterations>$<salt base64>$<hash base64>   (Mosquitto's, as mosquitto_passwd writes it)
 * `hashPassword` makes the scrypt form. Every comparison takes the same time wherever the
 * given password differs.
 */
import { createHash, pbkdf2, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

type Parsed =
  | { kind: 'scrypt'; N: number; r: number; p: number; salt: Buffer; hash: Buffer }
  | { kind: 'pbkdf2'; iterations: number; salt: Buffer; hash: Buffer };

const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function b64(s: string | undefined): Buffer | undefined {
  if (s === undefined || !B64.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.length > 0 ? b : undefined;
}

function int(s: string | undefined, min: number, max: number): number | undefined {
  if (s === undefined || !/^\d{1,9}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}

function parse(text: string): Parsed | string {
  const parts = text.split('$');
  if (parts[0] === 'scrypt') {
    if (parts.length !== 6) return 'scrypt$N$r$p$salt$hash expected';
    const N = int(parts[1], 2, 1 << 20);
    const r = int(parts[2], 1, 32);
    const p = int(parts[3], 1, 16);
    const salt = b64(parts[4]);
    const hash = b64(parts[5]);
    if (N === undefined || (N & (N - 1)) !== 0) return 'scrypt N must be a power of two up to 1048576';
    if (r === undefined || p === undefined) return 'scrypt r (1-32) and p (1-16) expected';
    if (!salt || !hash || hash.length < 16) return 'scrypt salt and hash must be base64 (hash at least 16 bytes)';
    return { kind: 'scrypt', N, r, p, salt, hash };
  }
  let rest: string[];
  if (parts[0] === 'pbkdf2-sha512') rest = parts.slice(1);
  else if (parts[0] === '' && parts[1] === '7') rest = parts.slice(2);
  else return 'unknown hash: use scrypt$..., pbkdf2-sha512$... or $7$... (mosquitto_passwd)';
  if (rest.length !== 3) return 'iterations$salt$hash expected';
  const iterations = int(rest[0], 1, 10_000_000);
  const salt = b64(rest[1]);
  const hash = b64(rest[2]);
  if (iterations === undefined) return 'iterations must be 1 to 10000000';
  if (!salt || !hash || hash.length < 16) return 'salt and hash must be base64 (hash at least 16 bytes)';
  return { kind: 'pbkdf2', iterations, salt, hash };
}

/** Why a stored hash is unusable, or undefined when it is good. */
export function checkPasswordHash(text: string): string | undefined {
  const p = parse(text);
  return typeof p === 'string' ? p : undefined;
}

function scryptAsync(password: Buffer, salt: Buffer, length: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, o, (e, key) => (e ? reject(e) : resolve(key))));
}

function pbkdf2Async(password: Buffer, salt: Buffer, iterations: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(password, salt, iterations, length, 'sha512', (e, key) => (e ? reject(e) : resolve(key))));
}

function derive(p: Parsed, password: Buffer): Promise<Buffer> {
  if (p.kind === 'scrypt') return scryptAsync(password, p.salt, p.hash.length, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + (1 << 20) });
  return pbkdf2Async(password, p.salt, p.iterations, p.hash.length);
}

function digest(s: string | Buffer): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares a given password with a clear one or a hash; false for no password. */
export async function verifyPassword(given: Buffer | string | undefined, stored: { password?: string | null; passwordHash?: string | null }): Promise<boolean> {
  const g = given === undefined ? Buffer.alloc(0) : Buffer.from(given);
  if (stored.passwordHash != null) {
    const p = parse(stored.passwordHash);
    if (typeof p === 'string') return false;
    const key = await derive(p, g).catch(() => undefined);
    return key !== undefined && given !== undefined && timingSafeEqual(key, p.hash);
  }
  const same = timingSafeEqual(digest(g), digest(stored.password ?? ''));
  return same && given !== undefined && stored.password != null;
}

/** A new scrypt hash of `password` (N=16384, r=8, p=1, 16-byte salt, 32-byte hash). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const N = 16384;
  const r = 8;
  const p = 1;
  const hash = await scryptAsync(Buffer.from(password), salt, 32, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}
