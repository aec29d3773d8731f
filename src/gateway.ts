/**
 * The composition root: builds the parts the config names and starts/stops them in order.
 * Object models (built-ins + models folder) -> codecs -> LwM2M server core -> southbound
 * bindings (transport/bindings.ts). The northbound faces the config turns on
 * (northbound/faces.ts) attach to the same server, in list order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { GatewayConfig } from './config/schema.js';
import { silentLogger, type Logger } from './log.js';
import { ModelRegistry } from './lwm2m/model/registry.js';
import { loadModelsDir } from './lwm2m/model/load-dir.js';
import { CodecRegistry } from './lwm2m/codec/registry.js';
import { LwM2mServer } from './lwm2m/server/index.js';
import type { Clock } from './lwm2m/clock.js';
import { createStore } from './store/index.js';
import { BindingStartError } from './transport/binding.js';
import type { Binding, ListenAddress } from './transport/binding.js';
import { createBindings } from './transport/bindings.js';
import { MappingLoadError, MappingStore } from './mapping/index.js';
import { FACES, FaceStartError, type Face } from './northbound/faces.js';
import { EmbeddedCse } from './onem2m-cse/index.js';
import type { ReadinessPart } from './northbound/face.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { SecurityFileLoadError, SecurityFileSource } from './security/security-file-source.js';

/** The package version (package.json sits one level above src/ and dist/). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/** A start-up failure with a message meant for the operator (one clear line). */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

export interface GatewayOptions {
  logger?: Logger;
  /** the config file, to resolve relative paths in it (models.dir) */
  configFile?: string;
  clock?: Clock;
}

export class Gateway {
  readonly models: ModelRegistry;
  readonly codecs: CodecRegistry;
  readonly server: LwM2mServer;
  private readonly log: Logger;
  /** the southbound bindings the config turns on, and where the started ones listen */
  private bindings: Binding[] = [];
  private listening: ListenAddress[] = [];
  /** the mapping files in force (undefined: mappings.dir is null) */
  mappings: MappingStore | undefined;
  /** the northbound faces the config turns on, in start order */
  private faces: Face[] = [];
  private facePorts: Record<string, number | null> = {};
  private started = false;
  /** the security file in force (undefined: security.file is null) */
  private securityFile: SecurityFileSource | undefined;
  /** Prometheus metrics (undefined: rest.metrics.enabled is false, or not started) */
  metrics: GatewayMetrics | undefined;
  /** the embedded oneM2M CSE (undefined: the oneM2M face is off, or talks to an external CSE) */
  embeddedCse: EmbeddedCse | undefined;

