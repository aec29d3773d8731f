/**
 * Reads one mapping file's text: YAML with positions, then the JSON Schema. Every error
 * names the file, line, column and field; nothing a file holds makes this throw.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isAlias, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ErrorSink, MappingError, type FieldPath } from './errors.js';
import { MAPPING_SCHEMA } from './schema.js';
import { nearest } from './suggest.js';
import type { MappingFileSpec } from './types.js';

export interface ParsedSource {
  file: string;
  doc: Document | undefined;
  lineCounter: LineCounter;
  sink: ErrorSink;
  /** set when the YAML parsed and the schema accepted it */
  spec?: MappingFileSpec;
}

/**
 * How many times YAML aliases may be expanded (yaml's own measure, which grows with the
 * size of what each alias stands for). yaml's default of 100 refuses real files that
 * share one transform or payload between many outputs; an alias bomb still exceeds this.
 */
export const MAX_ALIAS_COUNT = 10_000;
/** How many values (objects, arrays, scalars) a file may hold once its aliases are expanded. */
export const MAX_VALUES = 100_000;

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  // verbose: errors carry the schema they come from (the allowed keys, for "did you mean")
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(MAPPING_SCHEMA);
  return validator;
}

/** True when `data` holds more than `limit` values, counting each alias expansion (and a cycle as endless). */
function exceeds(data: unknown, limit: number): boolean {
  const stack: unknown[] = [data];
  let count = 0;
  while (stack.length) {
    const v = stack.pop();
    if (++count > limit) return true;
    if (v === null || typeof v !== 'object') continue;
    for (const item of Array.isArray(v) ? (v as unknown[]) : Object.values(v)) {
      if (stack.length + count >= limit) return true;
      stack.push(item);
    }
  }
  return false;
}

/** Offset of the first alias (*name) in the document, where alias problems are reported. */
function firstAlias(doc: Document): number {
  let at = 0;
  visit(doc, {
    Alias(_key, node) {
      if (!isAlias(node) || !node.range) return undefined;
      at = node.range[0];
      return visit.BREAK;
    },
  });
  return at;
}

function errorAt(file: string, lc: LineCounter, offset: number, detail: string): MappingError {
  const { line, col } = lc.linePos(offset);
  return new MappingError(file, line, col, '', detail);
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}

function pathOf(err: ErrorObject): FieldPath {
  return err.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** ` (did you mean "x"?)` or '' */
function hint(word: unknown, candidates: unknown[]): string {
  if (typeof word !== 'string') return '';
  const best = nearest(word, candidates.filter((c): c is string => typeof c === 'string'));
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function describe(err: ErrorObject, data: unknown): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `unknown field "${String(p.additionalProperty)}"${hint(p.additionalProperty, known)}`;
    }
    case 'required': return `missing field "${String(p.missingProperty)}"`;
    case 'enum': {
      const allowed = p.allowedValues as unknown[];
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${hint(valueAt(data, pathOf(err)), allowed)}`;
    }
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'type': return `must be ${Array.isArray(p.type) ? (p.type as string[]).join(' or ') : String(p.type)}`;
    default: return err.message ?? 'invalid';
  }
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/**
 * Ajv reports every branch of an "one or a list" anyOf. When the value is an object or
 * an array, the branch of the other shape only says "must be array/object": drop that,
 * and drop the anyOf summary when details remain.
 */
function relevant(errors: ErrorObject[], data: unknown): ErrorObject[] {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => {
    if (e.keyword !== 'type' || !anyOfAt.has(e.instancePath)) return true;
    const value = valueAt(data, pathOf(e));
    return typeof value !== 'object' || value === null;
  });
  const detailed = kept.filter((e) => e.keyword !== 'anyOf');
  return detailed.length ? detailed : kept;
}

export function parseSource(file: string, text: string): ParsedSource {
  const lineCounter = new LineCounter();
  let doc: Document | undefined;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    const sink = new ErrorSink(file, undefined, lineCounter);
    sink.add([], `YAML error: ${reason(e)}`);
    return { file, doc: undefined, lineCounter, sink };
  }
  const sink = new ErrorSink(file, doc, lineCounter);
  const parsed: ParsedSource = { file, doc, lineCounter, sink };
  const yamlErrors = [...doc.errors];
  if (yamlErrors.length) {
    for (const err of yamlErrors) sink.errors.push(errorAt(file, lineCounter, err.pos[0], `YAML error: ${err.message.split('\n')[0]}`));
    return parsed;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const detail = /alias count/i.test(reason(e))
      ? `YAML error: the aliases (*name) expand too much (an alias count over ${MAX_ALIAS_COUNT}): a file may not multiply its size through aliases`
      : `YAML error: ${reason(e)}`;
    sink.errors.push(errorAt(file, lineCounter, firstAlias(doc), detail));
    return parsed;
  }
  if (exceeds(data, MAX_VALUES)) {
    sink.errors.push(errorAt(file, lineCounter, firstAlias(doc), `YAML error: the file holds more than ${MAX_VALUES} values once its aliases (*name) are expanded, or an alias that contains itself`));
    return parsed;
  }
  if (data === null || data === undefined) {
    sink.add([], 'the file is empty; a mapping file needs "targets"');
    return parsed;
  }
  try {
    const v = validate();
    if (!v(data)) {
      for (const e of relevant(v.errors ?? [], data)) {
        const path = pathOf(e);
        const extra = e.keyword === 'additionalProperties' ? [String((e.params as { additionalProperty: string }).additionalProperty)] : [];
        sink.add([...path, ...extra], describe(e, data), { atKey: extra.length > 0 });
      }
      return parsed;
    }
  } catch (e) {
    sink.add([], `cannot check the file against the schema: ${reason(e)}`);
    return parsed;
  }
  return { ...parsed, spec: data as MappingFileSpec };
}

