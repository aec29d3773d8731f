/**
 * The friendly routes of the mapping files' `rest` sections, as the REST northbound
 * serves them. The mapping compiler (src/mapping/rest.ts) checks and compiles the
 * sections when the files load, so a broken section fails the load (file, line and
 * field) instead of reaching this side:
 *
 * ```yaml
 * targets:
 *   - object: 3303
 *     rest:
 *       path: "/sites/{endpoint}/temperature/{instanceId}"
 *       resources: [5700, "Sensor Units"]   # optional: the payload's resources (default: every readable one)
 *       commands:                           # optional: POST {path}/{name}
 *         reset: { execute: 5605 }
 *         label: { write: "Application Type" }
 *         value: { read: 5700 }
 * ```
 */
import type { CompiledFile } from '../../mapping/compile-file.js';
import type { CompiledMappings } from '../../mapping/compiled-mappings.js';
import type { CompiledRestRoute, RestCommand } from '../../mapping/rest/routes.js';

export type MappedCommand = RestCommand;

/** A compiled route with the file that declares it (its `devices` select who is served). */
export type MappedRoute = CompiledRestRoute & { file: CompiledFile };

/** Every mapped route of a mapping set, in the order they are tried. */
export function mappedRoutesOf(mappings: CompiledMappings): MappedRoute[] {
  return mappings.restRoutes.map(({ file, route }) => ({ ...route, file }));
}
