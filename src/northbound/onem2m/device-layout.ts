/**
 * Where a device's values live on the CSE, per mapping mode (TS-0014 clause 6), and the
 * requests that put them there. Every resource is retrieved before it is created (a
 * restart finds and reuses what exists; 4105 on create: someone made it meanwhile).
 * - semantic: <AE>/<objectId>/<instanceId>/<resourceId> containers, a contentInstance per value;
 * - transparent: <AE>/<objectId>/<instanceId> container, a contentInstance per event with
 *   the instance's values as SenML JSON (cnf application/senml+json:0);
 * - flexContainer: <AE>/<objectId>-<instanceId>, one custom attribute per resource.
 * Command containers sit under the instance's resource, each with a subscription of the IPE.
 * Each value holder (a semantic resource container, a transparent instance container, a
 * flexContainer) carries the IPE's watch subscription (net 3 and 4: a direct child created or
 * deleted, `chty` [23] where the CSE takes it): an application's subscription there starts an
 * LwM2M observation (app-observations.ts).
 */
import type { CompiledOneM2mSection, OneM2mMode } from '../../mapping/index.js';
import { valueToJson, valueToText, type LeafValue } from '../../mapping/values.js';
import { CseUnreachable, type CseClient } from './cse-client.js';
import { ensureAcpiOf, ensureDeviceAcp, withAcpi, type DeviceAccess } from './device-acp.js';

const TY = { AE: 2, CNT: 3, CIN: 4, SUB: 23, FCNT: 28 } as const;
/** the IPE's subscription on a command container */
export const COMMAND_SUBSCRIPTION = 'ipe-commands';
/** the IPE's subscription on a value holder: the subscriptions of applications created and deleted there */
export const WATCH_SUBSCRIPTION = 'ipe-watch';
/** Resource names of the IPE's own subscriptions (never an application's). */
export const OWN_SUBSCRIPTIONS: ReadonlySet<string> = new Set([COMMAND_SUBSCRIPTION, WATCH_SUBSCRIPTION]);

/** What the layout learnt of the CSE: whether it takes `chty` in a subscription's event criteria (TS-0004 R4). */
export interface CseFeatures {
  childTypeFilter: boolean;
}

export interface InstanceTarget {
  objectId: number;
  instanceId: number;
  section: CompiledOneM2mSection;
  mode: OneM2mMode;
}

/** the label of a contentInstance encapsulating an encoded LwM2M object instance (TS-0014 clause 7.2) */
export const TRANSPARENT_LABEL = 'LWM2M-Object-Encapsulation';

/** subscriptions found by one discovery, at most */
const MAX_DISCOVERED = 1000;

export class LayoutError extends Error {
  constructor(
    message: string,
    /** the CSE's answer, when it gave one */
    readonly rsc?: number,
  ) {
    super(message);
  }
}

/** The notification URI of a watch subscription, per LwM2M path (/o/i or /o/i/r). */
export type WatchUrl = (lwm2mPath: string) => string;

/** The requests for one device AE: its AE-ID is the originator of each. */
export class DeviceLayout {
  /** paths known to exist (a cache: cleared when the CSE may have lost them) */
  private readonly known = new Set<string>();
  /** subscriptions whose nu was set by this run of the IPE (created or updated) */
  private readonly current = new Set<string>();
  /** the device AE's <accessControlPolicy> (device-acp.ts), named in the acpi of what the layout makes */
  private acpRi: string | undefined;

  constructor(
    private readonly client: CseClient,
    /** CSE-relative path of the device AE: /cse-in/<rn> */
    readonly aePath: string,
    readonly aeId: string,
    private readonly features: CseFeatures = { childTypeFilter: true },
    /** the policy given to the device AE (undefined: none, as for the IPE's own AE) */
    private readonly access?: DeviceAccess,
  ) {}

  forget(): void {
    this.known.clear();
    this.current.clear();
    this.acpRi = undefined;
  }

  /** A resource the layout counted on is gone (the CSE lost it): forget everything and retry the step, which lays it out again. */
  private gone(path: string): never {
    this.forget();
    throw new CseUnreachable(`${path} is gone: laid out again`);
  }

