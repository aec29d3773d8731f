/**
 * The LwM2M Bootstrap Server: answers Bootstrap-Request (POST /bs?ep=&pct=) and
 * Bootstrap-Pack-Request (GET /bspack?ep=, LwM2M 1.2) from the bindings it is handed
 * (its own listeners, apart from the LwM2M server's), and runs one session per client
 * (session.ts) with the config the store holds for it, or the default.
 *
 * Decisions (see docs/architecture.md, Bootstrap):
 * - no config for the endpoint and no default: 4.04 (Core 1.1 6.1.7.1 lets the server
 *   refuse; Not Found names the cause; Leshan answers 4.00);
 * - an endpoint with bootstrap credentials must have proved them (DTLS identity of that
 *   endpoint); over plain UDP or with another identity: 4.03;
 * - a second Bootstrap-Request of an endpoint whose session runs replaces it: the first
 *   fails ("replaced by a newer Bootstrap-Request") and sends nothing more; a client that
 *   restarted mid-way must be able to start over;
 * - at most `maxSessions` sessions at once (5.03 beyond).
 * Every session is reported as `bootstrap` events (started, each step, finished, failed)
 * and kept, the last few per endpoint, for `sessions(endpoint)`.
 */
import { EventEmitter } from 'node:events';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import type { CodecRegistry } from '../codec/registry.js';
import { DEFAULT_LIMITS } from '../codec/codec.js';
import type { ModelProvider } from '../model/types.js';
import type { DeviceTransport, Notification, Peer, Uplink, UplinkHandler, UplinkResult } from '../transport.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import type { ServerStore } from '../server/store.js';
import { endpointNameProblem } from '../server/endpoint-name.js';
import { credentialsProblem } from '../server/security.js';
import { configFor } from './store.js';
import type { BootstrapConfig } from './config.js';
import { BootstrapSession } from './session.js';
import { SessionHistory, type SessionView } from './session-history.js';
import type { StepRecord } from './session.js';
import { installOwnCredentials } from './own-server.js';
import { bootstrapPack } from './pack.js';
import type { BootstrapApi } from './api.js';
import { parseBootstrapConfig, type ConfigParse } from './config.js';
import { objectsProblem } from './plan.js';
import type { BootstrapConfigStore } from './store.js';
import type { SecurityStore } from '../server/security.js';

export interface BootstrapServerOptions {
  store: Pick<ServerStore, 'bootstrap' | 'bootstrapSecurity' | 'security'>;
  models: ModelProvider;
  codecs: CodecRegistry;
  clock?: Clock;
  logger?: Logger;
  /** how long one request to the client may take, ms (default 30 s) */
  requestTimeoutMs?: number;
  /** how long a whole session may take, ms (default 180 s; clients give up after 247 s) */
  sessionTimeoutMs?: number;
  /** sessions at once (default 1000) */
  maxSessions?: number;
  /** whether a server URI is this gateway's own LwM2M server (its credentials go into the security store) */
  isOwnServer?: (uri: string) => boolean;
}

/** A bootstrap event: a session started, one of its steps ended, it finished or failed. */
export interface BootstrapEvent {
  type: 'started' | 'step' | 'finished' | 'failed';
  endpoint: string;
  session: string;
  at: number;
  step?: StepRecord;
  reason?: string;
}

export type { SessionView };

export interface BootstrapEvents {
  bootstrap: [BootstrapEvent];
}

const MAX_PARAMS = 16;
const MAX_PARAM_CHARS = 300;

const result = (code: Exclude<UplinkResult['code'], 'created' | 'content'>): UplinkResult => ({ code }) as UplinkResult;

/** `ep` and `pct` of a Bootstrap-Request, or why they are bad. */
function parseParams(params: readonly string[]): { ep?: string; pct?: number } | string {
  if (params.length > MAX_PARAMS) return 'too many parameters';
  const out: { ep?: string; pct?: number } = {};
  for (const p of params) {
    if (p.length > MAX_PARAM_CHARS) return 'parameter too long';
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    const value = eq < 0 ? '' : p.slice(eq + 1);
    if (name === 'ep') {
      if (out.ep !== undefined) return 'ep given twice';
      out.ep = value;
    } else if (name === 'pct') {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) return 'pct is not a content format';
      out.pct = Number(value);
    }
  }
  return out;
}

