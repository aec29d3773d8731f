/**
 * The CSE's request handling, independent of the binding: a request primitive (operation,
 * target, originator, type, content, filter) in, a response primitive (status code,
 * content) out. Targets: structured `cse-in/...`, unstructured by ri, SP-relative behind
 * `~/<csi>/`; `la` and `ol` under a container.
 */
import { AccessControl, type CseAccessConfig } from './access.js';
import { resolveAcpi, type AccessOp } from './acp.js';
import { checkAttributes } from './attributes.js';
import { cappedLimits, enforceLimits, recount, virtualInstance, type ContainerCaps } from './container.js';
import { bodyMember, createResource, type CreateContext } from './create.js';
import { Notifier } from './notifier.js';
import { representation, timestamp, TY, type Resource } from './resource.js';
import { CseError, RSC, type Rsc } from './status.js';
import { checkSubscription, SubscriptionEvents } from './subscriptions.js';
import { ResourceTree } from './tree.js';

export type CseOperation = 'create' | 'retrieve' | 'update' | 'delete' | 'discovery';

export interface DiscoveryFilter {
  ty: number[];
  lbl: string[];
  rn?: string;
  lim: number;
  /** 1: structured paths, 2: ris */
  drt: 1 | 2;
}

export interface CseRequest {
  op: CseOperation;
  /** the target as in the request line: /cse-in/ae, /Cae, /~/id-in/cse-in/ae */
  to: string;
  /** X-M2M-Origin */
  fr: string;
  ty?: number;
  pc?: unknown;
  filter?: DiscoveryFilter;
}

export interface CseResponse {
  rsc: Rsc;
  pc?: unknown;
  /** the created resource's address (Content-Location) */
  location?: string;
}

export interface CseCoreOptions {
  /** CSE-ID without the slash: id-in */
  cseId: string;
  /** the CSEBase's resource name: cse-in */
  cseName: string;
  access: CseAccessConfig;
  caps: ContainerCaps;
  maxResources: number;
  notificationTimeoutMs: number;
  maxNotificationsInFlight: number;
  now?: () => number;
}

export const MAX_DISCOVERY_RESULTS = 1000;

/** Whether an update body sets `acpi`; 4000 when it sets anything else beside it (ACME refuses that). */
function changesAcpi(pc: unknown): boolean {
  if (typeof pc !== 'object' || pc === null) return false;
  const members = Object.values(pc);
  const inner: unknown = members.length === 1 ? members[0] : undefined;
  if (typeof inner !== 'object' || inner === null || !('acpi' in inner)) return false;
  if (Object.keys(inner).length > 1) throw new CseError(RSC.BAD_REQUEST, 'acpi must be the only attribute of an update');
  return true;
}

export class CseCore {
  readonly tree: ResourceTree;
  readonly notifier: Notifier;
  readonly base: Resource;
  private readonly ctx: CreateContext;

