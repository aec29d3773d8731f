/**
 * Write-Attributes on a simulated client (LwM2M 1.1, 5.4.4 and 7.3.2): the query of a
 * `PUT path?pmin=10&pmax=60` is checked and kept per path; `?pmin` alone unsets it. The
 * attributes that rule an observation are those of its path and of the levels above it,
 * the lower level winning for each attribute (resource over instance over object).
 *
 * The clients act on pmin and pmax (see report.ts); gt, lt and st are kept, shown by
 * Discover, and otherwise not acted on.
 */

export const ATTRIBUTE_NAMES = ['pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax'] as const;
export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];
export type Attributes = Partial<Record<AttributeName, number>>;

/** What holds attributes: the client, keyed by "o", "o/i" or "o/i/r". */
export interface AttributeHolder {
  attributes: Map<string, Attributes> | undefined;
}

const PERIODS: ReadonlySet<string> = new Set(['pmin', 'pmax', 'epmin', 'epmax']);
const NUMBER = /^-?\d{1,12}(?:\.\d{1,12})?$/;
/** a client keeps attributes on this many paths at most */
export const MAX_ATTRIBUTE_PATHS = 64;

/** The changes a Write-Attributes query asks for (undefined: unset), or a reason to answer 4.00. */
export function parseAttributeQuery(query: readonly string[]): Map<AttributeName, number | undefined> | string {
  const out = new Map<AttributeName, number | undefined>();
  if (query.length === 0 || query.length > ATTRIBUTE_NAMES.length) return 'no attributes, or too many';
  for (const q of query) {
    const eq = q.indexOf('=');
    const name = eq < 0 ? q : q.slice(0, eq);
    if (!(ATTRIBUTE_NAMES as readonly string[]).includes(name)) return 'unknown attribute';
    if (eq < 0) {
      out.set(name as AttributeName, undefined);
      continue;
    }
    const text = q.slice(eq + 1);
    if (!NUMBER.test(text)) return 'not a number';
    const v = Number(text);
    if (PERIODS.has(name) && (v < 0 || !Number.isInteger(v))) return 'a period is a whole number of seconds';
    out.set(name as AttributeName, v);
  }
  return out;
}

/** Applies the changes to the attributes of `key`; false when the client holds too many paths. */
export function applyAttributes(h: AttributeHolder, key: string, changes: ReadonlyMap<AttributeName, number | undefined>): boolean {
  const all = (h.attributes ??= new Map());
  const cur: Attributes = { ...all.get(key) };
  for (const [name, v] of changes) {
    if (v === undefined) delete cur[name];
    else cur[name] = v;
  }
  if (Object.keys(cur).length === 0) all.delete(key);
  else {
    if (!all.has(key) && all.size >= MAX_ATTRIBUTE_PATHS) return false;
    all.set(key, cur);
  }
  if (all.size === 0) h.attributes = undefined;
  return true;
}

/** The attributes that apply at `path`: those of each level from the object down, lower ones winning. */
export function effectiveAttributes(h: AttributeHolder, path: readonly number[]): Attributes | undefined {
  const all = h.attributes;
  if (!all) return undefined;
  let out: Attributes | undefined;
  let key = '';
  for (let d = 0; d < path.length && d < 3; d++) {
    key = d === 0 ? String(path[0]) : `${key}/${path[d]}`;
    const a = all.get(key);
    if (a) out = { ...out, ...a };
  }
  return out;
}

/** The attributes written at exactly `path`, as link-format parameters (";pmin=10;pmax=60"). */
export function attributeParams(h: AttributeHolder, path: readonly number[]): string {
  const a = h.attributes?.get(path.join('/'));
  if (!a) return '';
  let s = '';
  for (const name of ATTRIBUTE_NAMES) if (a[name] !== undefined) s += `;${name}=${a[name]}`;
  return s;
}
