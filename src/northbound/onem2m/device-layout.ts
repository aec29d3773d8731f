/**
 * Where a device's values live on the CSE, per mapping mode (TS-0014 clause 6), and the
 * requests that put them there. Every resource is retrieved before it is created (a
 * restart finds and reuses what exists; 4105 on create: someone made it meanwhile).
 * - semantic: <AE>/<objectId>/<instanceId>/<resourceId> containers, a contentInstance per value;
 * - transparent: <AE>/<objectId>/<instanceId> container, a contentInstance per event with
 *   the instance's values as SenML JSON (cnf application/senml+json:0);
 * - flexContainer: <AE>/<objectId>-<instanceId>, one custom attribute per resource.
 * Command containers sit under the instance's resource, each with a subscription of the IPE.
 */
import type { CompiledOneM2mSection, OneM2mMode } from '../../mapping/index.js';
import { valueToJson, valueToText, type LeafValue } from '../../mapping/values.js';
import { CseUnreachable, type CseClient } from './cse-client.js';

const TY = { AE: 2, CNT: 3, CIN: 4, SUB: 23, FCNT: 28 } as const;
/** the IPE's subscription on a command container */
export const COMMAND_SUBSCRIPTION = 'ipe-commands';

export interface InstanceTarget {
  objectId: number;
  instanceId: number;
  section: CompiledOneM2mSection;
  mode: OneM2mMode;
}

export class LayoutError extends Error {}

/** The requests for one device AE: its AE-ID is the originator of each. */
export class DeviceLayout {
  /** paths known to exist (a cache: cleared when the CSE may have lost them) */
  private readonly known = new Set<string>();

  constructor(
    private readonly client: CseClient,
    /** CSE-relative path of the device AE: /cse-in/<rn> */
    readonly aePath: string,
    readonly aeId: string,
  ) {}

  forget(): void {
    this.known.clear();
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
    const got = await this.client.request('GET', path, this.aeId);
    if (got.rsc === 2000) {
      this.known.add(path);
      return false;
    }
    if (got.rsc !== 4004) throw new LayoutError(`retrieve ${path}: ${got.rsc}`);
    const made = await this.client.request('POST', parent, this.aeId, body, ty);
    if (made.rsc === 4004) this.gone(parent);
    if (made.rsc !== 2001 && made.rsc !== 4105) throw new LayoutError(`create ${path}: ${made.rsc}`);
    this.known.add(path);
    return made.rsc === 2001;
  }

  /** Registers the AE unless known; found (a restart): labelled with `labels`. */
  async ensureAe(cseBase: string, rn: string, body: unknown, labels: string[]): Promise<void> {
    if (this.known.has(this.aePath)) return;
    const got = await this.client.request('GET', this.aePath, this.aeId);
    if (got.rsc === 2000) {
      this.known.add(this.aePath);
      await this.labelAe(labels);
      return;
    }
    if (got.rsc !== 4004) throw new LayoutError(`retrieve ${this.aePath}: ${got.rsc}`);
    this.forget();
    const made = await this.client.request('POST', cseBase, this.aeId, body, TY.AE);
    if (made.rsc !== 2001) throw new LayoutError(`register AE ${rn}: ${made.rsc}`);
    this.known.add(this.aePath);
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

  /** The instance's resources and its command containers, each with the IPE's subscription (nu: `notifyUrl(name)`). */
  async ensureInstance(t: InstanceTarget, notifyUrl: (command: string) => string): Promise<void> {
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
      const sub = { 'm2m:sub': { rn: COMMAND_SUBSCRIPTION, nu: [notifyUrl(c.name)], enc: { net: [3] }, nct: 1 } };
      const created = await this.ensure(`${at}/${c.name}`, COMMAND_SUBSCRIPTION, TY.SUB, sub);
      if (!created) {
        // found after a restart: its notification URI may be stale
        const r = await this.client.request('PUT', `${at}/${c.name}/${COMMAND_SUBSCRIPTION}`, this.aeId, { 'm2m:sub': { nu: [notifyUrl(c.name)] } });
        if (r.rsc !== 2004) throw new LayoutError(`update subscription: ${r.rsc}`);
      }
    }
  }

  /** Puts one event's values of an instance on the CSE. */
  async putValues(t: InstanceTarget, values: ReadonlyMap<number, LeafValue>, timeMs: number): Promise<void> {
    const at = this.instancePath(t);
    if (t.mode === 'flexContainer') {
      const flex = t.section.flex!;
      const attrs: Record<string, unknown> = {};
      for (const [id, v] of values) attrs[flex.attributes.get(id) ?? `r${id}`] = flexValue(v);
      await this.create(at, TY.FCNT, { [flex.specialization]: attrs }, 'PUT');
      return;
    }
    if (t.mode === 'transparent') {
      await this.create(at, TY.CIN, { 'm2m:cin': { cnf: 'application/senml+json:0', con: senml(t, values, timeMs) } });
      return;
    }
    for (const [id, v] of values) {
      await this.ensure(at, String(id), TY.CNT, { 'm2m:cnt': { rn: String(id), lbl: [`lwm2m:resource:${id}`], ...(t.section.mni ? { mni: t.section.mni } : {}) } });
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
    throw new LayoutError(`${method} ${path}: ${r.rsc}`);
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
