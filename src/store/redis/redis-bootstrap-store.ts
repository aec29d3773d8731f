/**
 * The Redis store's bootstrap configs: the mirror's MemoryBootstrapStore, each change
 * written through (hash `bscfg`, endpoint -> the config in the plain form REST takes, so
 * that reading it back checks it again as a new one would be; the default config's
 * endpoint is the empty name).
 */
import { configSource, type BootstrapConfig, type BootstrapConfigStore } from '../../lwm2m/bootstrap/index.js';
import type { MemoryBootstrapStore } from '../memory/memory-bootstrap-store.js';
import { toPlain } from '../file/plain-codec.js';
import { HASH } from './mirror.js';
import type { MirrorRecord } from './mirror.js';
import type { Change } from './redis-link.js';

export class RedisBootstrapStore implements BootstrapConfigStore {
  constructor(
    private readonly mem: MemoryBootstrapStore,
    private readonly write: (change: Change) => void,
  ) {}

  put(endpoint: string, config: BootstrapConfig): BootstrapConfig | undefined {
    const previous = this.mem.put(endpoint, config);
    const v = toPlain({ endpoint, config: configSource(config) });
    const record: MirrorRecord = { k: 'bscfg', op: 'put', key: endpoint, v };
    this.write({ commands: [['hset', HASH.bscfg, endpoint, JSON.stringify(v)]], record });
    return previous;
  }

  get(endpoint: string): BootstrapConfig | undefined {
    return this.mem.get(endpoint);
  }

  remove(endpoint: string): BootstrapConfig | undefined {
    const removed = this.mem.remove(endpoint);
    if (removed) this.write({ commands: [['hdel', HASH.bscfg, endpoint]], record: { k: 'bscfg', op: 'remove', key: endpoint } satisfies MirrorRecord });
    return removed;
  }

  endpoints(): string[] {
    return this.mem.endpoints();
  }

  get size(): number {
    return this.mem.size;
  }
}
