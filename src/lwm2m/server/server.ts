/**
 * The LwM2M server core: registrations (Register, Update, De-register, expiry), Send,
 * notifications, and device-management requests with queue mode. Transport-agnostic:
 * bindings call handleUplink/handleNotification (UplinkHandler) and the core sends
 * through DeviceTransport.send. All time goes through the injected Clock.
 */
import { systemClock } from '../clock.js';
import type { Clock, TimerHandle } from '../clock.js';
import { CodecRegistry } from '../codec/registry.js';
import type { DecodeLimits } from '../codec/codec.js';
import type { ModelProvider } from '../model/types.js';
import { sameIdentity } from '../transport.js';
import type { DeviceTransport, Notification, Peer, Uplink, UplinkHandler, UplinkResult } from '../transport.js';
import { silentLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import type { OperationContext } from './operations/index.js';
import { toResult } from './operations/index.js';
import { DEFAULT_LIFETIME } from './registration.js';
import type { LifetimePolicy } from './registration.js';
import type { RemovedRegistration, ServerStore, StoredObservation } from './store.js';
import { ObservationRegistry } from './observations.js';
import { DEFAULT_QUEUE, RequestQueues } from './queue.js';
import type { QueueOptions } from './queue.js';
import { handleUplink } from './uplink.js';
import { Downlinks } from './downlinks.js';
import type { RequestOptions, ServerCore } from './core.js';
import type { NotificationEvent, Observation, OperationRequest, OperationResult, Registration, ServerEvents } from './types.js';
import { DeviceManagementApi } from './api.js';
import { ExpiryQueue } from './expiry.js';
import { RegisterGuard } from './register-guard.js';
import type { RefusalCounts, RegistrationLimits } from './register-guard.js';
import { DEFAULT_SECURITY_POLICY } from './security.js';
import { DeviceTraces, type DeviceTrace, type TraceStartResult } from './device-traces.js';
import type { SecurityPolicy, SecurityStore } from './security.js';
import type { DeviceRouter } from './router.js';

export interface LwM2mServerOptions {
  models: ModelProvider;
  codecs?: CodecRegistry;
  clock?: Clock;
  /** seconds; see registration.ts: below min is raised, above max refused (4.00) */
  lifetime?: Partial<LifetimePolicy>;
  /** a registration expires this long after its lifetime ran out without an Update, ms (default 0) */
  expiryGraceMs?: number;
  /** per-request timeout when the caller gives none, ms (default 30 s) */
  requestTimeoutMs?: number;
  queue?: Partial<QueueOptions>;
  logger?: Logger;
  /** registrations, observations, queued requests and credentials (src/store: MemoryStore, or a persistent one) */
  store: ServerStore;
  /** a store shared by several instances: hands a request to the instance that talks to the device (router.ts) */
  router?: DeviceRouter;
  limits?: DecodeLimits;
  /** bounds on registrations (register-guard.ts: DEFAULT_REGISTRATION_LIMITS) */
  registrationLimits?: Partial<RegistrationLimits>;
  /** when clients must have authenticated (default: endpoints with credentials must) */
  security?: Partial<SecurityPolicy>;
}

/** registration ids by transport name, then by peer key (no key string built per lookup) */
class PeerIndex {
  private readonly byTransport = new Map<string, Map<string, string>>();

  get(p: Peer): string | undefined {
    return this.byTransport.get(p.transport)?.get(p.key);
  }

  set(p: Peer, id: string): void {
    let m = this.byTransport.get(p.transport);
    if (!m) this.byTransport.set(p.transport, (m = new Map()));
    m.set(p.key, id);
  }

  delete(p: Peer): void {
    this.byTransport.get(p.transport)?.delete(p.key);
  }
}

function samePeer(a: Peer, b: Peer): boolean {
  return a.transport === b.transport && a.key === b.key && a.address === b.address && a.port === b.port && sameIdentity(a, b);
}

export class LwM2mServer extends DeviceManagementApi implements UplinkHandler {
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: ServerStore;
  readonly lifetime: LifetimePolicy;
  private readonly transports = new Map<string, DeviceTransport>();
  private readonly expiry: ExpiryQueue;
  private readonly byPeer = new PeerIndex();
  /** callbacks for after the current responses, run together by one setImmediate */
  private afterQueue: (() => void)[] = [];
  private afterImmediate: NodeJS.Immediate | undefined;
  private readonly core: ServerCore;
  private readonly downlinks: Downlinks;
  private readonly expiryGraceMs: number;
  private readonly guard: RegisterGuard;
  private readonly traces: DeviceTraces;
  private stopped = false;
  private readonly router: DeviceRouter | undefined;

  constructor(options: LwM2mServerOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.store = options.store;
    this.router = options.router;
    this.lifetime = { ...DEFAULT_LIFETIME, ...options.lifetime };
    this.expiryGraceMs = Math.max(0, options.expiryGraceMs ?? 0);
    this.expiry = new ExpiryQueue(this.clock, (id) => this.expire(id));
    const queueOptions = { ...DEFAULT_QUEUE, ...options.queue };
    const codecs = options.codecs ?? new CodecRegistry();
    const ctx: OperationContext = { codecs, models: options.models, ...(options.limits ? { limits: options.limits } : {}) };
    this.guard = new RegisterGuard(options.registrationLimits, this.clock, this.log);
    const observations = new ObservationRegistry(this.store);
    const queues = new RequestQueues(
      this.clock,
      this.store,
      queueOptions,
      (endpoint) => {
        const reg = this.store.getByEndpoint(endpoint);
        if (reg?.queueMode) this.safeEmit('sleeping', reg);
      },
      (endpoint, req) => this.downlinks.runKept(endpoint, req),
    );
    this.core = {
      clock: this.clock,
      log: this.log,
      store: this.store,
      observations,
      queues,
      lifetime: this.lifetime,
      ctx,
      guard: this.guard,
      security: { ...DEFAULT_SECURITY_POLICY, ...options.security },
      transport: (name) => this.transports.get(name),
      emit: (event, ...args) => this.safeEmit(event, ...args),
      afterResponse: (fn) => this.afterResponse(fn),
      scheduleExpiry: (reg) => this.scheduleExpiry(reg),
      registrationAt: (peer) => this.registrationAt(peer),
      indexPeer: (reg, previous) => this.indexPeer(reg, previous),
      endRegistration: (reg, reason, dropQueue) => this.endRegistration(reg, reason, dropQueue),
      touch: (reg, peer) => this.touch(reg, peer),
      addressChanged: (reg, previous, cause) => this.addressChanged(reg, previous, cause),
      endObservation: (entry, reason, forget) => this.endObservation(entry, reason, forget),
    };
    this.downlinks = new Downlinks(this.core, options.requestTimeoutMs ?? 30_000);
    this.traces = new DeviceTraces({
      clock: this.clock,
      log: this.log,
      registration: (endpoint) => this.store.getByEndpoint(endpoint),
      transport: (name) => this.transports.get(name),
      emit: (event) => this.safeEmit('trace', event),
    });
    const follow = (reg: Registration): void => this.traces.follow(reg.endpoint);
    for (const event of ['registered', 'updated', 'deregistered', 'expired', 'addressChanged'] as const) this.on(event, follow);
  }

  // ---- message traces ----

  traceDevice(endpoint: string, seconds: number): TraceStartResult {
    return this.traces.start(endpoint, seconds);
  }

  stopTrace(endpoint: string): boolean {
    return this.traces.stop(endpoint);
  }

  deviceTrace(endpoint: string): DeviceTrace | undefined {
    return this.traces.get(endpoint);
  }

  /** the clients' credentials, kept by the store */
  get credentials(): SecurityStore {
    return this.store.security;
  }

  // ---- lifecycle ----

  /**
   * Adds a binding; downlinks go through the one named like the registration's `peer.transport`.
   * The observations the store kept for its registrations (a restart) are made known to it,
   * so their notifications are taken, not answered with RST.
   */
  addTransport(t: DeviceTransport): void {
    this.transports.set(t.name, t);
    if (!t.restoreObservation) return;
    let restored = 0;
    for (const reg of this.store.all()) if (reg.peer.transport === t.name) restored += this.restoreObservations(t, reg);
    if (restored > 0) this.log.info('observations restored', { transport: t.name, observations: restored });
  }

  private restoreObservations(t: DeviceTransport, reg: Registration): number {
    let restored = 0;
    for (const { observation, downlink } of this.store.getObservations(reg.id)) {
      t.restoreObservation?.(reg.peer, { ...downlink, rootPath: reg.rootPath, token: observation.token });
      restored++;
    }
    return restored;
  }

  /**
   * A registration another instance made (a shared store) whose device now talks to this
   * one: its expiry is armed here, its address indexed, and its observations made known
   * to the binding, so its notifications are taken.
   */
  adopt(reg: Registration): void {
    if (!this.watch(reg)) return;
    const t = this.transports.get(reg.peer.transport);
    const restored = t ? this.restoreObservations(t, reg) : 0;
    this.log.info('registration taken over from another instance', { endpoint: reg.endpoint, observations: restored });
  }

  /** (Re)arms expiry timers for registrations already in the store (a persistent one). */
  start(): void {
    this.stopped = false;
    for (const reg of this.store.all()) {
      this.scheduleExpiry(reg);
      this.indexPeer(reg);
    }
  }

  /** Stops every timer; requests waiting or in flight resolve with CANCELLED. Registrations and their observations stay in the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.traces.stopAll();
    if (this.afterImmediate) clearImmediate(this.afterImmediate);
    this.afterImmediate = undefined;
    this.afterQueue = [];
    this.expiry.clear();
    this.core.queues.clear();
    this.downlinks.cancelAll('server stopped');
    this.core.observations.clearPending();
  }

  /**
   * Waits, at most `timeoutMs`, until no request sent to a device awaits its answer (those
   * queued for a sleeping device do not count); true when none is left. For a graceful stop.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.downlinks.inFlightCount === 0) return true;
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = this.clock.setTimer(Math.max(0, timeoutMs), () => resolve(false))));
    const idle = await Promise.race([this.downlinks.whenIdle().then(() => true as const), timedOut]);
    timer?.cancel();
    return idle;
  }

  /** Requests sent to devices and not yet answered. */
  get inFlightRequests(): number {
    return this.downlinks.inFlightCount;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  // ---- UplinkHandler ----

  handleUplink(peer: Peer, uplink: Uplink): Promise<UplinkResult> {
    if (this.stopped) return Promise.resolve({ code: 'serviceUnavailable' });
    try {
      return Promise.resolve(handleUplink(this.core, peer, uplink));
    } catch (e) {
      this.log.error('lwm2m: uplink handling failed', { peer: peer.key, error: String(e) });
      return Promise.resolve({ code: 'internalServerError' });
    }
  }

  handleNotification(peer: Peer, n: Notification): boolean {
    if (this.stopped) return false;
    const entry = this.core.observations.byTokenOf(n.token);
    if (!entry) return false;
    const obs = entry.observation;
    let reg = this.store.get(obs.registrationId);
    if (!reg || reg.peer.transport !== peer.transport) {
      this.core.observations.remove(entry);
      return false;
    }
    // only over the security context of the registration: another identity neither feeds nor ends it
    if (!sameIdentity(reg.peer, peer)) return false;
    reg = this.touch(reg, peer);
    if (!n.code.startsWith('2.')) {
      // RFC 7641 3.2: an error response ends the observation (the binding has dropped it)
      this.endObservation(entry, `error ${n.code}`, false);
      return true;
    }
    // the notification is a response as it stands (toResult reads code, content format and payload)
    const result = toResult(reg, entry.request, entry.downlink, n, this.core.ctx);
    if (!result.success) {
      this.log.warn('lwm2m: notification not decoded', { endpoint: reg.endpoint, error: result.error?.message });
      return true;
    }
    // built field by field: no temporary object per optional field on this path
    const event: NotificationEvent = { registration: reg, observation: obs, receivedAt: this.clock.now() };
    if (result.node) event.node = result.node;
    if (result.nodes) event.nodes = result.nodes;
    if (result.timestamped) event.timestamped = result.timestamped;
    const contentFormat = result.contentFormat ?? n.contentFormat;
    if (contentFormat !== undefined) event.contentFormat = contentFormat;
    if (n.observe !== undefined) event.sequence = n.observe;
    this.safeEmit('notification', event);
    return true;
  }

  // ---- queries ----

  getRegistration(endpoint: string): Registration | undefined {
    return this.store.getByEndpoint(endpoint);
  }

  getRegistrationById(id: string): Registration | undefined {
    return this.store.get(id);
  }

  registrations(): Registration[] {
    return this.store.all();
  }

  /** Established observations of an endpoint's current registration. */
  override observations(endpoint: string): Observation[] {
    const reg = this.store.getByEndpoint(endpoint);
    return reg ? this.core.observations.list(reg.id).map((e) => e.observation) : [];
  }

  /** Registers and Updates refused by a limit or for a bad endpoint name, by kind, since the server was made. */
  refusals(): RefusalCounts {
    return this.guard.refusals();
  }

  /** The registration limits in force (defaults filled in). */
  get registrationLimits(): Readonly<RegistrationLimits> {
    return this.guard.limits;
  }

  /** Requests waiting for a sleeping queue-mode client. */
  queuedRequests(endpoint: string): number {
    return this.core.queues.waiting(endpoint);
  }

  isAwake(endpoint: string): boolean {
    const reg = this.store.getByEndpoint(endpoint);
    if (!reg) return false;
    return !reg.queueMode || this.core.queues.isAwake(endpoint);
  }

  supportsObserve(endpoint: string): boolean {
    const reg = this.store.getByEndpoint(endpoint);
    return reg !== undefined && this.transports.get(reg.peer.transport)?.supportsObserve !== false;
  }

  // ---- device management ----

  /**
   * A registration another instance made or changed (a shared store): its expiry is armed
   * here too (later than there: DeviceRouter.expiryDelayMs) and its address indexed.
   * False when it is not the stored one (any more).
   */
  watch(reg: Registration): boolean {
    if (this.stopped || this.store.get(reg.id) !== reg) return false;
    this.scheduleExpiry(reg);
    this.indexPeer(reg);
    return true;
  }

  /** Sends `req` (queued for a sleeping queue-mode client). Never rejects: failures are results. */
  override request(endpoint: string, req: OperationRequest, opts: RequestOptions = {}): Promise<OperationResult> {
    if (this.stopped) return Promise.resolve({ success: false, error: { code: 'CANCELLED', message: 'server stopped' } });
    const reg = this.router ? this.store.getByEndpoint(endpoint) : undefined;
    const routed = reg ? this.router?.route(reg, req, opts) : undefined;
    if (routed) return routed;
    return this.requestHere(endpoint, req, opts);
  }

  /** Sends `req` from this instance (the device's socket is here), without asking the router. */
  requestHere(endpoint: string, req: OperationRequest, opts: RequestOptions = {}): Promise<OperationResult> {
    if (this.stopped) return Promise.resolve({ success: false, error: { code: 'CANCELLED', message: 'server stopped' } });
    if (this.listenerCount('requestDone') === 0) return this.downlinks.request(endpoint, req, opts);
    const start = performance.now();
    const transport = this.store.getByEndpoint(endpoint)?.peer.transport;
    return this.downlinks.request(endpoint, req, opts).then((r) => {
      const result = r.code ?? r.error?.code ?? (r.success ? 'ok' : 'failed');
      this.emit('requestDone', { endpoint, op: req.op, transport, result, seconds: (performance.now() - start) / 1000 });
      return r;
    });
  }

  // ---- internals shared through ServerCore ----

  private safeEmit<K extends keyof ServerEvents>(event: K, ...args: ServerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ServerEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error('lwm2m: event listener failed', { event, error: String(e) });
    }
  }

  private afterResponse(fn: () => void): void {
    if (this.stopped) return;
    this.afterQueue.push(fn);
    this.afterImmediate ??= setImmediate(() => this.runAfterResponse());
  }

  /** One immediate for all callbacks queued in a loop turn (a flood of Registers queues thousands). */
  private runAfterResponse(): void {
    this.afterImmediate = undefined;
    const fns = this.afterQueue;
    this.afterQueue = [];
    for (const fn of fns) {
      if (this.stopped) return;
      try {
        fn();
      } catch (e) {
        this.log.error('lwm2m: after-response callback failed', { error: String(e) });
      }
    }
  }

  private scheduleExpiry(reg: Registration): void {
    if (this.stopped) {
      this.expiry.cancel(reg.id);
      return;
    }
    this.expiry.schedule(reg.id, this.expiresAt(reg));
  }

  /** when `reg` expires here: its lifetime, the grace, and for a registration another instance holds, the head start it gets */
  private expiresAt(reg: Registration): number {
    return reg.expiresAt + this.expiryGraceMs + (this.router?.expiryDelayMs?.(reg) ?? 0);
  }

  private expire(id: string): void {
    const current = this.store.get(id);
    if (!current) return;
    if (this.expiresAt(current) > this.clock.now()) {
      this.scheduleExpiry(current);
      return;
    }
    const removed = this.store.remove(current.id);
    if (removed) this.endRegistration(removed, 'expired', true);
    this.log.debug('lwm2m: registration expired', { endpoint: current.endpoint });
    this.safeEmit('expired', current);
  }

  private registrationAt(peer: Peer): Registration | undefined {
    const id = this.byPeer.get(peer);
    const reg = id !== undefined ? this.store.get(id) : undefined;
    // the same address under another identity (a new session) is not the same client
    if (reg && sameIdentity(reg.peer, peer)) return reg;
    if (peer.identity === undefined) return undefined;
    // an authenticated client that moved: found by its identity's endpoint, not by a scan
    const endpoint = this.store.security.endpointOf(peer.identity);
    const byIdentity = endpoint !== undefined ? this.store.getByEndpoint(endpoint) : undefined;
    return byIdentity && byIdentity.peer.transport === peer.transport && sameIdentity(byIdentity.peer, peer) ? byIdentity : undefined;
  }

  private indexPeer(reg: Registration, previous?: Registration): void {
    if (previous && this.byPeer.get(previous.peer) === previous.id) this.byPeer.delete(previous.peer);
    this.byPeer.set(reg.peer, reg.id);
  }

  private endRegistration(removed: RemovedRegistration, reason: string, dropQueue: boolean): void {
    const reg = removed.registration;
    this.expiry.cancel(reg.id);
    this.guard.forgetRegistration(reg.id);
    if (this.byPeer.get(reg.peer) === reg.id) this.byPeer.delete(reg.peer);
    this.core.observations.removePending(reg.id);
    const ended = removed.observations;
    for (const entry of ended) this.transports.get(reg.peer.transport)?.forgetObservation?.(reg.peer, entry.observation.token);
    const emitEnded = (): void => {
      for (const entry of ended) this.safeEmit('observationEnded', entry.observation, reason);
    };
    // replaced by a new Register: a listener that re-observes must not overtake its 2.01
    if (reason === 'replaced') this.afterResponse(emitEnded);
    else emitEnded();
    this.downlinks.cancelRegistration(reg.id, `registration ${reason}`);
    if (dropQueue) this.core.queues.drop(reg.endpoint, 'CANCELLED', `registration ${reason}`);
  }

  private touch(reg: Registration, peer: Peer | undefined): Registration {
    let current = reg;
    if (peer && !samePeer(peer, reg.peer)) {
      const next: Registration = { ...reg, peer };
      if (this.store.update(next)) {
        this.indexPeer(next, reg);
        current = next;
        if (peer.key !== reg.peer.key || peer.address !== reg.peer.address || peer.port !== reg.peer.port) this.addressChanged(next, reg.peer, 'message');
      }
    }
    if (current.queueMode && this.core.queues.wake(current.endpoint)) this.safeEmit('awake', current);
    return current;
  }

  private addressChanged(reg: Registration, previous: Peer, cause: 'update' | 'message'): void {
    this.guard.addressChanged(reg.id, reg.endpoint, `${previous.address}:${previous.port}`, `${reg.peer.address}:${reg.peer.port}`, cause);
    this.afterResponse(() => this.safeEmit('addressChanged', reg, previous, cause));
  }

  private endObservation(entry: StoredObservation, reason: string, forget: boolean): void {
    const removed = this.core.observations.remove(entry);
    if (!removed) return;
    if (forget) {
      const reg = this.store.get(entry.observation.registrationId);
      if (reg) this.transports.get(reg.peer.transport)?.forgetObservation?.(reg.peer, entry.observation.token);
    }
    if (removed === 'established') this.safeEmit('observationEnded', entry.observation, reason);
  }
}
