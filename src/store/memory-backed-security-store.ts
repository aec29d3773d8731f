/**
 * What the file and Redis credentials stores share: the credentials live in a
 * MemorySecurityStore (lookups are Map gets) and each accepted change is also written
 * somewhere durable; a subclass says how (`written`).
 */
import type { SecurityInfo, SecurityPut, SecurityStore } from '../lwm2m/server/security.js';
import type { MemorySecurityStore } from './memory/memory-security-store.js';

export type SecurityChange = { op: 'put'; info: SecurityInfo } | { op: 'remove'; endpoint: string };

export abstract class MemoryBackedSecurityStore implements SecurityStore {
  constructor(protected readonly mem: MemorySecurityStore) {}

  /** a change `mem` accepted: write it */
  protected abstract written(change: SecurityChange): void;

  put(info: SecurityInfo): SecurityPut {
    const r = this.mem.put(info);
    if (r.ok) this.written({ op: 'put', info });
    return r;
  }

  remove(endpoint: string): SecurityInfo | undefined {
    const removed = this.mem.remove(endpoint);
    if (removed) this.written({ op: 'remove', endpoint });
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
