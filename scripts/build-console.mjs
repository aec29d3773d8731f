#!/usr/bin/env node
// Builds the web console (console/) into dist/console: one minified ES module bundle
// (Preact + htm, no runtime dependency of the gateway), its stylesheet and index.html.
// `npm run build` runs it after tsc; `node scripts/build-console.mjs [outdir]` alone too.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Writes the console into `outdir` (default dist/console); resolves to that folder. */
export async function buildConsole(outdir = join(root, 'dist', 'console')) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, 'console'), { recursive: true });
  await build({
    entryPoints: [join(root, 'console', 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    outfile: join(outdir, 'console', 'console.js'),
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'console', 'console.css'), join(outdir, 'console', 'console.css'));
  // the licences of what the bundle contains (Preact and htm, MIT)
  const notices = ['preact', 'htm'].map((pkg) => `${pkg}\n${'='.repeat(pkg.length)}\n${readFileSync(join(root, 'node_modules', pkg, 'LICENSE'), 'utf8').trim()}\n`);
  writeFileSync(join(outdir, 'console', 'LICENSES.txt'), `The web console bundles these packages:\n\n${notices.join('\n')}`);
  copyFileSync(join(root, 'console', 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildConsole(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`console built into ${out}`);
}
