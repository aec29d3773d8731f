/**
 * DDF loader: object definitions in the OMA LwM2M registry's XML format.
 *
 * A file may hold several <Object> elements. Tag and attribute names are matched without
 * regard to case or namespace prefix; values are trimmed. Besides object definitions, the
 * registry folder holds reusable resources (Common.xml), the index (DDF.xml) and a SenML
 * units list; those are recognised too, so that a whole registry folder reads cleanly.
 * Every error is a DdfError naming the file and the field.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ObjectModel, ResourceModel } from './types.js';
import {
  DdfError,
  fail,
  optionalText,
  parseId,
  parseMandatory,
  parseMultiple,
  parseOperations,
  parseType,
  parseVersion,
  requiredText,
  text,
  type FieldContext,
} from './ddf-fields.js';

export { DdfError } from './ddf-fields.js';

export type DdfKind = 'objects' | 'reusable-resources' | 'index' | 'units';

/** One entry of the registry index (DDF.xml). */
export interface DdfIndexEntry {
  id: number;
  name: string;
  version: string;
  urn: string;
}

export interface DdfDocument {
  file: string;
  kind: DdfKind;
  /** object definitions (kind 'objects') */
  objects: ObjectModel[];
  /** reusable resources, e.g. the registry's Common.xml (kind 'reusable-resources') */
  reusableResources: ResourceModel[];
  /** the registry index, DDF.xml (kind 'index') */
  index: DdfIndexEntry[];
  /** SenML units list (kind 'units') */
  units: string[];
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  transformTagName: (n) => n.toLowerCase(),
  transformAttributeName: (n) => n.toLowerCase(),
});

/** Object definitions of a DDF file; empty for registry files that define no object (index, units). */
export function parseDdf(xml: string | Uint8Array, file: string): ObjectModel[] {
  return parseDdfDocument(xml, file).objects;
}

export function parseDdfDocument(xml: string | Uint8Array, file: string): DdfDocument {
  let source = typeof xml === 'string' ? xml : new TextDecoder('utf-8').decode(xml);
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  const valid = XMLValidator.validate(source);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const where = typeof col === 'number' ? `line ${line}, column ${col}` : `line ${line}`;
    throw new DdfError(file, 'XML', `${where}: ${msg}`);
  }
  let doc: Node;
  try {
    doc = parser.parse(source) as Node;
  } catch (e) {
    throw new DdfError(file, 'XML', e instanceof Error ? e.message : String(e));
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  const ctx: FieldContext = { file, at: '' };
  if (roots.length !== 1) fail(ctx, 'XML', roots.length === 0 ? 'no root element' : 'more than one root element');
  const rootName = roots[0] as string;
  const root = asNode(doc[rootName]);
  const out: DdfDocument = { file, kind: 'objects', objects: [], reusableResources: [], index: [], units: [] };
  switch (rootName) {
    case 'lwm2m':
      readLwm2m(ctx, root, out);
      return out;
    case 'ddflist':
      out.kind = 'index';
      out.index = asArray(root['item']).map((item, i) => readIndexEntry({ file, at: `Item[${i + 1}]` }, asNode(item)));
      return out;
    case 'units':
      out.kind = 'units';
      for (const reg of asArray(root['registry'])) {
        for (const rec of asArray(asNode(reg)['record'])) {
          const v = text(asNode(rec)['value']);
          if (v) out.units.push(v);
        }
      }
      return out;
    default:
      return fail(ctx, 'XML', `root element <${rootName}> is not a DDF document (expected <LWM2M>)`);
  }
}

