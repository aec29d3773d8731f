/**
 * A simple access control on X-M2M-Origin (in place of <accessControlPolicy>): the admin
 * originator may do everything; an AE's own AE-ID, and the originators the config allows
 * for that AE, may act on the AE and everything under it; registering an AE is open to the
 * originators of `registration` ('*': anyone); anyone may retrieve the CSEBase.
 */
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

export type AccessOp = 'create' | 'retrieve' | 'update' | 'delete';

export class AccessControl {
  constructor(
    private readonly config: CseAccessConfig,
    private readonly ae: (ri: string) => Resource | undefined,
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
    if (target.ty === TY.CB) return op === 'retrieve';
    const aeRi = target.ty === TY.AE ? target.ri : target.aeRi;
    if (aeRi === undefined) return false;
    const ae = this.ae(aeRi);
    if (!ae) return false;
    const aei = ae.attrs.aei as string;
    if (originator === aei) return true;
    const extra = [...(this.config.allowed[ae.rn] ?? []), ...(this.config.allowed[aei] ?? [])];
    return extra.includes(originator);
  }
}
