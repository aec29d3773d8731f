/** The bootstrap file: configs by endpoint and the default; errors with file, line and field; reloads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseBootstrapFile } from '../../../src/bootstrap/bootstrap-file.js';
import { BootstrapFileLoadError, BootstrapFileSource } from '../../../src/bootstrap/bootstrap-file-source.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { DEFAULT_CONFIG_KEY, parseBootstrapConfig } from '../../../src/lwm2m/bootstrap/index.js';

const models = ModelRegistry.withBuiltins();
const KEY = '000102030405060708090a0b0c0d0e0f';

const GOOD = `
default:
  servers:
    - { shortServerId: 1, uri: "coap://gw.example:5683", securityMode: nosec }
endpoints:
  dev1:
    servers:
      - { shortServerId: 2, uri: "coaps://gw.example:5684", securityMode: psk, identity: dev1-id, key: ${KEY}, lifetime: 300 }
    objects:
      /24/0: { 5: 60 }
`;

void test('the default and per-endpoint configs, with their positions', () => {
  const r = parseBootstrapFile('bs.yaml', GOOD, models);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors.map((e) => e.message)));
  assert.deepEqual(r.entries.map((e) => [e.endpoint, e.line]), [[DEFAULT_CONFIG_KEY, 3], ['dev1', 7]]);
  assert.equal(r.entries[1]!.config.servers[0]!.lifetime, 300);
});

void test('errors carry file, line, column and field; a key is never quoted', () => {
  const text = `endpoints:
  dev1:
    servers:
      - { shortServerId: 1, uri: "coaps://gw:5684", securityMode: psk, identity: x, key: 0g${KEY} }
    objects:
      /24/0: { 3: "yes please" }
  dev2:
    servers: nope
other: 1
`;
  const r = parseBootstrapFile('bs.yaml', text, models);
  assert.ok(!r.ok);
  const messages = r.errors.map((e) => e.message);
  assert.deepEqual(messages, [
    'bs.yaml:9:1: other: unknown field (fields: default, endpoints)',
    'bs.yaml:4:90: endpoints.dev1.servers[0].key: hex digits, an even number of them, 1 to 64 bytes',
    'bs.yaml:8:14: endpoints.dev2.servers: a list of 0 to 8 server accounts',
  ]);
  assert.ok(!messages.join().includes(KEY));
  const r2 = parseBootstrapFile('bs.yaml', 'endpoints:\n  dev1:\n    servers: []\n    objects:\n      /24/0: { 3: "yes please" }\n', models);
  assert.ok(!r2.ok);
  assert.match(r2.errors[0]!.message, /^bs\.yaml:5:7: endpoints\.dev1\.objects: \/24\/0\/3: .* is not a valid boolean$/);
  const r3 = parseBootstrapFile('bs.yaml', 'endpoints: [1]\n', models);
  assert.ok(!r3.ok);
  const r4 = parseBootstrapFile('bs.yaml', 'a: [\n', models);
  assert.ok(!r4.ok && r4.errors[0]!.message.includes('YAML error'));
});

void test('the source applies the file, keeps configs set elsewhere, and a broken reload changes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsfile-'));
  const file = join(dir, 'bootstrap.yaml');
  try {
    writeFileSync(file, GOOD);
    const store = new MemoryStore();
    const errors: string[] = [];
    const source = new BootstrapFileSource({ file, store: store.bootstrap, models, onError: (e) => errors.push(...e.map((x) => x.message)) });
    source.load();
    assert.deepEqual(store.bootstrap.endpoints().sort(), [DEFAULT_CONFIG_KEY, 'dev1']);
    const rest = parseBootstrapConfig({ servers: [] });
    assert.ok(rest.ok);
    store.bootstrap.put('dev9', rest.config);
    const dev1 = store.bootstrap.get('dev1');
    // dev1 unchanged, the default gone
    writeFileSync(file, GOOD.replace(/default:[\s\S]*?endpoints:/, 'endpoints:'));
    assert.equal(source.reload(), true);
    assert.deepEqual(store.bootstrap.endpoints().sort(), ['dev1', 'dev9']);
    assert.equal(store.bootstrap.get('dev1'), dev1, 'an unchanged config stays the same object');
    writeFileSync(file, 'endpoints: {dev1: {servers: 7}}');
    assert.equal(source.reload(), false);
    assert.equal(errors.length, 1);
    assert.deepEqual(store.bootstrap.endpoints().sort(), ['dev1', 'dev9']);
    writeFileSync(file, 'x: [');
    assert.throws(() => new BootstrapFileSource({ file, store: new MemoryStore().bootstrap, models }).load(), BootstrapFileLoadError);
    source.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
