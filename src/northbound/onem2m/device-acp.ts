/**
 * The <accessControlPolicy> of a device AE (TS-0004 clause 9.6.2), so that applications
 * may use the device on a CSE that checks access (ACME does by default). The IPE acts as
 * the device AE (its AE-ID is the originator), and once a resource names a policy in
 * `acpi` only the policies decide (the creator keeps no right of its own, TS-0001 clause
 * 9.6.1.3.2 as ACME applies it); so each device AE gets its own policy `ipe-acp`:
 * - pv: the device AE-ID and the IPE's AE-ID everything; the configured application
 *   originators the configured operations;
 * - pvs (the policy itself): the device AE-ID and the IPE's AE-ID everything.
 * The AE and every container and flexContainer the IPE makes carry it in `acpi` (a
 * contentInstance takes its container's). Found again (a restart), the policy's rules are
 * updated when the config changed; `acpi` gets it added when missing (others kept), alone
 * in the update as ACME requires.
 */
import type { OneM2mAccessOperation } from '../../config/schema.js';
import type { CseClient } from './cse-client.js';
import { CseUnreachable } from './cse-client.js';

/** the resource name of a device AE's policy */
export const ACP_NAME = 'ipe-acp';
const TY_ACP = 1;
/** accessControlOperations bits (TS-0004 m2m:accessControlOperations) */
const ACOP: Readonly<Record<OneM2mAccessOperation, number>> = { create: 1, retrieve: 2, update: 4, delete: 8, notify: 16, discover: 32 };
const ACOP_ALL = 63;
/** acpi entries a resource holds at most (the embedded CSE's bound) */
const MAX_ACPI = 8;

export interface DeviceAccess {
  /** the IPE's own AE-ID */
  ipe: string;
  /** application originators granted access; empty: no policy is made (one found is emptied of them) */
  originators: readonly string[];
  operations: readonly OneM2mAccessOperation[];
}

interface Rule {
  acor: string[];
  acop: number;
}

/** The bits of a list of operations. */
export function acopOf(ops: readonly OneM2mAccessOperation[]): number {
  return ops.reduce((n, op) => n | ACOP[op], 0);
}

/** The policy's pv and pvs for a device AE. */
export function policyFor(aeId: string, access: DeviceAccess): { pv: { acr: Rule[] }; pvs: { acr: Rule[] } } {
  const owners = [...new Set([aeId, access.ipe])];
  const pv: Rule[] = [{ acor: owners, acop: ACOP_ALL }];
  if (access.originators.length > 0) pv.push({ acor: [...access.originators], acop: acopOf(access.operations) });
  return { pv: { acr: pv }, pvs: { acr: [{ acor: owners, acop: ACOP_ALL }] } };
}

function sameRules(got: unknown, want: { acr: Rule[] }): boolean {
  const acr = (got as { acr?: unknown } | undefined)?.acr;
  if (!Array.isArray(acr) || acr.length !== want.acr.length) return false;
  return want.acr.every((w, i) => {
    const g = acr[i] as Partial<Rule> | undefined;
    return g?.acop === w.acop && Array.isArray(g.acor) && g.acor.length === w.acor.length && w.acor.every((o) => g.acor!.includes(o));
  });
}

/** An error of the policy's requests (the CSE's answer). */
export class AcpError extends Error {}

/**
 * Makes or updates the device AE's policy and puts it in the AE's `acpi` (`aeAcpi`: what
 * the AE has now). Returns the policy's resource ID, or undefined when there is none to use
 * (no application configured and none made before).
 */
export async function ensureDeviceAcp(client: CseClient, aePath: string, aeId: string, access: DeviceAccess, aeAcpi: unknown): Promise<string | undefined> {
  const active = access.originators.length > 0;
  const had = Array.isArray(aeAcpi) ? (aeAcpi as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  if (!active && had.length === 0) return undefined;
  const path = `${aePath}/${ACP_NAME}`;
  const want = policyFor(aeId, access);
  let got = await client.request('GET', path, aeId);
  if (got.rsc === 4004) {
    if (!active) return undefined;
    const made = await client.request('POST', aePath, aeId, { 'm2m:acp': { rn: ACP_NAME, ...want } }, TY_ACP);
    if (made.rsc === 4105) throw new CseUnreachable(`${path} made meanwhile: found again`);
    if (made.rsc !== 2001) throw new AcpError(`create ${path}: ${made.rsc}`);
    got = made;
  } else if (got.rsc !== 2000) throw new AcpError(`retrieve ${path}: ${got.rsc}`);
  const acp = got.body?.['m2m:acp'] as { ri?: unknown; pv?: unknown; pvs?: unknown } | undefined;
  if (typeof acp?.ri !== 'string' || acp.ri.length > 512) throw new AcpError(`${path}: no resource ID in the answer`);
  if (!sameRules(acp.pv, want.pv) || !sameRules(acp.pvs, want.pvs)) {
    const r = await client.request('PUT', path, aeId, { 'm2m:acp': want });
    if (r.rsc !== 2004) throw new AcpError(`update ${path}: ${r.rsc}`);
  }
  if (!had.includes(acp.ri)) await addAcpi(client, aePath, aeId, 'm2m:ae', had, acp.ri);
  return acp.ri;
}

/** Adds the policy to a resource's `acpi` (a retrieve's answer `got`) when it is not there. */
export async function ensureAcpiOf(client: CseClient, path: string, aeId: string, got: unknown, acpRi: string): Promise<void> {
  if (typeof got !== 'object' || got === null) return;
  const [member] = Object.keys(got);
  const r = member === undefined ? undefined : ((got as Record<string, unknown>)[member] as { acpi?: unknown } | undefined);
  if (!member || typeof r !== 'object' || r === null) return;
  const had = Array.isArray(r.acpi) ? (r.acpi as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  if (!had.includes(acpRi)) await addAcpi(client, path, aeId, member, had, acpRi);
}

async function addAcpi(client: CseClient, path: string, aeId: string, member: string, had: string[], acpRi: string): Promise<void> {
  const acpi = [...had.slice(-(MAX_ACPI - 1)), acpRi];
  const r = await client.request('PUT', path, aeId, { [member]: { acpi } });
  if (r.rsc === 4004) throw new CseUnreachable(`${path} is gone: laid out again`);
  if (r.rsc !== 2004) throw new AcpError(`set acpi of ${path}: ${r.rsc}`);
}

/** A create body (one member) with `acpi` set to the policy. */
export function withAcpi(body: unknown, acpRi: string | undefined): unknown {
  if (acpRi === undefined || typeof body !== 'object' || body === null) return body;
  const [member] = Object.keys(body);
  if (member === undefined) return body;
  return { [member]: { ...(body as Record<string, Record<string, unknown>>)[member], acpi: [acpRi] } };
}
