import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { Gateway } from '../../../src/gateway.js';
import { MemoryStore } from '../../../src/store/index.js';

function withFile(text: string, fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-store-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, text);
  try {
    fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('store.type memory (the default) gives the LwM2M server a MemoryStore', () => {
  assert.equal(loadConfig(undefined, {}).config.store.type, 'memory');
  withFile('store:\n  type: memory\nmappings:\n  dir: null\n', (file) => {
    const gw = new Gateway(loadConfig(file, {}).config);
    assert.ok(gw.server.store instanceof MemoryStore);
  });
});

void test('store.type names a known store', () => {
  withFile('store:\n  type: redis\n', (file) => {
    assert.throws(() => loadConfig(file, {}), (e: unknown) => e instanceof ConfigError && /:2:\d+: store\.type: must be one of memory/.test(e.message));
  });
});
