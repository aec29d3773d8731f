/**
 * The file store's credentials: a MemorySecurityStore whose changes are appended to the
 * store's record log (kind `sec`, or `bsec` for the bootstrap credentials). Keys are written as they are (base64 in the JSON
 * lines): the data folder is created 0700 and its files 0600, and it is as secret as the
 * security file the credentials may come from.
 */
import type { SecurityInfo, SecurityPut, SecurityStore } from '../../lwm2m/server/security.js';
import type { MemorySecurityStore } from '../memory/memory-security-store.js';
import type { RecordKind } from './record-kinds.js';
import { requireKey } from './record-kinds.js';
import { RecordError } from './record-log.js';
import type { RecordLog } from './record-log.js';
import { asSecurityInfo } from './server-records.js';

export class FileSecurityStore implements SecurityStore {
  constructor(
    private readonly mem: MemorySecurityStore,
    private readonly records: RecordLog,
    /** the record kind: `sec` for the server credentials, `bsec` for the bootstrap credentials */
    private readonly kind = 'sec',
  ) {}

  /** How `sec` records replay and how the credentials are written to a snapshot. */
  recordKind(): RecordKind {
    return {
      apply: (op, key, v) => {
        if (op === 'put') {
          if (!this.mem.put(asSecurityInfo(v)).ok) throw new RecordError('credentials refused');
        } else if (op === 'remove') this.mem.remove(requireKey(key));
        else throw new RecordError('unknown credentials operation');
      },
      dump: (out) => {
        for (const info of this.mem.all()) out.push({ k: this.kind, op: 'put', v: info });
      },
    };
  }

  put(info: SecurityInfo): SecurityPut {
    const r = this.mem.put(info);
    if (r.ok) this.records.append({ k: this.kind, op: 'put', v: info });
    return r;
  }

  remove(endpoint: string): SecurityInfo | undefined {
    const removed = this.mem.remove(endpoint);
    if (removed) this.records.append({ k: this.kind, op: 'remove', key: endpoint });
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