  constructor(
    readonly config: GatewayConfig,
    private readonly options: GatewayOptions = {},
  ) {
    this.log = options.logger ?? silentLogger;
    this.models = ModelRegistry.withBuiltins();
    this.codecs = new CodecRegistry();
    const q = config.lwm2m.queue;
    this.server = new LwM2mServer({
      models: this.models,
      codecs: this.codecs,
      clock: options.clock,
      lifetime: config.lwm2m.lifetime,
      requestTimeoutMs: config.lwm2m.requestTimeout * 1000,
      queue: { ttlMs: q.ttl * 1000, maxPerDevice: q.maxPerDevice, awakeTimeMs: q.awakeTime * 1000 },
      registrationLimits: config.lwm2m.limits,
      security: { requireForKnown: config.security.requireForKnown, requireDtls: config.security.requireDtls },
      store: createStore(config.store.type),
      logger: this.log,
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

  /** Every port the gateway listens on (after start). */
  get ports(): Readonly<Record<string, number | null | undefined>> & { coap?: number } {
    return { coap: this.port, ...Object.fromEntries(this.listening.map((a) => [a.scheme, a.port])), ...this.facePorts };
  }

  /** A started face by name ("mqtt", "rest"). */
  face(name: string): Face | undefined {
    return this.faces.find((f) => f.name === name);
  }

  private baseDir(): string {
    return this.options.configFile ? dirname(resolve(this.options.configFile)) : process.cwd();
  }

  private loadMappings(): void {
    const { dir, watch } = this.config.mappings;
    if (!dir) return;
    const abs = resolve(this.baseDir(), dir);
    if (!existsSync(abs)) {
      this.log.warn('no mapping folder: mapped topics and routes are off (set mappings.dir)', { dir: abs });
      return;
    }
    const store = new MappingStore({
      dir: abs,
      models: this.models,
      onReload: (_m, files) => {
        this.log.info('mappings reloaded', { files: files.length });
        for (const f of this.faces) f.mappingsReloaded();
      },
      onRecovered: () => this.log.info('mapping files are good again; the mappings in force are unchanged'),
      onError: (errors) => {
        this.log.error('mapping reload failed; the last good mappings stay in force', { errors: errors.length });
        for (const e of errors) this.log.error(e.message);
      },
    });
    try {
      const compiled = watch ? store.start() : store.load();
      this.log.info('mappings loaded', { dir: abs, files: compiled.files.length, watch });
    } catch (e) {
      store.stop();
      if (e instanceof MappingLoadError) throw new StartError(`mappings.dir: ${abs}: broken mapping files:\n${e.message}`);
      throw e;
    }
    this.mappings = store;
  }

  private loadSecurityFile(): void {
    if (!this.config.security.file) return;
    const file = resolve(this.baseDir(), this.config.security.file);
    const source = new SecurityFileSource({
      file,
      store: this.server.store.security,
      onReload: (counts) => this.log.info('security file loaded', counts),
      onError: (errors) => {
        this.log.error('security file: entries not applied; the credentials in force stay', { errors: errors.length });
        for (const e of errors.slice(0, 20)) this.log.error(e.message);
      },
    });
    try {
      source.load();
    } catch (e) {
      if (e instanceof SecurityFileLoadError) throw new StartError(`security.file: ${file}: broken security file:\n${e.message}`);
      throw e;
    }
    source.watch();
    this.securityFile = source;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
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
    this.loadMappings();
    this.loadSecurityFile();
    this.server.start();
    this.bindings = createBindings({ config: this.config, handler: this.server, logger: this.log, credentials: this.server.credentials });
    for (const b of this.bindings) {
      const at = await b.start().catch((e: unknown) => Promise.reject(e instanceof BindingStartError ? new StartError(e.message) : e));
      this.server.addTransport(b.transport);
      this.listening.push(at);
      this.log.info('LwM2M server listening', { transport: at.transport, address: at.address, port: at.port });
    }
    const m = this.config.rest.metrics;
    if (m?.enabled) this.metrics = new GatewayMetrics({ server: this.server, bindings: () => this.bindings, faces: () => this.faces, token: m.token });
    const deps = {
      config: await this.startEmbeddedCse(),
      baseDir: this.baseDir(),
      core: this.server,
      models: this.models,
      mappings: this.mappings,
      logger: this.log,
      version: VERSION,
      readiness: () => this.readiness(),
      ...(this.metrics ? { metrics: this.metrics } : {}),
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
    const storeUp = this.server.store.reachable?.() ?? true;
    parts.push({ name: 'store', ready: storeUp, ...(storeUp ? {} : { detail: 'the store does not answer' }) });
    for (const f of this.faces) parts.push(...(f.readiness?.() ?? [{ name: f.name, ready: true }]));
    return parts;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const face of this.faces.reverse()) await face.stop();
    this.faces = [];
    await this.embeddedCse?.stop();
    this.embeddedCse = undefined;
    this.metrics?.stop();
    this.metrics = undefined;
    this.facePorts = {};
    await this.server.stop();
    for (const b of this.bindings) await b.stop();
    this.bindings = [];
    this.listening = [];
    this.mappings?.stop();
    this.mappings = undefined;
    this.securityFile?.stop();
    this.securityFile = undefined;
  }
}
