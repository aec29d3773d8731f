/**
 * Resources as the CSE keeps them: the universal attributes (TS-0004 clause 9.6.1.3) beside
 * the type's own attributes, and their JSON form with the short names of TS-0004 (`m2m:ae`).
 */

export const TY = { ACP: 1, AE: 2, CNT: 3, CIN: 4, CB: 5, SUB: 23, FCNT: 28 } as const;
export type ResourceType = (typeof TY)[keyof typeof TY];

/** The JSON wrapper name of each type (a flexContainer carries its specialization name). */
export const SHORT_NAMES: Readonly<Record<number, string>> = {
  1: 'm2m:acp',
  2: 'm2m:ae',
  3: 'm2m:cnt',
  4: 'm2m:cin',
  5: 'm2m:cb',
  23: 'm2m:sub',
};

/** Which child types each parent type accepts (TS-0004 clause 9.6). */
export const CHILD_TYPES: Readonly<Record<number, readonly number[]>> = {
  5: [TY.ACP, TY.AE, TY.CNT, TY.FCNT, TY.SUB],
  2: [TY.ACP, TY.CNT, TY.FCNT, TY.SUB],
  1: [],
  3: [TY.CNT, TY.CIN, TY.SUB],
  28: [TY.CNT, TY.FCNT, TY.SUB],
  4: [],
  23: [],
};

export interface Resource {
  ty: ResourceType;
  ri: string;
  rn: string;
  /** parent's ri ('' for the CSEBase) */
  pi: string;
  ct: string;
  lt: string;
  et?: string;
  lbl?: string[];
  /** the type's own attributes (api, mni, con, nu, custom flexContainer attributes...) */
  attrs: Record<string, unknown>;
  /** the JSON wrapper name (m2m:cnt, or a flexContainer's specialization such as cod:tempe) */
  sn: string;
  /** structured CSE-relative path: cse-in/ae/cnt */
  path: string;
  /** ri of the AE this resource lies under (undefined: directly under the CSEBase) */
  aeRi?: string;
  /** the originator that created it (the AE-ID for an AE); not part of the representation */
  creator?: string;
  /** child ris in creation order */
  children: string[];
}

/** The resource as its JSON representation: `{ "m2m:cnt": { ri, rn, pi, ty, ... } }`. */
export function representation(r: Resource): Record<string, unknown> {
  const body: Record<string, unknown> = { rn: r.rn, ri: r.ri, pi: r.pi, ty: r.ty, ct: r.ct, lt: r.lt };
  if (r.et !== undefined) body.et = r.et;
  if (r.lbl !== undefined) body.lbl = [...r.lbl];
  for (const [k, v] of Object.entries(r.attrs)) body[k] = v;
  if (r.ty === TY.CB) delete body.pi;
  return { [r.sn]: body };
}

/** A oneM2M timestamp (ISO 8601 basic form, UTC): 20261203T171500,123000 */
export function timestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())},${p(d.getUTCMilliseconds(), 3)}000`;
}
