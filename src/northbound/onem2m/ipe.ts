/**
 * The interworking proxy (TS-0014): the gateway's AE on the CSE, and per LwM2M endpoint an
 * AE holding its object instances in the mapping's mode. Values go up on registration (a
 * read of each instance), on every notification and Send; command contentInstances come
 * back as writes and executes whose result is written back; de-registration and expiry
 * label the AE offline or delete it. A subscription an application creates on a value
 * holder (announced by the IPE's watch subscription there, or found by discovery when the
 * device registers) starts an LwM2M observation, its deletion cancels it
 * (app-observations.ts). Every request goes through the Outbox (in order, retried while
 * the CSE is down, bounded).
 */
import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import { resource as resourceNode } from '../../lwm2m/node.js';
import type { ModelProvider } from '../../lwm2m/model/types.js';
import type { CoreApi } from '../../lwm2m/server/index.js';
import type { LwM2mNode } from '../../lwm2m/node.js';
import type { NotificationEvent, Registration, SendEvent } from '../../lwm2m/server/types.js';
import type { CompiledMappings } from '../../mapping/index.js';
import { parseValue, type LeafValue } from '../../mapping/values.js';
import { AppObservations } from './app-observations.js';
import type { CseClient } from './cse-client.js';
import { DeviceLayout, LayoutError, OWN_SUBSCRIPTIONS, type CseFeatures, type InstanceTarget } from './device-layout.js';
import { deviceTargets, type DeviceTargets, type InstanceValues } from './device-targets.js';
import type { CommandNotification, WatchNotification } from './notify-listener.js';
import type { Outbox } from './outbox.js';

type OneM2mConfig = GatewayConfig['onem2m'];

export interface IpeOptions {
  core: CoreApi;
  models: ModelProvider;
  mappings: () => CompiledMappings | undefined;
  client: CseClient;
  outbox: Outbox;
  config: OneM2mConfig;
  /** the IPE's point of access (notifications) */
  poa: string;
  /** the path under the point of access of a command container's notifications */
  commandRoute: (endpoint: string, objectId: number, instanceId: number, command: string) => string;
  /** the path under the point of access of a value holder's watch subscription */
  watchRoute: (endpoint: string, lwm2mPath: string) => string;
  logger: Logger;
}

interface DeviceState {
  registrationId: string;
  layout: DeviceLayout;
  targets: DeviceTargets;
  /** observations applications asked for */
  watchers: AppObservations;
  /** registers the device AE unless the layout knows it */
  ensureAe: () => Promise<void>;
}

const SAFE = /[^A-Za-z0-9._~-]/g;

/**
 * An endpoint name as a resource name: the Endpoint Client Name without its "urn:" (TS-0014
 * clause 6.2.2.2), unsafe characters replaced, a hash of the whole name added when anything
 * was replaced or cut.
 */
export function safeName(endpoint: string): string {
  const bare = /^urn:/i.test(endpoint) && endpoint.length > 4 ? endpoint.slice(4) : endpoint;
  const cleaned = bare.slice(0, 40).replace(SAFE, '_');
  if (cleaned === bare) return cleaned;
  return `${cleaned}-${createHash('sha256').update(endpoint).digest('hex').slice(0, 8)}`;
}

/** A device AE's labels besides online/offline: the Iwked-* interworking labels (as TS-0033 IPEs set them) and the gateway's own. */
function deviceLabels(name: string): string[] {
  return ['Iwked-Technology:LWM2M', `Iwked-Entity-ID:${name}`, 'lwm2m:device', `lwm2m:endpoint:${name}`];
}

export class Ipe {
  private readonly devices = new Map<string, DeviceState>();
  private readonly cseBase: string;
  private readonly off: (() => void)[] = [];
  /** shared by every device's layout: what the CSE takes */
  private readonly features: CseFeatures = { childTypeFilter: true };

  constructor(private readonly o: IpeOptions) {
    this.cseBase = `/${o.config.cse.name}`;
  }