  /** Retrieves `<parent>/<rn>`; creates it when missing. Returns true when it was created. */
  async ensure(parent: string, rn: string, ty: number, body: unknown): Promise<boolean> {
    const path = `${parent}/${rn}`;
    if (this.known.has(path)) return false;
    const guarded = ty === TY.CNT || ty === TY.FCNT;
    const got = await this.client.request('GET', path, this.aeId);
    if (got.rsc === 2000) {
      if (guarded && this.acpRi !== undefined) await this.withCleanup(() => ensureAcpiOf(this.client, path, this.aeId, got.body, this.acpRi!));
      this.known.add(path);
      return false;
    }
    if (got.rsc !== 4004) throw new LayoutError(`retrieve ${path}: ${got.rsc}`, got.rsc);
    const made = await this.client.request('POST', parent, this.aeId, guarded ? withAcpi(body, this.acpRi) : body, ty);
    if (made.rsc === 4004) this.gone(parent);
    if (made.rsc !== 2001 && made.rsc !== 4105) throw new LayoutError(`create ${path}: ${made.rsc}`, made.rsc);
    this.known.add(path);
    return made.rsc === 2001;
  }

  /** Registers the AE unless known; found (a restart): labelled with `labels`. */
  async ensureAe(cseBase: string, rn: string, body: unknown, labels: string[]): Promise<void> {
    if (this.known.has(this.aePath)) return;
    const got = await this.client.request('GET', this.aePath, this.aeId);
    if (got.rsc === 2000) {
      await this.labelAe(labels);
      await this.ensureAcp(got.body?.['m2m:ae']?.acpi);
      this.known.add(this.aePath);
      return;
    }
    if (got.rsc !== 4004) throw new LayoutError(`retrieve ${this.aePath}: ${got.rsc}`);
    this.forget();
    const made = await this.client.request('POST', cseBase, this.aeId, body, TY.AE);
    if (made.rsc !== 2001) throw new LayoutError(`register AE ${rn}: ${made.rsc}`);
    await this.ensureAcp(undefined);
    this.known.add(this.aePath);
  }

  /** The device AE's policy, made or updated, and named in the AE's acpi (`aeAcpi`: what it has). */
  private async ensureAcp(aeAcpi: unknown): Promise<void> {
    if (!this.access) return;
    const access = this.access;
    this.acpRi = await this.withCleanup(() => ensureDeviceAcp(this.client, this.aePath, this.aeId, access, aeAcpi));
  }

