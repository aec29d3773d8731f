/**
 * Where the model tests find DDF files: the shared OMA registry folder next to the
 * repository when present (LWM2M_REGISTRY_DIR overrides), else the fixtures in
 * test/fixtures/ddf (a fresh clone in CI may have no shared folder).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'ddf');

/** The shared registry folder, or undefined when it is not there. */
export function sharedRegistryDir(): string | undefined {
  const env = process.env['LWM2M_REGISTRY_DIR'];
  // set (even to a missing folder): that folder only, so the fallback can be tried
  if (env !== undefined) return existsSync(env) ? env : undefined;
  const candidates = [
    join(repoRoot, '..', 'shared', 'lwm2m-registry'),
    join(process.cwd(), '..', 'shared', 'lwm2m-registry'),
    // the development machines' shared folder, for clones made elsewhere (CI)
    '/work/shared/lwm2m-registry',
  ];
  return candidates.find((d) => existsSync(d));
}

/** The shared registry folder if present, else the fixtures. */
export function ddfDir(): { dir: string; shared: boolean } {
  const shared = sharedRegistryDir();
  return shared ? { dir: shared, shared: true } : { dir: fixturesDir, shared: false };
}

export function xmlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.xml'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
