/**
 * The file ServerStore: the state in memory (a MemoryStore, so every lookup stays a Map
 * get), each mutation appended to a RecordLog under `dir` (record-log.ts: written before
 * any answer of the same turn leaves, fsynced in the background, compacted into
 * snapshots), and replayed when the store is opened. Records are operations
 * (`reg add`, `obs remove`, `queue set`, `sec put`...) that replay through the same
 * MemoryStore methods, so the state read back is the state written.
 *
 * Queued requests are stored without their waiting callers (those do not outlive the
 * process): after a restart they are plain QueuedRequests, which the core sends when the
 * client wakes up.
 */
import { MemoryStore } from '../memory/memory-store.js';
import { MemoryBackedStore } from '../memory-backed-store.js';
import type { Registration } from '../../lwm2m/server/types.js';
import type { QueuedRequest, RemovedRegistration, ServerStore, StoredObservation } from '../../lwm2m/server/store.js';
import type { Logger } from '../../log.js';
import { RecordKinds, requireKey } from './record-kinds.js';
import { RecordError, RecordLog } from './record-log.js';
import type { LogRecord, RecordLogOptions, ReplayReport } from './record-log.js';
import { FileSecurityStore } from './file-security-store.js';
import { FileBootstrapStore } from './file-bootstrap-store.js';
import { asObservation, asQueue, asRegistration } from './server-records.js';

export interface FileStoreOptions extends Omit<RecordLogOptions, 'name'> {
  dir: string;
  logger?: Logger;
}

/** a stored queue is at most this long when read back */
const MAX_QUEUE_RECORD = 100_000;

/** What of a queued request is stored: not the caller waiting for it. */
function plainQueue(list: readonly QueuedRequest[]): QueuedRequest[] {
  return list.map((q) => ({ endpoint: q.endpoint, request: q.request, queuedAt: q.queuedAt, expiresAt: q.expiresAt }));
}

export class FileStore extends MemoryBackedStore implements ServerStore {
  readonly security: FileSecurityStore;
  readonly bootstrapSecurity: FileSecurityStore;
  readonly bootstrap: FileBootstrapStore;
  private readonly records: RecordLog;
  /** endpoints with queued requests (the MemoryStore lists none) */
  private readonly queued = new Set<string>();
  /** what opening replayed */
  readonly replay: ReplayReport;

  private constructor(options: FileStoreOptions) {
    super(new MemoryStore());
    this.records = new RecordLog({ ...options, name: 'store' });
    this.security = new FileSecurityStore(this.mem.security, this.records);
    this.bootstrapSecurity = new FileSecurityStore(this.mem.bootstrapSecurity, this.records, 'bsec');
    this.bootstrap = new FileBootstrapStore(this.mem.bootstrap, this.records);
    const kinds = new RecordKinds()
      .add('reg', {
        apply: (op, key, v) => {
          if (op === 'add') this.mem.add(asRegistration(v));
          else if (op === 'update') this.mem.update(asRegistration(v));
          else if (op === 'remove') this.mem.remove(requireKey(key));
          else throw new RecordError('unknown registration operation');
        },
        dump: (out) => {
          for (const reg of this.mem.all()) out.push({ k: 'reg', op: 'add', v: reg });
        },
      })
      .add('obs', {
        apply: (op, key, v) => {
          if (op === 'add') this.mem.addObservation(asObservation(v));
          else if (op === 'remove') this.mem.removeObservation(requireKey(key));
          else throw new RecordError('unknown observation operation');
        },
        dump: (out) => {
          for (const reg of this.mem.all()) for (const o of this.mem.getObservations(reg.id)) out.push({ k: 'obs', op: 'add', v: o });
        },
      })
      .add('queue', {
        apply: (op, key, v) => {
          if (op !== 'set') throw new RecordError('unknown queue operation');
          const endpoint = requireKey(key);
          this.mem.removeRequests(endpoint);
          for (const item of asQueue(endpoint, v, MAX_QUEUE_RECORD)) this.mem.queueRequest(item, Infinity);
          this.trackQueue(endpoint);
        },
        dump: (out) => {
          for (const endpoint of this.queued) out.push(this.queueRecord(endpoint));
        },
      })
      .add('sec', this.security.recordKind())
      .add('bsec', this.bootstrapSecurity.recordKind())
      .add('bscfg', this.bootstrap.recordKind());
    this.replay = this.records.open(kinds);
  }

  /** Opens (or creates) the store in `options.dir` and replays it; synchronous, like every store call. */
  static open(options: FileStoreOptions): FileStore {
    return new FileStore(options);
  }

  /** Writes what is pending and closes the files (the gateway's stop). */
  close(): Promise<void> {
    return this.records.close();
  }

  /** Starts a compaction now (tests); resolves when its snapshot is written. */
  compact(): Promise<void> {
    return this.records.compact();
  }

  /** the log's size and generation (tests, metrics) */
  get files(): { log: number; snapshot: number; generation: number } {
    return this.records.size;
  }

  // ---- registrations ----

  add(reg: Registration): RemovedRegistration | undefined {
    const removed = this.mem.add(reg);
    this.records.append({ k: 'reg', op: 'add', v: reg });
    return removed;
  }

  update(reg: Registration): Registration | undefined {
    const previous = this.mem.update(reg);
    if (previous) this.records.append({ k: 'reg', op: 'update', v: reg });
    return previous;
  }

  remove(id: string): RemovedRegistration | undefined {
    const removed = this.mem.remove(id);
    if (removed) this.records.append({ k: 'reg', op: 'remove', key: id });
    return removed;
  }

  // ---- observations ----

  addObservation(obs: StoredObservation): StoredObservation | undefined {
    const replaced = this.mem.addObservation(obs);
    // replaced or not, only a kept observation is written (one of an unknown registration is not)
    if (this.mem.getObservation(obs.observation.id) === obs) this.records.append({ k: 'obs', op: 'add', v: obs });
    return replaced;
  }

  removeObservation(id: string): StoredObservation | undefined {
    const removed = this.mem.removeObservation(id);
    if (removed) this.records.append({ k: 'obs', op: 'remove', key: id });
    return removed;
  }

  // ---- queued requests (the mutators are MemoryBackedStore's) ----

  private trackQueue(endpoint: string): void {
    if (this.mem.queuedRequests(endpoint) > 0) this.queued.add(endpoint);
    else this.queued.delete(endpoint);
  }

  private queueRecord(endpoint: string): LogRecord {
    return { k: 'queue', op: 'set', key: endpoint, v: plainQueue(this.mem.requestsOf(endpoint)) };
  }

  protected override queueChanged(endpoint: string): void {
    this.trackQueue(endpoint);
    this.records.append(this.queueRecord(endpoint));
  }

}
