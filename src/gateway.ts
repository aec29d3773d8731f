/**
 * The composition root: builds the parts the config names and starts/stops them in order.
 * Object models (built-ins + models folder) -> codecs -> LwM2M server core -> southbound
 * bindings (transport/bindings.ts). The northbound faces the config turns on
 * (northbound/faces.ts) attach to the same server, in list order.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { GatewayConfig } from './config/schema.js';
import { silentLogger, type Logger } from './log.js';
import { ModelRegistry } from './lwm2m/model/registry.js';
import { loadModelsDir } from './lwm2m/model/load-dir.js';
import { CodecRegistry } from './lwm2m/codec/registry.js';
import { LwM2mServer } from './lwm2m/server/index.js';
import type { Clock } from './lwm2m/clock.js';
import { createStore, journalsUnder } from './store/index.js';
import type { OpenedStore } from './store/index.js';
import { BindingStartError } from './transport/binding.js';
import type { Binding, BindingContext, ListenAddress } from './transport/binding.js';
import type { OpenableDatagramEndpoint } from './transport/coap/datagram-endpoint.js';
import { createBindings } from './transport/bindings.js';
import type { MappingStore } from './mapping/index.js';
import { FACES, FaceStartError, type Face } from './northbound/faces.js';
import { EmbeddedCse } from './onem2m-cse/index.js';
import type { ReadinessPart } from './northbound/face.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { GatewayFiles } from './gateway-files.js';
import { StartError } from './start-error.js';
import { BootstrapServer, ownServerMatcher } from './lwm2m/bootstrap/index.js';
import { createBootstrapBindings } from './transport/bootstrap-bindings.js';
import { FirmwareManager } from './firmware/index.js';
import { bindingTopicRule, newGatewayLogin } from './transport/mqtt/broker-rule.js';

/** The package version (package.json sits one level above src/ and dist/). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

export { StartError };

export interface GatewayOptions {
  logger?: Logger;
  /** the config file, to resolve relative paths in it (models.dir) */
  configFile?: string;
  clock?: Clock;
  /** the CoAP/UDP binding's datagrams when another thread holds the socket (a shard: src/workers/) */
  coapEndpoint?: OpenableDatagramEndpoint;
}

export class Gateway {
  readonly models: ModelRegistry;
  readonly codecs: CodecRegistry;
  readonly server: LwM2mServer;
  /** the Bootstrap Server (its listeners run when bootstrap.enabled; its configs live in the server's store) */
  readonly bootstrap: BootstrapServer;
  private readonly log: Logger;
  /** the southbound bindings the config turns on, and where the started ones listen */
  private bindings: Binding[] = [];
  private listening: ListenAddress[] = [];
  private bootstrapBindings: Binding[] = [];
  private bootstrapListening: ListenAddress[] = [];
  /** the mapping, security and bootstrap files (after start) */
  private files: GatewayFiles | undefined;
  /** the northbound faces the config turns on, in start order */
  private faces: Face[] = [];
  private facePorts: Record<string, number | null> = {};
  private started = false;
  /** Prometheus metrics (undefined: rest.metrics.enabled is false, or not started) */
  metrics: GatewayMetrics | undefined;
  /** the store the server keeps its state in, opened here (a file store replays its folder) */
  private readonly opened: OpenedStore;
  /** the embedded oneM2M CSE (undefined: the oneM2M face is off, or talks to an external CSE) */
  embeddedCse: EmbeddedCse | undefined;
  /** firmware updates and campaigns (undefined: firmware.enabled is false, or not started) */
  firmware: FirmwareManager | undefined;

