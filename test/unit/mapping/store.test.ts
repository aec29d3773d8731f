import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MappingLoadError, MappingStore, validateMappings, type CompiledMappings, type MappingError } from '../../../src/mapping/index.js';
import { resource } from '../../../src/lwm2m/node.js';
import { notification, registration, testModels } from './fixtures.js';

const models = testModels();
const good = (topic: string) => `targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "${topic}/{endpoint}"\n`;
const BROKEN = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "x/{endpont}"\n';

function topics(m: CompiledMappings): string[] {
  return m.mqtt.render(notification(registration('e1', { 3303: [0] }), '/3303/0/5700', resource(5700, 'float', 1))).map((o) => o.topic);
}

/** Collects store callbacks; next() waits for the next one (the timeout is a safety net, not a timing assertion). */
class Events<T> {
  private readonly queue: T[] = [];
  private pending: ((v: T) => void) | undefined;
  push = (v: T): void => {
    if (this.pending) this.pending(v);
    else this.queue.push(v);
  };
  next(ms = 10_000): Promise<T> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error('no store event'));
      }, ms);
      this.pending = (v) => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve(v);
      };
    });
  }
}

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mappings-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('the first load refuses a broken folder, naming file and line', withDir((dir) => {
  writeFileSync(join(dir, 'a.yaml'), good('a'));
  writeFileSync(join(dir, 'b.yaml'), BROKEN);
  const store = new MappingStore({ dir, models });
  assert.throws(() => store.start(), (e: unknown) => {
    assert.ok(e instanceof MappingLoadError);
    assert.equal(e.errors.length, 1);
    assert.match(e.message, new RegExp(`^${join(dir, 'b.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:19: targets\\[0\\]\\.mqtt\\.publish\\.topic: bad template: unknown placeholder \\{endpont\\}`));
    return true;
  });
  store.stop();
}));

test('a missing folder is an error', () => {
  const store = new MappingStore({ dir: join(tmpdir(), 'no-such-mappings-dir-' + process.pid), models });
  assert.throws(() => store.load(), /cannot read the mapping folder \(ENOENT\)/);
});

test('hot reload keeps the last good mappings on a broken change and replaces them on a good one', withDir(async (dir) => {
  writeFileSync(join(dir, 'temp.yaml'), good('first'));
  const reloads = new Events<CompiledMappings>();
  const failures = new Events<readonly MappingError[]>();
  const store = new MappingStore({ dir, models, debounceMs: 20, onReload: reloads.push, onError: failures.push });
  try {
    const first = store.start();
    assert.deepEqual(topics(first), ['first/e1']);

    writeFileSync(join(dir, 'temp.yaml'), BROKEN);
    const errors = await failures.next();
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.file, join(dir, 'temp.yaml'));
    assert.equal(errors[0]!.line, 5);
    assert.equal(store.current, first, 'the last good set stays in use');
    assert.deepEqual(topics(store.current), ['first/e1']);

    writeFileSync(join(dir, 'temp.yaml'), good('second'));
    const second = await reloads.next();
    assert.equal(store.current, second);
    assert.deepEqual(topics(store.current), ['second/e1']);

    // an editor's save by rename, then a new file
    writeFileSync(join(dir, '.temp.yaml.swp'), good('third'));
    renameSync(join(dir, '.temp.yaml.swp'), join(dir, 'temp.yaml'));
    await reloads.next();
    assert.deepEqual(topics(store.current), ['third/e1']);
    writeFileSync(join(dir, 'zz.yml'), good('extra'));
    await reloads.next();
    assert.deepEqual(topics(store.current), ['third/e1', 'extra/e1']);
  } finally {
    store.stop();
  }
}));

test('reload() reports unchanged content without replacing', withDir((dir) => {
  writeFileSync(join(dir, 'a.yaml'), good('a'));
  const store = new MappingStore({ dir, models });
  const first = store.load();
  const r = store.reload();
  assert.ok(r.ok);
  assert.equal(r.changed, false);
  assert.equal(store.current, first);
  writeFileSync(join(dir, 'a.yaml'), good('b'));
  const r2 = store.reload();
  assert.ok(r2.ok && r2.changed);
  assert.notEqual(store.current, first);
  store.stop();
}));

test('validateMappings lists every error and a summary', withDir((dir) => {
  writeFileSync(join(dir, 'a.yaml'), good('a'));
  assert.deepEqual(validateMappings(dir, models), { ok: true, messages: [`1 mapping file(s) OK in ${dir}`] });
  writeFileSync(join(dir, 'b.yaml'), BROKEN);
  writeFileSync(join(dir, 'c.yaml'), 'targets:\n  - object: 1234\n');
  const r = validateMappings(dir, models);
  assert.equal(r.ok, false);
  assert.equal(r.messages.length, 3);
  assert.ok(r.messages[0]!.startsWith(join(dir, 'b.yaml') + ':5:'));
  assert.ok(r.messages[1]!.startsWith(join(dir, 'c.yaml') + ':2:13: targets[0].object: unknown object 1234'));
  assert.match(r.messages[2]!, /2 error\(s\) in 2 file\(s\); 3 file\(s\) checked/);
}));

test('a broken edit put back as it was: onRecovered, the mappings in force unchanged', withDir((dir) => {
  writeFileSync(join(dir, 'a.yaml'), good('a'));
  let recovered = 0;
  let errors = 0;
  const store = new MappingStore({ dir, models, onRecovered: () => recovered++, onError: () => errors++ });
  const first = store.load();
  writeFileSync(join(dir, 'a.yaml'), BROKEN);
  assert.equal(store.reload().ok, false);
  assert.equal(errors, 1);
  writeFileSync(join(dir, 'a.yaml'), good('a'));
  const r = store.reload();
  assert.ok(r.ok && !r.changed);
  assert.equal(recovered, 1);
  assert.equal(store.current, first);
  assert.ok(store.reload().ok);
  assert.equal(recovered, 1, 'only once, after a failure');
}));

test('a reload whose onReload throws is reported through onError, not thrown from the timer', withDir(async (dir) => {
  writeFileSync(join(dir, 'a.yaml'), good('a'));
  const failures = new Events<readonly MappingError[]>();
  const store = new MappingStore({
    dir,
    models,
    debounceMs: 20,
    onReload: () => {
      throw new Error('re-planning failed');
    },
    onError: failures.push,
  });
  try {
    store.start();
    writeFileSync(join(dir, 'a.yaml'), good('b'));
    const errors = await failures.next();
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, `${dir}:1:1: reloading the mappings failed: re-planning failed`);
  } finally {
    store.stop();
  }
}));
