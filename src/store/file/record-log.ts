/**
 * A crash-safe log of records under one folder (generations.ts names the files): the state
 * lives in memory (the RecordSink); every mutation appends one JSON line.
 *
 * Durability: the records of one turn of the event loop are written together with one
 * write(2) in a microtask, so they reach the operating system before any answer of that
 * turn leaves (a Register's 2.01 goes out after its record): a killed process loses
 * nothing it acknowledged. fdatasync runs every `syncIntervalMs` (default 1 s) in the
 * background, so a power cut loses at most that much; `syncIntervalMs: 0` syncs every
 * write, on the event loop.
 *
 * Compaction: when the log outgrows max(`compactMinBytes`, twice the last snapshot), a new
 * generation starts: appends go to a new log at once, and the state of that instant is
 * written to a snapshot in the background (temp file, fdatasync, rename, folder fsync);
 * then the older files go. Opening always replays and starts a new generation with a
 * snapshot written before it returns, so a torn tail or a corrupt record is never
 * appended after.
 *
 * Reading back: a torn last line is skipped; a corrupt line (not JSON, unknown kind, bad
 * value, too long) stops the replay there with an error naming the file and byte offset,
 * and that file (and any later log) is kept aside as `<file>.corrupt`.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { open as openAsync, rename as renameAsync } from 'node:fs/promises';
import { silentLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import { listGenerations, logFile, recoveryPlan, snapshotFile, tempFile } from './generations.js';
import { scanLines } from './line-reader.js';
import { lockFolder } from './folder-lock.js';
import { DEFAULT_PLAIN_LIMITS, PlainCodecError, fromPlain, plainJson } from './plain-codec.js';

/** One mutation or one item of a snapshot: kind, operation, key, value. */
export interface LogRecord {
  readonly k: string;
  readonly op: string;
  readonly key?: string;
  readonly v?: unknown;
}

/** A record read back that the state cannot take (its message is ours, never the record's text). */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

/** The in-memory state a log rebuilds. */
export interface RecordSink {
  /** Applies a record read back; throws RecordError (or PlainCodecError) when it is not valid. */
  apply(record: LogRecord): void;
  /** The whole state as records that rebuild it; none of them may change afterwards (copy what you mutate in place). */
  dump(): LogRecord[];
}

export interface RecordLogOptions {
  dir: string;
  /** file name prefix: a-z, 0-9, '-' (default "store") */
  name?: string;
  logger?: Logger;
  /** ms between fdatasyncs of the log; 0: after every write (default 1000) */
  syncIntervalMs?: number;
  /** the log is compacted past max(this, twice the snapshot), bytes (default 8 MiB) */
  compactMinBytes?: number;
  /** the longest record, bytes (default 4 MiB); a longer one is neither written nor read */
  maxRecordBytes?: number;
}

export interface ReplayReport {
  records: number;
  /** a last line without its newline was skipped */
  torn: boolean;
  /** where replay stopped, when a record was corrupt */
  corrupt?: { file: string; offset: number; reason: string };
}

const SNAPSHOT_CHUNK = 1 << 20;

function reasonOf(e: unknown): string {
  if (e instanceof RecordError || e instanceof PlainCodecError) return e.message;
  if (e instanceof SyntaxError) return 'not JSON';
  return 'record not applicable';
}

/** Parses one line into a record (throws RecordError / PlainCodecError / SyntaxError). */
function parseRecord(line: Buffer): LogRecord {
  const raw = JSON.parse(line.toString('utf8')) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RecordError('not a record');
  const { k, op, key, v } = raw as Record<string, unknown>;
  if (typeof k !== 'string' || typeof op !== 'string' || k.length > 32 || op.length > 32) throw new RecordError('record without kind or operation');
  if (key !== undefined && (typeof key !== 'string' || key.length > 4096)) throw new RecordError('bad record key');
  return { k, op, ...(key !== undefined ? { key } : {}), ...(v !== undefined ? { v: fromPlain(v, DEFAULT_PLAIN_LIMITS) } : {}) };
}

export function recordLine(r: LogRecord): string {
  // the text JSON.stringify({ k, op, key?, v: toPlain(v)? }) gives, built in one walk
  let line = `{"k":${JSON.stringify(r.k)},"op":${JSON.stringify(r.op)}`;
  if (r.key !== undefined) line += `,"key":${JSON.stringify(r.key)}`;
  if (r.v !== undefined) line += `,"v":${plainJson(r.v)}`;
  return line + '}\n';
}

/** The snapshot of `records` as buffers of about SNAPSHOT_CHUNK bytes. */
function* snapshotChunks(records: readonly LogRecord[], log: Logger): Generator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for (const r of records) {
    let line: string;
    try {
      line = recordLine(r);
    } catch (e) {
      log.error('store: a value could not be written to the snapshot', { kind: r.k, error: reasonOf(e) });
      continue;
    }
    parts.push(line);
    size += line.length;
    if (size >= SNAPSHOT_CHUNK) {
      yield Buffer.from(parts.join(''), 'utf8');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(''), 'utf8');
}