  start(): void {
    const c = this.o.config;
    const own = new DeviceLayout(this.o.client, `${this.cseBase}/${c.aeName}`, c.originator);
    const body = { 'm2m:ae': { rn: c.aeName, api: 'Nlwm2m-ipe', rr: true, srv: [c.release], poa: [this.o.poa], lbl: ['lwm2m:ipe'] } };
    this.o.outbox.push(() => own.ensureAe(this.cseBase, c.aeName, body, ['lwm2m:ipe']));
    const on = <E extends 'registered' | 'updated' | 'deregistered' | 'expired' | 'notification' | 'send'>(name: E, fn: (...a: never[]) => void): void => {
      this.o.core.on(name, fn as never);
      this.off.push(() => this.o.core.off(name, fn as never));
    };
    on('registered', (reg: Registration) => this.track(reg));
    on('updated', (reg: Registration, prev: Registration) => {
      if (reg.objectLinks.length !== prev.objectLinks.length || !this.devices.has(reg.endpoint)) this.track(reg);
    });
    on('deregistered', (reg: Registration) => this.gone(reg));
    on('expired', (reg: Registration) => this.gone(reg));
    on('notification', (e: NotificationEvent) => this.values(e));
    on('send', (e: SendEvent) => this.values(e));
    for (const reg of this.o.core.registrations()) this.track(reg);
  }

  stop(): void {
    for (const f of this.off.splice(0)) f();
    for (const d of this.devices.values()) d.watchers.close();
    this.devices.clear();
  }

  /** The observations applications asked for on a device (tests, diagnostics). */
  appObservations(endpoint: string): AppObservations | undefined {
    return this.devices.get(endpoint)?.watchers;
  }

  /** Mappings were reloaded: every device is laid out again. */
  reload(): void {
    for (const reg of this.o.core.registrations()) this.track(reg);
  }

  private track(reg: Registration): void {
    const mappings = this.o.mappings();
    const targets = mappings ? deviceTargets(reg, mappings) : undefined;
    const prev = this.devices.get(reg.endpoint);
    if (!targets) {
      // no longer mapped (a reload): what applications made the device observe stops too
      prev?.watchers.release();
      this.devices.delete(reg.endpoint);
      return;
    }
    const c = this.o.config;
    const name = safeName(reg.endpoint);
    const aeId = c.deviceAe.id.replace('{endpoint}', name);
    const rn = c.deviceAe.name.replace('{endpoint}', name);
    const access = { ipe: c.originator, originators: c.accessControl.originators, operations: c.accessControl.operations };
    const layout = new DeviceLayout(this.o.client, `${this.cseBase}/${rn}`, aeId, this.features, access);
    const labels = [...deviceLabels(name), 'online'];
    const body = { 'm2m:ae': { rn, api: 'Nlwm2m-device', rr: true, srv: [c.release], poa: [this.o.poa], lbl: labels } };
    // the same registration (an update of its objects): the applications' observations go on
    let watchers = prev?.watchers;
    if (!watchers || prev?.registrationId !== reg.id) {
      watchers?.close();
      const planned = new Set(targets.plan.requests().flatMap((r) => (r.op === 'observe' ? [String(r.path)] : [])));
      watchers = new AppObservations({ core: this.o.core, endpoint: reg.endpoint, planned: (p) => planned.has(p), logger: this.o.logger });
    }
    const state: DeviceState = { registrationId: reg.id, layout, targets, watchers, ensureAe: () => layout.ensureAe(this.cseBase, rn, body, labels) };
    this.devices.set(reg.endpoint, state);
    this.o.outbox.push(state.ensureAe);
    for (const t of targets.instances) {
      this.o.outbox.push(async () => {
        await this.ensureInstance(reg.endpoint, state, t);
        // subscriptions applications made before (a restart, a device back): observed again
        if (this.devices.get(reg.endpoint) !== state) return;
        for (const s of await state.layout.applicationSubscriptions(t)) state.watchers.add(s.path, s.rn);
      });
    }
    void this.startDevice(reg, state);
  }

  private watchUrl(endpoint: string): (path: string) => string {
    return (path) => this.o.poa + this.o.watchRoute(endpoint, path);
  }

  private async ensureInstance(endpoint: string, state: DeviceState, t: InstanceTarget): Promise<void> {
    await state.ensureAe();
    await state.layout.ensureInstance(t, (cmd) => this.o.poa + this.o.commandRoute(endpoint, t.objectId, t.instanceId, cmd), this.watchUrl(endpoint));
  }

  /** An application's subscription created or deleted on a value holder of a device. */
  watch(n: WatchNotification): void {
    const state = this.devices.get(n.endpoint);
    if (!state || OWN_SUBSCRIPTIONS.has(n.rn)) return;
    const [o, i] = n.path.split('/').filter((x) => x !== '').map(Number);
    if (!state.targets.instances.some((t) => t.objectId === o && t.instanceId === i)) return;
    if (n.event === 'created') state.watchers.add(n.path, n.rn);
    else state.watchers.remove(n.path, n.rn);
  }

