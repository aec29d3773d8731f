/**
 * The `onem2m` sections of a mapping file, compiled for the oneM2M IPE face. A target's
 * section says how its object instances appear on the CSE (TS-0014 mapping modes):
 * - `semantic`: containers object / instance / resource, values as contentInstances;
 * - `transparent`: one container per instance, contentInstances carrying the instance's
 *   values encoded as SenML JSON (cnf application/senml+json);
 * - `flexContainer`: one flexContainer per instance, a custom attribute per resource.
 * `commands` name command containers: a contentInstance put there becomes a write or an
 * execute on the device. The file's section gives the default `mode`.
 */
import type { ErrorSink, FieldPath } from '../errors.js';
import type { TargetEnv } from '../target-env.js';

/** A `onem2m` section as written: an object of fields, each any YAML value. */
export interface OneM2mSectionSpec {
  readonly [field: string]: unknown;
}

export const ONEM2M_MODES = ['semantic', 'transparent', 'flexContainer'] as const;
export type OneM2mMode = (typeof ONEM2M_MODES)[number];

export interface OneM2mCommand {
  /** the command container's resource name */
  name: string;
  op: 'write' | 'execute';
  resourceId: number;
}

/** A compiled `onem2m` section. */
export interface CompiledOneM2mSection {
  /** the fields as written */
  readonly fields: OneM2mSectionSpec;
  /** undefined in a file's section without `mode`: the face's default (semantic) */
  mode?: OneM2mMode;
  /** mni of the containers the face creates */
  mni?: number;
  /** flexContainer: its specialization (prefix:name), containerDefinition, attribute name per resource */
  flex?: { specialization: string; cnd: string; attributes: Map<number, string> };
  commands: OneM2mCommand[];
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const FLEX_NAME = /^[a-z][a-z0-9]{0,15}:[A-Za-z][A-Za-z0-9]{0,63}$/;
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const FILE_FIELDS = new Set(['mode']);
const TARGET_FIELDS = new Set(['mode', 'mni', 'specialization', 'containerDefinition', 'attributes', 'commands']);

function unknownFields(spec: OneM2mSectionSpec, allowed: Set<string>, path: FieldPath, sink: ErrorSink): void {
  for (const k of Object.keys(spec)) if (!allowed.has(k)) sink.add([...path, k], `unknown field (allowed: ${[...allowed].join(', ')})`, { atKey: true });
}

function modeOf(spec: OneM2mSectionSpec, path: FieldPath, sink: ErrorSink): OneM2mMode | undefined {
  if (spec.mode === undefined) return undefined;
  if (ONEM2M_MODES.includes(spec.mode as OneM2mMode)) return spec.mode as OneM2mMode;
  sink.add([...path, 'mode'], `mode must be one of ${ONEM2M_MODES.join(', ')}`);
  return undefined;
}

/** Compiles a file's `onem2m` section (its default mode). */
export function compileOneM2mSection(spec: OneM2mSectionSpec | undefined, path: FieldPath = ['onem2m'], sink?: ErrorSink): CompiledOneM2mSection | undefined {
  if (spec === undefined) return undefined;
  if (sink) unknownFields(spec, FILE_FIELDS, path, sink);
  const mode = sink ? modeOf(spec, path, sink) : undefined;
  return { fields: spec, ...(mode ? { mode } : {}), commands: [] };
}

function compileCommands(v: unknown, env: TargetEnv, path: FieldPath): OneM2mCommand[] {
  if (v === undefined) return [];
  const out: OneM2mCommand[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    env.sink.add(path, 'commands: an object of command container name -> { write: resource } or { execute: resource }');
    return out;
  }
  for (const [name, c] of Object.entries(v as Record<string, unknown>)) {
    const at = [...path, name];
    if (!NAME.test(name)) env.sink.add(at, 'a command name is a letter then letters, digits, - or _ (32 at most)', { atKey: true });
    const op = typeof c === 'object' && c !== null ? (['write', 'execute'] as const).filter((k) => k in c) : [];
    if (op.length !== 1 || Object.keys(c as object).length !== 1) {
      env.sink.add(at, 'give exactly one of write, execute');
      continue;
    }
    const kind = op[0]!;
    const id = env.resource((c as Record<string, string | number>)[kind]!, [...at, kind]);
    if (id === undefined) continue;
    const ops = env.object.resources.get(id)?.operations ?? '';
    if (!ops.includes(kind === 'write' ? 'W' : 'E')) env.sink.add([...at, kind], `resource ${id} does not allow ${kind} (operations "${ops}")`);
    else out.push({ name, op: kind, resourceId: id });
  }
  return out;
}

/** Compiles a target's `onem2m` section against the target's object. */
export function compileOneM2mTarget(spec: OneM2mSectionSpec, env: TargetEnv, path: FieldPath): CompiledOneM2mSection {
  const sink = env.sink;
  unknownFields(spec, TARGET_FIELDS, path, sink);
  const mode = modeOf(spec, path, sink);
  let mni: number | undefined;
  if (spec.mni !== undefined) {
    if (typeof spec.mni === 'number' && Number.isInteger(spec.mni) && spec.mni >= 1 && spec.mni <= 100_000) mni = spec.mni;
    else sink.add([...path, 'mni'], 'mni: an integer from 1 to 100000');
  }
  let flex: CompiledOneM2mSection['flex'];
  if (mode === 'flexContainer') {
    const specialization = spec.specialization ?? `lwm2m:obj${env.object.id}`;
    if (typeof specialization !== 'string' || !FLEX_NAME.test(specialization)) sink.add([...path, 'specialization'], 'specialization: prefix:name (cod:tempe)');
    const cnd = spec.containerDefinition ?? `org.openmobilealliance.lwm2m.${env.object.id}`;
    if (typeof cnd !== 'string' || cnd.length === 0 || cnd.length > 256) sink.add([...path, 'containerDefinition'], 'containerDefinition: a non-empty string');
    const attributes = new Map<number, string>();
    const given = spec.attributes;
    if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) sink.add([...path, 'attributes'], 'attributes: an object of attribute name -> resource');
    else if (given) {
      for (const [name, ref] of Object.entries(given as Record<string, string | number>)) {
        if (!ATTRIBUTE.test(name)) sink.add([...path, 'attributes', name], 'an attribute name is a letter then letters or digits (32 at most)', { atKey: true });
        const id = env.resource(ref, [...path, 'attributes', name]);
        if (id !== undefined) attributes.set(id, name);
      }
    }
    flex = { specialization: String(specialization), cnd: String(cnd), attributes };
  } else {
    for (const k of ['specialization', 'containerDefinition', 'attributes']) if (spec[k] !== undefined) sink.add([...path, k], `${k} applies to mode flexContainer only`);
  }
  const commands = compileCommands(spec.commands, env, [...path, 'commands']);
  return { fields: spec, ...(mode ? { mode } : {}), ...(mni !== undefined ? { mni } : {}), ...(flex ? { flex } : {}), commands };
}
