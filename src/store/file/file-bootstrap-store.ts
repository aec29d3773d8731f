/**
 * The file store's bootstrap configs: a MemoryBootstrapStore whose changes are appended
 * to the store's record log (kind `bscfg`), each config in the plain form REST takes
 * (keys in hex), so that replay checks it again as a new one would be.
 */
import { configSource, parseBootstrapConfig, type BootstrapConfig, type BootstrapConfigStore } from '../../lwm2m/bootstrap/index.js';
import type { MemoryBootstrapStore } from '../memory/memory-bootstrap-store.js';
import type { RecordKind } from './record-kinds.js';
import { RecordError } from './record-log.js';
import type { RecordLog } from './record-log.js';

const KIND = 'bscfg';

/** the endpoint of a record (the default's is the empty name, which a record key cannot be) */
function endpointOf(v: unknown): string {
  const e = (v as { endpoint?: unknown } | null)?.endpoint;
  if (typeof e !== 'string' || e.length > 1024) throw new RecordError('bad bootstrap config endpoint');
  return e;
}

export class FileBootstrapStore implements BootstrapConfigStore {
  constructor(
    private readonly mem: MemoryBootstrapStore,
    private readonly records: RecordLog,
  ) {}

  /** How `bscfg` records replay and how the configs are written to a snapshot. */
  recordKind(): RecordKind {
    return {
      apply: (op, _key, v) => {
        const endpoint = endpointOf(v);
        if (op === 'remove') {
          this.mem.remove(endpoint);
          return;
        }
        if (op !== 'put') throw new RecordError('unknown bootstrap config operation');
        const r = parseBootstrapConfig((v as { config?: unknown }).config);
        if (!r.ok) throw new RecordError('bad bootstrap config');
        this.mem.put(endpoint, r.config);
      },
      dump: (out) => {
        for (const endpoint of this.mem.endpoints()) out.push({ k: KIND, op: 'put', v: { endpoint, config: configSource(this.mem.get(endpoint)!) } });
      },
    };
  }

  put(endpoint: string, config: BootstrapConfig): BootstrapConfig | undefined {
    const previous = this.mem.put(endpoint, config);
    this.records.append({ k: KIND, op: 'put', v: { endpoint, config: configSource(config) } });
    return previous;
  }

  get(endpoint: string): BootstrapConfig | undefined {
    return this.mem.get(endpoint);
  }

  remove(endpoint: string): BootstrapConfig | undefined {
    const removed = this.mem.remove(endpoint);
    if (removed) this.records.append({ k: KIND, op: 'remove', v: { endpoint } });
    return removed;
  }

  endpoints(): string[] {
    return this.mem.endpoints();
  }

  get size(): number {
    return this.mem.size;
  }
}
