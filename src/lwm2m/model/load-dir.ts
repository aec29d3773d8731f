/**
 * Loads a folder of DDF files (vendor objects) into a registry at start-up: a model with
 * the id and version of a built-in replaces it, others extend the registry.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DdfError, parseDdfDocument } from './ddf.js';
import type { ModelRegistry } from './registry.js';
import type { ObjectModel } from './types.js';

/**
 * Reads every *.xml file of `dir` (not sub-folders) and adds its objects to `registry`.
 * Files that define no object (a registry index, a units list) are skipped. Returns the
 * loaded models. Throws a DdfError naming the file and the field on a bad file; then
 * nothing is added.
 */
export function loadModelsDir(registry: ModelRegistry, dir: string): ObjectModel[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml'))
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch (e) {
    throw new DdfError(dir, 'folder', (e as Error).message);
  }
  const loaded: ObjectModel[] = [];
  const origin = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      throw new DdfError(file, 'file', (e as Error).message);
    }
    for (const model of parseDdfDocument(data, file).objects) {
      const key = `${model.id}@${model.version}`;
      const other = origin.get(key);
      if (other !== undefined) {
        throw new DdfError(file, `Object[ID=${model.id}]`, `version ${model.version} is also defined in ${other}`);
      }
      origin.set(key, file);
      loaded.push(model);
    }
  }
  registry.addAll(loaded);
  return loaded;
}
