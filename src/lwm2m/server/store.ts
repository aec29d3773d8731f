/**
 * The server's state that outlives a request: registrations, the observations clients
 * accepted (with what it takes to decode their notifications and to observe again), and
 * requests queued for sleeping clients, the clients' credentials and the bootstrap configs. One interface, so that a registration never
 * comes back from a store without its observations (their tokens) and its queue.
 *
 * Synchronous on purpose: a notification is matched to its observation by token on the
 * hot path, and a Register answers in the same turn. A persistent store (file, Redis)
 * keeps the same interface over an in-memory copy and writes through in the background.
 * Objects read back are the very objects written (the core compares them by identity);
 * the caller never mutates what it stored, it stores a new object instead.
 *
 * Implementations live in src/store/<kind>/ and pass test/helpers/store-contract.ts.
 */
import type { LwM2mPath } from '../path.js';
import type { DownlinkRequest } from '../transport.js';
import type { Observation, OperationRequest, Registration } from './types.js';
import type { SecurityStore } from './security.js';
import type { BootstrapConfigStore } from '../bootstrap/store.js';

/** An observation the client accepted (2.xx with Observe). */
export interface StoredObservation {
  /** id, registration, paths, token, requested format */
  readonly observation: Observation;
  /** the observe / observeComposite request (op and paths), to observe again and to decode notifications */
  readonly request: OperationRequest;
  /** what decoding a notification needs of the request that left: op, path, Accept */
  readonly downlink: DownlinkRequest;
}

/** A registration that left the store, and the observations that went with it. */
export interface RemovedRegistration {
  readonly registration: Registration;
  /** its observations, oldest first (empty when it had none) */
  readonly observations: readonly StoredObservation[];
}

/** A request waiting for a sleeping queue-mode client, by endpoint (a queue outlives a re-registration). */
export interface QueuedRequest {
  readonly endpoint: string;
  readonly request: OperationRequest;
  /** Clock ms: when it was queued, and from when on it is not sent any more */
  readonly queuedAt: number;
  readonly expiresAt: number;
}

export interface ServerStore {
  /** whether the store answers now (a remote store's connection); absent: always */
  reachable?(): boolean;
  // ---- registrations ----

  /**
   * Adds `reg`. A registration of the same endpoint is replaced: it is removed with its
   * observations and returned with them. Queued requests of the endpoint stay.
   */
  add(reg: Registration): RemovedRegistration | undefined;
  /** Replaces the registration with `reg.id` (same endpoint); returns the previous one (undefined: unknown id or other endpoint, nothing stored). Its observations stay. */
  update(reg: Registration): Registration | undefined;
  /** Removes by id, with its observations; returns what was removed. Queued requests stay (the caller drops them). */
  remove(id: string): RemovedRegistration | undefined;
  get(id: string): Registration | undefined;
  getByEndpoint(endpoint: string): Registration | undefined;
  all(): Registration[];
  /** registrations stored */
  readonly size: number;

  // ---- observations ----

  /**
   * Stores an observation of a stored registration (`observation.registrationId`);
   * returns the one of the same path set it replaced (at most one per registration and
   * path set). An observation of an unknown registration is not kept.
   */
  addObservation(obs: StoredObservation): StoredObservation | undefined;
  /** Removes by observation id; returns what was removed. */
  removeObservation(id: string): StoredObservation | undefined;
  getObservation(id: string): StoredObservation | undefined;
  /** The notification path: by the token the client echoes. */
  getObservationByToken(token: Uint8Array): StoredObservation | undefined;
  /** A registration's observations, oldest first. Read-only: it may be the store's own list. */
  getObservations(registrationId: string): readonly StoredObservation[];

  // ---- queued requests ----

  /** Appends to the endpoint's queue unless `max` requests already wait there (false: full). */
  queueRequest(item: QueuedRequest, max: number): boolean;
  /** Removes and returns the oldest request of the endpoint. */
  nextRequest(endpoint: string): QueuedRequest | undefined;
  /** Removes and returns the endpoint's requests whose `expiresAt` is `now` or earlier, oldest first. */
  expireRequests(endpoint: string, now: number): QueuedRequest[];
  /** Removes and returns every request of the endpoint, oldest first. */
  removeRequests(endpoint: string): QueuedRequest[];
  /** requests waiting for the endpoint */
  queuedRequests(endpoint: string): number;

  // ---- credentials ----

  /** the endpoints' credentials (PSK, raw public key, X.509), kept by the same store */
  readonly security: SecurityStore;
  /**
   * the credentials clients prove to the Bootstrap Server (their bootstrap PSK, RPK or
   * certificate): a second SecurityStore, so that an endpoint has one bootstrap and one
   * server account, each with its own identity
   */
  readonly bootstrapSecurity: SecurityStore;

  // ---- bootstrap ----

  /** the Bootstrap Server's configurations, by endpoint, and the default */
  readonly bootstrap: BootstrapConfigStore;
}

/** The identity of a path set: order does not matter, composite and single differ. */
export function pathSetKey(paths: readonly LwM2mPath[], composite: boolean): string {
  const names = paths.map((p) => p.toString()).sort();
  return (composite ? 'c:' : 's:') + names.join(',');
}

/** Whether `obs` observes this path set (the one-observation-per-path-set rule, pitfall 7). */
export function samePathSet(obs: Observation, paths: readonly LwM2mPath[], composite: boolean): boolean {
  if (obs.composite !== composite || obs.paths.length !== paths.length) return false;
  if (paths.length === 1) return obs.paths[0]!.toString() === paths[0]!.toString();
  return pathSetKey(obs.paths, composite) === pathSetKey(paths, composite);
}

export function tokenHex(token: Uint8Array): string {
  return Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString('hex');
}