  constructor(
    readonly config: GatewayConfig,
    private readonly options: GatewayOptions = {},
  ) {
    this.log = options.logger ?? silentLogger;
    this.models = ModelRegistry.withBuiltins();
    this.codecs = new CodecRegistry();
    const q = config.lwm2m.queue;
    try {
      this.opened = createStore(config.store.type, { dataDir: config.data.dir, logger: this.log, redis: config.redis, queueTtlMs: q.ttl * 1000 });
    } catch (e) {
      throw new StartError(`store.type ${config.store.type}: data.dir ${config.data.dir}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.server = new LwM2mServer({
      models: this.models,
      codecs: this.codecs,
      clock: options.clock,
      lifetime: config.lwm2m.lifetime,
      requestTimeoutMs: config.lwm2m.requestTimeout * 1000,
      queue: { ttlMs: q.ttl * 1000, maxPerDevice: q.maxPerDevice, awakeTimeMs: q.awakeTime * 1000 },
      registrationLimits: config.lwm2m.limits,
      security: { requireForKnown: config.security.requireForKnown, requireDtls: config.security.requireDtls },
      store: this.opened.store,
      ...(this.opened.router ? { router: this.opened.router } : {}),
      logger: this.log,
    });
    const bs = config.bootstrap;
    this.bootstrap = new BootstrapServer({
      store: this.server.store,
      models: this.models,
      codecs: this.codecs,
      ...(options.clock ? { clock: options.clock } : {}),
      logger: this.log,
      requestTimeoutMs: bs.requestTimeout * 1000,
      sessionTimeoutMs: bs.sessionTimeout * 1000,
      maxSessions: bs.maxSessions,
      isOwnServer: ownServerMatcher(bs.ownServerUris),
    });
    this.logEvents();
  }

  private logEvents(): void {
    const s = this.server;
    // no registration id: it is the device's secret (it alone allows Update and De-register)
    const who = (r: { endpoint: string; peer: { address: string; port: number } }): Record<string, unknown> => ({
      endpoint: r.endpoint,
      from: `${r.peer.address}:${r.peer.port}`,
    });
    s.on('registered', (r) => this.log.info('registered', { ...who(r), lwm2m: r.version, lifetime: r.lifetime, objects: [...r.objects.keys()].join(',') }));
    s.on('updated', (r) => this.log.info('updated', who(r)));
    s.on('deregistered', (r) => this.log.info('deregistered', who(r)));
    s.on('expired', (r) => this.log.info('registration expired', who(r)));
    if (this.config.log.level !== 'debug') return; // the hot paths log nothing unless asked
    s.on('send', (e) => this.log.debug('send', { endpoint: e.registration.endpoint, records: e.data.length }));
    s.on('notification', (e) => this.log.debug('notification', { endpoint: e.registration.endpoint, path: e.observation.paths.map(String).join(',') }));
  }

  /** The UDP port CoAP listens on (after start). */
  get port(): number | undefined {
    return this.listening.find((a) => a.scheme === 'coap')?.port;
  }

  /**
   * Every port the gateway listens on (after start): the bindings by scheme (`coap`, `coaps`,
   * `http`; the MQTT binding, a client of a broker, as `mqttBinding`: its broker's port, not
   * the MQTT face's `mqtt`), the bootstrap listeners as `bootstrap`, `bootstrapDtls`,
   * `bootstrapMqtt`, `bootstrapHttp`, and the faces' ports.
   */
  get ports(): Readonly<Record<string, number | null | undefined>> & { coap?: number } {
    const name = (scheme: string): string => (scheme === 'mqtt' ? 'mqttBinding' : scheme);
    const bsName = (scheme: string): string => (scheme === 'coap' ? 'bootstrap' : scheme === 'coaps' ? 'bootstrapDtls' : `bootstrap${scheme[0]!.toUpperCase()}${scheme.slice(1)}`);
    const bs = Object.fromEntries(this.bootstrapListening.map((a) => [bsName(a.scheme), a.port]));
    return { coap: this.port, ...Object.fromEntries(this.listening.map((a) => [name(a.scheme), a.port])), ...bs, ...this.facePorts };
  }

  /** the mapping files in force (undefined: mappings.dir is null, or not started) */
  get mappings(): MappingStore | undefined {
    return this.files?.mappings;
  }

  /** A started face by name ("mqtt", "rest"). */
  face(name: string): Face | undefined {
    return this.faces.find((f) => f.name === name);
  }

  private baseDir(): string {
    return this.options.configFile ? dirname(resolve(this.options.configFile)) : process.cwd();
  }

  private async startBootstrap(embeddedBroker: BindingContext['embeddedBroker']): Promise<void> {
    this.bootstrap.start();
    this.bootstrapBindings = createBootstrapBindings({ config: this.config, handler: this.bootstrap, logger: this.log, credentials: this.server.store.bootstrapSecurity, embeddedBroker });
    for (const b of this.bootstrapBindings) if (!b.late) await this.startBootstrapBinding(b);
  }

  private async startBootstrapBinding(b: Binding): Promise<void> {
    const at = await b.start().catch((e: unknown) => Promise.reject(e instanceof BindingStartError ? new StartError(e.message) : e));
    this.bootstrap.addTransport(b.transport);
    this.bootstrapListening.push(at);
    this.log.info('LwM2M bootstrap server listening', { transport: at.transport, address: at.address, port: at.port });
  }

  /** Starts every part the config turns on; when one fails, those already started are stopped before the error is thrown. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.startParts();
    } catch (e) {
      await this.stop().catch((err: unknown) => this.log.warn('stopping after a failed start', { error: String(err) }));
      throw e;
    }
  }

  private async startParts(): Promise<void> {
    if (this.config.models.dir) {
      const dir = resolve(this.baseDir(), this.config.models.dir);
      let loaded;
      try {
        loaded = loadModelsDir(this.models, dir);
      } catch (e) {
        throw new StartError(`models.dir: ${(e as Error).message}`);
      }
      this.log.info('object models loaded', { dir, count: loaded.length });
    }
    // a remote store loads its state before anything (the security file) writes to it
    await this.opened.open?.().catch((e: unknown) => Promise.reject(new StartError(`store.type ${this.config.store.type}: ${e instanceof Error ? e.message : String(e)}`)));
    this.files = new GatewayFiles({
      config: this.config,
      baseDir: this.baseDir(),
      models: this.models,
      server: this.server,
      log: this.log,
      mappingsReloaded: () => {
        for (const f of this.faces) f.mappingsReloaded();
      },
    });
    this.files.load();
    this.server.start();
    await this.opened.attach?.(this.server);
    // the MQTT binding on the embedded broker: its own login there, and the broker's rule for its topics
    const login = newGatewayLogin();
    const mb = this.config.mqttBinding;
    const brokerTopicRule = mb.enabled && mb.broker.url === null ? bindingTopicRule(mb.prefix, login) : undefined;
    const embeddedBroker = (): { url: string; username: string; password: string } | undefined => {
      const port = this.facePorts.mqtt;
      const host = this.config.mqtt.embedded.host;
      const local = host === null || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      return port ? { url: `mqtt://${local}:${port}`, ...login } : undefined;
    };
    if (this.config.firmware.enabled) {
      this.firmware = new FirmwareManager({ core: this.server, config: this.config.firmware, dir: join(this.config.data.dir, 'firmware'), logger: this.log });
      this.firmware.start({ resume: false }); // campaigns resume once every binding runs (end of start)
    }
    const downloads = (path: readonly string[]): Promise<Uint8Array | undefined> => this.firmware?.coapDownload(path[1] ?? '') ?? Promise.resolve(undefined);
    const coapEndpoint = this.options.coapEndpoint;
    this.bindings = createBindings({ config: this.config, handler: this.server, logger: this.log, credentials: this.server.credentials, embeddedBroker, downloads, ...(coapEndpoint ? { coapEndpoint } : {}) });
    for (const b of this.bindings) if (!b.late) await this.startBinding(b);
    await this.startBootstrap(embeddedBroker);
    const m = this.config.rest.metrics;
    if (m?.enabled) this.metrics = new GatewayMetrics({ server: this.server, bindings: () => this.bindings, faces: () => this.faces, token: m.token });
    const journals = this.config.store.type === 'file' ? { openJournal: journalsUnder(this.config.data.dir, this.log) } : {};
    const deps = {
      config: await this.startEmbeddedCse(),
      baseDir: this.baseDir(),
      core: this.server,
      models: this.models,
      mappings: this.mappings,
      logger: this.log,
      version: VERSION,
      bootstrap: this.bootstrap,
      ...(this.firmware ? { firmware: this.firmware } : {}),
      readiness: () => this.readiness(),
      ...(this.metrics ? { metrics: this.metrics } : {}),
      ...journals,
      ...(brokerTopicRule ? { brokerTopicRule } : {}),
    };
    for (const kind of FACES) {
      if (!kind.enabled(this.config)) continue;
      const face = kind.create(deps);
      this.faces.push(face); // stop() ends what a failed start left open
      try {
        Object.assign(this.facePorts, await face.start());
      } catch (e) {
        if (e instanceof FaceStartError) throw new StartError(e.message);
        throw e;
      }
    }
    for (const b of this.bindings) if (b.late) await this.startBinding(b);
    this.firmware?.resume();
    for (const b of this.bootstrapBindings) if (b.late) await this.startBootstrapBinding(b);
  }

  private async startBinding(b: Binding): Promise<void> {
    const at = await b.start().catch((e: unknown) => Promise.reject(e instanceof BindingStartError ? new StartError(e.message) : e));
    this.server.addTransport(b.transport);
    this.listening.push(at);
    this.log.info('LwM2M server listening', { transport: at.transport, address: at.address, port: at.port });
  }

  /**
   * Starts the embedded oneM2M CSE when the oneM2M face is on without an external CSE; the
   * config the faces get then names its URL (the face talks to it over HTTP like to any CSE).
   */
  private async startEmbeddedCse(): Promise<GatewayConfig> {
    const o = this.config.onem2m;
    if (!o.enabled || o.cse.url !== null) return this.config;
    const e = o.embedded;
    const cse = new EmbeddedCse({ host: e.host, port: e.port, cseId: o.cse.id, cseName: o.cse.name, access: { admin: e.admin, registration: ['*'], allowed: e.allowed } });
    try {
      this.facePorts.onem2mCse = await cse.start();
    } catch (err) {
      throw new StartError(`onem2m.embedded.port: cannot listen on ${e.host}:${e.port} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    this.embeddedCse = cse;
    this.log.info('oneM2M embedded CSE listening', { url: cse.url, cseBase: `/${o.cse.name}` });
    return { ...this.config, onem2m: { ...o, cse: { ...o.cse, url: cse.url } } };
  }

  /** Every part and whether it is ready: each binding the config turns on listens, each face's connections are up, the store answers. */
  readiness(): ReadinessPart[] {
    const parts: ReadinessPart[] = [];
    for (const b of this.bindings) {
      const up = this.listening.some((a) => a.scheme === b.scheme);
      parts.push({ name: `binding.${b.scheme}`, ready: up, ...(up ? {} : { detail: 'not listening' }) });
    }
    for (const b of this.bootstrapBindings) {
      const up = this.bootstrapListening.some((a) => a.scheme === b.scheme);
      parts.push({ name: `bootstrap.${b.scheme}`, ready: up, ...(up ? {} : { detail: 'not listening' }) });
    }
    const storeUp = this.server.store.reachable?.() ?? true;
    parts.push({ name: 'store', ready: storeUp, ...(storeUp ? {} : { detail: 'the store does not answer' }) });
    for (const f of this.faces) parts.push(...(f.readiness?.() ?? [{ name: f.name, ready: true }]));
    return parts;
  }

  /**
   * A graceful stop within `graceMs`: the listeners of the faces close first, requests in
   * flight to devices get the time left (at most lwm2m.requestTimeout) to be answered, then
   * everything stops as in stop() (MQTT buffers flushed, presence offline, bindings closed).
   * Those still unanswered then end as CANCELLED.
   */
  async shutdown(graceMs: number): Promise<void> {
    if (!this.started) return;
    const deadline = Date.now() + graceMs;
    for (const face of this.faces) face.stopAccepting?.();
    const waiting = this.server.inFlightRequests;
    if (waiting > 0) {
      this.log.info('stopping: waiting for requests in flight', { requests: waiting });
      // a third of the grace is kept for flushing and the offline statuses
      const wait = Math.min(this.config.lwm2m.requestTimeout * 1000, Math.max(0, deadline - Date.now() - graceMs / 3));
      if (!(await this.server.drain(wait))) this.log.warn('stopping: requests still in flight are cancelled', { requests: this.server.inFlightRequests });
      await new Promise((r) => setImmediate(r)); // the answers reach their callers before the faces close
    }
    await this.stop();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // the clients of the embedded broker leave before it stops (no reconnect attempts in between)
    for (const b of [...this.bindings, ...this.bootstrapBindings]) if (b.late) await b.stop();
    for (const face of this.faces.reverse()) await face.stop();
    this.faces = [];
    await this.firmware?.stop();
    this.firmware = undefined;
    await this.embeddedCse?.stop();
    this.embeddedCse = undefined;
    this.metrics?.stop();
    this.metrics = undefined;
    this.facePorts = {};
    this.bootstrap.stop();
    for (const b of this.bootstrapBindings) await b.stop();
    this.bootstrapBindings = [];
    this.bootstrapListening = [];
    await this.server.stop();
    for (const b of this.bindings) await b.stop();
    this.bindings = [];
    this.listening = [];
    this.files?.stop();
    this.files = undefined;
    await this.opened.close();
  }
}
