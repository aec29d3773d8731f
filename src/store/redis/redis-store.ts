/**
 * The Redis ServerStore, shared by several gateway instances: the whole state in memory
 * (a Mirror: every lookup stays a Map get), each change written through to Redis (one
 * hash per kind below `prefix`: reg, obs, queue, sec, bsec, bscfg; redis-link.ts sends a turn's
 * changes in one ordered pipeline before the turn's answers leave) and published on the
 * change channel, from which every other instance applies it to its mirror. Opening
 * subscribes first, then reads the hashes in one MULTI, so no change falls between.
 *
 * Each registration is stored with the instance that holds its device's socket
 * (`ownerOf`), so an instance can hand a request for a device to the one that talks to it.
 *
 * Queued requests are stored without their waiting callers (those do not outlive the
 * process). Concurrent changes of the same endpoint by two instances: the last write wins.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Registration } from '../../lwm2m/server/types.js';
import type { RemovedRegistration, ServerStore, StoredObservation } from '../../lwm2m/server/store.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import { toPlain } from '../file/plain-codec.js';
import { HASH, Mirror, plainQueue } from './mirror.js';
import { MemoryBackedStore } from '../memory-backed-store.js';
import { readSnapshot } from './snapshot.js';
import type { MirrorRecord } from './mirror.js';
import { RedisLink, redactedUrl } from './redis-link.js';
import type { Change, HashCommand } from './redis-link.js';
import { RedisSecurityStore } from './redis-security-store.js';
import { RedisBootstrapStore } from './redis-bootstrap-store.js';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** prefix of every key and of the change channel (default "lwm2m:") */
  prefix?: string;
  /** this instance's id (default: host name, pid and a random part) */
  instance?: string;
  logger?: Logger;
  /** changes kept while the connection is down */
  maxPending?: number;
}

