/**
 * Mapped topics: what the mapping files ask for. When a device registers (or updates its
 * objects) the observations of its plan are started (Write-Attributes first); its
 * notifications and Send values are rendered and published; the command topics of the
 * mappings are subscribed and their messages become operations whose results go to the
 * response topic. A new compiled set (hot reload) re-plans every connected device:
 * new observations start, removed ones are cancelled, subscriptions follow.
 *
 * Every device has its own chain of start/stop work, so a slow device delays nobody else
 * (at most `concurrency` devices are planned at once); commands run concurrently.
 *
 * Messages naming several resources are rendered from the device's last known values
 * (LastValues, per registration: seeded by the answers of the plan's observes and reads,
 * updated by every notification, dropped when the device goes or registers again).
 */
import type { Logger } from '../../log.js';
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import { LastValues } from '../../mapping/last-values.js';
import type { DevicePlan } from '../../mapping/plan.js';
import type { OutboundMessage } from '../../mapping/mqtt/types.js';
import type { PlannedObservation } from '../../mapping/types.js';
import type { CoreApi } from '../../lwm2m/server/index.js';
import type { OperationRequest, OperationResult, Registration } from '../../lwm2m/server/types.js';
import type { MqttLink } from './link.js';
import { topicMatches } from './link-subscriptions.js';
import { PlanFailures } from './plan-failures.js';
import { Limiter, firstReadRequest, observationKey, readAsSend, startRequests } from './plan-requests.js';
import { ServerListeners } from './server-events.js';

export interface MappedTopicsOptions {
  server: CoreApi;
  link: MqttLink;
  logger: Logger;
  mappings: CompiledMappings;
  /** devices whose observations are being started or stopped at the same time (default 128): a reload of a large fleet does not burst */
  concurrency?: number;
}

interface Started {
  observation: PlannedObservation;
  observationId?: string;
}

interface DeviceState {
  registration: Registration;
  /** key of a planned observation -> what was started for it */
  started: Map<string, Started>;
  chain: Promise<void>;
  closed: boolean;
  /** last values of the resources the plan's messages name */
  known: LastValues;
  /** seed reads of the plan done (or under way); made on the first */
  seeded?: Set<string>;
  failures: PlanFailures;
  /** the skipped observations (a binding without Observe) were logged once */
  skipNoted?: boolean;
  /** Observes sent and not yet answered here, and the observations notified meanwhile: their answer's (older) value is not published after the notification's */
  observesInFlight?: number;
  notifiedEarly?: Set<string>;
}

/**
 * MQTT 5 properties of a received command, for links that pass them as a third handler
 * argument: the correlation data becomes the correlation id (when the payload has none)
 * and is echoed on the response.
 */
export interface IncomingProperties {
  correlationData?: Buffer;
}

export { observationKey, startRequests };

export class MappedTopics {
  private mappings: CompiledMappings;
  private readonly devices = new Map<string, DeviceState>();
  private readonly subscriptions = new Map<string, () => void>();
  private readonly events: ServerListeners;
  private readonly limiter: Limiter;
  private running = false;

  constructor(private readonly o: MappedTopicsOptions) {
    this.mappings = o.mappings;
    this.limiter = new Limiter(Math.max(1, o.concurrency ?? 128));
    this.events = new ServerListeners(o.server, o.logger, 'mqtt mapped topics');
  }

  get current(): CompiledMappings {
    return this.mappings;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const on = this.events.on.bind(this.events);
    on('registered', (reg) => this.track(reg, true));
    on('updated', (reg) => this.track(reg, false));
    on('deregistered', (reg) => this.forget(reg));
    on('expired', (reg) => this.forget(reg));
    on('observationEnded', (ob) => {
      const state = this.devices.get(ob.endpoint);
      if (!state) return;
      for (const s of state.started.values()) if (s.observationId === ob.id) delete s.observationId;
    });
    on('notification', (e) => {
      const state = this.stateOf(e.registration);
      if (state?.observesInFlight) (state.notifiedEarly ??= new Set()).add(e.observation.id);
      this.publishAll(this.mappings.mqtt.render(e, state?.known));
    });
    on('send', (e) => this.publishAll(this.mappings.mqtt.render(e, this.stateOf(e.registration)?.known)));
    this.subscribe();
    for (const reg of this.o.server.registrations()) this.track(reg, true);
  }

  /** Stops listening and unsubscribes; observations stay (the server ends them when it stops). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.events.clear();
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
    for (const s of this.devices.values()) s.closed = true;
    this.devices.clear();
  }

  /** Swaps the compiled set: subscriptions follow, and every connected device is re-planned. */
  replace(next: CompiledMappings): void {
    if (next === this.mappings) return;
    this.mappings = next;
    if (!this.running) return;
    this.subscribe();
    for (const state of this.devices.values()) this.enqueue(state);
  }

