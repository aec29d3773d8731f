/**
 * Access control on X-M2M-Origin: <accessControlPolicy> resources where a resource names
 * them in `acpi` (TS-0001 clause 9.6.1.3.2, TS-0004 clause 7.3.3.15), and beside them a
 * simple configured one:
 * - the admin originator may do everything;
 * - the originators the config allows for an AE may act on the AE and everything under it;
 * - an <accessControlPolicy> itself: its `pvs` (selfPrivileges) decide;
 * - a resource with `acpi`: the `pv` (privileges) of those policies decide, so that its
 *   creator or owner AE has no right they do not give (as ACME does);
 * - a contentInstance (no `acpi` of its own): its parent's rights (as ACME's inheritACP);
 * - a resource without `acpi`: its creator, and the AE it lies under (its own AE-ID);
 * - registering an AE is open to the originators of `registration` ('*': anyone);
 *   anyone may retrieve the CSEBase and discover under it.
 */
import { grants, type AccessOp } from './acp.js';
import type { Resource } from './resource.js';
import { TY } from './resource.js';

export interface CseAccessConfig {
  /** the originator allowed everything */
  admin: string;
  /** originators that may register an AE ('*': any) */
  registration: readonly string[];
  /** per AE (its resource name or AE-ID): originators besides the AE itself allowed on its resources */
  allowed: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_ACCESS: CseAccessConfig = { admin: 'CAdmin', registration: ['*'], allowed: {} };

export type { AccessOp } from './acp.js';

/** depth of parents followed for a resource without rights of its own (contentInstance) */
const MAX_INHERIT = 4;

export class AccessControl {
  constructor(
    private readonly config: CseAccessConfig,
    private readonly find: (ri: string) => Resource | undefined,
  ) {}

  isAdmin(originator: string): boolean {
    return originator === this.config.admin;
  }

  mayRegister(originator: string): boolean {
    return this.isAdmin(originator) || this.config.registration.includes('*') || this.config.registration.includes(originator);
  }

  /** Whether `originator` may do `op` on `target` (an AE create is checked by mayRegister). */
  allows(originator: string, target: Resource, op: AccessOp): boolean {
    if (this.isAdmin(originator)) return true;
    // the CSEBase: anyone may retrieve it and discover under it (each result is checked)
    if (target.ty === TY.CB) return op === 'retrieve' || op === 'discover';
    return this.configured(originator, target) || this.decide(originator, target, op, 0);
  }

  /**
   * Whether `originator` may change `target`'s `acpi` (ACME's rule): without one, its
   * creator; with one, an originator the selfPrivileges of one of those policies let update.
   */
  mayChangeAcpi(originator: string, target: Resource): boolean {
    if (this.isAdmin(originator)) return true;
    const acpi = target.attrs.acpi as string[] | undefined;
    if (!acpi) return originator === target.creator;
    return acpi.some((id) => {
      const acp = this.find(id);
      return acp?.ty === TY.ACP && grants(acp.attrs.pvs, originator, 'update');
    });
  }

  private decide(originator: string, r: Resource, op: AccessOp, depth: number): boolean {
    if (r.ty === TY.ACP) return grants(r.attrs.pvs, originator, op);
    const acpi = r.attrs.acpi as string[] | undefined;
    if (acpi) {
      return acpi.some((id) => {
        const acp = this.find(id);
        return acp?.ty === TY.ACP && grants(acp.attrs.pv, originator, op);
      });
    }
    if (r.ty === TY.CIN) {
      const parent = this.find(r.pi);
      return parent !== undefined && parent.ty !== TY.CB && depth < MAX_INHERIT && this.decide(originator, parent, op, depth + 1);
    }
    if (originator === r.creator) return true;
    const ae = r.aeRi === undefined ? undefined : this.find(r.aeRi);
    return ae !== undefined && originator === ae.attrs.aei;
  }

  /** The configured originators of the AE the resource lies under. */
  private configured(originator: string, r: Resource): boolean {
    const ae = r.aeRi === undefined ? undefined : this.find(r.aeRi);
    if (!ae) return false;
    const aei = ae.attrs.aei as string;
    return (this.config.allowed[ae.rn] ?? []).includes(originator) || (this.config.allowed[aei] ?? []).includes(originator);
  }
}
