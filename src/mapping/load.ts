/** Reads a folder of mapping files (*.yaml, *.yml) and compiles them. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CompiledMappings, compileMappings, type MappingSource } from './compiled-mappings.js';
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

/** A mapping file larger than this is refused unread. */
export const MAX_FILE_BYTES = 1024 * 1024;

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
      if (statSync(file).size > MAX_FILE_BYTES) {
        errors.push(new MappingError(file, 1, 1, '', `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`));
        continue;
      }
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

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}

/**
 * Compiles the sources; should the compiler throw all the same, each file is compiled
 * alone to name the one at fault, and the load fails with errors instead of throwing.
 */
function compileSafely(dir: string, sources: MappingSource[], models: MappingModels): { mappings: CompiledMappings; errors: MappingError[] } {
  try {
    return compileMappings(sources, models);
  } catch (e) {
    const errors: MappingError[] = [];
    for (const src of sources) {
      try {
        compileMappings([src], models);
      } catch (one) {
        errors.push(new MappingError(src.file, 1, 1, '', `cannot compile the file: ${message(one)}`));
      }
    }
    if (errors.length === 0) errors.push(new MappingError(dir, 1, 1, '', `cannot compile the mapping files: ${message(e)}`));
    return { mappings: CompiledMappings.empty(), errors };
  }
}

/** Loads every mapping file of a folder. Files with errors are left out of `mappings`. Never throws. */
export function loadMappingDir(dir: string, models: MappingModels): LoadResult {
  const read = readMappingDir(dir);
  const compiled = compileSafely(dir, read.sources, models);
  return { mappings: compiled.mappings, errors: [...read.errors, ...compiled.errors], files: read.sources.map((s) => s.file), sources: read.sources };
}
