/**
 * The RecordSink of a file store as a table of record kinds: each kind (registrations,
 * observations, queues, credentials, ...) says how its records change the state and how
 * the state is written back as records of that kind. Adding what a store keeps is one
 * more entry; a record of a kind not in the table is corrupt.
 */
import type { LogRecord, RecordSink } from './record-log.js';
import { RecordError } from './record-log.js';

export interface RecordKind {
  /** Applies one record read back (throws RecordError on a bad one: replay stops). */
  apply(op: string, key: string | undefined, value: unknown): void;
  /** Appends the records that rebuild this kind's state (none may change afterwards). */
  dump(out: LogRecord[]): void;
}

export class RecordKinds implements RecordSink {
  private readonly kinds = new Map<string, RecordKind>();

  /** Adds a kind; the order of adding is the order of a snapshot (a registration before its observations). */
  add(name: string, kind: RecordKind): this {
    if (this.kinds.has(name)) throw new Error(`record kind ${name} added twice`);
    this.kinds.set(name, kind);
    return this;
  }

  apply(record: LogRecord): void {
    const kind = this.kinds.get(record.k);
    if (!kind) throw new RecordError('unknown record kind');
    kind.apply(record.op, record.key, record.v);
  }

  dump(): LogRecord[] {
    const out: LogRecord[] = [];
    for (const kind of this.kinds.values()) kind.dump(out);
    return out;
  }
}

/** The key of a record that needs one (throws RecordError). */
export function requireKey(key: string | undefined): string {
  if (key === undefined || key.length === 0) throw new RecordError('record without key');
  return key;
}
