/**
 * The Redis store's credentials: the mirror's MemorySecurityStore, each change written
 * through (hash `sec`, endpoint -> credentials). Keys are stored as they are: the Redis
 * database is as secret as the security file the credentials may come from.
 */
import type { SecurityInfo, SecurityPut, SecurityStore } from '../../lwm2m/server/security.js';
import type { MemorySecurityStore } from '../memory/memory-security-store.js';
import { toPlain } from '../file/plain-codec.js';
import { HASH } from './mirror.js';
import type { MirrorRecord } from './mirror.js';
import type { Change } from './redis-link.js';

export class RedisSecurityStore implements SecurityStore {
  constructor(
    private readonly mem: MemorySecurityStore,
    private readonly write: (change: Change) => void,
    /** sec: the server credentials; bsec: the bootstrap credentials */
    private readonly kind: 'sec' | 'bsec' = 'sec',
  ) {}

  put(info: SecurityInfo): SecurityPut {
    const r = this.mem.put(info);
    if (r.ok) {
      const v = toPlain(info);
      const record: MirrorRecord = { k: this.kind, op: 'put', v };
      this.write({ commands: [['hset', HASH[this.kind], info.endpoint, JSON.stringify(v)]], record });
    }
    return r;
  }

  remove(endpoint: string): SecurityInfo | undefined {
    const removed = this.mem.remove(endpoint);
    if (removed) {
      const record: MirrorRecord = { k: this.kind, op: 'remove', key: endpoint };
      this.write({ commands: [['hdel', HASH[this.kind], endpoint]], record });
    }
    return removed;
  }

  get(endpoint: string): SecurityInfo | undefined {
    return this.mem.get(endpoint);
  }

  all(): SecurityInfo[] {
    return this.mem.all();
  }

  get size(): number {
    return this.mem.size;
  }

  pskFor(identity: Buffer): Buffer | undefined {
    return this.mem.pskFor(identity);
  }

  endpointOf(identity: string): string | undefined {
    return this.mem.endpointOf(identity);
  }
}
