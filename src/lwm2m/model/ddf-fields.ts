/**
 * Field readers for DDF documents: each turns one XML value into a model value, lenient
 * with case and whitespace, and throws a DdfError naming the file and the field otherwise.
 */
import type { Operations, ResourceType } from './types.js';

export class DdfError extends Error {
  readonly code = 'BAD_DDF';
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
    this.name = 'DdfError';
  }
}

/** Where a reader reports problems: the file and the element path within it. */
export interface FieldContext {
  file: string;
  /** e.g. `Object[ID=3]/Resources/Item[ID=5]` */
  at: string;
}

export function fail(ctx: FieldContext, field: string, detail: string): never {
  throw new DdfError(ctx.file, ctx.at ? `${ctx.at}/${field}` : field, detail);
}

/** Text content of an element: a string, a number, or `{ '#text': ... }` when it has attributes. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const t = (value as Record<string, unknown>)['#text'];
    return t === undefined ? '' : text(t);
  }
  return undefined;
}

/** The element's text, or an error when it is missing, repeated or not text. */
function field(ctx: FieldContext, node: Record<string, unknown>, name: string, key: string): string | undefined {
  const v = node[key];
  if (Array.isArray(v)) fail(ctx, name, 'given more than once');
  const t = text(v);
  if (v !== undefined && t === undefined) fail(ctx, name, 'expected a text value');
  return t;
}

export function requiredText(ctx: FieldContext, node: Record<string, unknown>, name: string): string {
  const t = field(ctx, node, name, name.toLowerCase());
  if (t === undefined) fail(ctx, name, 'missing');
  return t;
}

export function optionalText(ctx: FieldContext, node: Record<string, unknown>, name: string): string {
  return field(ctx, node, name, name.toLowerCase()) ?? '';
}

/** Object or resource id: 0..65534 (65535 is MAX_ID, reserved). */
export function parseId(ctx: FieldContext, name: string, raw: string | undefined): number {
  if (raw === undefined || raw === '') fail(ctx, name, 'missing');
  if (!/^\d{1,5}$/.test(raw)) fail(ctx, name, `not an id: "${raw}"`);
  const n = Number(raw);
  if (n > 65534) fail(ctx, name, `id out of range 0..65534: ${n}`);
  return n;
}

/** "Multiple"/"Single" (also true/false, 1/0); required unless a fallback is given. */
export function parseMultiple(ctx: FieldContext, node: Record<string, unknown>, fallback?: boolean): boolean {
  const raw = fallback === undefined ? requiredText(ctx, node, 'MultipleInstances') : optionalText(ctx, node, 'MultipleInstances');
  const t = raw.toLowerCase();
  if (t === '' && fallback !== undefined) return fallback;
  if (t === 'multiple' || t === 'true' || t === '1') return true;
  if (t === 'single' || t === 'false' || t === '0') return false;
  return fail(ctx, 'MultipleInstances', `expected Multiple or Single, got "${t}"`);
}

/** "Mandatory"/"Optional" (also true/false, 1/0); Optional when missing or empty. */
export function parseMandatory(ctx: FieldContext, node: Record<string, unknown>): boolean {
  const t = optionalText(ctx, node, 'Mandatory').toLowerCase();
  if (t === 'mandatory' || t === 'true' || t === '1') return true;
  if (t === 'optional' || t === 'false' || t === '0' || t === '') return false;
  return fail(ctx, 'Mandatory', `expected Mandatory or Optional, got "${t}"`);
}

export function parseOperations(ctx: FieldContext, node: Record<string, unknown>): Operations {
  const t = optionalText(ctx, node, 'Operations').toUpperCase().replace(/[\s,/]+/g, '');
  switch (t) {
    case '':
    case 'NONE':
      return '';
    case 'R':
    case 'W':
    case 'E':
    case 'RW':
      return t;
    case 'WR':
      return 'RW';
    default:
      return fail(ctx, 'Operations', `expected R, W, RW, E or nothing, got "${t}"`);
  }
}

const TYPES: Record<string, ResourceType> = {
  string: 'string',
  integer: 'integer',
  int: 'integer',
  unsignedinteger: 'unsigned',
  unsignedint: 'unsigned',
  unsigned: 'unsigned',
  float: 'float',
  double: 'float',
  boolean: 'boolean',
  bool: 'boolean',
  opaque: 'opaque',
  time: 'time',
  objlnk: 'objlnk',
  objectlink: 'objlnk',
  corelnk: 'corelnk',
  corelink: 'corelnk',
  none: 'none',
  '': 'none',
};

/** DDF type name ("Unsigned Integer", "Objlnk", ... or empty for executables). */
export function parseType(ctx: FieldContext, node: Record<string, unknown>): ResourceType {
  const raw = optionalText(ctx, node, 'Type');
  const t = TYPES[raw.toLowerCase().replace(/[\s_-]+/g, '')];
  if (t === undefined) fail(ctx, 'Type', `unknown resource type "${raw}"`);
  return t;
}

/** "1.0", "1.1", "2.0"... ; `fallback` when missing or empty. */
export function parseVersion(ctx: FieldContext, node: Record<string, unknown>, name: string, fallback: string): string {
  const t = optionalText(ctx, node, name);
  if (t === '') return fallback;
  if (!/^\d{1,3}(\.\d{1,3})?$/.test(t)) fail(ctx, name, `expected a version like 1.0, got "${t}"`);
  return t.includes('.') ? t : `${t}.0`;
}
