/**
 * The Redis store's credentials: the mirror's MemorySecurityStore, each change written
 * through (hash `sec`, endpoint -> credentials). Keys are stored as they are: the Redis
 * database is as secret as the security file the credentials may come from.
 */
import { MemoryBackedSecurityStore, type SecurityChange } from '../memory-backed-security-store.js';
import type { MemorySecurityStore } from '../memory/memory-security-store.js';
import { toPlain } from '../file/plain-codec.js';
import { HASH } from './mirror.js';
import type { MirrorRecord } from './mirror.js';
import type { Change } from './redis-link.js';

export class RedisSecurityStore extends MemoryBackedSecurityStore {
  constructor(
    mem: MemorySecurityStore,
    private readonly write: (change: Change) => void,
    /** sec: the server credentials; bsec: the bootstrap credentials */
    private readonly kind: 'sec' | 'bsec' = 'sec',
  ) {
    super(mem);
  }

  protected override written(change: SecurityChange): void {
    if (change.op === 'put') {
      const v = toPlain(change.info);
      const record: MirrorRecord = { k: this.kind, op: 'put', v };
      this.write({ commands: [['hset', HASH[this.kind], change.info.endpoint, JSON.stringify(v)]], record });
    } else {
      const record: MirrorRecord = { k: this.kind, op: 'remove', key: change.endpoint };
      this.write({ commands: [['hdel', HASH[this.kind], change.endpoint]], record });
    }
  }
}
