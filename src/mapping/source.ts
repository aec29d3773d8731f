/**
 * Reads one mapping file's text: YAML with positions, then the JSON Schema. Every error
 * names the file, line, column and field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ErrorSink, MappingError, type FieldPath } from './errors.js';
import { MAPPING_SCHEMA } from './schema.js';
import type { MappingFileSpec } from './types.js';

export interface ParsedSource {
  file: string;
  doc: Document | undefined;
  lineCounter: LineCounter;
  sink: ErrorSink;
  /** set when the YAML parsed and the schema accepted it */
  spec?: MappingFileSpec;
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(MAPPING_SCHEMA);
  return validator;
}

function pathOf(err: ErrorObject): FieldPath {
  return err.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': return `unknown field "${String(p.additionalProperty)}"`;
    case 'required': return `missing field "${String(p.missingProperty)}"`;
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
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
    sink.add([], `YAML error: ${String(e)}`);
    return { file, doc: undefined, lineCounter, sink };
  }
  const sink = new ErrorSink(file, doc, lineCounter);
  const yamlErrors = [...doc.errors];
  if (yamlErrors.length) {
    for (const err of yamlErrors) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      sink.errors.push(new MappingError(file, line, col, '', `YAML error: ${err.message.split('\n')[0]}`));
    }
    return { file, doc, lineCounter, sink };
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    sink.add([], 'the file is empty; a mapping file needs "targets"');
    return { file, doc, lineCounter, sink };
  }
  const v = validate();
  if (!v(data)) {
    for (const e of relevant(v.errors ?? [], data)) {
      const path = pathOf(e);
      const extra = e.keyword === 'additionalProperties' ? [String((e.params as { additionalProperty: string }).additionalProperty)] : [];
      sink.add([...path, ...extra], describe(e), { atKey: extra.length > 0 });
    }
    return { file, doc, lineCounter, sink };
  }
  return { file, doc, lineCounter, sink, spec: data as MappingFileSpec };
}

