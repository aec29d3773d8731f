/**
 * Requests held for sleeping devices: answered 202 at once, followed with
 * `GET /api/requests/{id}`. States: `queued` (waiting for the device to wake up), `sent`
 * (the device woke up: the request has left or leaves next, in order), `done` (a 2.xx
 * answer) and `failed` (an error answer, a timeout, the queue TTL...). Finished requests
 * are kept for `retainMs` and at most `maxFinished` of them (oldest forgotten first);
 * pruning happens on each access, so the store owns no timer.
 */
import { randomUUID } from 'node:crypto';
import type { Json } from './json.js';

export type RequestState = 'queued' | 'sent' | 'done' | 'failed';

export interface Outcome {
  status: number;
  body: Json;
  headers?: Record<string, string>;
}

export interface QueuedRequest {
  id: string;
  endpoint: string;
  operation: string;
  paths: string[];
  state: RequestState;
  createdAt: number;
  updatedAt: number;
  result?: Outcome;
}

export interface RequestStoreOptions {
  /** how long a finished request stays readable, ms (default 15 min) */
  retainMs?: number;
  /** finished requests kept at most (default 1000) */
  maxFinished?: number;
  now?: () => number;
}

export class RequestStore {
  private readonly items = new Map<string, QueuedRequest>();
  /** finished ids, oldest first */
  private readonly finished: string[] = [];
  private readonly retainMs: number;
  private readonly maxFinished: number;
  private readonly now: () => number;

  constructor(o: RequestStoreOptions = {}) {
    this.retainMs = o.retainMs ?? 15 * 60_000;
    this.maxFinished = Math.max(0, o.maxFinished ?? 1000);
    this.now = o.now ?? Date.now;
  }

  add(endpoint: string, operation: string, paths: string[]): QueuedRequest {
    this.prune();
    const t = this.now();
    const item: QueuedRequest = { id: randomUUID(), endpoint, operation, paths, state: 'queued', createdAt: t, updatedAt: t };
    this.items.set(item.id, item);
    return item;
  }

  get(id: string): QueuedRequest | undefined {
    this.prune();
    return this.items.get(id);
  }

  /** Requests not finished yet for `endpoint` (or all), oldest first. */
  pending(endpoint?: string): QueuedRequest[] {
    return [...this.items.values()].filter((r) => (r.state === 'queued' || r.state === 'sent') && (endpoint === undefined || r.endpoint === endpoint));
  }

  /** The device woke up: its queued requests are on their way. */
  markSent(endpoint: string): void {
    const t = this.now();
    for (const r of this.items.values()) {
      if (r.endpoint === endpoint && r.state === 'queued') {
        r.state = 'sent';
        r.updatedAt = t;
      }
    }
  }

  finish(id: string, result: Outcome): void {
    const r = this.items.get(id);
    if (!r || r.state === 'done' || r.state === 'failed') return;
    r.state = result.status < 400 ? 'done' : 'failed';
    r.result = result;
    r.updatedAt = this.now();
    this.finished.push(id);
    this.prune();
  }

  get size(): number {
    return this.items.size;
  }

  private prune(): void {
    const limit = this.now() - this.retainMs;
    while (this.finished.length > 0) {
      const id = this.finished[0]!;
      const r = this.items.get(id);
      if (r && this.finished.length <= this.maxFinished && r.updatedAt >= limit) break;
      this.finished.shift();
      this.items.delete(id);
    }
  }
}

export function requestJson(r: QueuedRequest): Record<string, Json> {
  const out: Record<string, Json> = {
    id: r.id,
    location: `/api/requests/${r.id}`,
    endpoint: r.endpoint,
    operation: r.operation,
    paths: r.paths,
    state: r.state,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
  if (r.result) out.result = { status: r.result.status, body: r.result.body };
  return out;
}
