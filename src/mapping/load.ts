/** Reads a folder of mapping files (*.yaml, *.yml) and compiles them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileMappings, type CompiledMappings, type MappingSource } from './compiled.js';
import { MappingError } from './errors.js';
import type { MappingModels } from './models.js';

export interface LoadResult {
  mappings: CompiledMappings;
  errors: MappingError[];
  /** the files read, in name order */
  files: string[];
  /** file -> text as read (to tell a real change from a repeated watch event) */
  sources: MappingSource[];
}

/** Errors of a load, all in the message, one per line. */
export class MappingLoadError extends Error {
  readonly code = 'MAPPING_INVALID';
  constructor(readonly errors: readonly MappingError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'MappingLoadError';
  }
}

export function isMappingFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.');
}

export function readMappingDir(dir: string): { sources: MappingSource[]; errors: MappingError[] } {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && isMappingFile(d.name))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    return { sources: [], errors: [new MappingError(dir, 1, 1, '', `cannot read the mapping folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`)] };
  }
  const sources: MappingSource[] = [];
  const errors: MappingError[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      sources.push({ file, text: readFileSync(file, 'utf8') });
    } catch (e) {
      // removed between listing and reading: an editor's rename; the next event reloads
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        errors.push(new MappingError(file, 1, 1, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`));
      }
    }
  }
  return { sources, errors };
}

/** Loads every mapping file of a folder. Files with errors are left out of `mappings`. */
export function loadMappingDir(dir: string, models: MappingModels): LoadResult {
  const read = readMappingDir(dir);
  const compiled = compileMappings(read.sources, models);
  return { mappings: compiled.mappings, errors: [...read.errors, ...compiled.errors], files: read.sources.map((s) => s.file), sources: read.sources };
}