function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems refuse fsync on a folder: the rename is then as durable as they make it
  }
}

export class RecordLog {
  readonly dir: string;
  private readonly name: string;
  private readonly log: Logger;
  private readonly syncIntervalMs: number;
  private readonly compactMinBytes: number;
  private readonly maxRecordBytes: number;
  private sink: RecordSink | undefined;
  private fd: number | undefined;
  private gen = 0;
  private logBytes = 0;
  private snapshotBytes = 0;
  private pending: string[] = [];
  private flushQueued = false;
  private dirty = false;
  private syncing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastWriteError = 0;
  private retryCompaction = false;
  private unlock: (() => void) | undefined;
  private warnedClosed = false;

  constructor(options: RecordLogOptions) {
    this.dir = options.dir;
    this.name = options.name ?? 'store';
    this.log = options.logger ?? silentLogger;
    this.syncIntervalMs = Math.max(0, options.syncIntervalMs ?? 1000);
    this.compactMinBytes = Math.max(4096, options.compactMinBytes ?? 8 * 1024 * 1024);
    this.maxRecordBytes = Math.max(1024, options.maxRecordBytes ?? 4 * 1024 * 1024);
  }

  /** Replays the folder into `sink`, then starts a new generation (snapshot written before this returns). */
  open(sink: RecordSink): ReplayReport {
    if (this.sink) throw new Error('record log already open');
    this.sink = sink;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.unlock = lockFolder(this.dir);
    let report: ReplayReport;
    try {
      report = this.recover(sink);
    } catch (e) {
      this.unlock();
      this.unlock = undefined;
      throw e;
    }
    this.timer = setInterval(() => this.tick(), this.syncIntervalMs > 0 ? this.syncIntervalMs : 1000);
    this.timer.unref();
    return report;
  }

  /** Replays the folder, then starts a new generation from a snapshot. */
  private recover(sink: RecordSink): ReplayReport {
    const found = listGenerations(this.dir, this.name);
    for (const t of found.temps) unlinkSync(t);
    const plan = recoveryPlan(found);
    const files = [...(plan.snapshot !== undefined ? [snapshotFile(this.dir, this.name, plan.snapshot)] : []), ...plan.logs.map((g) => logFile(this.dir, this.name, g))];
    const report: ReplayReport = { records: 0, torn: false };
    /** files not wholly replayed (a corrupt one and those after it): kept aside, not removed */
    const kept = new Set<string>();
    for (const file of files) {
      if (kept.size > 0 || !this.replayFile(file, sink, report)) kept.add(file);
    }
    this.gen = plan.next;
    this.snapshotBytes = this.writeSnapshotSync(this.gen, sink.dump());
    this.fd = openSync(logFile(this.dir, this.name, this.gen), 'a', 0o600);
    this.logBytes = 0;
    this.removeOlder(this.gen, kept);
    return report;
  }

  /** false: replay stops (a corrupt record) */
  private replayFile(file: string, sink: RecordSink, report: ReplayReport): boolean {
    let reason = '';
    const r = scanLines(file, this.maxRecordBytes, (line) => {
      try {
        sink.apply(parseRecord(line));
        report.records++;
        return true;
      } catch (e) {
        reason = reasonOf(e);
        return false;
      }
    });
    if (r.end === 'torn') {
      report.torn = true;
      this.log.warn('store: torn last record skipped (the process stopped in the middle of a write)', { file, offset: r.offset });
      return true;
    }
    if (r.end === 'eof') return true;
    report.corrupt = { file, offset: r.offset, reason: r.end === 'tooLong' ? 'record too long' : reason };
    this.log.error('store: corrupt record, replay stopped there; the state is what came before it', { ...report.corrupt });
    return false;
  }

