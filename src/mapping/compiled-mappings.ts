/**
 * The compiled set of mapping files: device plans (cached per registration object), the
 * MQTT section's rendering of events and command topic lookup, and the REST section's
 * routes (checked for clashes across files).
 */
import type { NotificationEvent, Registration, SendEvent } from '../lwm2m/server/types.js';
import { compileFile, type CompiledFile, type CompiledTarget } from './compile-file.js';
import type { CompiledCommand } from './mqtt/commands.js';
import type { CompiledPublish } from './mqtt/publish.js';
import type { MappingError } from './errors.js';
import type { LastValues } from './last-values.js';
import { ModelIndex, type MappingModels } from './models.js';
import { DevicePlan } from './plan.js';
import { checkRouteClash, type CompiledRestRoute, type PlacedRoute } from './rest/routes.js';
import { parseSource } from './source.js';
import type { CommandMatch, OutboundMessage, ParseCommandOptions } from './mqtt/types.js';

export interface MappingSource {
  /** file path, used in errors; its name without extension names the mapping */
  file: string;
  text: string;
}

/** A mapped REST route and the file that declares it (its `devices` select who is served). */
export interface RestRouteEntry {
  file: CompiledFile;
  route: CompiledRestRoute;
}

/** The outputs plans render today: the MQTT section's publish outputs. */
const mqttOutputs = (t: CompiledTarget): CompiledPublish[] => t.mqtt?.publish ?? [];

export class CompiledMappings {
  /** the enabled files, in file name order */
  readonly files: readonly CompiledFile[];
  /** the REST routes of the enabled files, files in name order then targets in file order; no two clash */
  readonly restRoutes: readonly RestRouteEntry[];
  private readonly plans = new WeakMap<Registration, DevicePlan<OutboundMessage>>();
  /** shared plans: registered objects (registrations of one payload share the map) -> matching file names -> plan */
  private readonly shared = new WeakMap<Registration['objects'], Map<string, DevicePlan<OutboundMessage>>>();
  private readonly commands: { file: CompiledFile; command: CompiledCommand }[] = [];

  constructor(files: readonly CompiledFile[]) {
    this.files = files.filter((f) => f.enabled);
    for (const file of this.files) for (const t of file.targets) for (const command of t.mqtt?.commands ?? []) this.commands.push({ file, command });
    this.restRoutes = this.files.flatMap((file) => file.targets.flatMap((t) => (t.rest ? [{ file, route: t.rest }] : [])));
  }

  static empty(): CompiledMappings {
    return new CompiledMappings([]);
  }

  /**
   * What the mappings ask for this device; cached per Registration object (an Update makes
   * a new one) and shared between registrations with the same objects and matching files.
   */
  matchDevice(registration: Registration): DevicePlan<OutboundMessage> {
    let plan = this.plans.get(registration);
    if (plan) return plan;
    const files = this.files.filter((f) => f.matches(registration));
    const key = files.map((f) => f.name).join('\n');
    let byFiles = this.shared.get(registration.objects);
    if (!byFiles) this.shared.set(registration.objects, (byFiles = new Map()));
    plan = byFiles.get(key);
    if (!plan) byFiles.set(key, (plan = new DevicePlan(registration, files, mqttOutputs)));
    this.plans.set(registration, plan);
    return plan;
  }

  /**
   * The MQTT messages for a notification or Send event; `known`: the device's last values
   * for messages naming several resources (DevicePlan.render), updated here.
   */
  render(event: NotificationEvent | SendEvent, known?: LastValues): OutboundMessage[] {
    return this.matchDevice(event.registration).render(event, known);
  }

  /** MQTT subscription filters covering every command topic. */
  commandSubscriptions(): string[] {
    return [...new Set(this.commands.map((c) => c.command.subscription))];
  }

  /**
   * Turns a message on a command topic into an operation request; undefined when no
   * command topic matches. The first matching command (file name order) wins.
   */
  parseCommand(topic: string, payload: Buffer | string, options: ParseCommandOptions = {}): CommandMatch | undefined {
    for (const { file, command } of this.commands) {
      const m = command.match(topic, payload, options);
      if (!m) continue;
      if (options.registrationOf) {
        const reg = options.registrationOf(m.endpoint);
        if (reg && !file.matches(reg)) continue;
      }
      return m;
    }
    return undefined;
  }
}

/** Parses, validates and compiles mapping files; a file with errors is left out and its errors returned. */
export function compileMappings(sources: readonly MappingSource[], models: MappingModels): { mappings: CompiledMappings; errors: MappingError[] } {
  const index = new ModelIndex(models);
  const files: CompiledFile[] = [];
  const errors: MappingError[] = [];
  const sorted = [...sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  // REST routes of the enabled files so far: a route that clashes with one of them is an error
  const placed: PlacedRoute[] = [];
  for (const src of sorted) {
    const parsed = parseSource(src.file, src.text);
    const compiled = compileFile(parsed, index);
    if (compiled) {
      const own: PlacedRoute[] = [];
      for (const t of compiled.targets) {
        if (!t.rest) continue;
        if (checkRouteClash(t.rest, src.file, compiled.enabled ? [...placed, ...own] : own, parsed.sink)) own.push({ file: src.file, route: t.rest });
      }
      if (compiled.enabled && parsed.sink.errors.length === 0) placed.push(...own);
    }
    errors.push(...parsed.sink.errors);
    if (compiled && parsed.sink.errors.length === 0) files.push(compiled);
  }
  return { mappings: new CompiledMappings(files), errors };
}
