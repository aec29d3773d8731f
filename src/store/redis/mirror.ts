/**
 * The in-memory mirror of a Redis store and how a change record changes it: the records
 * this instance publishes are the ones read back from the other instances and, at open,
 * rebuilt from the hashes. A record's values are plain (plain-codec.ts) and checked
 * (server-records.ts) before they reach the mirror: what another instance wrote, or
 * anyone with access to Redis, is as hostile as a file read back.
 */
import { MemoryStore } from '../memory/memory-store.js';
import { fromPlain, toPlain } from '../file/plain-codec.js';
import { RecordError } from '../file/record-log.js';
import { asObservation, asQueue, asRegistration, asSecurityInfo } from '../file/server-records.js';
import type { QueuedRequest } from '../../lwm2m/server/store.js';
import { configSource, parseBootstrapConfig } from '../../lwm2m/bootstrap/index.js';

/** One change as published: kind, operation, key, plain value, and for a registration the instance that holds its device. */
export interface MirrorRecord {
  k: 'reg' | 'obs' | 'queue' | 'sec' | 'bsec' | 'bscfg';
  op: string;
  key?: string;
  v?: unknown;
  /** reg add / update: the instance the device talks to */
  o?: string;
}

/** the hashes below the prefix, one per kind */
export const HASH = { reg: 'reg', obs: 'obs', queue: 'queue', sec: 'sec', bsec: 'bsec', bscfg: 'bscfg' } as const;

/** a queue read back is at most this long */
const MAX_QUEUE = 100_000;
const MAX_KEY = 4096;

/** What of a queued request is stored: not the caller waiting for it. */
export function plainQueue(list: readonly QueuedRequest[]): unknown {
  return toPlain(list.map((q) => ({ endpoint: q.endpoint, request: q.request, queuedAt: q.queuedAt, expiresAt: q.expiresAt })));
}

function keyOf(r: MirrorRecord, empty = false): string {
  if (typeof r.key !== 'string' || (r.key.length === 0 && !empty) || r.key.length > MAX_KEY) throw new RecordError('record without key');
  return r.key;
}

export class Mirror {
  readonly mem = new MemoryStore();
  /** registration id -> the instance that holds its device's socket */
  readonly owners = new Map<string, string>();

  /**
   * Brings the mirror to the state `records` (a snapshot) rebuild, applying only what
   * differs (what did not change keeps its objects) and removing what is not there any
   * more; returns the records that changed something (removals as remove records).
   */
  resync(records: readonly MirrorRecord[], refused: (e: unknown) => void): MirrorRecord[] {
    const changed: MirrorRecord[] = [];
    const seen = { reg: new Set<string>(), obs: new Set<string>(), queue: new Set<string>(), sec: new Set<string>(), bsec: new Set<string>(), bscfg: new Set<string>() };
    for (const r of records) {
      const key = r.key ?? '';
      seen[r.k].add(key);
      if (this.holds(r, key)) continue;
      try {
        this.apply(r, '');
        changed.push(r);
      } catch (e) {
        refused(e);
      }
    }
    const gone = (k: MirrorRecord['k'], op: string, keys: Iterable<string>): void => {
      for (const key of keys) {
        if (seen[k].has(key)) continue;
        const r: MirrorRecord = op === 'set' ? { k, op, key, v: [] } : { k, op, key };
        this.apply(r, '');
        changed.push(r);
      }
    };
    gone('reg', 'remove', this.mem.all().map((reg) => reg.id));
    gone('obs', 'remove', this.mem.all().flatMap((reg) => this.mem.getObservations(reg.id).map((o) => o.observation.id)));
    gone('queue', 'set', this.mem.queuedEndpoints());
    gone('sec', 'remove', this.mem.security.all().map((info) => info.endpoint));
    gone('bsec', 'remove', this.mem.bootstrapSecurity.all().map((info) => info.endpoint));
    gone('bscfg', 'remove', this.mem.bootstrap.endpoints());
    return changed;
  }

  /** whether the mirror already holds what `r` says (compared as stored) */
  private holds(r: MirrorRecord, key: string): boolean {
    const same = (value: unknown): boolean => JSON.stringify(value) === JSON.stringify(r.v);
    switch (r.k) {
      case 'reg': {
        const reg = this.mem.get(key);
        return reg !== undefined && this.owners.get(key) === r.o && same(toPlain(reg));
      }
      case 'obs':
        return this.mem.getObservation(key) !== undefined;
      case 'queue':
        return same(plainQueue(this.mem.requestsOf(key)));
      case 'sec':
      case 'bsec': {
        const info = (r.k === 'sec' ? this.mem.security : this.mem.bootstrapSecurity).get(key);
        return info !== undefined && same(toPlain(info));
      }
      case 'bscfg': {
        const config = this.mem.bootstrap.get(key);
        return config !== undefined && same(toPlain({ endpoint: key, config: configSource(config) }));
      }
    }
  }

  /** Applies one record (throws RecordError / PlainCodecError on a bad one; nothing changed then). */
  apply(raw: unknown, from: string): void {
    if (raw === null || typeof raw !== 'object') throw new RecordError('bad record');
    const r = raw as MirrorRecord;
    const owner = typeof r.o === 'string' && r.o.length <= 200 ? r.o : from;
    switch (`${r.k} ${r.op}`) {
      case 'reg add':
      case 'reg update': {
        const reg = asRegistration(fromPlain(r.v));
        // the same registration again (a batch seen at open and on the channel): its observations stay
        if (this.mem.get(reg.id)?.endpoint === reg.endpoint) this.mem.update(reg);
        else if (r.op === 'add') this.mem.add(reg);
        else return;
        this.owners.set(reg.id, owner);
        return;
      }
      case 'reg remove':
        this.mem.remove(keyOf(r));
        this.owners.delete(keyOf(r));
        return;
      case 'obs add':
        this.mem.addObservation(asObservation(fromPlain(r.v)));
        return;
      case 'obs remove':
        this.mem.removeObservation(keyOf(r));
        return;
      case 'queue set': {
        const endpoint = keyOf(r);
        const items = asQueue(endpoint, fromPlain(r.v), MAX_QUEUE);
        this.mem.removeRequests(endpoint);
        for (const item of items) this.mem.queueRequest(item, Infinity);
        return;
      }
      case 'sec put':
        if (!this.mem.security.put(asSecurityInfo(fromPlain(r.v))).ok) throw new RecordError('credentials refused');
        return;
      case 'sec remove':
        this.mem.security.remove(keyOf(r));
        return;
      case 'bsec put':
        if (!this.mem.bootstrapSecurity.put(asSecurityInfo(fromPlain(r.v))).ok) throw new RecordError('credentials refused');
        return;
      case 'bsec remove':
        this.mem.bootstrapSecurity.remove(keyOf(r));
        return;
      case 'bscfg put': {
        const v = fromPlain(r.v) as { endpoint?: unknown; config?: unknown } | null;
        const parsed = parseBootstrapConfig(v?.config);
        if (typeof v?.endpoint !== 'string' || v.endpoint !== keyOf(r, true) || !parsed.ok) throw new RecordError('bad bootstrap config');
        this.mem.bootstrap.put(v.endpoint, parsed.config);
        return;
      }
      case 'bscfg remove':
        this.mem.bootstrap.remove(keyOf(r, true));
        return;
      default:
        throw new RecordError('unknown record');
    }
  }
}
