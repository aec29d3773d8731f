/**
 * Device-management requests from the server to a client: typed request -> binding
 * request (operations/) -> transport -> typed result, with a per-request timeout on
 * the Clock, queue mode, observation bookkeeping and cancellation. Never rejects:
 * every failure is an OperationResult with an error code.
 */
import { LwM2mPath } from '../path.js';
import { TransportError } from '../transport.js';
import type { DeviceTransport, DownlinkRequest, DownlinkResponse } from '../transport.js';
import { OperationError, toDownlink, toResult } from './operations/index.js';
import { AcceptMemory, acceptOrder, NO_ACCEPT, readAcceptChoice, refusesFormat, type AcceptChoice } from './operations/accept.js';
import type { ObservationEntry } from './observations.js';
import type { StoredObservation } from './store.js';
import { failure } from './queue.js';
import type { RequestOptions, ServerCore } from './core.js';
import type { OperationRequest, OperationResult, PathLike, Registration } from './types.js';

interface InFlight {
  settle(r: OperationResult): void;
}

/** a request encoded for a registration */
interface Built {
  reg: Registration;
  downlink: DownlinkRequest;
}

type Sent = { ok: true; response: DownlinkResponse } | { ok: false; result: OperationResult };

/** The Accept choice of a read-like request: the formats in the order tried, and the one this attempt uses. */
interface AcceptPlan {
  choice: AcceptChoice;
  order: number[];
  accept: number;
  /** a second attempt after a refusal: no further retry */
  retry: boolean;
}

function applyAccept(downlink: DownlinkRequest, accept: number): void {
  if (accept === NO_ACCEPT) delete downlink.accept;
  else downlink.accept = accept;
}

function toPath(p: PathLike): LwM2mPath {
  return typeof p === 'string' ? LwM2mPath.parse(p) : p;
}

/** The paths an observe-like request names, and whether it is composite. */
function observedPaths(req: OperationRequest): { paths: LwM2mPath[]; composite: boolean } | undefined {
  switch (req.op) {
    case 'observe':
    case 'cancelObserve':
      return { paths: [toPath(req.path)], composite: false };
    case 'observeComposite':
    case 'cancelObserveComposite':
      return { paths: req.paths.map(toPath), composite: true };
    default:
      return undefined;
  }
}

function transportFailure(e: unknown): OperationResult {
  if (e instanceof TransportError) {
    if (e.code === 'TIMEOUT') return failure('TIMEOUT', e.message);
    return failure('TRANSPORT', `${e.code}: ${e.message}`);
  }
  return failure('TRANSPORT', e instanceof Error ? e.message : String(e));
}

