/**
 * What the file and Redis stores share: the state lives in a MemoryStore (every lookup
 * stays a Map get) and each mutation is also written somewhere durable. The lookups and the
 * queue's mutators are here; a subclass writes its registration and observation changes
 * itself and says how a changed queue is written (`queueChanged`).
 */
import type { Registration } from '../lwm2m/server/types.js';
import type { QueuedRequest, StoredObservation } from '../lwm2m/server/store.js';
import type { MemoryStore } from './memory/memory-store.js';

export abstract class MemoryBackedStore {
  constructor(protected readonly mem: MemoryStore) {}

  /** the endpoint's queue changed in `mem`: write it */
  protected abstract queueChanged(endpoint: string): void;

  get(id: string): Registration | undefined {
    return this.mem.get(id);
  }

  getByEndpoint(endpoint: string): Registration | undefined {
    return this.mem.getByEndpoint(endpoint);
  }

  all(): Registration[] {
    return this.mem.all();
  }

  get size(): number {
    return this.mem.size;
  }

  getObservation(id: string): StoredObservation | undefined {
    return this.mem.getObservation(id);
  }

  getObservationByToken(token: Uint8Array): StoredObservation | undefined {
    return this.mem.getObservationByToken(token);
  }

  getObservations(registrationId: string): readonly StoredObservation[] {
    return this.mem.getObservations(registrationId);
  }

  // ---- queued requests: each change writes the endpoint's whole queue (a few requests) ----

  queueRequest(item: QueuedRequest, max: number): boolean {
    const ok = this.mem.queueRequest(item, max);
    if (ok) this.queueChanged(item.endpoint);
    return ok;
  }

  nextRequest(endpoint: string): QueuedRequest | undefined {
    const item = this.mem.nextRequest(endpoint);
    if (item) this.queueChanged(endpoint);
    return item;
  }

  expireRequests(endpoint: string, now: number): QueuedRequest[] {
    const expired = this.mem.expireRequests(endpoint, now);
    if (expired.length > 0) this.queueChanged(endpoint);
    return expired;
  }

  removeRequests(endpoint: string): QueuedRequest[] {
    const removed = this.mem.removeRequests(endpoint);
    if (removed.length > 0) this.queueChanged(endpoint);
    return removed;
  }

  queuedRequests(endpoint: string): number {
    return this.mem.queuedRequests(endpoint);
  }
}
