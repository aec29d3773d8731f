/**
 * <accessControlPolicy> (TS-0004 clause 9.6.2, TS-0001 clause 9.6.2): `pv` (privileges)
 * governs the resources whose `acpi` names the policy, `pvs` (selfPrivileges) the policy
 * itself. Each is `{ acr: [{ acor, acop }] }`: an originator listed in `acor` (or `all`) may
 * do the operations whose bits `acop` sets (TS-0004 m2m:accessControlOperations: CREATE 1,
 * RETRIEVE 2, UPDATE 4, DELETE 8, NOTIFY 16, DISCOVERY 32). Rules are ORed, and so are the
 * policies of one `acpi`. Contexts (`acco`), attributes (`aca`) and object details (`acod`)
 * are not implemented: a rule that carries one is refused when the policy is written.
 */
import { CseError, RSC } from './status.js';
import { TY, type Resource } from './resource.js';

export const ACOP = { create: 1, retrieve: 2, update: 4, delete: 8, notify: 16, discover: 32 } as const;
export type AccessOp = keyof typeof ACOP;
export const ACOP_ALL = 63;

export interface AccessControlRule {
  acor: string[];
  acop: number;
}

export interface SetOfAcrs {
  acr: AccessControlRule[];
}

const MAX_RULES = 16;
const MAX_ORIGINATORS = 64;
const MAX_ACPI = 8;

/** A `pv` or `pvs` value as a request may carry it (TS-0004 m2m:setOfAcrs); false when malformed. */
export function isSetOfAcrs(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  if (Object.keys(v).some((k) => k !== 'acr')) return false;
  const acr = (v as { acr?: unknown }).acr;
  if (!Array.isArray(acr) || acr.length > MAX_RULES) return false;
  return acr.every((r: unknown) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return false;
    if (Object.keys(r).some((k) => k !== 'acor' && k !== 'acop')) return false;
    const { acor, acop } = r as { acor?: unknown; acop?: unknown };
    return (
      Array.isArray(acor) && acor.length >= 1 && acor.length <= MAX_ORIGINATORS && acor.every((o) => typeof o === 'string' && o.length >= 1 && o.length <= 256) &&
      typeof acop === 'number' && Number.isInteger(acop) && acop >= 1 && acop <= ACOP_ALL
    );
  });
}

/** An `acpi` value: 1 to 8 resource IDs (an empty list is refused, as ACME does). */
export function isAcpi(v: unknown): boolean {
  return Array.isArray(v) && v.length >= 1 && v.length <= MAX_ACPI && v.every((x) => typeof x === 'string' && x.length >= 1 && x.length <= 512);
}

/** Whether a set of rules grants `op` to `originator`. */
export function grants(set: unknown, originator: string, op: AccessOp): boolean {
  const acr = (set as SetOfAcrs | undefined)?.acr ?? [];
  const bit = ACOP[op];
  return acr.some((r) => (r.acop & bit) !== 0 && (r.acor.includes(originator) || r.acor.includes('all')));
}

/**
 * The policies an `acpi` names, resolved to their resource IDs (the form the CSE keeps, as
 * ACME does); 4000 when one is not an existing <accessControlPolicy>.
 */
export function resolveAcpi(acpi: string[], find: (id: string) => Resource | undefined): string[] {
  return acpi.map((id) => {
    const acp = find(id);
    if (acp?.ty !== TY.ACP) throw new CseError(RSC.BAD_REQUEST, 'acpi names no accessControlPolicy');
    return acp.ri;
  });
}