let sessionCounter = 0;

export class BootstrapServer extends EventEmitter<BootstrapEvents> implements UplinkHandler, BootstrapApi {
  readonly clock: Clock;
  private readonly log: Logger;
  private readonly transports = new Map<string, DeviceTransport>();
  private readonly running = new Map<string, BootstrapSession>();
  private readonly history = new SessionHistory();
  private stopped = false;

  constructor(private readonly options: BootstrapServerOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
  }

  get store(): BootstrapServerOptions['store'] {
    return this.options.store;
  }

  get configs(): BootstrapConfigStore {
    return this.options.store.bootstrap;
  }

  get credentials(): SecurityStore {
    return this.options.store.bootstrapSecurity;
  }

  checkConfig(raw: unknown): ConfigParse {
    const r = parseBootstrapConfig(raw);
    if (!r.ok) return r;
    const bad = objectsProblem(r.config, this.options.models);
    return bad ? { ok: false, problems: [{ field: ['objects'], message: bad }] } : r;
  }

  addTransport(t: DeviceTransport): void {
    this.transports.set(t.name, t);
  }

  handleNotification(_peer: Peer, _n: Notification): boolean {
    return false;
  }

  handleUplink(peer: Peer, uplink: Uplink): Promise<UplinkResult> {
    try {
      switch (uplink.kind) {
        case 'bootstrapRequest':
          return Promise.resolve(this.request(peer, uplink.params));
        case 'bootstrapPack':
          return Promise.resolve(this.pack(peer, uplink.params, uplink.accept));
        default:
          return Promise.resolve(result('notFound'));
      }
    } catch (e) {
      this.log.error('bootstrap: request failed', { peer: peer.key, error: e instanceof Error ? e.message : String(e) });
      return Promise.resolve(result('internalServerError'));
    }
  }

  /** Who asks, checked: the endpoint and its config, or the refusal (reported as a failed session). */
  private admit(peer: Peer, params: readonly string[]): { endpoint: string; pct?: number; config: BootstrapConfig } | UplinkResult {
    const p = parseParams(params);
    const refuse = (code: 'badRequest' | 'forbidden' | 'notFound' | 'serviceUnavailable', endpoint: string | undefined, reason: string): UplinkResult => {
      this.log.debug('bootstrap: request refused', { peer: peer.key, code, reason, ...(endpoint !== undefined ? { endpoint } : {}) });
      if (endpoint !== undefined) this.refused(endpoint, peer, reason);
      return result(code);
    };
    if (typeof p === 'string') return refuse('badRequest', undefined, p);
    // without ep, an authenticated identity names the endpoint (Core 1.1 6.1.7.1 leaves ep optional over DTLS)
    const endpoint = p.ep ?? (peer.identity !== undefined ? this.options.store.bootstrapSecurity.endpointOf(peer.identity) : undefined);
    if (endpoint === undefined) return refuse('badRequest', undefined, 'no endpoint name (ep)');
    const bad = endpointNameProblem(endpoint);
    if (bad) return refuse('badRequest', undefined, bad);
    const unauthorised = credentialsProblem(this.options.store.bootstrapSecurity, { requireForKnown: true, requireDtls: false }, endpoint, peer.identity);
    if (unauthorised) return refuse('forbidden', endpoint, `refused: ${unauthorised}`);
    const config = configFor(this.options.store.bootstrap, endpoint);
    if (!config) return refuse('notFound', endpoint, 'refused: no bootstrap config for the endpoint and no default');
    if (this.running.size >= (this.options.maxSessions ?? 1000) && !this.running.has(endpoint)) return refuse('serviceUnavailable', endpoint, 'refused: too many sessions at once');
    return { endpoint, config, ...(p.pct !== undefined ? { pct: p.pct } : {}) };
  }