function readLwm2m(ctx: FieldContext, root: Node, out: DdfDocument): void {
  const objects = asArray(root['object']);
  if (objects.length === 0) fail({ ...ctx, at: 'LWM2M' }, 'Object', 'missing');
  const seen = new Set<string>();
  objects.forEach((o, i) => {
    const node = asNode(o);
    const type = (text(node['@objecttype']) ?? '').toLowerCase();
    if (type === 'commonresources') {
      // reusable resources (the registry's Common.xml) leave out MultipleInstances and Mandatory
      out.reusableResources.push(...readResources({ file: ctx.file, at: `Object[${i + 1}]` }, node, true).values());
      return;
    }
    const model = readObject({ file: ctx.file, at: `Object[${i + 1}]` }, node);
    const key = `${model.id}@${model.version}`;
    if (seen.has(key)) fail(ctx, `Object[ID=${model.id}]`, `defined twice for version ${model.version}`);
    seen.add(key);
    out.objects.push(model);
  });
  if (out.objects.length === 0 && out.reusableResources.length > 0) out.kind = 'reusable-resources';
}

function readObject(ctx0: FieldContext, node: Node): ObjectModel {
  const id = parseId(ctx0, 'ObjectID', requiredText(ctx0, node, 'ObjectID'));
  const ctx = { file: ctx0.file, at: `Object[ID=${id}]` };
  const name = requiredText(ctx, node, 'Name');
  if (name === '') fail(ctx, 'Name', 'empty');
  const version = parseVersion(ctx, node, 'ObjectVersion', '1.0');
  return {
    id,
    name,
    version,
    lwm2mVersion: parseVersion(ctx, node, 'LWM2MVersion', '1.0'),
    urn: optionalText(ctx, node, 'ObjectURN') || defaultUrn(id, version),
    multiple: parseMultiple(ctx, node),
    mandatory: parseMandatory(ctx, node),
    resources: readResources(ctx, node),
  };
}

function readResources(ctx: FieldContext, objectNode: Node, reusable = false): Map<number, ResourceModel> {
  const resources = new Map<number, ResourceModel>();
  const container = objectNode['resources'];
  if (Array.isArray(container)) fail(ctx, 'Resources', 'given more than once');
  const items = asArray(asNode(container)['item']);
  items.forEach((item, i) => {
    const r = readResource({ file: ctx.file, at: `${ctx.at}/Resources/Item[${i + 1}]` }, asNode(item), reusable);
    if (resources.has(r.id)) fail(ctx, `Resources/Item[ID=${r.id}]`, 'resource id defined twice');
    resources.set(r.id, r);
  });
  return resources;
}

function readResource(ctx0: FieldContext, node: Node, reusable: boolean): ResourceModel {
  const rawId = text(node['@id']) ?? text(node['id']);
  const id = parseId(ctx0, 'ID', rawId);
  const ctx = { file: ctx0.file, at: ctx0.at.replace(/Item\[\d+\]$/, `Item[ID=${id}]`) };
  const name = requiredText(ctx, node, 'Name');
  if (name === '') fail(ctx, 'Name', 'empty');
  return {
    id,
    name,
    operations: parseOperations(ctx, node),
    multiple: parseMultiple(ctx, node, reusable ? false : undefined),
    mandatory: parseMandatory(ctx, node),
    type: parseType(ctx, node),
    range: optionalText(ctx, node, 'RangeEnumeration'),
    units: optionalText(ctx, node, 'Units'),
  };
}

function readIndexEntry(ctx: FieldContext, node: Node): DdfIndexEntry {
  const id = parseId(ctx, 'ObjectID', requiredText(ctx, node, 'ObjectID'));
  const version = parseVersion(ctx, node, 'Ver', '1.0');
  return {
    id,
    name: optionalText(ctx, node, 'Name'),
    version,
    urn: optionalText(ctx, node, 'URN') || defaultUrn(id, version),
  };
}

/** URN the spec gives an object when its DDF names none: oma (0..1023), ext (up to 10240), x (vendor). */
export function defaultUrn(id: number, version: string): string {
  const ns = id < 1024 ? 'oma' : id <= 10240 ? 'ext' : 'x';
  return `urn:oma:lwm2m:${ns}:${id}${version === '1.0' ? '' : `:${version}`}`;
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

/** An element as a record; an empty element (parsed as '') becomes {}. */
function asNode(v: unknown): Node {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Node;
  return {};
}
