/**
 * The security file on disk: loaded into the store, reloaded on change (a broken version
 * keeps the last good set), entries set over REST left alone, and the gateway refusing
 * to start on a broken file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { SecurityFileLoadError, SecurityFileSource } from '../../../src/security/security-file-source.js';
import type { MappingError } from '../../../src/mapping/errors.js';
import { Gateway, StartError } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { psk } from '../../helpers/security-store-contract.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const entry = (ep: string, id: string, key = KEY): string => `- { endpoint: ${ep}, mode: psk, identity: ${id}, key: ${key} }\n`;

void test('security file: loaded, reloaded on change, a broken version keeps the last good set', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-sec-'));
  const file = join(dir, 'security.yaml');
  writeFileSync(file, entry('dev1', 'id1') + entry('dev2', 'id2'));
  const store = new MemoryStore();
  let next: ((v: string) => void) | undefined;
  const event = (): Promise<string> => new Promise((r) => (next = r));
  const errors: MappingError[] = [];
  const source = new SecurityFileSource({
    file,
    store: store.security,
    debounceMs: 20,
    onReload: () => next?.('reload'),
    onError: (e) => {
      errors.push(...e);
      next?.('error');
    },
  });
  t.after(() => {
    source.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  source.load();
  source.watch();
  assert.deepEqual(store.security.pskFor(Buffer.from('id1')), Buffer.from(KEY, 'hex'));
  // an entry over REST stays through reloads that do not name its endpoint
  store.security.put(psk('rest1', 'id-rest'));

  let seen = event();
  writeFileSync(file, entry('dev1', 'id1', 'ff') + entry('dev3', 'id3'));
  assert.equal(await seen, 'reload');
  assert.deepEqual(store.security.pskFor(Buffer.from('id1')), Buffer.from('ff', 'hex'));
  assert.equal(store.security.get('dev2'), undefined, 'gone from the file, gone from the store');
  assert.equal(store.security.endpointOf('id3'), 'dev3');
  assert.equal(store.security.endpointOf('id-rest'), 'rest1');

  seen = event();
  writeFileSync(file, entry('dev1', 'id1', 'zz'));
  assert.equal(await seen, 'error');
  assert.equal(errors[0]?.line, 1);
  assert.equal(errors[0]?.field, '[0].key');
  assert.deepEqual(store.security.pskFor(Buffer.from('id1')), Buffer.from('ff', 'hex'), 'the last good set stays');
  assert.equal(store.security.endpointOf('id3'), 'dev3');
});

void test('security file: a broken first load throws with every error and stores nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-sec-'));
  try {
    const file = join(dir, 'security.yaml');
    writeFileSync(file, entry('dev1', 'id1') + '- { endpoint: dev2, mode: psk }\n');
    const store = new MemoryStore();
    const source = new SecurityFileSource({ file, store: store.security });
    assert.throws(() => source.load(), (e: unknown) => e instanceof SecurityFileLoadError && e.errors.length === 2 && /security\.yaml:2:/.test(e.message));
    assert.equal(store.security.size, 0);
    const missing = new SecurityFileSource({ file: join(dir, 'none.yaml'), store: store.security });
    assert.throws(() => missing.load(), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('the gateway loads security.file relative to its config, applies the security.* policy, and refuses a broken file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-sec-'));
  const gateways: Gateway[] = [];
  try {
    writeFileSync(join(dir, 'security.yaml'), entry('dev1', 'id1'));
    writeFileSync(join(dir, 'broken.yaml'), '- { endpoint: dev1 }\n');
    const config = structuredClone(DEFAULT_CONFIG);
    config.store.type = 'memory'; // nothing of a test outlives it
    config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
    config.mqtt.enabled = false;
    config.rest.enabled = false;
    config.mappings = { dir: null, watch: false };
    config.security = { file: 'security.yaml', requireForKnown: true, requireDtls: true };
    const gw = new Gateway(config, { configFile: join(dir, 'gateway.yaml') });
    gateways.push(gw);
    await gw.start();
    assert.equal(gw.server.store.security.endpointOf('id1'), 'dev1');
    const plain = { transport: 'udp', key: 'udp:127.0.0.1:1', address: '127.0.0.1', port: 1 };
    assert.equal((await gw.server.handleUplink(plain, { kind: 'register', params: ['ep=open'], links: new TextEncoder().encode('</3/0>') })).code, 'forbidden');

    const bad = new Gateway({ ...config, security: { ...config.security, file: 'broken.yaml' } }, { configFile: join(dir, 'gateway.yaml') });
    gateways.push(bad);
    await assert.rejects(bad.start(), (e: unknown) => e instanceof StartError && /^security\.file: .*broken\.yaml/.test(e.message) && /broken\.yaml:1:/.test(e.message));
  } finally {
    for (const g of gateways) await g.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
