/**
 * Compiles one schema-checked mapping file against the object models: names resolved
 * to ids, templates and transforms turned into functions. Errors go to the file's sink.
 *
 * A target compiles into what every face shares (the object, its instances, what to
 * observe and with which attributes) and one section per face, each compiled by that
 * face's compiler: mqtt/section.ts, rest/routes.ts, onem2m/section.ts.
 */
import { basename, extname } from 'node:path';
import { globsMatcher } from '../glob.js';
import type { Attributes, Registration } from '../lwm2m/server/types.js';
import type { FieldPath } from './errors.js';
import type { ModelIndex } from './models.js';
import { compileMqttSection, type CompiledMqttSection } from './mqtt/section.js';
import { compileOneM2mSection, compileOneM2mTarget, type CompiledOneM2mSection } from './onem2m/section.js';
import { compileRest, parsePathTemplate, type CompiledRestRoute, type RawSegment } from './rest/routes.js';
import type { RestFileSpec } from './rest/types.js';
import type { ParsedSource } from './source.js';
import { TargetEnv } from './target-env.js';
import type { MappingFileSpec, OneOrList, TargetSpec } from './types.js';

export interface CompiledObserve {
  /** undefined: the whole instance */
  resources?: number[];
  attributes?: Attributes;
  composite: boolean;
}

export interface CompiledTarget {
  objectId: number;
  objectName: string;
  /** undefined: every registered instance */
  instances?: number[];
  observe: CompiledObserve[];
  /** the MQTT face's section: publish outputs and command topics */
  mqtt?: CompiledMqttSection;
  /** the REST face's section: the friendly route */
  rest?: CompiledRestRoute;
  /** the oneM2M IPE face's section: mode, container sizes, flexContainer attributes, commands */
  onem2m?: CompiledOneM2mSection;
}

export interface CompiledFile {
  /** file name without extension: "temperature" */
  name: string;
  file: string;
  enabled: boolean;
  description?: string;
  /** true when the file's `devices` selects this registration */
  matches(registration: Registration): boolean;
  targets: CompiledTarget[];
  /** as written (its prefix is already part of every target's route) */
  rest?: RestFileSpec;
  onem2m?: CompiledOneM2mSection;
}

function list<T>(v: OneOrList<T> | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function compileDevices(spec: MappingFileSpec['devices'], parsed: ParsedSource, index: ModelIndex): (r: Registration) => boolean {
  if (!spec) return () => true;
  const checks: ((r: Registration) => boolean)[] = [];
  if (spec.endpoint !== undefined) {
    const globs = Array.isArray(spec.endpoint) ? spec.endpoint : [spec.endpoint];
    // endpoint names are chosen by devices: matched without a backtracking regexp
    const matches = globsMatcher(globs);
    checks.push((r) => matches(r.endpoint));
  }
  if (spec.endpointPattern !== undefined) {
    try {
      const re = new RegExp(spec.endpointPattern);
      checks.push((r) => re.test(r.endpoint));
    } catch (e) {
      parsed.sink.add(['devices', 'endpointPattern'], `bad regular expression: ${(e as Error).message}`);
    }
  }
  if (spec.objects) {
    const ids: number[] = [];
    spec.objects.forEach((ref, i) => {
      const o = index.object(ref);
      if (o.ok) ids.push(o.value.id);
      else parsed.sink.add(['devices', 'objects', i], o.message);
    });
    checks.push((r) => ids.every((id) => r.objects.has(id)));
  }
  return (r) => checks.every((c) => c(r));
}

function compileTarget(spec: TargetSpec, path: FieldPath, name: string, parsed: ParsedSource, index: ModelIndex, restPrefix: RawSegment[] | null | undefined): CompiledTarget | undefined {
  const o = index.object(spec.object);
  if (!o.ok) {
    parsed.sink.add([...path, 'object'], o.message);
    return undefined;
  }
  const env = new TargetEnv(name, o.value, index, parsed.sink);
  const instances = spec.instances ? [...new Set(spec.instances)] : undefined;
  if (instances && !o.value.multiple && instances.some((i) => i !== 0)) {
    parsed.sink.add([...path, 'instances'], `object ${o.value.id} (${o.value.name}) is single-instance: only instance 0 exists`);
  }
  const single = !Array.isArray(spec.observe);
  const observe: CompiledObserve[] = list(spec.observe).map((ob, i) => {
    const obPath = single ? [...path, 'observe'] : [...path, 'observe', i];
    const resources = env.resourceList(ob.resources, [...obPath, 'resources']);
    for (const id of resources ?? []) {
      const r = o.value.resources.get(id)!;
      if (!r.operations.includes('R')) parsed.sink.add([...obPath, 'resources'], `resource ${id} (${r.name}) is not readable (operations "${r.operations}") and cannot be observed`);
    }
    const a = ob.attributes;
    if (a && a.pmin != null && a.pmax != null && a.pmin > a.pmax) parsed.sink.add([...obPath, 'attributes', 'pmin'], 'pmin must not exceed pmax');
    // LwM2M 1.1 5.1.2: lt < gt, and lt + 2 * st < gt
    if (a && a.lt != null && a.gt != null && a.lt + 2 * (a.st ?? 0) >= a.gt) {
      parsed.sink.add([...obPath, 'attributes', 'lt'], a.st != null ? 'lt + 2 * st must be lower than gt' : 'lt must be lower than gt');
    }
    return { resources, attributes: ob.attributes, composite: ob.composite ?? false };
  });
  const mqtt = spec.mqtt ? compileMqttSection(spec.mqtt, env, [...path, 'mqtt'], instances) : undefined;
  const rest = spec.rest ? compileRest(spec.rest, env, [...path, 'rest'], instances, restPrefix) : undefined;
  const onem2m = spec.onem2m ? compileOneM2mTarget(spec.onem2m, env, [...path, 'onem2m']) : undefined;
  return { objectId: o.value.id, objectName: o.value.name, instances, observe, ...(mqtt ? { mqtt } : {}), ...(rest ? { rest } : {}), ...(onem2m ? { onem2m } : {}) };
}

/** Compiles a parsed file; undefined (and errors in parsed.sink) when anything is wrong. Never throws. */
export function compileFile(parsed: ParsedSource, index: ModelIndex): CompiledFile | undefined {
  try {
    return compileSpec(parsed, index);
  } catch (e) {
    parsed.sink.add([], `cannot compile the file: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200)}`);
    return undefined;
  }
}

function compileSpec(parsed: ParsedSource, index: ModelIndex): CompiledFile | undefined {
  const spec = parsed.spec;
  if (!spec) return undefined;
  const name = basename(parsed.file, extname(parsed.file));
  const before = parsed.sink.errors.length;
  const matches = compileDevices(spec.devices, parsed, index);
  const prefix = spec.rest?.prefix === undefined ? undefined : (parsePathTemplate(spec.rest.prefix, ['rest', 'prefix'], parsed.sink) ?? null);
  const targets = spec.targets
    .map((t, i) => compileTarget(t, ['targets', i], name, parsed, index, prefix))
    .filter((t): t is CompiledTarget => t !== undefined);
  const onem2m = compileOneM2mSection(spec.onem2m, ['onem2m'], parsed.sink);
  if (parsed.sink.errors.length > before) return undefined;
  return { name, file: parsed.file, enabled: spec.enabled ?? true, description: spec.description, matches, targets, rest: spec.rest, ...(onem2m ? { onem2m } : {}) };
}
