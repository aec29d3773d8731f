/**
 * What the uplink handlers and the downlink runner share with the server (internal),
 * and the options of one request. In a file of its own so that server.ts, uplink.ts,
 * downlinks.ts and api.ts import types from here rather than from each other.
 */
import type { Clock } from '../clock.js';
import type { DeviceTransport, Peer } from '../transport.js';
import type { Logger } from '../../log.js';
import type { OperationContext } from './operations/index.js';
import type { LifetimePolicy } from './registration.js';
import type { RemovedRegistration, ServerStore, StoredObservation } from './store.js';
import type { ObservationRegistry } from './observations.js';
import type { RequestQueues } from './queue.js';
import type { RegisterGuard } from './register-guard.js';
import type { Registration, ServerEvents } from './types.js';
import type { SecurityPolicy } from './security.js';

export interface RequestOptions {
  /** how long to wait for the client's answer once the request has left, ms */
  timeoutMs?: number;
}

/** What the uplink handlers and the downlink runner share with the server (internal). */
export interface ServerCore {
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: ServerStore;
  readonly observations: ObservationRegistry;
  readonly queues: RequestQueues;
  readonly lifetime: LifetimePolicy;
  readonly ctx: OperationContext;
  /** registration limits, the per-address rate and the refusal counts */
  readonly guard: RegisterGuard;
  /** when a client must have authenticated */
  readonly security: SecurityPolicy;
  transport(name: string): DeviceTransport | undefined;
  emit<K extends keyof ServerEvents>(event: K, ...args: ServerEvents[K]): void;
  /** runs `fn` after the current response has gone out (setImmediate), unless stopped */
  afterResponse(fn: () => void): void;
  /** (re)starts the expiry timer of `reg` */
  scheduleExpiry(reg: Registration): void;
  /** the registration speaking from `peer`, for Send (same address, or same authenticated identity) */
  registrationAt(peer: Peer): Registration | undefined;
  /** records a (possibly new) registration state in the peer index */
  indexPeer(reg: Registration, previous?: Registration): void;
  /** ends what belonged to a registration the store removed: timers, observations, requests in flight; the queue if `dropQueue` */
  endRegistration(removed: RemovedRegistration, reason: string, dropQueue: boolean): void;
  /** the client spoke from `peer`: record the address (NAT), open its awake window */
  touch(reg: Registration, peer: Peer | undefined): Registration;
  /** `reg` (already stored) moved from `previous`: a rate-limited WARN line, and the event after the response */
  addressChanged(reg: Registration, previous: Peer, cause: 'update' | 'message'): void;
  endObservation(entry: StoredObservation, reason: string, forget: boolean): void;
}
