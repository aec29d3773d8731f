/**
 * The import rules of the northbound faces and the mapping compiler, read from the source:
 * a face talks to the core through its public entry (CoreApi, valueNode) and public types
 * only, faces never import each other, and mapping/ knows no face.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import of a file, as a path under src/ ("lwm2m/server/index.js"). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) out.push(relative(SRC, resolve(dirname(file), m[1]!)).split('\\').join('/'));
  return out;
}

function offending(dir: string, bad: (target: string) => boolean): string[] {
  return files(join(SRC, dir)).flatMap((f) => imports(f).filter(bad).map((t) => `${relative(SRC, f)} -> ${t}`));
}

void test('faces reach the core through its public entry and types alone', () => {
  const publicCore = new Set(['lwm2m/server/index.js', 'lwm2m/server/types.js']);
  assert.deepEqual(offending('northbound', (t) => t.startsWith('lwm2m/server/') && !publicCore.has(t)), []);
});

void test('the faces never import each other', () => {
  const faces = ['mqtt', 'rest', 'onem2m'];
  for (const f of faces) {
    assert.deepEqual(offending(`northbound/${f}`, (t) => faces.some((o) => o !== f && t.startsWith(`northbound/${o}/`))), [], f);
  }
});

void test('the embedded CSE is a component of its own; the oneM2M face reaches it over HTTP only', () => {
  assert.deepEqual(offending('onem2m-cse', (t) => !t.startsWith('onem2m-cse/')), []);
  assert.deepEqual(offending('northbound', (t) => t.startsWith('onem2m-cse/')), []);
});

void test('mapping/ imports no face, and the core imports neither faces nor mappings', () => {
  assert.deepEqual(offending('mapping', (t) => t.startsWith('northbound/')), []);
  assert.deepEqual(offending('lwm2m', (t) => t.startsWith('northbound/') || t.startsWith('mapping/')), []);
});

void test('each face section compiler of mapping/ stays in its folder: no section imports another', () => {
  const sections = ['mqtt', 'rest', 'onem2m'];
  for (const s of sections) {
    assert.deepEqual(offending(`mapping/${s}`, (t) => sections.some((o) => o !== s && t.startsWith(`mapping/${o}/`))), [], s);
  }
});
