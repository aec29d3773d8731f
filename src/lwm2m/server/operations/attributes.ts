/**
 * Write-Attributes: `Attributes` to Uri-Query strings (`pmin=10`, `gt=1.5`, valueless
 * `pmin` to unset), with the checks of LwM2M Core 5.1.2 / 7.3.1:
 * - pmin, pmax, epmin, epmax, hqmax: integers >= 0; gt, lt: finite numbers; st: finite >= 0;
 *   edge, con: 0 or 1;
 * - pmin <= pmax, epmin <= epmax, lt < gt, lt + 2*st < gt (when both/all are given);
 * - gt, lt, st only on a resource or resource instance (they compare numeric values);
 * - epmin, epmax need LwM2M 1.1+; edge, con, hqmax need 1.2+.
 */
import type { LwM2mPath } from '../../path.js';
import type { Attributes, Registration } from '../types.js';
import { atLeast } from './format.js';

/** The order attributes are written in (stable, as in the spec's tables). */
const ORDER = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax'] as const;
type Name = (typeof ORDER)[number];

const INTEGER: ReadonlySet<Name> = new Set(['pmin', 'pmax', 'epmin', 'epmax', 'hqmax']);
const FLAG: ReadonlySet<Name> = new Set(['edge', 'con']);
const VALUE_CHANGE: ReadonlySet<Name> = new Set(['gt', 'lt', 'st']);
const SINCE: Partial<Record<Name, string>> = { epmin: '1.1', epmax: '1.1', edge: '1.2', con: '1.2', hqmax: '1.2' };

/** A decimal without exponent, with the digits of JS's shortest form: 1e-7 -> "0.0000001", 1e21 -> "1000000000000000000000". */
export function formatDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  const [, sign = '', int = '', frac = '', exp = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(exp); // position of the decimal point within `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Throws an Error with a readable message; the caller turns it into BAD_REQUEST. */
export function attributesToQuery(reg: Registration, path: LwM2mPath, attributes: Attributes): string[] {
  if (attributes === null || typeof attributes !== 'object') throw new Error('attributes must be an object');
  const known = new Set<string>(ORDER);
  for (const k of Object.keys(attributes)) {
    if (!known.has(k)) throw new Error(`unknown attribute "${k}"`);
  }
  if (path.isRoot()) throw new Error('write-attributes needs an object, instance or resource path');
  const query: string[] = [];
  const set: Partial<Record<Name, number>> = {};
  for (const name of ORDER) {
    const v = (attributes as Record<string, unknown>)[name];
    if (v === undefined) continue;
    const since = SINCE[name];
    if (since && !atLeast(reg, since)) throw new Error(`attribute ${name} needs LwM2M ${since} (client is ${reg.version})`);
    if (VALUE_CHANGE.has(name) && path.depth < 3) throw new Error(`attribute ${name} applies to a resource, not to ${path.toString()}`);
    if (v === null) {
      query.push(name);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`attribute ${name} must be a finite number`);
    if (INTEGER.has(name) && (!Number.isInteger(v) || v < 0)) throw new Error(`attribute ${name} must be an integer >= 0`);
    if (FLAG.has(name) && v !== 0 && v !== 1) throw new Error(`attribute ${name} must be 0 or 1`);
    if (name === 'st' && v < 0) throw new Error('attribute st must be >= 0');
    set[name] = v;
    query.push(`${name}=${formatDecimal(v)}`);
  }
  if (query.length === 0) throw new Error('no attribute to write');
  const { pmin, pmax, epmin, epmax, gt, lt, st } = set;
  if (pmin !== undefined && pmax !== undefined && pmin > pmax) throw new Error(`pmin (${pmin}) must not exceed pmax (${pmax})`);
  if (epmin !== undefined && epmax !== undefined && epmin > epmax) throw new Error(`epmin (${epmin}) must not exceed epmax (${epmax})`);
  if (lt !== undefined && gt !== undefined) {
    if (!(lt < gt)) throw new Error(`lt (${lt}) must be less than gt (${gt})`);
    if (st !== undefined && !(lt + 2 * st < gt)) throw new Error(`lt + 2*st (${lt} + 2*${st}) must be less than gt (${gt})`);
  }
  return query;
}