  /** Resolves when every device's start/stop work queued so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.devices.values()].map((s) => s.chain));
  }

  private subscribe(): void {
    const wanted = new Set(this.mappings.mqtt.commandSubscriptions());
    for (const [filter, unsubscribe] of this.subscriptions) {
      if (wanted.has(filter)) continue;
      unsubscribe();
      this.subscriptions.delete(filter);
    }
    for (const filter of wanted) {
      if (this.subscriptions.has(filter)) continue;
      this.subscriptions.set(filter, this.o.link.subscribe(filter, (topic, payload, props?: IncomingProperties) => this.onCommand(filter, topic, payload, props)));
    }
  }

  private track(reg: Registration, fresh: boolean): void {
    let state = this.devices.get(reg.endpoint);
    if (state && (fresh || state.registration.id !== reg.id)) {
      state.closed = true;
      state = undefined;
    }
    if (!state) {
      state = { registration: reg, started: new Map(), chain: Promise.resolve(), closed: false, known: new LastValues(), failures: new PlanFailures(this.o.logger, reg.endpoint) };
      this.devices.set(reg.endpoint, state);
    }
    state.registration = reg;
    this.enqueue(state);
  }

  private stateOf(reg: Registration): DeviceState | undefined {
    const state = this.devices.get(reg.endpoint);
    return state && state.registration.id === reg.id ? state : undefined;
  }

  private forget(reg: Registration): void {
    const state = this.devices.get(reg.endpoint);
    if (!state || state.registration.id !== reg.id) return;
    state.closed = true;
    this.devices.delete(reg.endpoint);
  }

  private enqueue(state: DeviceState): void {
    state.chain = state.chain
      .then(() => this.limiter.run(() => this.reconcile(state)))
      .catch((e: unknown) => this.o.logger.error('mqtt mapped topics: planning failed', { endpoint: state.registration.endpoint, error: String(e) }));
  }

  /** Brings the device's observations (and seed reads) to what the current plan asks. */
  private async reconcile(state: DeviceState): Promise<void> {
    try {
      await this.reconcilePlan(state);
    } finally {
      state.failures.flush();
    }
  }

  private async reconcilePlan(state: DeviceState): Promise<void> {
    if (state.closed) return;
    const endpoint = state.registration.endpoint;
    const plan = this.mappings.mqtt.matchDevice(state.registration);
    state.known.retain(plan.named);
    if (state.seeded) for (const path of state.seeded) if (!plan.seedReads.some((s) => s.path === path)) state.seeded?.delete(path);
    const wanted = new Map(plan.observations.map((o) => [observationKey(o), o]));
    for (const [key, s] of [...state.started]) {
      if (wanted.has(key)) continue;
      state.started.delete(key);
      if (!s.observationId) continue;
      const r = await this.o.server.cancelObservation(endpoint, s.observationId);
      if (state.closed) return;
      if (!r.success) this.o.logger.debug('mqtt mapped topics: cancel failed', { endpoint, paths: s.observation.paths.join(','), code: r.code ?? r.error?.code });
    }
    // a binding without Observe (HTTP): the device reports with Send, nothing to start (not even Write-Attributes)
    const observable = this.o.server.supportsObserve(endpoint);
    if (!observable && wanted.size > 0 && !state.skipNoted) {
      state.skipNoted = true;
      this.o.logger.debug('mqtt mapped topics: planned observations skipped, the binding carries no Observe', { endpoint, observations: wanted.size });
    }
    if (!observable && !(await this.readFirstValues(state, plan, wanted))) return;
    for (const [key, ob] of observable ? wanted : []) {
      // started and still alive; one that ended (cancelled elsewhere, error code) or never
      // started (the device did not answer) is tried again
      if (state.started.get(key)?.observationId) continue;
      // one the server already has (kept across a restart): adopted, not started again
      const kept = this.keptObservation(endpoint, ob);
      if (kept) {
        state.started.set(key, { observation: ob, observationId: kept });
        continue;
      }
      const entry: Started = { observation: ob };
      state.started.set(key, entry);
      for (const req of startRequests(ob)) {
        const observe = req.op !== 'writeAttributes';
        if (observe) state.observesInFlight = (state.observesInFlight ?? 0) + 1;
        const r = await this.o.server.request(endpoint, req).finally(() => {
          if (observe) state.observesInFlight = (state.observesInFlight ?? 1) - 1;
        });
        if (!r.success) state.failures.record(ob.mapping, req, ob.paths, r, state.closed);
        if (state.closed || r.error?.code === 'NOT_REGISTERED') return;
        if (r.observationId) {
          entry.observationId = r.observationId;
          // a notification handled before this answer carried a newer value: it stays the last one published
          if (!state.notifiedEarly?.delete(r.observationId)) this.publishInitial(state, r);
        }
        if (!state.observesInFlight) state.notifiedEarly = undefined;
        if (req.op !== 'writeAttributes') this.seed(state, plan, ob.paths, r);
      }
    }
    for (const { path, mapping } of plan.seedReads) {
      if (state.seeded?.has(path)) continue;
      (state.seeded ??= new Set()).add(path);
      const req: OperationRequest = { op: 'read', path };
      const r = await this.o.server.request(endpoint, req);
      if (!r.success) state.failures.record(mapping, req, [path], r, state.closed);
      if (state.closed) return;
      // tried again on the next pass unless the device answered
      if (!r.success && r.code === undefined) state.seeded.delete(path);
      this.seed(state, plan, [path], r);
    }
  }

