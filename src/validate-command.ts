/** `lwm2m-gateway validate [DIR]`: checks mapping files without starting anything. */
import { resolve } from 'node:path';
import type { LoadedConfig } from './config/load.js';
import { ModelRegistry } from './lwm2m/model/registry.js';
import { loadModelsDir } from './lwm2m/model/load-dir.js';
import { validateMappings } from './mapping/index.js';

/** Prints one line per problem and a summary; returns the exit code. Never throws. */
export function validateCommand(loaded: LoadedConfig, dirArg: string | undefined): number {
  try {
    return check(loaded, dirArg);
  } catch (e) {
    process.stderr.write(`validate failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
    return 1;
  }
}

function check(loaded: LoadedConfig, dirArg: string | undefined): number {
  const { config, baseDir } = loaded;
  const models = ModelRegistry.withBuiltins();
  if (config.models.dir) {
    try {
      loadModelsDir(models, resolve(baseDir, config.models.dir));
    } catch (e) {
      process.stderr.write(`models.dir: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const dir = dirArg !== undefined ? resolve(dirArg) : config.mappings.dir ? resolve(baseDir, config.mappings.dir) : undefined;
  if (!dir) {
    process.stderr.write('no folder to check: give one (validate DIR) or set mappings.dir in the config\n');
    return 2;
  }
  const result = validateMappings(dir, models);
  const out = result.ok ? process.stdout : process.stderr;
  for (const line of result.messages) out.write(line + '\n');
  return result.ok ? 0 : 1;
}
