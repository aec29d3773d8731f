/** The `console` section: on by default, off by config or environment, bad values refused naming the key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';

void test('console: enabled by default with the built-in files; off from the file or the environment; bad values name the key', () => {
  assert.deepEqual(DEFAULT_CONFIG.console, { enabled: true, assetsDir: null });
  const dir = mkdtempSync(join(tmpdir(), 'gwcfg-console-'));
  try {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'rest:\n  port: 0\n');
    assert.equal(loadConfig(file, {}).config.console?.enabled, true);
    assert.equal(loadConfig(file, { LWM2MGW_CONSOLE__ENABLED: 'false' }).config.console?.enabled, false);
    writeFileSync(file, 'console:\n  enabled: false\n  assetsDir: my-console\n');
    const { config } = loadConfig(file, {});
    assert.deepEqual(config.console, { enabled: false, assetsDir: 'my-console' });
    for (const bad of ['console:\n  enabled: "sometimes"\n', 'console:\n  assetsDir: ""\n', 'console:\n  theme: dark\n']) {
      writeFileSync(file, bad);
      assert.throws(() => loadConfig(file, {}), (e: unknown) => e instanceof ConfigError && e.message.includes('console'), bad);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
