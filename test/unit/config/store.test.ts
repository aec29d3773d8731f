import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { Gateway, StartError } from '../../../src/gateway.js';
import { FileStore, MemoryStore } from '../../../src/store/index.js';

function withFile(text: string, fn: (file: string, dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-store-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, text);
  return Promise.resolve(fn(file, dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

void test('store.type file (the default) keeps the state under data.dir, relative to the config file', async () => {
  assert.equal(loadConfig(undefined, {}).config.store.type, 'file');
  const ports = 'coap:\n  port: 0\n  address: 127.0.0.1\nmqtt:\n  enabled: false\nrest:\n  enabled: false\n';
  await withFile(`data:\n  dir: state\nmappings:\n  dir: null\n${ports}`, async (file, dir) => {
    const gw = new Gateway(loadConfig(file, {}).config);
    assert.ok(gw.server.store instanceof FileStore);
    assert.ok(existsSync(join(dir, 'state', 'store')));
    try {
      await gw.start();
    } finally {
      await gw.stop();
    }
  });
});

void test('store.type memory gives the LwM2M server a MemoryStore', async () => {
  await withFile('store:\n  type: memory\nmappings:\n  dir: null\n', (file) => {
    const gw = new Gateway(loadConfig(file, {}).config);
    assert.ok(gw.server.store instanceof MemoryStore);
  });
});

void test('a data.dir the file store cannot use is a clear start error', async () => {
  await withFile('data:\n  dir: taken\nmappings:\n  dir: null\n', (file, dir) => {
    writeFileSync(join(dir, 'taken'), 'a file, not a folder');
    assert.throws(() => new Gateway(loadConfig(file, {}).config), (e: unknown) => e instanceof StartError && /data\.dir .*taken/.test(e.message));
  });
});

void test('store.type names a known store', async () => {
  await withFile('store:\n  type: redis\n', (file) => {
    assert.throws(() => loadConfig(file, {}), (e: unknown) => e instanceof ConfigError && /:2:\d+: store\.type: must be one of file, memory/.test(e.message));
  });
});