export class Downlinks {
  /** registration id -> requests in flight */
  private readonly inFlight = new Map<string, Set<InFlight>>();
  /** per registration, the read format that worked after a refusal (dropped with the registration) */
  readonly accepts = new AcceptMemory();
  /** requests sent and not yet answered, over every registration */
  private sending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly core: ServerCore,
    private readonly defaultTimeoutMs: number,
  ) {}

  async request(endpoint: string, req: OperationRequest, opts: RequestOptions): Promise<OperationResult> {
    const reg = this.core.store.getByEndpoint(endpoint);
    if (!reg) return failure('NOT_REGISTERED', `${endpoint} is not registered`);
    if ((req.op === 'observe' || req.op === 'observeComposite') && this.core.transport(reg.peer.transport)?.supportsObserve === false) {
      // answered at once: the device could never accept it, a held request would only time out
      return { success: false, code: '4.05', error: { code: 'NOT_SUPPORTED', message: `the ${reg.peer.transport} binding carries no Observe: the device reports with Send` } };
    }
    let target: ReturnType<typeof observedPaths>;
    try {
      target = observedPaths(req);
    } catch (e) {
      return failure('BAD_REQUEST', e instanceof Error ? e.message : String(e));
    }
    if ((req.op === 'cancelObserve' || req.op === 'cancelObserveComposite') && target) {
      const entry = this.core.observations.find(reg.id, target.paths, target.composite);
      if (!entry) return failure('BAD_REQUEST', 'no such observation');
      // passive: nothing goes to the client; the binding answers its next notification with RST
      if (req.passive) {
        this.core.endObservation(entry, 'cancelled', true);
        return { success: true };
      }
    }
    // fail fast on a request that cannot be encoded; a queued one is built again when it leaves
    let built: Built;
    try {
      built = { reg, downlink: toDownlink(reg, req, this.core.ctx, target ? new Uint8Array(8) : undefined) };
    } catch (e) {
      return failure('BAD_REQUEST', e instanceof Error ? e.message : String(e));
    }
    if (reg.queueMode) return this.core.queues.enqueue(endpoint, req, () => this.safeExecute(endpoint, req, opts));
    return this.safeExecute(endpoint, req, opts, built);
  }

  /** Sends a queued request kept from before a restart (its caller is gone): the result is only logged. */
  async runKept(endpoint: string, req: OperationRequest): Promise<OperationResult> {
    const r = await this.safeExecute(endpoint, req, {});
    this.core.log.info('lwm2m: queued request from before the restart sent', { endpoint, op: req.op, code: r.code ?? r.error?.code });
    return r;
  }

  /** execute() with anything unexpected turned into a result: request() never rejects. */
  private safeExecute(endpoint: string, req: OperationRequest, opts: RequestOptions, built?: Built): Promise<OperationResult> {
    return this.execute(endpoint, req, opts, built).catch((e: unknown) => {
      this.core.log.error('lwm2m: request failed unexpectedly', { endpoint, op: req.op, error: String(e) });
      return failure('BAD_REQUEST', e instanceof Error ? e.message : String(e));
    });
  }

  /**
   * `built`: the request already encoded for this registration (its token, if any, is a placeholder).
   * `retryAccept`: the Accept of a second attempt, after the client refused the first one.
   */
  private async execute(endpoint: string, req: OperationRequest, opts: RequestOptions, built?: Built, retryAccept?: number): Promise<OperationResult> {
    const reg = this.core.store.getByEndpoint(endpoint);
    if (!reg) return failure('NOT_REGISTERED', `${endpoint} is not registered`);
    const transport = this.core.transport(reg.peer.transport);
    if (!transport) return failure('TRANSPORT', `no transport "${reg.peer.transport}"`);
    const target = observedPaths(req);
    const observing = req.op === 'observe' || req.op === 'observeComposite';
    const cancelling = req.op === 'cancelObserve' || req.op === 'cancelObserveComposite';
    let token: Uint8Array | undefined;
    let cancelled: StoredObservation | undefined;
    if (observing) token = this.core.observations.newToken();
    if (cancelling && target) {
      cancelled = this.core.observations.find(reg.id, target.paths, target.composite);
      if (!cancelled) return failure('BAD_REQUEST', 'no such observation');
      token = cancelled.observation.token;
    }
    let downlink: DownlinkRequest;
    try {
      if (built && built.reg === reg && !cancelled) {
        downlink = built.downlink;
        if (token && req.op !== 'read') downlink.token = token;
        // an active cancel repeats the observe's options, Accept included (RFC 7641 3.6)
      } else downlink = toDownlink(reg, req, this.core.ctx, token, cancelled ? (cancelled.downlink.accept ?? cancelled.observation.format) : undefined);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return failure(e instanceof OperationError ? e.code : 'BAD_REQUEST', msg);
    }
    const plan = this.acceptPlan(reg, req, retryAccept);
    if (plan) applyAccept(downlink, plan.accept);
    let pending: ObservationEntry | undefined;
    if (observing && token && target) {
      pending = {
        observation: {
          id: this.core.observations.newId(),
          registrationId: reg.id,
          endpoint: reg.endpoint,
          paths: target.paths,
          composite: target.composite,
          token,
          ...('format' in req && req.format !== undefined ? { format: req.format } : {}),
          createdAt: this.core.clock.now(),
        },
        // kept to decode notifications: what that needs, sharing the observation's paths
        request: target.composite ? { op: 'observeComposite', paths: target.paths } : { op: 'observe', path: target.paths[0]! },
        downlink: {
          op: downlink.op,
          path: !target.composite && downlink.path.equals(target.paths[0]!) ? target.paths[0]! : downlink.path,
          ...(downlink.accept !== undefined ? { accept: downlink.accept } : {}),
        },
      };
      this.core.observations.addPending(pending);
    }
    // the binding forgets the observation when the cancel leaves; so do we, whatever the answer
    if (cancelled) this.core.endObservation(cancelled, 'cancelled', false);
    const sent = await this.send(reg, transport, downlink, opts.timeoutMs ?? this.defaultTimeoutMs);
    if (!sent.ok) {
      if (pending) this.core.observations.remove(pending);
      if (sent.result.error?.code === 'TIMEOUT' && reg.queueMode) this.core.queues.sleep(reg.endpoint);
      return sent.result;
    }
    const current = this.core.store.get(reg.id);
    if (current) this.core.touch(current, undefined);
    const result = toResult(current ?? reg, req, downlink, sent.response, this.core.ctx);
    if (pending) this.settleObservation(pending, result, sent.response);
    if (plan && current) {
      if (result.success) this.accepts.worked(reg.id, plan.choice.kind, plan.accept, plan.accept === plan.choice.formats[0]);
      else if (!plan.retry && refusesFormat(result.code)) {
        const next = plan.order[plan.order.indexOf(plan.accept) + 1];
        if (next !== undefined) {
          this.core.log.debug('lwm2m: format refused, trying the next one', { endpoint, op: req.op, code: result.code, accept: plan.accept, next });
          return this.execute(endpoint, req, opts, undefined, next);
        }
      }
    }
    return result;
  }

  /** The Accept of a read-like request without an explicit format to a 1.1+ client (operations/accept.ts). */
  private acceptPlan(reg: Registration, req: OperationRequest, retryAccept: number | undefined): AcceptPlan | undefined {
    const choice = readAcceptChoice(reg, req, this.core.ctx);
    if (!choice) return undefined;
    const order = acceptOrder(choice, this.accepts.get(reg.id, choice.kind));
    const accept = retryAccept ?? order[0]!;
    return { choice, order, accept, retry: retryAccept !== undefined };
  }

  /** The client answered an observe: it observes only with 2.xx and an Observe option (RFC 7641 3.1). */
  private settleObservation(entry: ObservationEntry, result: OperationResult, res: DownlinkResponse): void {
    const obs = this.core.observations;
    if (!obs.isPending(entry)) return; // the registration ended meanwhile
    if (!result.success || res.observe === undefined) {
      obs.remove(entry);
      return;
    }
    const replaced = obs.establish(entry);
    if (replaced) {
      // passive cancel of the older observation of the same paths: its notifications get RST
      const reg = this.core.store.get(replaced.observation.registrationId);
      if (reg) this.core.transport(reg.peer.transport)?.forgetObservation?.(reg.peer, replaced.observation.token);
      this.core.emit('observationEnded', replaced.observation, 'replaced');
    }
    result.observationId = entry.observation.id;
  }

  /** transport.send raced against a Clock timer and against cancellation. */
  private send(reg: Registration, transport: DeviceTransport, downlink: DownlinkRequest, timeoutMs: number): Promise<Sent> {
    return new Promise<Sent>((resolve) => {
      let done = false;
      let set = this.inFlight.get(reg.id);
      if (!set) {
        set = new Set();
        this.inFlight.set(reg.id, set);
      }
      const flights = set;
      const finish = (s: Sent): void => {
        if (done) return;
        done = true;
        guard.cancel();
        flights.delete(me);
        if (flights.size === 0 && this.inFlight.get(reg.id) === flights) this.inFlight.delete(reg.id);
        if (--this.sending === 0) for (const w of this.idleWaiters.splice(0)) w();
        resolve(s);
      };
      const me: InFlight = { settle: (r) => finish({ ok: false, result: r }) };
      flights.add(me);
      this.sending++;
      const guard = this.core.clock.setTimer(timeoutMs, () =>
        finish({ ok: false, result: failure('TIMEOUT', `no answer within ${timeoutMs} ms`) }),
      );
      let sending: Promise<DownlinkResponse>;
      try {
        sending = transport.send(reg.peer, downlink, { timeoutMs });
      } catch (e) {
        sending = Promise.reject(e);
      }
      sending.then(
        (response) => finish({ ok: true, response }),
        (e: unknown) => finish({ ok: false, result: transportFailure(e) }),
      );
    });
  }

  /** Requests sent to devices and not yet answered (not those queued for a sleeping device). */
  get inFlightCount(): number {
    return this.sending;
  }

  /** Resolves once no request is in flight (at once when none is). */
  whenIdle(): Promise<void> {
    return this.sending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Requests in flight for a registration resolve with CANCELLED; its remembered formats go. */
  cancelRegistration(registrationId: string, message: string): void {
    this.accepts.forget(registrationId);
    const set = this.inFlight.get(registrationId);
    if (!set) return;
    this.inFlight.delete(registrationId);
    for (const f of [...set]) f.settle(failure('CANCELLED', message));
  }

  cancelAll(message: string): void {
    this.accepts.clear();
    for (const id of [...this.inFlight.keys()]) this.cancelRegistration(id, message);
  }
}