  /** A step of the policy: when the CSE cannot take it now, everything is laid out again on the retry. */
  private async withCleanup<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      if (e instanceof CseUnreachable) this.forget();
      throw e;
    }
  }

  async labelAe(labels: string[]): Promise<void> {
    const r = await this.client.request('PUT', this.aePath, this.aeId, { 'm2m:ae': { lbl: labels } });
    if (r.rsc !== 2004) throw new LayoutError(`update ${this.aePath}: ${r.rsc}`);
  }

  async deleteAe(): Promise<void> {
    const r = await this.client.request('DELETE', this.aePath, this.aeId);
    if (r.rsc !== 2002 && r.rsc !== 4004) throw new LayoutError(`delete ${this.aePath}: ${r.rsc}`);
    this.forget();
  }

  /** The resource that holds an instance (container or flexContainer). */
  instancePath(t: InstanceTarget): string {
    return t.mode === 'flexContainer' ? `${this.aePath}/${t.objectId}-${t.instanceId}` : `${this.aePath}/${t.objectId}/${t.instanceId}`;
  }

  /** The instance's resources and its command containers, each with the IPE's subscription (nu: `notifyUrl(name)`), and the watch subscription of its value holder. */
  async ensureInstance(t: InstanceTarget, notifyUrl: (command: string) => string, watchUrl: WatchUrl): Promise<void> {
    const mni = t.section.mni;
    const cnt = (rn: string, lbl: string[], withMni = true): unknown => ({ 'm2m:cnt': { rn, lbl, ...(withMni && mni ? { mni } : {}) } });
    if (t.mode === 'flexContainer') {
      const flex = t.section.flex!;
      await this.ensure(this.aePath, `${t.objectId}-${t.instanceId}`, TY.FCNT, {
        [flex.specialization]: { rn: `${t.objectId}-${t.instanceId}`, cnd: flex.cnd, lbl: [`lwm2m:object:${t.objectId}`, `lwm2m:instance:${t.instanceId}`] },
      });
    } else {
      await this.ensure(this.aePath, String(t.objectId), TY.CNT, cnt(String(t.objectId), [`lwm2m:object:${t.objectId}`], false));
      const lbl = [`lwm2m:object:${t.objectId}`, `lwm2m:instance:${t.instanceId}`, ...(t.mode === 'transparent' ? ['lwm2m:format:senml+json'] : [])];
      await this.ensure(`${this.aePath}/${t.objectId}`, String(t.instanceId), TY.CNT, cnt(String(t.instanceId), lbl, t.mode === 'transparent'));
    }
    const at = this.instancePath(t);
    for (const c of t.section.commands) {
      await this.ensure(at, c.name, TY.CNT, cnt(c.name, [`lwm2m:command:${c.op}`, `lwm2m:resource:${c.resourceId}`]));
      await this.ensure(at, `${c.name}-result`, TY.CNT, cnt(`${c.name}-result`, ['lwm2m:command-result']));
      await this.ensureSubscription(`${at}/${c.name}`, COMMAND_SUBSCRIPTION, notifyUrl(c.name), { net: [3], chty: [TY.CIN] });
    }
    if (t.mode !== 'semantic') await this.ensureWatch(at, watchUrl(`/${t.objectId}/${t.instanceId}`));
  }

  /** The IPE's watch subscription on a value holder (net 3/4, chty [23] unless the CSE refuses it). */
  async ensureWatch(holder: string, nu: string): Promise<void> {
    await this.ensureSubscription(holder, WATCH_SUBSCRIPTION, nu, { net: [3, 4], chty: [TY.SUB] });
  }

  /**
   * A subscription of the IPE: created when missing; found (a restart), its nu updated once
   * (the point of access's key changes at each start). `chty` goes only to a CSE that takes
   * it: the first 4000 on a create with it turns it off for the run.
   */
  private async ensureSubscription(parent: string, rn: string, nu: string, enc: { net: number[]; chty: number[] }): Promise<void> {
    const path = `${parent}/${rn}`;
    if (this.current.has(path)) return;
    const body = (): unknown => ({ 'm2m:sub': { rn, nu: [nu], enc: this.features.childTypeFilter ? enc : { net: enc.net }, nct: 1 } });
    let created: boolean;
    try {
      created = await this.ensure(parent, rn, TY.SUB, body());
    } catch (e) {
      if (!(e instanceof LayoutError) || e.rsc !== 4000 || !this.features.childTypeFilter) throw e;
      this.features.childTypeFilter = false;
      created = await this.ensure(parent, rn, TY.SUB, body());
    }
    if (!created) {
      const r = await this.client.request('PUT', path, this.aeId, { 'm2m:sub': { nu: [nu] } });
      if (r.rsc === 4004) this.gone(path);
      if (r.rsc !== 2004) throw new LayoutError(`update subscription ${path}: ${r.rsc}`, r.rsc);
    }
    this.current.add(path);
  }

  /**
   * The subscriptions of others on the instance's value holders, found by discovery
   * (fu=1&ty=23 under the instance, structured paths): each one's LwM2M path and resource name.
   */
  async applicationSubscriptions(t: InstanceTarget): Promise<{ path: string; rn: string }[]> {
    const at = this.instancePath(t);
    const r = await this.client.request('GET', `${at}?fu=1&ty=${TY.SUB}&drt=1&lim=${MAX_DISCOVERED}`, this.aeId);
    if (r.rsc === 4004) this.gone(at);
    if (r.rsc !== 2000) throw new LayoutError(`discover subscriptions under ${at}: ${r.rsc}`, r.rsc);
    const uril: unknown = r.body?.['m2m:uril'];
    if (!Array.isArray(uril)) return [];
    const prefix = `${at.slice(1)}/`;
    const out: { path: string; rn: string }[] = [];
    for (const u of uril.slice(0, MAX_DISCOVERED)) {
      if (typeof u !== 'string' || u.length > 1024) continue;
      const i = u.indexOf(prefix);
      if (i < 0 || (i > 0 && u[i - 1] !== '/')) continue;
      const segs = u.slice(i + prefix.length).split('/');
      const rn = segs[segs.length - 1]!;
      if (OWN_SUBSCRIPTIONS.has(rn)) continue;
      const base = `/${t.objectId}/${t.instanceId}`;
      if (segs.length === 1 && t.mode !== 'semantic') out.push({ path: base, rn });
      else if (segs.length === 2 && t.mode === 'semantic' && /^\d{1,5}$/.test(segs[0]!)) out.push({ path: `${base}/${Number(segs[0])}`, rn });
    }
    return out;
  }

  /** Puts one event's values of an instance on the CSE. */
  async putValues(t: InstanceTarget, values: ReadonlyMap<number, LeafValue>, timeMs: number, watchUrl: WatchUrl): Promise<void> {
    const at = this.instancePath(t);
    if (t.mode === 'flexContainer') {
      const flex = t.section.flex!;
      const attrs: Record<string, unknown> = {};
      for (const [id, v] of values) attrs[flex.attributes.get(id) ?? `r${id}`] = flexValue(v);
      await this.create(at, TY.FCNT, { [flex.specialization]: attrs }, 'PUT');
      return;
    }
    if (t.mode === 'transparent') {
      // TS-0014 clause 7.2: the label says an encoded object instance is inside, cnf its content type
      await this.create(at, TY.CIN, { 'm2m:cin': { lbl: [TRANSPARENT_LABEL], cnf: 'application/senml+json:0', con: senml(t, values, timeMs) } });
      return;
    }
    for (const [id, v] of values) {
      await this.ensure(at, String(id), TY.CNT, { 'm2m:cnt': { rn: String(id), lbl: [`lwm2m:resource:${id}`], ...(t.section.mni ? { mni: t.section.mni } : {}) } });
      await this.ensureWatch(`${at}/${id}`, watchUrl(`/${t.objectId}/${t.instanceId}/${id}`));
      await this.create(`${at}/${id}`, TY.CIN, { 'm2m:cin': { cnf: 'text/plain:0', con: valueToText(v) } });
    }
  }

  /** Writes a command's result as a contentInstance of `<command>-result`. */
  async putResult(t: InstanceTarget, command: string, result: unknown): Promise<void> {
    await this.create(`${this.instancePath(t)}/${command}-result`, TY.CIN, { 'm2m:cin': { cnf: 'application/json:0', con: JSON.stringify(result) } });
  }

  /** A create (or an update with 'PUT'); a missing parent clears the cache so the layout is made again. */
  private async create(path: string, ty: number, body: unknown, method: 'POST' | 'PUT' = 'POST'): Promise<void> {
    const r = await this.client.request(method, path, this.aeId, body, method === 'POST' ? ty : undefined);
    if (r.rsc === 2001 || r.rsc === 2004) return;
    if (r.rsc === 4004) this.gone(path);
    throw new LayoutError(`${method} ${path}: ${r.rsc}`, r.rsc);
  }
}

function flexValue(v: LeafValue): unknown {
  const j = valueToJson(v);
  return j !== null && typeof j === 'object' ? JSON.stringify(j) : j;
}

/** An instance's values as SenML JSON records (RFC 8428; LwM2M content format 110). */
function senml(t: InstanceTarget, values: ReadonlyMap<number, LeafValue>, timeMs: number): string {
  const records: Record<string, unknown>[] = [];
  for (const [id, v] of values) {
    const j = valueToJson(v);
    const rec: Record<string, unknown> = { n: String(id) };
    if (typeof j === 'number') rec.v = j;
    else if (typeof j === 'boolean') rec.vb = j;
    else rec.vs = typeof j === 'string' ? j : JSON.stringify(j);
    records.push(rec);
  }
  if (records[0]) Object.assign(records[0], { bn: `/${t.objectId}/${t.instanceId}/`, bt: timeMs / 1000 });
  return JSON.stringify(records);
}