  constructor(private readonly opts: CseCoreOptions) {
    const now = opts.now ?? Date.now;
    this.tree = new ResourceTree(opts.maxResources);
    const t = timestamp(now());
    this.base = {
      ty: TY.CB, ri: opts.cseId, rn: opts.cseName, pi: '', ct: t, lt: t, sn: 'm2m:cb', path: opts.cseName, children: [],
      attrs: { cst: 1, csi: `/${opts.cseId}`, srt: [TY.ACP, TY.AE, TY.CNT, TY.CIN, TY.CB, TY.SUB, TY.FCNT], srv: ['2a', '3', '4'], poa: [] },
    };
    this.tree.add(this.base);
    this.notifier = new Notifier({
      origin: `/${opts.cseId}`,
      timeoutMs: opts.notificationTimeoutMs,
      maxInFlight: opts.maxNotificationsInFlight,
      poaOf: (id) => {
        const ae = this.tree.get(id);
        const poa = ae?.ty === TY.AE ? (ae.attrs.poa as string[] | undefined) : undefined;
        return poa?.find((p) => /^https?:\/\//i.test(p));
      },
    });
    const access = new AccessControl(opts.access, (ri) => this.tree.get(ri));
    this.ctx = { tree: this.tree, access, events: new SubscriptionEvents(this.tree, this.notifier, `/${opts.cseId}`), caps: opts.caps, now, find: (id) => this.lookup(id) };
  }

  async handle(req: CseRequest): Promise<CseResponse> {
    try {
      return await this.dispatch(req);
    } catch (e) {
      if (e instanceof CseError) return { rsc: e.rsc, pc: { 'm2m:dbg': e.message } };
      return { rsc: RSC.INTERNAL_SERVER_ERROR, pc: { 'm2m:dbg': 'internal error' } };
    }
  }

  private async dispatch(req: CseRequest): Promise<CseResponse> {
    const { res, virtual } = this.resolve(req.to);
    const { access } = this.ctx;
    const allow = (op: AccessOp, r: Resource): void => {
      if (!access.allows(req.fr, r, op)) throw new CseError(RSC.ORIGINATOR_HAS_NO_PRIVILEGE, 'originator has no privilege');
    };
    switch (req.op) {
      case 'retrieve': {
        const r = virtual ? virtualInstance(this.tree, res, virtual) : res;
        allow('retrieve', r);
        return { rsc: RSC.OK, pc: representation(r) };
      }
      case 'discovery':
        allow('discover', res);
        return { rsc: RSC.OK, pc: { 'm2m:uril': this.discover(res, req.fr, req.filter!) } };
      case 'create': {
        if (virtual) throw new CseError(RSC.OPERATION_NOT_ALLOWED, 'cannot create under a virtual resource');
        if (req.ty === undefined) throw new CseError(RSC.BAD_REQUEST, 'resource type missing');
        const r = await createResource(this.ctx, res, req.ty, req.pc, req.fr);
        return { rsc: RSC.CREATED, pc: representation(r), location: r.ri };
      }
      case 'update':
        if (virtual || res.ty === TY.CB || res.ty === TY.CIN) throw new CseError(RSC.OPERATION_NOT_ALLOWED, 'this resource cannot be updated');
        // acpi alone in an update, changed by who the current policies' selfPrivileges allow (as ACME)
        if (changesAcpi(req.pc)) {
          if (!access.mayChangeAcpi(req.fr, res)) throw new CseError(RSC.ORIGINATOR_HAS_NO_PRIVILEGE, 'originator may not change acpi');
        } else allow('update', res);
        this.update(res, req.pc);
        return { rsc: RSC.UPDATED, pc: representation(res) };
      case 'delete': {
        const r = virtual ? virtualInstance(this.tree, res, virtual) : res;
        if (r.ty === TY.CB) throw new CseError(RSC.OPERATION_NOT_ALLOWED, 'the CSEBase cannot be deleted');
        allow('delete', r);
        const removed = this.tree.remove(r);
        const parent = this.tree.get(r.pi);
        if (parent?.ty === TY.CNT) recount(this.tree, parent);
        this.ctx.events.deleted(removed);
        this.dropPolicies(removed);
        return { rsc: RSC.DELETED };
      }
    }
  }

  private update(r: Resource, pc: unknown): void {
    const { sn, value } = bodyMember(r.ty, pc);
    if (sn !== r.sn) throw new CseError(RSC.BAD_REQUEST, 'the resource name in the body does not match the resource');
    const changes = checkAttributes(r.ty, value, 'update');
    if (Array.isArray(changes.acpi)) changes.acpi = resolveAcpi(changes.acpi as string[], (id) => this.lookup(id));
    if (r.ty === TY.SUB) {
      const parent = this.tree.get(r.pi);
      if (parent) checkSubscription(parent, { ...r.attrs, ...changes });
    }
    for (const [k, v] of Object.entries(changes)) {
      if (k === 'lbl') {
        if (v === null) delete r.lbl;
        else r.lbl = v as string[];
      } else if (k === 'et') {
        if (v !== null) r.et = v as string;
      } else if (v === null) delete r.attrs[k];
      else r.attrs[k] = v;
    }
    r.lt = timestamp(this.ctx.now());
    if (r.ty === TY.FCNT) r.attrs.st = (r.attrs.st as number) + 1;
    if (r.ty === TY.CNT) {
      cappedLimits(r.attrs, this.opts.caps);
      enforceLimits(this.tree, r);
    }
    this.ctx.events.updated(r);
  }

  private discover(target: Resource, originator: string, f: DiscoveryFilter): string[] {
    const keep = (x: Resource): boolean =>
      (f.ty.length === 0 || f.ty.includes(x.ty)) &&
      (f.lbl.length === 0 || (x.lbl ?? []).some((l) => f.lbl.includes(l))) &&
      (f.rn === undefined || x.rn === f.rn) &&
      this.ctx.access.allows(originator, x, 'discover');
    const found = this.tree.descendants(target, keep, Math.min(f.lim, MAX_DISCOVERY_RESULTS));
    return found.map((x) => (f.drt === 2 ? x.ri : x.path));
  }

  /** Deleted policies leave the acpi of the resources that named them (as ACME does). */
  private dropPolicies(removed: readonly Resource[]): void {
    const gone = new Set(removed.filter((x) => x.ty === TY.ACP).map((x) => x.ri));
    if (gone.size === 0) return;
    for (const r of this.tree.all()) {
      const acpi = r.attrs.acpi as string[] | undefined;
      if (!acpi?.some((id) => gone.has(id))) continue;
      const left = acpi.filter((id) => !gone.has(id));
      if (left.length > 0) r.attrs.acpi = left;
      else delete r.attrs.acpi;
    }
  }

  /** A resource by ID: unstructured (ri), structured (cse-in/...), either SP-relative (/id-in/...); undefined when none. */
  lookup(id: string): Resource | undefined {
    try {
      const { res, virtual } = this.resolve(id.startsWith(`/${this.opts.cseId}/`) ? `/~${id}` : id);
      return virtual ? undefined : res;
    } catch {
      return undefined;
    }
  }

  /** The target resource of a request (4004 when there is none). */
  resolve(to: string): { res: Resource; virtual?: 'la' | 'ol' } {
    let segs = to.split('/').filter((s) => s !== '');
    if (segs.length > 32) throw new CseError(RSC.BAD_REQUEST, 'target path too long');
    if (segs[0] === '~') {
      if (segs[1] !== this.opts.cseId) throw new CseError(RSC.NOT_FOUND, 'no such CSE');
      segs = segs.slice(2);
      if (segs.length === 0) return { res: this.base };
    }
    const last = segs[segs.length - 1];
    const virtual = last === 'la' || last === 'ol' ? last : undefined;
    if (virtual) segs = segs.slice(0, -1);
    const res = segs[0] === this.opts.cseName ? this.tree.byStructuredPath(segs.join('/')) : segs.length === 1 ? this.tree.get(segs[0]!) : undefined;
    if (!res) throw new CseError(RSC.NOT_FOUND, 'resource not found');
    if (virtual && res.ty !== TY.CNT) throw new CseError(RSC.NOT_FOUND, 'resource not found');
    return virtual ? { res, virtual } : { res };
  }
}
