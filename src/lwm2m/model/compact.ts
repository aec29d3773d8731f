/**
 * The compact row format of the generated built-in object table (builtin-objects.ts), and
 * conversion between rows and ObjectModel. Rows keep the facts of a DDF object, not its
 * description texts.
 */
import type { ObjectModel, Operations, ResourceModel, ResourceType } from './types.js';

/** One-letter codes for resource types in the table. */
export type TypeCode = 's' | 'i' | 'u' | 'f' | 'b' | 'o' | 't' | 'l' | 'c' | '';

const TYPE_OF_CODE: Record<TypeCode, ResourceType> = {
  s: 'string',
  i: 'integer',
  u: 'unsigned',
  f: 'float',
  b: 'boolean',
  o: 'opaque',
  t: 'time',
  l: 'objlnk',
  c: 'corelnk',
  '': 'none',
};

const CODE_OF_TYPE = Object.fromEntries(Object.entries(TYPE_OF_CODE).map(([c, t]) => [t, c])) as Record<
  ResourceType,
  TypeCode
>;

/** Flag bits of rows. */
export const MULTIPLE = 1;
export const MANDATORY = 2;

/** [id, name, operations, flags (1 multiple, 2 mandatory), type code, range, units]; trailing '' left out. */
export type ResourceRow =
  | readonly [number, string, Operations, number, TypeCode]
  | readonly [number, string, Operations, number, TypeCode, string]
  | readonly [number, string, Operations, number, TypeCode, string, string];

/** [id, version, name, lwm2mVersion, urn, flags (1 multiple, 2 mandatory), resources] */
export type ObjectRow = readonly [number, string, string, string, string, number, readonly ResourceRow[]];

function flags(multiple: boolean, mandatory: boolean): number {
  return (multiple ? MULTIPLE : 0) | (mandatory ? MANDATORY : 0);
}

export function toRow(m: ObjectModel): ObjectRow {
  const resources = [...m.resources.values()]
    .sort((a, b) => a.id - b.id)
    .map((r): ResourceRow => {
      const head = [r.id, r.name, r.operations, flags(r.multiple, r.mandatory), CODE_OF_TYPE[r.type]] as const;
      if (r.units !== '') return [...head, r.range, r.units];
      if (r.range !== '') return [...head, r.range];
      return head;
    });
  return [m.id, m.version, m.name, m.lwm2mVersion, m.urn, flags(m.multiple, m.mandatory), resources];
}

export function fromRow(row: ObjectRow): ObjectModel {
  const [id, version, name, lwm2mVersion, urn, f, rows] = row;
  const resources = new Map<number, ResourceModel>();
  for (const r of rows) {
    resources.set(r[0], {
      id: r[0],
      name: r[1],
      operations: r[2],
      multiple: (r[3] & MULTIPLE) !== 0,
      mandatory: (r[3] & MANDATORY) !== 0,
      type: TYPE_OF_CODE[r[4]],
      range: r[5] ?? '',
      units: r[6] ?? '',
    });
  }
  return {
    id,
    name,
    version,
    lwm2mVersion,
    urn,
    multiple: (f & MULTIPLE) !== 0,
    mandatory: (f & MANDATORY) !== 0,
    resources,
  };
}
