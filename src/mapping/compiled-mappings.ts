/**
 * The compiled set of mapping files: the enabled files, and what each face reads of them:
 * the MQTT sections (mqtt/mqtt-mappings.ts: device plans, rendering, command topics) and
 * the REST sections' routes (checked for clashes across files).
 */
import { compileFile, type CompiledFile } from './compile-file.js';
import type { MappingError } from './errors.js';
import { ModelIndex, type MappingModels } from './models.js';
import { MqttMappings } from './mqtt/mqtt-mappings.js';
import { checkRouteClash, type CompiledRestRoute, type PlacedRoute } from './rest/routes.js';
import { parseSource } from './source.js';

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

export class CompiledMappings {
  /** the enabled files, in file name order */
  readonly files: readonly CompiledFile[];
  /** the MQTT sections: device plans, rendering of events, command topics */
  readonly mqtt: MqttMappings;
  /** the REST sections: the routes of the enabled files, files in name order then targets in file order; no two clash */
  readonly restRoutes: readonly RestRouteEntry[];

  constructor(files: readonly CompiledFile[]) {
    this.files = files.filter((f) => f.enabled);
    this.mqtt = new MqttMappings(this.files);
    this.restRoutes = this.files.flatMap((file) => file.targets.flatMap((t) => (t.rest ? [{ file, route: t.rest }] : [])));
  }

  static empty(): CompiledMappings {
    return new CompiledMappings([]);
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
