/**
 * Whatever a mapping file holds, loading it ends in mappings or in positioned errors,
 * never in an exception: YAML aliases shared by many outputs load, alias bombs and
 * self-containing aliases are refused, and the hot reload keeps the last good set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileMappings, loadMappingDir, MappingLoadError, MappingStore, type CompiledMappings, type MappingError, type MappingModels } from '../../../src/mapping/index.js';
import { resource } from '../../../src/lwm2m/node.js';
import { notification, registration, testModels } from './fixtures.js';

const models = testModels();

/** A real file: 150 outputs share one transform through an alias. */
function sharedTransform(outputs: number): string {
  const lines = ['targets:', '  - object: 3303', '    mqtt:', '      publish:', '        - { topic: "t0/{endpoint}", payload: "{value}", transform: &double { scale: 2 } }'];
  for (let i = 1; i <= outputs; i++) lines.push(`        - { topic: "t${i}/{endpoint}", payload: "{value}", transform: *double }`);
  return lines.join('\n') + '\n';
}

/** The billion laughs: nine levels of nine aliases, 9^9 strings once expanded. */
function aliasBomb(): string {
  const levels = 'abcdefghi'.split('');
  const lines = ['targets:', '  - object: 3303', '    onem2m:', `      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < levels.length; i++) {
    const prev = levels[i - 1]!;
    lines.push(`      ${levels[i]}: &${levels[i]} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return lines.join('\n') + '\n';
}

function errorsOf(text: string, file = 'maps/t.yaml'): MappingError[] {
  const { errors, mappings } = compileMappings([{ file, text }], models);
  assert.equal(mappings.files.length, errors.length ? 0 : 1);
  return errors;
}

function topics(m: CompiledMappings): string[] {
  return m.mqtt.render(notification(registration('e1', { 3303: [0] }), '/3303/0/5700', resource(5700, 'float', 1.5))).map((o) => `${o.topic}=${String(o.payload)}`);
}

test('an anchor used 150 times loads, and every output has the shared transform', () => {
  const { errors, mappings } = compileMappings([{ file: 'maps/shared.yaml', text: sharedTransform(150) }], models);
  assert.deepEqual(errors.map((e) => e.message), []);
  const out = topics(mappings);
  assert.equal(out.length, 151);
  assert.equal(out[0], 't0/e1=3');
  assert.equal(out[150], 't150/e1=3');
});

test('an alias bomb is a positioned error at the first alias, not an exception', () => {
  const text = aliasBomb();
  const errors = errorsOf(text);
  assert.equal(errors.length, 1);
  const e = errors[0]!;
  assert.equal(e.file, 'maps/t.yaml');
  assert.equal(e.line, 5, e.message);
  assert.equal(e.column, text.split('\n')[4]!.indexOf('*a') + 1);
  assert.match(e.message, /^maps\/t\.yaml:5:\d+: YAML error: the aliases \(\*name\) expand too much/);
});

test('a wide expansion under the alias count is refused by the value bound', () => {
  // one anchor of 2,000 values used 200 times: 400,000 values once expanded
  const values = Array.from({ length: 2000 }, (_, i) => String(i)).join(',');
  const text = `targets:\n  - object: 3303\n    onem2m:\n      a: &a [${values}]\n      b: [${Array(200).fill('*a').join(',')}]\n`;
  const errors = errorsOf(text);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /^maps\/t\.yaml:5:\d+: YAML error: the file holds more than 100000 values/);
});

test('an alias inside its own anchor is refused, not walked forever', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        payload: &p { inner: *p }\n';
  const errors = errorsOf(text);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /^maps\/t\.yaml:6:\d+: YAML error: .*an alias that contains itself/);
});

test('a compiler failure on one file is an error naming that file; the others load', () => {
  const broken: MappingModels = {
    getObject: (id, version) => {
      if (id === 3304) throw new Error('model store unavailable');
      return models.getObject(id, version);
    },
    getResource: (id, rid, version) => models.getResource(id, rid, version),
    objectIds: () => models.objectIds(),
  };
  const { errors, mappings } = compileMappings(
    [
      { file: 'maps/a.yaml', text: 'targets:\n  - object: 3303\n' },
      { file: 'maps/b.yaml', text: 'targets:\n  - object: 3304\n' },
    ],
    broken,
  );
  assert.deepEqual(errors.map((e) => e.message), ['maps/b.yaml:1:1: cannot compile the file: model store unavailable']);
  assert.deepEqual(mappings.files.map((f) => f.name), ['a']);
});

test('a file over 1 MiB is refused unread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mappings-big-'));
  try {
    writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\ntargets:\n  - object: 3303\n`);
    const r = loadMappingDir(dir, models);
    assert.deepEqual(r.errors.map((e) => e.message), [`${join(dir, 'big.yaml')}:1:1: the file is larger than 1 MiB`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the first load given an alias bomb refuses with a MappingLoadError, as for any broken file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mappings-bomb-'));
  try {
    writeFileSync(join(dir, 'bomb.yaml'), aliasBomb());
    const store = new MappingStore({ dir, models });
    assert.throws(() => store.load(), (e: unknown) => e instanceof MappingLoadError && e.message.startsWith(`${join(dir, 'bomb.yaml')}:5:`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the watcher given an alias bomb reports it and keeps the last good set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mappings-bomb-'));
  let report: (errors: readonly MappingError[]) => void = () => {};
  const failed = new Promise<readonly MappingError[]>((resolve) => (report = resolve));
  const store = new MappingStore({ dir, models, debounceMs: 20, onError: (errors) => report(errors) });
  let timer: NodeJS.Timeout | undefined;
  try {
    writeFileSync(join(dir, 'temp.yaml'), sharedTransform(150));
    const first = store.start();
    writeFileSync(join(dir, 'temp.yaml'), aliasBomb());
    // the timeout is a safety net for a watcher that never fires, not a timing assertion
    const errors = await Promise.race([failed, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no reload error reported')), 10_000)))]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.file, join(dir, 'temp.yaml'));
    assert.equal(errors[0]!.line, 5);
    assert.equal(store.current, first, 'the last good set stays in use');
    assert.equal(topics(store.current).length, 151);
  } finally {
    clearTimeout(timer);
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
