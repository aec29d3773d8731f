/**
 * Queue mode: requests for a client that may be asleep wait here, in order, until it is
 * awake (it just registered, updated or sent anything), then leave one at a time. A
 * request never waits longer than the TTL (QUEUE_EXPIRED); a full queue answers
 * QUEUE_FULL. The awake window closes `awakeTimeMs` after the client's latest message.
 * Every timer runs on the injected Clock. Keyed by endpoint, so a queue survives a
 * re-registration of the same client. The requests themselves are kept by the ServerStore;
 * the awake window and the one-at-a-time pump are kept here.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { QueuedRequest, ServerStore } from './store.js';
import type { OperationErrorCode, OperationRequest, OperationResult } from './types.js';

export interface QueueOptions {
  /** how long a request may wait for the client, ms (default 24 h) */
  ttlMs: number;
  /** waiting requests per client (default 100) */
  maxPerDevice: number;
  /** the client is taken to sleep this long after its latest message, ms (default 93 s) */
  awakeTimeMs: number;
}

export const DEFAULT_QUEUE: QueueOptions = { ttlMs: 86_400_000, maxPerDevice: 100, awakeTimeMs: 93_000 };

/**
 * A queued request as the store keeps it, with its waiting caller (the store hands back the
 * same object). One kept by a persistent store across a restart has no caller: plain QueuedRequest.
 */
interface Item extends QueuedRequest {
  run?: () => Promise<OperationResult>;
  settle?: (r: OperationResult) => void;
  ttl?: TimerHandle | undefined;
}

/** What a store keeps of a request once its caller is gone. */
function plain(item: QueuedRequest): QueuedRequest {
  return { endpoint: item.endpoint, request: item.request, queuedAt: item.queuedAt, expiresAt: item.expiresAt };
}

/** The runtime state of a client's queue; its requests are in the ServerStore. */
interface DeviceQueue {
  busy: boolean;
  awake: boolean;
  awakeTimer: TimerHandle | undefined;
  /** set when the queue is dropped: a run still in flight must not pump a dead queue */
  dead: boolean;
}

export function failure(code: OperationErrorCode, message: string): OperationResult {
  return { success: false, error: { code, message } };
}

export class RequestQueues {
  private readonly queues = new Map<string, DeviceQueue>();

  constructor(
    private readonly clock: Clock,
    private readonly store: ServerStore,
    private readonly opts: QueueOptions,
    private readonly onSleeping: (endpoint: string) => void,
    /** sends a request kept from before a restart (no caller waits for its result) */
    private readonly runKept: (endpoint: string, request: OperationRequest) => Promise<OperationResult> = () => Promise.resolve(failure('CANCELLED', 'no runner')),
  ) {}

  private queue(endpoint: string): DeviceQueue {
    let q = this.queues.get(endpoint);
    if (!q) {
      q = { busy: false, awake: false, awakeTimer: undefined, dead: false };
      this.queues.set(endpoint, q);
    }
    return q;
  }

  /** Queues `run` (which sends `request`) for `endpoint`; resolves with its result, or with QUEUE_FULL / QUEUE_EXPIRED / CANCELLED. */
  enqueue(endpoint: string, request: OperationRequest, run: () => Promise<OperationResult>): Promise<OperationResult> {
    const q = this.queue(endpoint);
    const now = this.clock.now();
    return new Promise<OperationResult>((resolve) => {
      const item: Item = { endpoint, request, queuedAt: now, expiresAt: now + this.opts.ttlMs, run, settle: resolve, ttl: undefined };
      if (!this.store.queueRequest(item, this.opts.maxPerDevice)) {
        resolve(failure('QUEUE_FULL', `${this.store.queuedRequests(endpoint)} requests already wait for ${endpoint}`));
        return;
      }
      item.ttl = this.clock.setTimer(this.opts.ttlMs, () => {
        item.ttl = undefined;
        // this request, and any other whose time has come with it
        for (const x of this.store.expireRequests(endpoint, Math.max(this.clock.now(), item.expiresAt)) as Item[]) {
          x.ttl?.cancel();
          x.ttl = undefined;
          x.settle?.(failure('QUEUE_EXPIRED', `the client did not wake up within ${this.opts.ttlMs} ms`));
        }
      });
      this.schedulePump(endpoint, q);
    });
  }