  /** Instead of the Observes: one read of each planned observation per registration, its values published as a Send's; false: the device went. */
  private async readFirstValues(state: DeviceState, plan: DevicePlan<OutboundMessage>, wanted: ReadonlyMap<string, PlannedObservation>): Promise<boolean> {
    const endpoint = state.registration.endpoint;
    for (const [key, ob] of wanted) {
      if (state.started.has(key)) continue;
      state.started.set(key, { observation: ob });
      const req = firstReadRequest(ob);
      const r = await this.o.server.request(endpoint, req);
      if (state.closed) return false;
      if (!r.success) state.failures.record(ob.mapping, req, ob.paths, r, state.closed);
      const registration = this.o.server.getRegistration(endpoint);
      const e = registration && readAsSend(registration, ob, r, Date.now());
      if (e) this.publishAll(this.mappings.mqtt.render(e, state.known));
      this.seed(state, plan, ob.paths, r);
    }
    return true;
  }

  /** The id of the device's established observation of exactly `ob`'s paths, if the server has one. */
  private keptObservation(endpoint: string, ob: PlannedObservation): string | undefined {
    const wanted = [...ob.paths].sort().join(',');
    const found = this.o.server
      .observations(endpoint)
      .find((o) => o.composite === ob.composite && o.paths.length === ob.paths.length && o.paths.map(String).sort().join(',') === wanted);
    return found?.id;
  }

  /** What an answer of the plan tells of the named resources (values, absent ones); publishes what became complete. */
  private seed(state: DeviceState, plan: DevicePlan<OutboundMessage>, paths: readonly string[], r: OperationResult): void {
    this.publishAll(plan.seed(state.registration, paths, r, state.known, Date.now()));
  }

  /** The value in the observe's answer is the first one: published like a notification. */
  private publishInitial(state: DeviceState, r: OperationResult): void {
    if (!r.node && !r.nodes) return;
    const registration = this.o.server.getRegistration(state.registration.endpoint);
    const observation = registration && this.o.server.observations(registration.endpoint).find((o) => o.id === r.observationId);
    if (!registration || !observation) return;
    const event = {
      registration,
      observation,
      ...(r.node ? { node: r.node } : {}),
      ...(r.nodes ? { nodes: r.nodes } : {}),
      ...(r.timestamped ? { timestamped: r.timestamped } : {}),
      ...(r.contentFormat !== undefined ? { contentFormat: r.contentFormat } : {}),
      receivedAt: Date.now(),
    };
    this.publishAll(this.mappings.mqtt.render(event, state.known));
  }

  private publishAll(messages: OutboundMessage[]): void {
    for (const m of messages) this.publishOne(m);
  }

  private publishOne(m: OutboundMessage, correlationData?: Buffer): void {
    const qos = m.qos === 0 ? 0 : 1;
    this.o.link.publish(m.topic, m.payload, correlationData ? { qos, retain: m.retain, properties: { correlationData } } : { qos, retain: m.retain });
  }

  /**
   * A message on a command topic. Two filters can match one topic (the broker then delivers
   * it once per filter): only the first matching filter, in subscription order, handles it.
   */
  private onCommand(filter: string, topic: string, payload: Buffer, props?: IncomingProperties): void {
    for (const f of this.subscriptions.keys()) {
      if (!topicMatches(f, topic)) continue;
      if (f !== filter) return;
      break;
    }
    let match;
    try {
      const correlation = props?.correlationData ? { correlationId: props.correlationData.toString('utf8') } : {};
      match = this.mappings.mqtt.parseCommand(topic, payload, { registrationOf: (ep) => this.o.server.getRegistration(ep), ...correlation });
    } catch (e) {
      this.o.logger.error('mqtt mapped topics: command parsing failed', { topic, error: String(e) });
      return;
    }
    if (!match) return;
    if (!match.ok) {
      this.o.logger.warn('mqtt mapped topics: bad command', { topic, mapping: match.mapping, error: match.error });
      if (match.response) this.publishOne(match.response, props?.correlationData);
      return;
    }
    const m = match;
    const run = async (): Promise<void> => {
      for (const req of m.prepare ?? []) {
        const r = await this.o.server.request(m.endpoint, req);
        if (!r.success) this.o.logger.warn('mqtt mapped topics: command preparation failed', { endpoint: m.endpoint, op: req.op, code: r.code ?? r.error?.code });
      }
      const result = await this.o.server.request(m.endpoint, m.request);
      const out = m.respond(result);
      if (out && this.running) this.publishOne(out, props?.correlationData);
    };
    run().catch((e: unknown) => this.o.logger.error('mqtt mapped topics: command failed', { topic, error: String(e) }));
  }
}
