/**
 * The in-memory ServerStore: registrations by id and by endpoint, observations by id,
 * by token and by registration, queued requests by endpoint, credentials (server and bootstrap) and bootstrap configs by endpoint. Nothing survives the process.
 * Lists per registration / endpoint are few and short: kept as arrays of exact length.
 */
import type { Registration } from '../../lwm2m/server/types.js';
import { samePathSet, tokenHex } from '../../lwm2m/server/store.js';
import type { QueuedRequest, RemovedRegistration, ServerStore, StoredObservation } from '../../lwm2m/server/store.js';
import { MemorySecurityStore } from './memory-security-store.js';
import { MemoryBootstrapStore } from './memory-bootstrap-store.js';

const NONE: readonly StoredObservation[] = Object.freeze([]);

/** `list` without `item`, in an array of exact length (filter() leaves spare room) */
function without<T>(list: readonly T[], item: T): T[] {
  const out = new Array<T>(list.length - 1);
  let n = 0;
  for (const e of list) if (e !== item) out[n++] = e;
  return out;
}

export class MemoryStore implements ServerStore {
  private readonly byId = new Map<string, Registration>();
  private readonly byEndpoint = new Map<string, string>();
  private readonly observationsById = new Map<string, StoredObservation>();
  private readonly observationsByToken = new Map<string, StoredObservation>();
  /** registration id -> its observations, oldest first */
  private readonly observationsOf = new Map<string, readonly StoredObservation[]>();
  /** endpoint -> its queued requests, oldest first (no entry when empty) */
  private readonly queues = new Map<string, QueuedRequest[]>();
  readonly security = new MemorySecurityStore();
  readonly bootstrapSecurity = new MemorySecurityStore();
  readonly bootstrap = new MemoryBootstrapStore();

  // ---- registrations ----

  add(reg: Registration): RemovedRegistration | undefined {
    const oldId = this.byEndpoint.get(reg.endpoint);
    const removed = oldId !== undefined ? this.remove(oldId) : undefined;
    this.byId.set(reg.id, reg);
    this.byEndpoint.set(reg.endpoint, reg.id);
    return removed;
  }

  update(reg: Registration): Registration | undefined {
    const previous = this.byId.get(reg.id);
    if (!previous || previous.endpoint !== reg.endpoint) return undefined;
    this.byId.set(reg.id, reg);
    return previous;
  }

  remove(id: string): RemovedRegistration | undefined {
    const registration = this.byId.get(id);
    if (!registration) return undefined;
    this.byId.delete(id);
    if (this.byEndpoint.get(registration.endpoint) === id) this.byEndpoint.delete(registration.endpoint);
    const observations = this.observationsOf.get(id) ?? NONE;
    if (observations.length > 0) {
      this.observationsOf.delete(id);
      for (const o of observations) this.unindex(o);
    }
    return { registration, observations };
  }

  get(id: string): Registration | undefined {
    return this.byId.get(id);
  }

  getByEndpoint(endpoint: string): Registration | undefined {
    const id = this.byEndpoint.get(endpoint);
    return id === undefined ? undefined : this.byId.get(id);
  }

  all(): Registration[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  // ---- observations ----

  addObservation(obs: StoredObservation): StoredObservation | undefined {
    const o = obs.observation;
    if (!this.byId.has(o.registrationId) || this.observationsById.has(o.id)) return undefined;
    const list = this.observationsOf.get(o.registrationId) ?? NONE;
    let replaced: StoredObservation | undefined;
    for (const e of list) {
      if (samePathSet(e.observation, o.paths, o.composite)) {
        replaced = e;
        break;
      }
    }
    if (replaced) this.unindex(replaced);
    const kept = replaced ? without(list, replaced) : list;
    // a copy of exact length (concat): push() or spread would leave room for 17 entries
    this.observationsOf.set(o.registrationId, kept.concat([obs]));
    this.observationsById.set(o.id, obs);
    this.observationsByToken.set(tokenHex(o.token), obs);
    return replaced;
  }

  removeObservation(id: string): StoredObservation | undefined {
    const obs = this.observationsById.get(id);
    if (!obs) return undefined;
    this.unindex(obs);
    const regId = obs.observation.registrationId;
    const list = this.observationsOf.get(regId);
    if (list) {
      if (list.length === 1) this.observationsOf.delete(regId);
      else this.observationsOf.set(regId, without(list, obs));
    }
    return obs;
  }

  getObservation(id: string): StoredObservation | undefined {
    return this.observationsById.get(id);
  }

  getObservationByToken(token: Uint8Array): StoredObservation | undefined {
    return this.observationsByToken.get(tokenHex(token));
  }

  getObservations(registrationId: string): readonly StoredObservation[] {
    return this.observationsOf.get(registrationId) ?? NONE;
  }

  private unindex(obs: StoredObservation): void {
    this.observationsById.delete(obs.observation.id);
    this.observationsByToken.delete(tokenHex(obs.observation.token));
  }

  // ---- queued requests ----

  queueRequest(item: QueuedRequest, max: number): boolean {
    const q = this.queues.get(item.endpoint);
    if (!q) {
      if (max < 1) return false;
      this.queues.set(item.endpoint, [item]);
      return true;
    }
    if (q.length >= max) return false;
    q.push(item);
    return true;
  }

  nextRequest(endpoint: string): QueuedRequest | undefined {
    const q = this.queues.get(endpoint);
    if (!q) return undefined;
    const item = q.shift();
    if (q.length === 0) this.queues.delete(endpoint);
    return item;
  }

  expireRequests(endpoint: string, now: number): QueuedRequest[] {
    const q = this.queues.get(endpoint);
    if (!q) return [];
    const expired: QueuedRequest[] = [];
    const kept: QueuedRequest[] = [];
    for (const item of q) (item.expiresAt <= now ? expired : kept).push(item);
    if (expired.length === 0) return expired;
    if (kept.length === 0) this.queues.delete(endpoint);
    else this.queues.set(endpoint, kept);
    return expired;
  }

  removeRequests(endpoint: string): QueuedRequest[] {
    const q = this.queues.get(endpoint);
    if (!q) return [];
    this.queues.delete(endpoint);
    return q;
  }

  /** The endpoint's queued requests, oldest first, without removing them (read-only: the store's own list). */
  requestsOf(endpoint: string): readonly QueuedRequest[] {
    return this.queues.get(endpoint) ?? [];
  }

  /** the endpoints with queued requests */
  queuedEndpoints(): string[] {
    return [...this.queues.keys()];
  }

  queuedRequests(endpoint: string): number {
    return this.queues.get(endpoint)?.length ?? 0;
  }
}
