/**
 * Subscriptions (TS-0004 clause 10.2.10/10.2.11): the verification request sent when one
 * is created, and the notifications of the events its `enc/net` selects:
 * 1 update of the resource, 2 its deletion, 3 a direct child created, 4 a direct child deleted.
 * A notification is `m2m:sgn` with `nev` (`rep`: the resource, `net`: the event) and `sur`.
 * `enc/chty` (childResourceType, R4) narrows 3 and 4 to children of those types.
 */
import { CseError, RSC } from './status.js';
import type { Notifier } from './notifier.js';
import { CHILD_TYPES, representation, TY, type Resource } from './resource.js';
import type { ResourceTree } from './tree.js';

const NET = { UPDATE: 1, DELETE: 2, CREATE_CHILD: 3, DELETE_CHILD: 4 } as const;

export class SubscriptionEvents {
  constructor(
    private readonly tree: ResourceTree,
    private readonly notifier: Notifier,
    /** the CSE-ID (/id-in) */
    private readonly csi: string,
  ) {}

  private sur(sub: Resource): string {
    return `${this.csi}/${sub.ri}`;
  }

  /**
   * Sends the verification request to every target that is not the subscriber itself;
   * throws 5204 (or 4101 when a target refuses the subscriber) if one does not accept.
   */
  async verify(sub: Resource, originator: string): Promise<void> {
    for (const nu of sub.attrs.nu as string[]) {
      if (nu === originator) continue;
      const r = await this.notifier.send(nu, { 'm2m:sgn': { vrq: true, sur: this.sur(sub), cr: originator } });
      if (r.ok) continue;
      throw new CseError(r.rsc === RSC.SUBSCRIPTION_CREATOR_HAS_NO_PRIVILEGE ? RSC.SUBSCRIPTION_CREATOR_HAS_NO_PRIVILEGE : RSC.SUBSCRIPTION_VERIFICATION_INITIATION_FAILED, 'notification target did not accept the verification request');
    }
  }

  created(parent: Resource, child: Resource): void {
    this.fire(parent, NET.CREATE_CHILD, child);
  }

  updated(r: Resource): void {
    this.fire(r, NET.UPDATE, r);
  }

  /** `removed`: the deleted resource first, then everything that was under it. */
  deleted(removed: readonly Resource[]): void {
    const top = removed[0];
    if (!top) return;
    for (const sub of removed) {
      if (sub.ty !== TY.SUB) continue;
      if (sub.pi === top.ri && wants(sub, NET.DELETE, top)) this.notify(sub, NET.DELETE, top);
      const su = sub.attrs.su;
      if (typeof su === 'string') void this.notifier.send(su, { 'm2m:sgn': { sud: true, sur: this.sur(sub) } });
    }
    const parent = this.tree.get(top.pi);
    if (parent) this.fire(parent, NET.DELETE_CHILD, top);
  }

  private fire(on: Resource, net: number, rep: Resource): void {
    for (const sub of this.tree.children(on)) {
      if (sub.ty === TY.SUB && sub !== rep && wants(sub, net, rep)) this.notify(sub, net, rep);
    }
  }

  private notify(sub: Resource, net: number, rep: Resource): void {
    const body = { 'm2m:sgn': { nev: { rep: representation(rep), net }, sur: this.sur(sub) } };
    for (const nu of sub.attrs.nu as string[]) void this.notifier.send(nu, body);
  }
}

function wants(sub: Resource, net: number, rep: Resource): boolean {
  const enc = sub.attrs.enc as { net?: number[]; chty?: number[] } | undefined;
  if (!(enc?.net ?? [NET.UPDATE]).includes(net)) return false;
  return !(net === NET.CREATE_CHILD || net === NET.DELETE_CHILD) || enc?.chty === undefined || enc.chty.includes(rep.ty);
}

/** notificationContentType -> the event types it may go with (TS-0004 clause 9.6.8; as ACME checks) */
const NCT_EVENTS: Readonly<Record<number, readonly number[]>> = { 1: [1, 2, 3, 4], 2: [1], 3: [1, 2, 3, 4] };

/**
 * Checks a subscription's criteria against its parent: every `chty` a type the parent can
 * have as a child, `nct` one that goes with every `net` (4000 otherwise).
 */
export function checkSubscription(parent: Resource, attrs: Record<string, unknown>): void {
  const enc = attrs.enc as { net?: number[]; chty?: number[] } | undefined;
  const allowed = CHILD_TYPES[parent.ty] ?? [];
  if (enc?.chty?.some((t) => !allowed.includes(t))) throw new CseError(RSC.BAD_REQUEST, 'chty names a type the subscribed-to resource cannot have as a child');
  const nct = typeof attrs.nct === 'number' ? attrs.nct : 1;
  const events = NCT_EVENTS[nct];
  if (!events || (enc?.net ?? [NET.UPDATE]).some((n) => !events.includes(n))) throw new CseError(RSC.BAD_REQUEST, 'nct does not go with enc/net');
}
