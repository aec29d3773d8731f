/** `lwm2m-gateway validate [dir]`: checks every mapping file of a folder. */
import { loadMappingDir } from './load.js';
import type { MappingModels } from './models.js';

export interface ValidateResult {
  ok: boolean;
  /** one line per error (file:line:column: field: message), then a summary line */
  messages: string[];
}

export function validateMappings(dir: string, models: MappingModels): ValidateResult {
  const r = loadMappingDir(dir, models);
  const messages = r.errors.map((e) => e.message);
  const bad = new Set(r.errors.map((e) => e.file)).size;
  if (r.errors.length) messages.push(`${r.errors.length} error(s) in ${bad} file(s); ${r.files.length} file(s) checked in ${dir}`);
  else messages.push(r.files.length ? `${r.files.length} mapping file(s) OK in ${dir}` : `no mapping files (*.yaml, *.yml) in ${dir}`);
  return { ok: r.errors.length === 0, messages };
}