  /**
   * The client spoke: it is awake for another `awakeTimeMs`. Returns true when it was
   * asleep before (the caller emits 'awake'). Waiting requests start leaving.
   */
  wake(endpoint: string): boolean {
    const q = this.queue(endpoint);
    const wasAsleep = !q.awake;
    q.awake = true;
    q.awakeTimer?.cancel();
    q.awakeTimer = this.clock.setTimer(this.opts.awakeTimeMs, () => {
      q.awakeTimer = undefined;
      this.fallAsleep(endpoint, q);
    });
    this.schedulePump(endpoint, q);
    return wasAsleep;
  }

  /** The client stopped answering (a request timed out): hold the rest until it speaks again. */
  sleep(endpoint: string): void {
    const q = this.queues.get(endpoint);
    if (q?.awake) {
      q.awakeTimer?.cancel();
      q.awakeTimer = undefined;
      this.fallAsleep(endpoint, q);
    }
  }

  private fallAsleep(endpoint: string, q: DeviceQueue): void {
    if (!q.awake || q.dead) return;
    q.awake = false;
    this.onSleeping(endpoint);
  }

  isAwake(endpoint: string): boolean {
    return this.queues.get(endpoint)?.awake ?? false;
  }

  /** Requests waiting (not the one in flight). */
  waiting(endpoint: string): number {
    return this.store.queuedRequests(endpoint);
  }

  /**
   * Ends the client's queue: waiting requests resolve with `code`, timers stop. `keep`
   * (server stop): the requests stay in the store without their callers, to leave when the
   * client wakes after a restart; otherwise they are removed (also those kept from before a restart).
   */
  drop(endpoint: string, code: OperationErrorCode = 'CANCELLED', message = 'registration ended', keep = false): void {
    const q = this.queues.get(endpoint);
    if (q) {
      this.queues.delete(endpoint);
      q.dead = true;
      q.awakeTimer?.cancel();
      q.awakeTimer = undefined;
    }
    if (this.store.queuedRequests(endpoint) === 0) return;
    const items = this.store.removeRequests(endpoint) as Item[];
    for (const item of items) {
      item.ttl?.cancel();
      item.settle?.(failure(code, message));
      if (keep) this.store.queueRequest(plain(item), Infinity);
    }
  }

  /** Drops every queue (server stop): callers get CANCELLED, the requests stay in the store. */
  clear(message = 'server stopped'): void {
    for (const endpoint of [...this.queues.keys()]) this.drop(endpoint, 'CANCELLED', message, true);
  }

  /** Pumps after the current call stack: never send from inside an uplink handler. */
  private schedulePump(endpoint: string, q: DeviceQueue): void {
    queueMicrotask(() => this.pump(endpoint, q));
  }

  private pump(endpoint: string, q: DeviceQueue): void {
    if (q.dead || q.busy || !q.awake) return;
    const item = this.store.nextRequest(endpoint) as Item | undefined;
    if (!item) return;
    item.ttl?.cancel();
    item.ttl = undefined;
    if (!item.run && item.expiresAt <= this.clock.now()) {
      this.pump(endpoint, q); // kept from before a restart, its time ran out meanwhile
      return;
    }
    q.busy = true;
    let running: Promise<OperationResult>;
    try {
      running = item.run ? item.run() : this.runKept(endpoint, item.request);
    } catch (e) {
      running = Promise.resolve(failure('TRANSPORT', e instanceof Error ? e.message : String(e)));
    }
    running
      .catch((e: unknown) => failure('TRANSPORT', e instanceof Error ? e.message : String(e)))
      .then((r) => {
        q.busy = false;
        item.settle?.(r);
        this.pump(endpoint, q);
      });
  }
}
