/**
 * The file store's credentials: a MemorySecurityStore whose changes are appended to the
 * store's record log (kind `sec`, or `bsec` for the bootstrap credentials). Keys are written as they are (base64 in the JSON
 * lines): the data folder is created 0700 and its files 0600, and it is as secret as the
 * security file the credentials may come from.
 */
import { MemoryBackedSecurityStore, type SecurityChange } from '../memory-backed-security-store.js';
import type { MemorySecurityStore } from '../memory/memory-security-store.js';
import type { RecordKind } from './record-kinds.js';
import { requireKey } from './record-kinds.js';
import { RecordError } from './record-log.js';
import type { RecordLog } from './record-log.js';
import { asSecurityInfo } from './server-records.js';

export class FileSecurityStore extends MemoryBackedSecurityStore {
  constructor(
    mem: MemorySecurityStore,
    private readonly records: RecordLog,
    /** the record kind: `sec` for the server credentials, `bsec` for the bootstrap credentials */
    private readonly kind = 'sec',
  ) {
    super(mem);
  }

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

  protected override written(change: SecurityChange): void {
    if (change.op === 'put') this.records.append({ k: this.kind, op: 'put', v: change.info });
    else this.records.append({ k: this.kind, op: 'remove', key: change.endpoint });
  }
}