  /** Appends a record (written in a microtask, with the others of this turn). */
  append(record: LogRecord): void {
    if (this.fd === undefined) {
      if (this.sink && !this.warnedClosed) {
        this.warnedClosed = true;
        this.log.error('store: closed, changes are no longer written (a stopped gateway is not started again)', { dir: this.dir });
      }
      return;
    }
    let line: string;
    try {
      line = recordLine(record);
    } catch (e) {
      this.log.error('store: a value could not be written', { kind: record.k, error: reasonOf(e) });
      return;
    }
    if (line.length * 3 > this.maxRecordBytes && Buffer.byteLength(line) > this.maxRecordBytes) {
      this.log.error('store: record too long, not written', { kind: record.k, bytes: Buffer.byteLength(line) });
      return;
    }
    this.pending.push(line);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes the records appended so far (done by itself in a microtask). */
  flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0 || this.fd === undefined) return;
    const data = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'utf8');
    this.pending = [];
    try {
      writeAll(this.fd, data);
      this.logBytes += data.length;
      if (this.syncIntervalMs === 0) fdatasyncSync(this.fd);
      else this.dirty = true;
    } catch (e) {
      this.writeFailed(e);
      return;
    }
    if (this.logBytes > Math.max(this.compactMinBytes, 2 * this.snapshotBytes)) void this.compact();
  }

  /** A failed write may have left part of a line: the next generation starts from a snapshot of the whole state. */
  private writeFailed(e: unknown): void {
    this.retryCompaction = true;
    const now = Date.now();
    if (now - this.lastWriteError < 10_000) return;
    this.lastWriteError = now;
    this.log.error('store: write failed; a snapshot will be tried again', { dir: this.dir, error: e instanceof Error ? (e as NodeJS.ErrnoException).code ?? e.message : String(e) });
  }

  private tick(): void {
    if (this.retryCompaction) {
      void this.compact();
      return;
    }
    if (!this.dirty || this.fd === undefined || this.syncing) return;
    this.dirty = false;
    const fd = this.fd;
    this.syncing = new Promise<void>((resolve) => {
      fdatasync(fd, (err) => {
        this.syncing = undefined;
        if (err) this.writeFailed(err);
        resolve();
      });
    });
  }

  /** Starts a new generation: appends go to a new log now; the snapshot of this instant is written in the background. */
  compact(): Promise<void> {
    if (this.compacting || !this.sink || this.fd === undefined) return this.compacting ?? Promise.resolve();
    this.flush();
    const records = this.sink.dump();
    const oldFd = this.fd;
    const gen = this.gen + 1;
    let fd: number;
    try {
      fd = openSync(logFile(this.dir, this.name, gen), 'a', 0o600);
    } catch (e) {
      this.writeFailed(e);
      return Promise.resolve();
    }
    this.retryCompaction = false;
    this.fd = fd;
    this.gen = gen;
    this.logBytes = 0;
    this.dirty = false;
    const run = async (): Promise<void> => {
      await this.syncing;
      try {
        fdatasyncSync(oldFd);
      } catch {
        // its records are in the snapshot about to be written
      }
      closeSync(oldFd);
      this.snapshotBytes = await this.writeSnapshot(gen, records);
      if (this.gen === gen) this.removeOlder(gen, new Set());
    };
    this.compacting = run()
      .catch((e: unknown) => this.writeFailed(e))
      .finally(() => {
        this.compacting = undefined;
      });
    return this.compacting;
  }

  private writeSnapshotSync(gen: number, records: readonly LogRecord[]): number {
    const tmp = tempFile(this.dir, this.name, gen);
    const fd = openSync(tmp, 'w', 0o600);
    let bytes = 0;
    try {
      for (const chunk of snapshotChunks(records, this.log)) {
        writeAll(fd, chunk);
        bytes += chunk.length;
      }
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, snapshotFile(this.dir, this.name, gen));
    fsyncDir(this.dir);
    return bytes;
  }

  private async writeSnapshot(gen: number, records: readonly LogRecord[]): Promise<number> {
    const tmp = tempFile(this.dir, this.name, gen);
    const handle = await openAsync(tmp, 'w', 0o600);
    let bytes = 0;
    try {
      for (const chunk of snapshotChunks(records, this.log)) {
        await handle.write(chunk);
        bytes += chunk.length;
      }
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await renameAsync(tmp, snapshotFile(this.dir, this.name, gen));
    fsyncDir(this.dir);
    return bytes;
  }

  /** Removes the files of generations before `gen`; those in `keep` (not wholly replayed) are renamed aside to `<file>.corrupt`. */
  private removeOlder(gen: number, keep: ReadonlySet<string>): void {
    const found = listGenerations(this.dir, this.name);
    const old = [
      ...found.snapshots.filter((g) => g < gen).map((g) => snapshotFile(this.dir, this.name, g)),
      ...found.logs.filter((g) => g < gen).map((g) => logFile(this.dir, this.name, g)),
    ];
    for (const file of old) {
      try {
        if (keep.has(file)) renameSync(file, `${file}.corrupt`);
        else unlinkSync(file);
      } catch (e) {
        this.log.warn('store: old file not removed', { file, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  /** Bytes in the current log (tests, metrics). */
  get size(): { log: number; snapshot: number; generation: number } {
    return { log: this.logBytes, snapshot: this.snapshotBytes, generation: this.gen };
  }

  /** Writes what is pending, waits for a compaction under way, syncs and closes. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    await this.compacting;
    await this.syncing;
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
      this.unlock?.();
      this.unlock = undefined;
    }
  }
}