/** A new instance id: host name (letters, digits, '-', '.'), pid, random. */
export function newInstanceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '').slice(0, 64) || 'host';
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export class RedisStore extends MemoryBackedStore implements ServerStore {
  private readonly mirror: Mirror;
  readonly security: RedisSecurityStore;
  readonly bootstrapSecurity: RedisSecurityStore;
  readonly bootstrap: RedisBootstrapStore;
  readonly instance: string;
  /** the connections (the router sends its requests over them) */
  readonly link: RedisLink;
  /** prefix of the keys and channels */
  readonly prefix: string;
  private readonly log: Logger;
  /** changes from the channel that arrived while the hashes were read */
  private early: { records: unknown[]; from: string }[] | undefined = [];
  private seq = 0;
  /** a resync failed: it runs again when the command connection is back */
  private resyncWanted = false;
  private takeOver: ((id: string) => void) | undefined;
  private readonly listeners: ((records: readonly MirrorRecord[], from: string) => void)[] = [];

  constructor(private readonly options: RedisStoreOptions) {
    const mirror = new Mirror();
    super(mirror.mem);
    this.mirror = mirror;
    this.instance = options.instance ?? newInstanceId();
    this.log = options.logger ?? silentLogger;
    const prefix = options.prefix ?? 'lwm2m:';
    this.prefix = prefix;
    this.link = new RedisLink(
      { url: options.url, prefix, instance: this.instance, logger: this.log, ...(options.maxPending ? { maxPending: options.maxPending } : {}) },
      (records, from) => this.received(records, from),
      {
        channelBack: () => void this.resync(),
        commandsBack: () => {
          if (!this.resyncWanted) return;
          this.resyncWanted = false;
          void this.resync();
        },
      },
    );
    this.security = new RedisSecurityStore(this.mem.security, (c) => this.link.write(c));
    this.bootstrapSecurity = new RedisSecurityStore(this.mem.bootstrapSecurity, (c) => this.link.write(c), 'bsec');
    this.bootstrap = new RedisBootstrapStore(this.mem.bootstrap, (c) => this.link.write(c));
  }

  /** Connects, subscribes to the change channel and loads the whole state (rejects when Redis does not answer). */
  async open(): Promise<void> {
    await this.link.open();
    const { records, bad } = await readSnapshot(this.link.client, this.prefix);
    let loaded = 0;
    let refused = 0;
    for (const r of records) {
      try {
        this.mirror.apply(r, '');
        loaded++;
      } catch {
        refused++;
      }
    }
    const early = this.early ?? [];
    this.early = undefined;
    for (const e of early) this.received(e.records, e.from);
    this.log.info('redis store opened', { url: redactedUrl(this.options.url), prefix: this.options.prefix ?? 'lwm2m:', instance: this.instance, registrations: this.size, entries: loaded });
    if (bad + refused > 0) this.log.warn('redis store: entries that could not be read were skipped', { entries: bad + refused });
  }

  /**
   * After the change channel was lost (the subscriber reconnected): the changes published
   * meanwhile never arrived, so the state is read again and what differs is applied
   * (what did not change keeps its objects).
   */
  private async resync(): Promise<void> {
    if (this.early) return; // opening, or a resync already running
    this.early = [];
    try {
      const { records } = await readSnapshot(this.link.client, this.prefix);
      const applied = this.mirror.resync(records, (e) => this.log.warn('redis store: an entry could not be applied', { reason: e instanceof Error ? e.message : 'bad entry' }));
      this.log.info('redis store: state read again after the change channel was lost', { changed: applied.length, registrations: this.size });
      for (const fn of this.listeners) fn(applied, '');
    } catch (e) {
      this.log.warn('redis store: reading the state again failed; retried when the connection is back', { error: e instanceof Error ? e.message : String(e) });
      this.resyncWanted = true;
    } finally {
      const early = this.early ?? [];
      this.early = undefined;
      for (const e of early) this.received(e.records, e.from);
    }
  }

  /** Sends what is pending and closes the connections. */
  close(): Promise<void> {
    return this.link.close();
  }

  /** Resolves when every change so far has been sent to Redis (tests, stop). */
  drain(): Promise<void> {
    return this.link.drain();
  }

  reachable(): boolean {
    return this.link.ready;
  }

  /** The instance that holds the socket of registration `id`'s device (undefined: unknown). */
  ownerOf(id: string): string | undefined {
    return this.mirror.owners.get(id);
  }

  /** Calls `fn` (after the current call) with the id of a registration another instance held that this one changed: its device talks here now. */
  onTakeOver(fn: (id: string) => void): void {
    this.takeOver = fn;
  }

  /** Calls `fn` with each batch of changes another instance made, after the mirror took them. */
  onRemoteChange(fn: (records: readonly MirrorRecord[], from: string) => void): void {
    this.listeners.push(fn);
  }

  /** increasing across restarts and (roughly) across instances: ms since the epoch, then a counter */
  private nextSeq(): number {
    this.seq = Math.max(this.seq + 1, Date.now() * 1000);
    return this.seq;
  }

  private key(hash: string): string {
    return (this.options.prefix ?? 'lwm2m:') + hash;
  }

  private received(records: unknown[], from: string): void {
    if (this.early) {
      this.early.push({ records, from });
      return;
    }
    const applied: MirrorRecord[] = [];
    for (const r of records) {
      try {
        this.mirror.apply(r, from);
        applied.push(r as MirrorRecord);
      } catch (e) {
        this.log.warn('redis store: a change from another instance could not be applied', { reason: e instanceof Error ? e.message : 'bad record' });
      }
    }
    for (const fn of this.listeners) fn(applied, from);
  }

  private write(commands: HashCommand[], record: MirrorRecord): void {
    const change: Change = { commands, record };
    this.link.write(change);
  }

  /** the commands that delete a removed registration's observations */
  private dropObservations(removed: RemovedRegistration | undefined, out: HashCommand[]): void {
    if (!removed) return;
    this.mirror.owners.delete(removed.registration.id);
    out.push(['hdel', HASH.reg, removed.registration.id]);
    if (removed.observations.length > 0) out.push(['hdel', HASH.obs, ...removed.observations.map((o) => o.observation.id)]);
  }

  private putRegistration(reg: Registration, op: 'add' | 'update', commands: HashCommand[]): void {
    this.mirror.owners.set(reg.id, this.instance);
    const v = toPlain(reg);
    commands.push(['hset', HASH.reg, reg.id, JSON.stringify({ o: this.instance, v })]);
    this.write(commands, { k: 'reg', op, v, o: this.instance });
  }

  // ---- registrations ----

  add(reg: Registration): RemovedRegistration | undefined {
    const removed = this.mem.add(reg);
    const commands: HashCommand[] = [];
    this.dropObservations(removed, commands);
    this.putRegistration(reg, 'add', commands);
    return removed;
  }

  update(reg: Registration): Registration | undefined {
    const previous = this.mem.update(reg);
    if (!previous) return previous;
    const before = this.mirror.owners.get(reg.id);
    this.putRegistration(reg, 'update', []);
    // the device talks to this instance now (it re-targeted after its instance stopped)
    if (before !== undefined && before !== this.instance && this.takeOver) {
      const fn = this.takeOver;
      queueMicrotask(() => fn(reg.id));
    }
    return previous;
  }

  remove(id: string): RemovedRegistration | undefined {
    const removed = this.mem.remove(id);
    if (removed) {
      const commands: HashCommand[] = [];
      this.dropObservations(removed, commands);
      this.write(commands, { k: 'reg', op: 'remove', key: id });
    }
    return removed;
  }

  // ---- observations ----

  addObservation(obs: StoredObservation): StoredObservation | undefined {
    const replaced = this.mem.addObservation(obs);
    // replaced or not, only a kept observation is written (one of an unknown registration is not)
    if (this.mem.getObservation(obs.observation.id) !== obs) return replaced;
    const v = toPlain(obs);
    const commands: HashCommand[] = replaced ? [['hdel', HASH.obs, replaced.observation.id]] : [];
    // with its order of adding: a hash keeps none, and a registration's observations are listed oldest first
    commands.push(['hset', HASH.obs, obs.observation.id, JSON.stringify({ s: this.nextSeq(), v })]);
    this.write(commands, { k: 'obs', op: 'add', v });
    return replaced;
  }

  removeObservation(id: string): StoredObservation | undefined {
    const removed = this.mem.removeObservation(id);
    if (removed) this.write([['hdel', HASH.obs, id]], { k: 'obs', op: 'remove', key: id });
    return removed;
  }

  // ---- queued requests (the mutators are MemoryBackedStore's) ----

  protected override queueChanged(endpoint: string): void {
    const list = this.mem.requestsOf(endpoint);
    const v = plainQueue(list);
    const command: HashCommand = list.length > 0 ? ['hset', HASH.queue, endpoint, JSON.stringify(v)] : ['hdel', HASH.queue, endpoint];
    this.write([command], { k: 'queue', op: 'set', key: endpoint, v });
  }

}
