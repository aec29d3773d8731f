/**
 * A crash-safe FIFO of items accepted and not yet delivered (the MQTT outbound buffer), on
 * a RecordLog of its own: `add` records (sequence number, item) and `ack` records (every
 * item numbered below N is done). Items are handed out oldest first; delivery may finish
 * out of order, so the ack mark is the oldest item still pending: after a crash an item
 * delivered ahead of an older one may be delivered again (at least once, as MQTT QoS 1).
 *
 * An item done within the turn it was accepted is never written: a buffer that drains as
 * fast as it fills costs no disk writes. Items read back are checked by `check` (bad one:
 * the replay stops there, record-log.ts).
 */
import type { Logger } from '../../log.js';
import { RecordLog } from './record-log.js';
import type { ReplayReport } from './record-log.js';
import { RecordKinds, requireKey } from './record-kinds.js';
import { RecordError } from './record-log.js';

export interface DurableQueueOptions<T> {
  dir: string;
  /** the item as read back from disk, or a thrown error (RecordError) */
  check: (value: unknown) => T;
  logger?: Logger;
  /** compaction threshold of its log, bytes (default 4 MiB) */
  compactMinBytes?: number;
}

function seqOf(key: string | undefined): number {
  const n = Number(requireKey(key));
  if (!Number.isSafeInteger(n) || n < 0) throw new RecordError('bad sequence number');
  return n;
}

export class DurableQueue<T extends object> {
  private readonly records: RecordLog;
  /** sequence number -> item, in order */
  private readonly pending = new Map<number, T>();
  private readonly seqs = new WeakMap<T, number>();
  /** accepted this turn, not written yet */
  private unwritten: T[] = [];
  private written = new Set<number>();
  private nextSeq = 0;
  private ackQueued = false;
  private writeQueued = false;
  private restoredItems: T[] = [];
  readonly replay: ReplayReport;

  private constructor(options: DurableQueueOptions<T>) {
    this.records = new RecordLog({ dir: options.dir, name: 'queue', compactMinBytes: options.compactMinBytes ?? 4 * 1024 * 1024, ...(options.logger ? { logger: options.logger } : {}) });
    const kinds = new RecordKinds()
      .add('item', {
        apply: (op, key, v) => {
          if (op !== 'add') throw new RecordError('unknown item operation');
          const seq = seqOf(key);
          const item = options.check(v);
          this.pending.set(seq, item);
          this.seqs.set(item, seq);
          this.written.add(seq);
          this.nextSeq = Math.max(this.nextSeq, seq + 1);
        },
        dump: (out) => {
          for (const [seq, item] of this.pending) out.push({ k: 'item', op: 'add', key: String(seq), v: item });
        },
      })
      .add('ack', {
        apply: (op, key) => {
          if (op !== 'to') throw new RecordError('unknown ack operation');
          const below = seqOf(key);
          this.nextSeq = Math.max(this.nextSeq, below);
          for (const seq of this.pending.keys()) {
            if (seq >= below) break;
            this.pending.delete(seq);
            this.written.delete(seq);
          }
        },
        dump: () => undefined, // a snapshot holds the pending items only
      });
    this.replay = this.records.open(kinds);
    this.restoredItems = [...this.pending.values()];
  }

  static open<T extends object>(options: DurableQueueOptions<T>): DurableQueue<T> {
    return new DurableQueue(options);
  }

  /** The items accepted and not delivered before the last stop or crash, oldest first (once). */
  restored(): T[] {
    const out = this.restoredItems;
    this.restoredItems = [];
    return out;
  }

  /** How many items are pending (tests, metrics). */
  get size(): number {
    return this.pending.size;
  }

  accepted(item: T): void {
    if (this.seqs.has(item)) return; // restored: already on disk
    const seq = this.nextSeq++;
    this.seqs.set(item, seq);
    this.pending.set(seq, item);
    this.unwritten.push(item);
    if (!this.writeQueued) {
      this.writeQueued = true;
      queueMicrotask(() => this.writeAccepted());
    }
  }

  /** Delivered, or dropped: it is not sent again after a restart. */
  done(item: T): void {
    const seq = this.seqs.get(item);
    if (seq === undefined || !this.pending.delete(seq)) return;
    if (!this.written.delete(seq)) return; // never written: nothing to undo
    if (!this.ackQueued) {
      this.ackQueued = true;
      queueMicrotask(() => this.writeAck());
    }
  }

  private writeAccepted(): void {
    this.writeQueued = false;
    const items = this.unwritten;
    this.unwritten = [];
    for (const item of items) {
      const seq = this.seqs.get(item)!;
      if (!this.pending.has(seq)) continue; // done in the same turn
      this.written.add(seq);
      this.records.append({ k: 'item', op: 'add', key: String(seq), v: item });
    }
  }

  private writeAck(): void {
    this.ackQueued = false;
    const oldest = this.pending.keys().next();
    this.records.append({ k: 'ack', op: 'to', key: String(oldest.done ? this.nextSeq : oldest.value) });
  }

  /** Writes what is pending and closes the files. */
  close(): Promise<void> {
    this.writeAccepted();
    return this.records.close();
  }
}
