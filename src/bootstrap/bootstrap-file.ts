/**
 * The bootstrap file (`bootstrap.file`): the default bootstrap config and the configs of
 * single endpoints, in YAML:
 *
 *   default:                       # for any endpoint without its own (optional)
 *     servers:
 *       - { shortServerId: 1, uri: "coaps://gw.example:5684", securityMode: psk,
 *           identity: dev-id, key: 000102..., lifetime: 300, binding: U }
 *   endpoints:
 *     dev1:
 *       servers: [...]
 *       objects: { "/24/0": { "0": "mqtt://broker:1883" } }
 *       delete: ["/0", "/1"]
 *
 * Errors carry file, line, column and field; a key's value is never quoted in one.
 */
import type { MappingError } from '../mapping/errors.js';
import { positionOf } from '../mapping/errors.js';
import type { ModelProvider } from '../lwm2m/model/types.js';
import { DEFAULT_CONFIG_KEY, objectsProblem, parseBootstrapConfig, type BootstrapConfig } from '../lwm2m/bootstrap/index.js';
import { endpointNameProblem } from '../lwm2m/server/endpoint-name.js';
import { parseYaml } from '../yaml-file.js';

export const MAX_BOOTSTRAP_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_BOOTSTRAP_ENDPOINTS = 100_000;

/** a config and where it is in the file */
export interface BootstrapFileEntry {
  /** the endpoint, or DEFAULT_CONFIG_KEY for the default */
  readonly endpoint: string;
  readonly config: BootstrapConfig;
  readonly field: string;
  readonly line: number;
  readonly column: number;
}

export type BootstrapFileResult = { ok: true; entries: BootstrapFileEntry[] } | { ok: false; errors: MappingError[] };

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the text of a bootstrap file; every error found, or the configs. */
export function parseBootstrapFile(file: string, text: string, models: ModelProvider): BootstrapFileResult {
  const y = parseYaml(file, text);
  if (!y.ok) return y;
  const { data, sink, doc, lc } = y;
  if (data === null || data === undefined) return { ok: true, entries: [] };
  if (!isMap(data)) {
    sink.add([], 'the bootstrap file is a map: { default: {...}, endpoints: { <name>: {...} } }');
    return { ok: false, errors: sink.errors };
  }
  for (const k of Object.keys(data)) if (k !== 'default' && k !== 'endpoints') sink.add([k], 'unknown field (fields: default, endpoints)', { atKey: true });
  const entries: BootstrapFileEntry[] = [];
  const take = (at: (string | number)[], endpoint: string, raw: unknown): void => {
    const r = parseBootstrapConfig(raw);
    if (!r.ok) {
      for (const p of r.problems) sink.add([...at, ...p.field], p.message);
      return;
    }
    const bad = objectsProblem(r.config, models);
    if (bad) return sink.add([...at, 'objects'], bad);
    entries.push({ endpoint, config: r.config, field: at.join('.'), ...positionOf(doc, lc, at) });
  };
  if (data.default !== undefined && data.default !== null) take(['default'], DEFAULT_CONFIG_KEY, data.default);
  const eps = data.endpoints;
  if (eps !== undefined && eps !== null) {
    if (!isMap(eps)) sink.add(['endpoints'], 'a map of endpoint names to configs');
    else if (Object.keys(eps).length > MAX_BOOTSTRAP_ENDPOINTS) sink.add(['endpoints'], `more than ${MAX_BOOTSTRAP_ENDPOINTS} endpoints`);
    else {
      for (const [name, raw] of Object.entries(eps)) {
        const bad = endpointNameProblem(name);
        if (bad) sink.add(['endpoints', name], bad, { atKey: true });
        else take(['endpoints', name], name, raw);
      }
    }
  }
  return sink.errors.length ? { ok: false, errors: sink.errors } : { ok: true, entries };
}
