/**
 * Subscriptions (TS-0004 clause 10.2.10/10.2.11): the verification request sent when one
 * is created, and the notifications of the events its `enc/net` selects:
 * 1 update of the resource, 2 its deletion, 3 a direct child created, 4 a direct child deleted.
 * A notification is `m2m:sgn` with `nev` (`rep`: the resource, `net`: the event) and `sur`.
 */
import { CseError, RSC } from './status.js';
import type { Notifier } from './notifier.js';
import { representation, TY, type Resource } from './resource.js';
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
      if (sub.pi === top.ri && wants(sub, NET.DELETE)) this.notify(sub, NET.DELETE, top);
      const su = sub.attrs.su;
      if (typeof su === 'string') void this.notifier.send(su, { 'm2m:sgn': { sud: true, sur: this.sur(sub) } });
    }
    const parent = this.tree.get(top.pi);
    if (parent) this.fire(parent, NET.DELETE_CHILD, top);
  }

  private fire(on: Resource, net: number, rep: Resource): void {
    for (const sub of this.tree.children(on)) {
      if (sub.ty === TY.SUB && sub !== rep && wants(sub, net)) this.notify(sub, net, rep);
    }
  }

  private notify(sub: Resource, net: number, rep: Resource): void {
    const body = { 'm2m:sgn': { nev: { rep: representation(rep), net }, sur: this.sur(sub) } };
    for (const nu of sub.attrs.nu as string[]) void this.notifier.send(nu, body);
  }
}

function wants(sub: Resource, net: number): boolean {
  const enc = sub.attrs.enc as { net?: number[] } | undefined;
  return (enc?.net ?? [NET.UPDATE]).includes(net);
}