  /** The initial read of each instance, then the planned observations. */
  private async startDevice(reg: Registration, state: DeviceState): Promise<void> {
    const { core } = this.o;
    for (const t of state.targets.instances) {
      const r = await core.read(reg.endpoint, `/${t.objectId}/${t.instanceId}`);
      if (this.devices.get(reg.endpoint) !== state) return;
      if (r.success && r.node) this.put(reg.endpoint, state, { objectId: t.objectId, instanceId: t.instanceId, values: leafValues(r.node), timeMs: core.clock.now() });
    }
    // a binding without Observe (HTTP): the device reports with Send; its Write-Attributes would serve nothing
    if (!core.supportsObserve(reg.endpoint)) return;
    const observed = new Set(core.observations(reg.endpoint).flatMap((ob) => ob.paths.map(String)));
    for (const req of state.targets.plan.requests()) {
      if (this.devices.get(reg.endpoint) !== state) return;
      if (req.op === 'observe' && observed.has(String(req.path))) continue;
      await core.request(reg.endpoint, req);
    }
  }

  private values(e: NotificationEvent | SendEvent): void {
    const state = this.devices.get(e.registration.endpoint);
    if (!state) return;
    for (const v of state.targets.plan.render(e)) this.put(e.registration.endpoint, state, v);
  }

  private put(endpoint: string, state: DeviceState, v: InstanceValues): void {
    const t = state.targets.instances.find((x) => x.objectId === v.objectId && x.instanceId === v.instanceId);
    if (!t || v.values.size === 0) return;
    this.o.outbox.push(async () => {
      await this.ensureInstance(endpoint, state, t);
      await state.layout.putValues(t, v.values, v.timeMs, this.watchUrl(endpoint));
    });
  }

  private gone(reg: Registration): void {
    const state = this.devices.get(reg.endpoint);
    if (!state) return;
    this.devices.delete(reg.endpoint);
    state.watchers.close();
    const name = safeName(reg.endpoint);
    if (this.o.config.onDeregister === 'delete') this.o.outbox.push(() => state.layout.deleteAe());
    else this.o.outbox.push(() => state.layout.labelAe([...deviceLabels(name), 'offline']));
  }

  /** A contentInstance in a command container: a write or an execute, its result written back. */
  command(n: CommandNotification): void {
    const state = this.devices.get(n.endpoint);
    const t = state?.targets.instances.find((x) => x.objectId === n.objectId && x.instanceId === n.instanceId);
    const cmd = t?.section.commands.find((c) => c.name === n.command);
    if (!state || !t || !cmd) return;
    const path = `/${t.objectId}/${t.instanceId}/${cmd.resourceId}`;
    const text = typeof n.content === 'string' ? n.content.slice(0, 4096) : JSON.stringify(n.content ?? '').slice(0, 4096);
    void this.run(n.endpoint, cmd.op, path, t, cmd.resourceId, text).then((result) => {
      this.o.outbox.push(async () => {
        await this.ensureInstance(n.endpoint, state, t);
        await state.layout.putResult(t, cmd.name, result);
      });
    });
  }

  private async run(endpoint: string, op: 'write' | 'execute', path: string, t: InstanceTarget, rid: number, text: string): Promise<Record<string, unknown>> {
    const base = { operation: op, path };
    if (op === 'execute') {
      const r = await this.o.core.execute(endpoint, path, text === '' ? {} : { args: text });
      return { ...base, success: r.success, code: r.code ?? null };
    }
    const version = this.o.core.getRegistration(endpoint)?.objects.get(t.objectId)?.version;
    const model = this.o.models.getResource(t.objectId, rid, version);
    if (!model) return { ...base, success: false, error: 'unknown resource' };
    let node: LwM2mNode;
    try {
      node = resourceNode(rid, model.type, parseValue(text, model.type));
    } catch {
      return { ...base, success: false, error: 'bad value' };
    }
    const r = await this.o.core.write(endpoint, path, node);
    return { ...base, success: r.success, code: r.code ?? null };
  }
}

/** The resource values of a read answer (an instance or one resource). */
function leafValues(node: LwM2mNode): Map<number, LeafValue> {
  const out = new Map<number, LeafValue>();
  const add = (n: LwM2mNode): void => {
    if (n.kind === 'resource') out.set(n.id, n.value);
    else if (n.kind === 'multiResource') out.set(n.id, new Map([...n.instances].map(([k, v]) => [k, v.value])));
  };
  if (node.kind === 'instance') for (const r of node.resources.values()) add(r);
  else add(node);
  return out;
}

export { LayoutError };
