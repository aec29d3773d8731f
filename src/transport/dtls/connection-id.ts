/**
 * The connection IDs this server issues (RFC 9146): random, of one fixed length (so a
 * tls12_cid record can be parsed without knowing its sender), unique among live sessions.
 * A record is matched to its session by the ID alone, whatever address it came from.
 */
import { randomBytes } from 'node:crypto';
import { MAX_OWN_CID } from './cid-record.js';

export class ConnectionIds<T> {
  private readonly byId = new Map<string, T>();

  /** `length` 0 issues none; otherwise between 4 and 20 bytes */
  constructor(readonly length: number) {
    if (!Number.isInteger(length) || length < 0 || length > MAX_OWN_CID || (length > 0 && length < 4)) throw new RangeError('connection ID length must be 0 or 4..20');
  }

  /** A fresh ID not in use (undefined when IDs are off). */
  issue(): Buffer | undefined {
    if (this.length === 0) return undefined;
    for (;;) {
      const id = randomBytes(this.length);
      if (!this.byId.has(id.toString('hex'))) return id;
    }
  }

  bind(id: Buffer, owner: T): void {
    this.byId.set(id.toString('hex'), owner);
  }

  get(id: Buffer): T | undefined {
    return id.length === this.length ? this.byId.get(id.toString('hex')) : undefined;
  }

  /** forgets the ID when it still belongs to `owner` */
  release(id: Buffer, owner: T): void {
    const key = id.toString('hex');
    if (this.byId.get(key) === owner) this.byId.delete(key);
  }

  clear(): void {
    this.byId.clear();
  }
}
