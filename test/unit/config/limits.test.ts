import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { Gateway } from '../../../src/gateway.js';

function withFile(text: string, fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-limits-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, text);
  try {
    fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('lwm2m.limits from the file and the environment reach the LwM2M server', () => {
  withFile('lwm2m:\n  limits:\n    maxLinks: 20\n    maxRegistrations: 5\nmappings:\n  dir: null\n', (file) => {
    const { config } = loadConfig(file, { LWM2MGW_LWM2M__LIMITS__REGISTERRATEPERADDRESS: '0', LWM2MGW_STORE__TYPE: 'memory' });
    const gw = new Gateway(config);
    assert.deepEqual({ ...gw.server.registrationLimits }, { maxLinks: 20, maxPayload: 65_536, maxRegistrations: 5, registerRatePerAddress: 0 });
  });
});

void test('lwm2m.limits and log.format are checked', () => {
  withFile('lwm2m:\n  limits:\n    maxLinks: 0\n', (file) => {
    assert.throws(() => loadConfig(file, {}), (e: unknown) => e instanceof ConfigError && /:3:\d+: lwm2m\.limits\.maxLinks: must be >= 1/.test(e.message));
  });
  withFile('lwm2m:\n  limits:\n    registerRatePerAddress: -1\n', (file) => {
    assert.throws(() => loadConfig(file, {}), /lwm2m\.limits\.registerRatePerAddress/);
  });
  withFile('log:\n  format: xml\n', (file) => {
    assert.throws(() => loadConfig(file, {}), /log\.format: must be one of text, json/);
  });
  assert.equal(loadConfig(undefined, {}).config.log.format, 'text');
  assert.equal(loadConfig(undefined, { LWM2MGW_LOG__FORMAT: 'json' }).config.log.format, 'json');
});
