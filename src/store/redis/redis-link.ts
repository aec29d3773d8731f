/**
 * The Redis connections of a Redis store: one for commands, one subscribed to the store's
 * change channel (a subscribed connection takes no other command).
 *
 * Writes: the changes of one turn of the event loop are sent together in one pipeline
 * from a microtask, so they are on the socket before any answer of that turn leaves (as
 * the file store's records are on disk). Each batch ends with one PUBLISH of its records
 * on the change channel, in the same pipeline: the other instances see the changes in
 * the order they were made, after Redis holds them.
 *
 * While the connection is down, batches wait in a bounded buffer (oldest dropped past
 * `maxPending` changes, with a warning) and go out in order when it is back. A batch whose
 * pipeline failed is sent again (its commands are idempotent: HSET / HDEL).
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../log.js';

/** One command of a change: set or delete fields of a hash (the key is below the store's prefix). */
export type HashCommand = readonly ['hset', string, string, string] | readonly ['hdel', string, ...string[]];

/** One change: the commands that make it in Redis and the record the other instances apply. */
export interface Change {
  readonly commands: readonly HashCommand[];
  /** JSON-able record (its values already plain) */
  readonly record: unknown;
}

export interface RedisLinkOptions {
  url: string;
  /** key prefix of every key and of the channel */
  prefix: string;
  /** this instance, in every published batch (its own batches are not applied again) */
  instance: string;
  logger: Logger;
  /** changes kept while the connection is down (default 100 000) */
  maxPending?: number;
  /** longest change message read from the channel, bytes (default 16 MiB) */
  maxMessageBytes?: number;
}

/** A published batch: who made it, what changed. */
interface Batch {
  from: string;
  records: unknown[];
}

export class RedisLink {
  readonly client: Redis;
  private readonly sub: Redis;
  private pending: Change[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private dropped = 0;
  private closed = false;
  private readonly maxPending: number;
  private readonly maxMessageBytes: number;
  private wasReady = false;
  /** the last connection error (for the message of a failed open) */
  private lastError: string | undefined;
  /** connected now (a lost connection is logged once) */
  private up = false;
  /** the change channel */
  readonly channel: string;

  constructor(
    private readonly options: RedisLinkOptions,
    private readonly onRecords: (records: unknown[], from: string) => void,
  ) {
    this.maxPending = options.maxPending ?? 100_000;
    this.maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
    this.channel = `${options.prefix}changes`;
    const common = { lazyConnect: true, enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 1 } as const;
    this.client = new Redis(options.url, { ...common, connectionName: `lwm2m-gateway:${options.instance}` });
    this.sub = new Redis(options.url, { ...common, enableOfflineQueue: true, connectionName: `lwm2m-gateway-sub:${options.instance}` });
    const log = options.logger;
    // the error is logged by 'close' (once per outage), not on every retry
    const remember = (e: Error): void => void (this.lastError = e.message);
    this.client.on('error', remember);
    this.sub.on('error', remember);
    this.client.on('ready', () => {
      if (this.wasReady) log.info('redis connection back', { pending: this.pending.length });
      this.wasReady = true;
      this.up = true;
      this.schedule();
    });
    this.client.on('close', () => {
      if (this.up && !this.closed) log.warn('redis connection lost: changes are kept until it is back', { url: redactedUrl(options.url) });
      this.up = false;
    });
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.received(message));
  }

  /** Connects both connections and subscribes to the change channel (rejects when Redis does not answer). */
  async open(): Promise<void> {
    try {
      await this.client.connect();
      await this.sub.connect();
      await this.sub.subscribe(this.channel);
    } catch (e) {
      throw new Error(`${redactedUrl(this.options.url)}: ${this.lastError ?? (e instanceof Error ? e.message : String(e))}`, { cause: e });
    }
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /** Queues a change; it leaves with the others of this turn. */
  write(change: Change): void {
    if (this.closed) return;
    if (this.pending.length >= this.maxPending) {
      this.pending.shift();
      if (this.dropped++ === 0) this.options.logger.warn('redis store: too many changes waiting for the connection, the oldest are dropped', { max: this.maxPending });
    }
    this.pending.push(change);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (!this.flushing) this.flushing = this.flush().finally(() => (this.flushing = undefined));
    });
  }

  /** Sends what is pending, batch after batch, while connected. */
  private async flush(): Promise<void> {
    while (this.pending.length > 0 && this.ready) {
      const batch = this.pending;
      this.pending = [];
      const pipe = this.client.pipeline();
      const p = this.options.prefix;
      for (const c of batch) {
        for (const cmd of c.commands) {
          if (cmd[0] === 'hset') pipe.hset(p + cmd[1], cmd[2], cmd[3]);
          else pipe.hdel(p + cmd[1], ...cmd.slice(2));
        }
      }
      const message: Batch = { from: this.options.instance, records: batch.map((c) => c.record) };
      pipe.publish(this.channel, JSON.stringify(message));
      const results = await pipe.exec().catch((e: unknown) => [[e, null]] as [unknown, unknown][]);
      const failed = results?.find(([e]) => e);
      if (failed) {
        this.pending = batch.concat(this.pending);
        if (this.dropped === 0 && this.ready) this.options.logger.warn('redis store: a write failed, retried', { error: String(failed[0]) });
        if (this.ready) await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (this.dropped > 0) {
        this.options.logger.warn('redis store: changes were dropped while the connection was down', { dropped: this.dropped });
        this.dropped = 0;
      }
    }
  }

  /** Resolves when every change written so far has been sent (or could not be: connection down). */
  async drain(): Promise<void> {
    await Promise.resolve();
    while (this.flushing || (this.scheduled && this.ready)) {
      await this.flushing;
      await Promise.resolve();
    }
  }

  private received(message: Buffer): void {
    if (message.length > this.maxMessageBytes) {
      this.options.logger.warn('redis store: change message too long, ignored', { bytes: message.length });
      return;
    }
    let batch: Batch;
    try {
      batch = JSON.parse(message.toString('utf8')) as Batch;
    } catch {
      this.options.logger.warn('redis store: change message not JSON, ignored');
      return;
    }
    if (batch === null || typeof batch !== 'object' || typeof batch.from !== 'string' || !Array.isArray(batch.records)) return;
    if (batch.from === this.options.instance) return;
    this.onRecords(batch.records, batch.from);
  }

  /** Sends what is pending (when connected) and closes both connections. */
  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    for (const c of [this.sub, this.client]) {
      if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
      else c.disconnect();
    }
  }
}

/** the URL without its password, for a log line */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://?';
  }
}
