/**
 * A target's `mqtt` section compiled: its publish outputs (what the MQTT face publishes
 * when the target's values arrive) and its command topics. Errors name the same fields
 * as written: targets[i].mqtt.publish[j], targets[i].mqtt.commands[j].
 */
import type { FieldPath } from '../errors.js';
import type { TargetEnv } from '../target-env.js';
import type { OneOrList } from '../types.js';
import { compileCommand, type CompiledCommand } from './commands.js';
import { compilePublish, type CompiledPublish } from './publish.js';
import type { MqttSectionSpec } from './types.js';

export interface CompiledMqttSection {
  publish: CompiledPublish[];
  commands: CompiledCommand[];
}

function list<T>(v: OneOrList<T> | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `path`: the section's field (targets[i].mqtt); `instances`: the target's instance filter. */
export function compileMqttSection(spec: MqttSectionSpec, env: TargetEnv, path: FieldPath, instances: number[] | undefined): CompiledMqttSection {
  const instSet = instances ? new Set(instances) : undefined;
  const pubs = spec.publish;
  const publish = list(pubs)
    .map((p, i) => compilePublish(p, env, Array.isArray(pubs) ? [...path, 'publish', i] : [...path, 'publish'], instSet))
    .filter((p): p is CompiledPublish => p !== undefined);
  const cmds = spec.commands;
  const commands = list(cmds)
    .map((c, i) => compileCommand(c, env, Array.isArray(cmds) ? [...path, 'commands', i] : [...path, 'commands'], instances))
    .filter((c): c is CompiledCommand => c !== undefined);
  return { publish, commands };
}
