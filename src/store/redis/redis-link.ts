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
 * A batch does not wait for the answer to the one before (a turn's changes leave in that
 * turn). While the connection is down, batches wait in a bounded buffer (oldest dropped
 * past `maxPending` changes, with a warning) and go out in order when it is back. A batch
 * whose pipeline failed is sent again with every batch after it (HSET / HDEL: sending
 * again gives the same state).
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

/** A batch sent, until Redis answers it. */
interface InFlight {
  changes: Change[];
  done: Promise<void> | undefined;
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
  /** batches sent and not yet answered, oldest first */
  private inFlight: InFlight[] = [];
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
  /** channel -> what reads its messages */
  private readonly channels = new Map<string, (message: Buffer) => void>();
  /** the change channel */
  readonly channel: string;

  constructor(
    private readonly options: RedisLinkOptions,
    private readonly onRecords: (records: unknown[], from: string) => void,
    private readonly back: { channelBack(): void; commandsBack(): void } = { channelBack: () => undefined, commandsBack: () => undefined },
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
      const again = this.wasReady;
      this.wasReady = true;
      this.up = true;
      this.schedule();
      if (again) this.back.commandsBack();
    });
    let subscribed = false;
    this.sub.on('ready', () => {
      // a subscriber connection that comes back missed what was published meanwhile
      if (subscribed) queueMicrotask(() => this.back.channelBack());
      subscribed = true;
    });
    this.client.on('close', () => {
      if (this.up && !this.closed) log.warn('redis connection lost: changes are kept until it is back', { url: redactedUrl(options.url) });
      this.up = false;
    });
    this.channels.set(this.channel, (m) => this.received(m));
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (message.length > this.maxMessageBytes) {
        this.options.logger.warn('redis store: message too long, ignored', { bytes: message.length });
        return;
      }
      this.channels.get(channel.toString('utf8'))?.(message);
    });
  }

  /** Connects both connections and subscribes to the change channel (rejects when Redis does not answer). */
  async open(): Promise<void> {
    try {
      await this.client.connect();
      await this.sub.connect();
      await this.sub.subscribe(...this.channels.keys());
    } catch (e) {
      throw new Error(`${redactedUrl(this.options.url)}: ${this.lastError ?? (e instanceof Error ? e.message : String(e))}`, { cause: e });
    }
  }

  /** Subscribes `fn` to one more channel of ours (below the prefix); resolves once subscribed. */
  async listen(channel: string, fn: (message: Buffer) => void): Promise<void> {
    this.channels.set(channel, fn);
    if (this.sub.status === 'ready') await this.sub.subscribe(channel);
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
      this.send();
    });
  }

  /**
   * Sends what is pending as one pipeline now, without waiting for the batches before it
   * (one connection keeps them in order). A failed batch and every one sent after it go
   * back to the front of the buffer, in order, and are sent again.
   */
  private send(): void {
    if (this.pending.length === 0 || !this.ready) return;
    const batch: InFlight = { changes: this.pending, done: undefined };
    this.pending = [];
    const pipe = this.client.pipeline();
    const p = this.options.prefix;
    for (const c of batch.changes) {
      for (const cmd of c.commands) {
        if (cmd[0] === 'hset') pipe.hset(p + cmd[1], cmd[2], cmd[3]);
        else pipe.hdel(p + cmd[1], ...cmd.slice(2));
      }
    }
    const message: Batch = { from: this.options.instance, records: batch.changes.map((c) => c.record) };
    pipe.publish(this.channel, JSON.stringify(message));
    this.inFlight.push(batch);
    batch.done = pipe.exec().then(
      (results) => this.sent(batch, results?.find(([e]) => e)?.[0] ?? undefined),
      (e: unknown) => this.sent(batch, e ?? 'failed'),
    );
  }

  private sent(batch: InFlight, error: unknown): void {
    const at = this.inFlight.indexOf(batch);
    if (at < 0) return; // already back in the buffer (an earlier batch failed)
    if (error === undefined) {
      this.inFlight.splice(at, 1);
      if (this.dropped > 0 && this.inFlight.length === 0) {
        this.options.logger.warn('redis store: changes were dropped while the connection was down', { dropped: this.dropped });
        this.dropped = 0;
      }
      return;
    }
    const again = this.inFlight.splice(at);
    this.pending = again.flatMap((b) => b.changes).concat(this.pending);
    if (this.ready) {
      this.options.logger.warn('redis store: a write failed, sent again', { error: String(error) });
      setTimeout(() => this.schedule(), 100).unref();
    }
  }

  /** Resolves when every change written so far has been sent and answered (or could not be: connection down). */
  async drain(): Promise<void> {
    await Promise.resolve();
    while (this.inFlight.length > 0 || (this.ready && (this.scheduled || this.pending.length > 0))) {
      const last = this.inFlight[this.inFlight.length - 1];
      if (last) await last.done;
      else await new Promise((r) => setImmediate(r));
    }
  }

  private received(message: Buffer): void {
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
