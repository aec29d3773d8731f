/**
 * The MQTT northbound: the generic topic API, device presence and the mapped topics over
 * one broker link. The link is started and stopped by whoever built it (the gateway);
 * this class only publishes and subscribes through it.
 */
import type { BootstrapApi } from '../../lwm2m/bootstrap/index.js';
import type { FirmwareApi } from '../../firmware/index.js';
import { silentLogger, type Logger } from '../../log.js';
import type { ModelProvider } from '../../lwm2m/model/types.js';
import type { CoreApi, ValueContext } from '../../lwm2m/server/index.js';
import { CompiledMappings } from '../../mapping/compiled-mappings.js';
import type { MappingStore } from '../../mapping/store.js';
import { GenericApi } from './generic-api.js';
import type { MqttLink } from './link.js';
import { MappedTopics } from './mapped.js';
import { Presence, gatewayBirth, gatewayWill, type WillMessage } from './presence.js';
import { Topics } from './topics.js';

export interface MqttNorthboundOptions {
  server: CoreApi;
  models: ModelProvider;
  link: MqttLink;
  /** the mapping files: a store (hot reload followed) or a fixed compiled set; none: no mapped topics */
  mappings?: MappingStore | CompiledMappings;
  /** first topic level(s) of the generic API and presence (default "lwm2m") */
  topicPrefix?: string;
  /** retained online/offline per device and for the gateway (default true) */
  presence?: boolean;
  /** the generic topic API (default true) */
  genericApi?: boolean;
  /** the Bootstrap Server, whose events the generic API publishes */
  bootstrap?: BootstrapApi;
  /** firmware updates, whose progress the generic API publishes */
  firmware?: FirmwareApi;
  /** extra fields of the gateway's online message (e.g. { version }) */
  gatewayInfo?: Record<string, unknown>;
  logger?: Logger;
  /** devices whose mapped observations are started or stopped at once (default 128) */
  planConcurrency?: number;
  /** how often a MappingStore is checked for a reloaded set, ms (default 250) */
  reloadCheckMs?: number;
}

/** The link with publish/subscribe that never throw into the adapters (the contract says so; this makes sure). */
function guarded(link: MqttLink, log: Logger): MqttLink {
  return {
    publish(topic, payload, options) {
      try {
        link.publish(topic, payload, options);
      } catch (e) {
        log.error('mqtt northbound: publish failed', { topic, error: String(e) });
      }
    },
    subscribe(filter, handler) {
      try {
        return link.subscribe(filter, handler);
      } catch (e) {
        log.error('mqtt northbound: subscribe failed', { filter, error: String(e) });
        return () => undefined;
      }
    },
    get connected() {
      return link.connected;
    },
    hasSubscribers(topic) {
      try {
        return link.hasSubscribers?.(topic) ?? true;
      } catch {
        return true;
      }
    },
    ...(link.subscribed ? { subscribed: (filter: string) => link.subscribed!(filter).catch(() => false) } : {}),
    ...(link.onConnectionChange ? { onConnectionChange: (l: (c: boolean) => void) => link.onConnectionChange!(l) } : {}),
    stats: () => link.stats(),
    flush: (ms) => link.flush(ms),
    start: () => link.start(),
    stop: () => link.stop(),
  };
}

export class MqttNorthbound {
  readonly topics: Topics;
  private readonly log: Logger;
  private readonly generic: GenericApi | undefined;
  private readonly presence: Presence | undefined;
  private readonly mapped: MappedTopics | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: MqttNorthboundOptions) {
    this.log = o.logger ?? silentLogger;
    this.topics = new Topics(o.topicPrefix ?? 'lwm2m');
    const ctx: ValueContext = { models: o.models };
    const link = guarded(o.link, this.log);
    if (o.genericApi !== false) this.generic = new GenericApi({ server: o.server, link, topics: this.topics, ctx, logger: this.log, ...(o.bootstrap ? { bootstrap: o.bootstrap } : {}), ...(o.firmware ? { firmware: o.firmware } : {}) });
    if (o.presence !== false) this.presence = new Presence({ server: o.server, link, topics: this.topics, logger: this.log, ...(o.gatewayInfo ? { gatewayInfo: o.gatewayInfo } : {}) });
    const initial = this.currentMappings();
    if (initial) this.mapped = new MappedTopics({ server: o.server, link, logger: this.log, mappings: initial, ...(o.planConcurrency ? { concurrency: o.planConcurrency } : {}) });
  }

  /**
   * The gateway status messages for the link's options (`{ birth, will }` of EmbeddedLink /
   * ExternalLink): retained online on every (re)connection, offline as the last will.
   * Build the link with them when presence is on.
   */
  static linkStatus(topicPrefix = 'lwm2m', info: Record<string, unknown> = {}): { birth: WillMessage; will: WillMessage } {
    const topics = new Topics(topicPrefix);
    return { birth: gatewayBirth(topics, info), will: gatewayWill(topics) };
  }

  private currentMappings(): CompiledMappings | undefined {
    const m = this.o.mappings;
    if (!m) return undefined;
    return m instanceof CompiledMappings ? m : m.current;
  }

  /** Subscribes and listens to the core. Idempotent. */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    this.presence?.start();
    this.generic?.start();
    if (this.mapped) {
      this.mapped.start();
      if (!(this.o.mappings instanceof CompiledMappings)) {
        this.timer = setInterval(() => this.mappingsChanged(), this.o.reloadCheckMs ?? 250);
        this.timer.unref();
      }
    }
    this.log.info('mqtt northbound started', { prefix: this.topics.prefix, presence: !!this.presence, genericApi: !!this.generic, mappings: this.mapped?.current.files.length ?? 0 });
    return Promise.resolve();
  }

  /**
   * Takes the store's current compiled set if it changed (called on a timer; call it from
   * the store's onReload to apply a reload at once), or `next` when given.
   */
  mappingsChanged(next?: CompiledMappings): void {
    if (!this.running || !this.mapped) return;
    const m = next ?? this.currentMappings();
    if (!m || m === this.mapped.current) return;
    this.log.info('mqtt northbound: mappings replaced, re-planning devices', { files: m.files.map((f) => f.name).join(',') });
    this.mapped.replace(m);
  }

  /** Resolves when the observations being started or stopped for devices are done. */
  async settled(): Promise<void> {
    await this.mapped?.settled();
  }

  /** Unsubscribes, stops listening; presence reads offline. The link stays open (its owner stops it, after flush()). */
  stop(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.mapped?.stop();
    this.generic?.stop();
    this.presence?.stop();
    return Promise.resolve();
  }
}