  private request(peer: Peer, params: readonly string[]): UplinkResult {
    if (this.stopped) return result('serviceUnavailable');
    const a = this.admit(peer, params);
    if ('code' in a) return a;
    const transport = this.transports.get(peer.transport);
    if (!transport) return result('internalServerError');
    this.running.get(a.endpoint)?.fail('replaced by a newer Bootstrap-Request');
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    const session = new BootstrapSession(
      { id: `bs${++sessionCounter}`, endpoint: a.endpoint, peer: `${peer.transport} ${peer.address}:${peer.port}`, ...(a.pct !== undefined ? { preferredFormat: a.pct } : {}) },
      a.config,
      {
        send: (req) => transport.send(peer, req, { timeoutMs }),
        codecs: this.options.codecs,
        models: this.options.models,
        limits: DEFAULT_LIMITS,
        clock: this.clock,
        onStep: (s, step) => this.stepped(s, step),
        onEnd: (s) => this.ended(s),
        installCredentials: (s) => installOwnCredentials(this.options.store.security, s.endpoint, s.config, this.options.isOwnServer),
      },
      this.options.sessionTimeoutMs ?? 180_000,
    );
    this.running.set(a.endpoint, session);
    this.history.remember(session);
    this.log.info('bootstrap: session started', { endpoint: a.endpoint, session: session.id, from: session.info.peer });
    this.report({ type: 'started', endpoint: a.endpoint, session: session.id, at: session.startedAt });
    // the requests go out after the 2.04 (a downlink must not overtake the answer)
    setImmediate(() => void session.run());
    return result('changed');
  }

  private pack(peer: Peer, params: readonly string[], accept: number | undefined): UplinkResult {
    const a = this.admit(peer, params);
    if ('code' in a) return a;
    const r = bootstrapPack(a.config, accept, this.options.codecs, this.options.models);
    this.log.info('bootstrap: pack sent', { endpoint: a.endpoint, code: r.code });
    return r;
  }

  /** A refused request, kept and reported as a session that failed at once. */
  private refused(endpoint: string, peer: Peer, reason: string): void {
    const id = `bs${++sessionCounter}`;
    const at = this.clock.now();
    this.report({ type: 'failed', endpoint, session: id, at, reason });
    const info = { id, endpoint, peer: `${peer.transport} ${peer.address}:${peer.port}` };
    this.history.remember({ info, state: 'failed', startedAt: at, endedAt: at, reason, steps: [], contentFormat: undefined });
  }

  private stepped(s: BootstrapSession, step: StepRecord): void {
    const { step: kind, path, code, ok, contentFormat, note } = step;
    this.log.info('bootstrap: step', { endpoint: s.endpoint, session: s.id, step: kind, path, code, ok, contentFormat, note });
    this.report({ type: 'step', endpoint: s.endpoint, session: s.id, at: step.at, step });
  }

  private ended(s: BootstrapSession): void {
    if (this.running.get(s.endpoint) === s) this.running.delete(s.endpoint);
    if (s.state === 'finished') {
      this.log.info('bootstrap: session finished', { endpoint: s.endpoint, session: s.id, steps: s.steps.length });
      this.report({ type: 'finished', endpoint: s.endpoint, session: s.id, at: s.endedAt ?? this.clock.now() });
    } else {
      this.log.warn('bootstrap: session failed', { endpoint: s.endpoint, session: s.id, reason: s.reason });
      this.report({ type: 'failed', endpoint: s.endpoint, session: s.id, at: s.endedAt ?? this.clock.now(), ...(s.reason !== undefined ? { reason: s.reason } : {}) });
    }
  }

  private report(e: BootstrapEvent): void {
    try {
      this.emit('bootstrap', e);
    } catch (err) {
      this.log.error('bootstrap: an event listener threw', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The endpoint's last sessions, oldest first. */
  sessions(endpoint: string): SessionView[] {
    return this.history.of(endpoint);
  }

  /** Whether a session of the endpoint runs now. */
  isRunning(endpoint: string): boolean {
    return this.running.has(endpoint);
  }

  /** Takes requests (again, after a stop). */
  start(): void {
    this.stopped = false;
  }

  /** Fails the running sessions; later requests get 5.03. */
  stop(): void {
    this.stopped = true;
    for (const s of [...this.running.values()]) s.fail('the gateway is stopping');
    this.running.clear();
  }
}
