/**
 * CREATE (TS-0004 clause 7.3.2.1 and 10.2): checks the child type, the body (one member
 * named after the type), the attributes, the originator's rights and the name, then builds
 * the resource with the attributes the CSE assigns (ri, aei, ct, lt, cni, cs, st...).
 */
import { randomBytes } from 'node:crypto';
import { CseError, RSC } from './status.js';
import type { AccessControl } from './access.js';
import { resolveAcpi } from './acp.js';
import { checkAttributes } from './attributes.js';
import { cappedLimits, checkFits, contentSize, enforceLimits, type ContainerCaps } from './container.js';
import { CHILD_TYPES, SHORT_NAMES, timestamp, TY, type Resource, type ResourceType } from './resource.js';
import { checkSubscription, type SubscriptionEvents } from './subscriptions.js';
import type { ResourceTree } from './tree.js';

export interface CreateContext {
  tree: ResourceTree;
  access: AccessControl;
  events: SubscriptionEvents;
  caps: ContainerCaps;
  now: () => number;
  /** a resource by any ID form (ri, structured, SP-relative): for acpi references */
  find: (id: string) => Resource | undefined;
}

const RN = /^[A-Za-z0-9._~-]{1,64}$/;
const AE_ID = /^[CS][A-Za-z0-9._~-]{1,63}$/;
const FLEX_NAME = /^[a-z][a-z0-9]{0,15}:[A-Za-z][A-Za-z0-9]{0,63}$/;
const RI_PREFIX: Readonly<Record<number, string>> = { 1: 'acp', 3: 'cnt', 4: 'cin', 23: 'sub', 28: 'fcnt' };
const DEFAULT_LIFETIME_MS = 5 * 365 * 24 * 3600_000;

const newId = (prefix: string): string => `${prefix}${randomBytes(6).toString('hex')}`;

/** The one member of a create or update body, checked against the type's short name. */
export function bodyMember(ty: number, pc: unknown): { sn: string; value: Record<string, unknown> } {
  if (typeof pc !== 'object' || pc === null || Array.isArray(pc)) throw new CseError(RSC.BAD_REQUEST, 'the body is not a JSON object');
  const keys = Object.keys(pc);
  if (keys.length !== 1) throw new CseError(RSC.BAD_REQUEST, 'the body must hold exactly one resource');
  const sn = keys[0]!;
  const expected = SHORT_NAMES[ty];
  const named = expected === undefined ? ty === TY.FCNT && FLEX_NAME.test(sn) && !sn.startsWith('m2m:') : sn === expected;
  if (!named) throw new CseError(RSC.BAD_REQUEST, 'the resource name in the body does not match the resource type');
  const value = (pc as Record<string, unknown>)[sn];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CseError(RSC.BAD_REQUEST, 'the resource is not a JSON object');
  return { sn, value: value as Record<string, unknown> };
}

function aeIdFor(ctx: CreateContext, originator: string): string {
  if (!ctx.access.mayRegister(originator)) throw new CseError(RSC.ORIGINATOR_HAS_NO_PRIVILEGE, 'originator may not register an AE');
  const aei = originator === '' || originator === 'C' || originator === 'S' ? newId(originator === 'S' ? 'S' : 'C') : originator;
  if (!AE_ID.test(aei)) throw new CseError(RSC.BAD_REQUEST, 'originator is not an AE-ID');
  if (ctx.tree.get(aei)) throw new CseError(RSC.ORIGINATOR_HAS_ALREADY_REGISTERED, 'originator has already registered');
  return aei;
}

/** Creates a child of `parent` and returns it (added to the tree, subscribers told). */
export async function createResource(ctx: CreateContext, parent: Resource, ty: number, pc: unknown, originator: string): Promise<Resource> {
  if (!(CHILD_TYPES[parent.ty] ?? []).includes(ty)) {
    throw new CseError(SHORT_NAMES[ty] === undefined && ty !== TY.FCNT ? RSC.BAD_REQUEST : RSC.INVALID_CHILD_RESOURCE_TYPE, 'this resource type cannot be created here');
  }
  const { sn, value } = bodyMember(ty, pc);
  const attrs = checkAttributes(ty, value, 'create');
  let ri: string;
  if (ty === TY.AE) {
    ri = aeIdFor(ctx, originator);
    attrs.aei = ri;
  } else {
    if (!ctx.access.allows(originator, parent, 'create')) throw new CseError(RSC.ORIGINATOR_HAS_NO_PRIVILEGE, 'originator has no privilege');
    // a subscriber needs RETRIEVE on the subscribed-to resource too (as ACME checks)
    if (ty === TY.SUB && !ctx.access.allows(originator, parent, 'retrieve')) throw new CseError(RSC.ORIGINATOR_HAS_NO_PRIVILEGE, 'originator has no privilege');
    ri = newId(RI_PREFIX[ty] ?? 'r');
  }
  const rn = (attrs.rn as string | undefined) ?? ri;
  if (!RN.test(rn) || rn === 'la' || rn === 'ol') throw new CseError(RSC.BAD_REQUEST, 'bad resource name');
  if (ctx.tree.childNamed(parent, rn)) throw new CseError(RSC.CONFLICT, 'a resource with this name exists');
  const lbl = attrs.lbl as string[] | undefined;
  const et = attrs.et as string | undefined;
  const wantsCreator = 'cr' in attrs;
  delete attrs.rn;
  delete attrs.lbl;
  delete attrs.et;
  delete attrs.cr;
  if (wantsCreator) attrs.cr = originator;
  if (attrs.acpi !== undefined) attrs.acpi = resolveAcpi(attrs.acpi as string[], ctx.find);
  const now = ctx.now();
  const r: Resource = {
    ty: ty as ResourceType,
    ri,
    rn,
    pi: parent.ri,
    ct: timestamp(now),
    lt: timestamp(now),
    et: et ?? timestamp(now + DEFAULT_LIFETIME_MS),
    ...(lbl ? { lbl } : {}),
    attrs,
    sn,
    path: `${parent.path}/${rn}`,
    ...(ty === TY.AE ? { aeRi: ri } : parent.ty === TY.AE ? { aeRi: parent.ri } : parent.aeRi !== undefined ? { aeRi: parent.aeRi } : {}),
    creator: ty === TY.AE ? ri : originator,
    children: [],
  };
  if (ty === TY.CNT) {
    Object.assign(attrs, { cni: 0, cbs: 0, st: 0 });
    cappedLimits(attrs, ctx.caps);
  }
  if (ty === TY.FCNT) attrs.st = 0;
  if (ty === TY.SUB) {
    attrs.nct ??= 1;
    checkSubscription(parent, attrs);
    await ctx.events.verify(r, originator);
    if (!ctx.tree.get(parent.ri)) throw new CseError(RSC.NOT_FOUND, 'the parent resource was deleted');
    if (ctx.tree.childNamed(parent, rn)) throw new CseError(RSC.CONFLICT, 'a resource with this name exists');
  }
  if (ty === TY.CIN) {
    const cs = contentSize(attrs.con);
    checkFits(parent, cs);
    parent.attrs.st = (parent.attrs.st as number) + 1;
    Object.assign(attrs, { cs, st: parent.attrs.st });
  }
  ctx.tree.add(r);
  if (ty === TY.CIN) enforceLimits(ctx.tree, parent);
  ctx.events.created(parent, r);
  return r;
}
