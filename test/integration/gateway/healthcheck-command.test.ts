/** `lwm2m-gateway healthcheck`: 0 while the gateway of the config is ready, 1 when it is not or is gone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { healthcheckCommand, readyzUrl } from '../../../src/healthcheck-command.js';

void test('healthcheck exits 0 while /readyz is 200, 1 once the gateway stopped', async () => {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt.enabled = false;
  config.rest = { ...config.rest, port: 0 };
  config.mappings = { ...config.mappings, dir: null };
  const gateway = new Gateway(config);
  await gateway.start();
  const loaded = { config: { ...config, rest: { ...config.rest, port: gateway.ports.rest! } }, file: undefined, baseDir: process.cwd() };
  const stderr = process.stderr.write.bind(process.stderr);
  let said = '';
  try {
    assert.equal(readyzUrl(loaded), `http://127.0.0.1:${gateway.ports.rest!}/readyz`);
    assert.equal(await healthcheckCommand(loaded), 0);
  } finally {
    await gateway.stop();
  }
  process.stderr.write = ((s: string) => ((said += s), true)) as typeof process.stderr.write;
  try {
    assert.equal(await healthcheckCommand(loaded, 1000), 1);
  } finally {
    process.stderr.write = stderr;
  }
  assert.match(said, /^healthcheck: http:\/\/127\.0\.0\.1:\d+\/readyz: /);
});
