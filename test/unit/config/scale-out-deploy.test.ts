/**
 * The scale-out example (deploy/scale-out, docs/deploy.md) stays true: its gateway config
 * loads (Redis store, shared command subscriptions), and the proxy and the compose file
 * name the same gateway services.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { ROOT } from '../../../bench/gateway-process.js';

const DIR = join(ROOT, 'deploy/scale-out');

void test('deploy/scale-out/gateway.yaml loads: Redis store, shared command subscriptions, secrets from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-scale-out-'));
  try {
    for (const name of ['mqtt_password', 'api_token']) writeFileSync(join(dir, name), `secret-${name}-0123456789abcdef`);
    const text = readFileSync(join(DIR, 'gateway.yaml'), 'utf8').replaceAll('file:/run/secrets/', `file:${dir}/`);
    writeFileSync(join(dir, 'gateway.yaml'), text);
    const { config } = loadConfig(join(dir, 'gateway.yaml'), {});
    assert.equal(config.store.type, 'redis');
    assert.equal(config.redis.url, 'redis://redis:6379');
    assert.equal(config.mqtt.mode, 'external');
    assert.equal(config.mqtt.external.sharedGroup, 'gateways');
    assert.equal(config.lwm2m.limits.registerRatePerAddress, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('deploy/scale-out: the proxy balances the gateway services of the compose file; every secret says how it is made', () => {
  const text = readFileSync(join(DIR, 'compose.yaml'), 'utf8');
  const compose = parse(text, { merge: true }) as { services: Record<string, { image?: string }>; secrets: Record<string, { file: string }> };
  const gateways = Object.keys(compose.services).filter((s) => compose.services[s]!.image === 'lwm2m-gateway');
  assert.deepEqual(gateways, ['gateway-a', 'gateway-b']);
  const nginx = readFileSync(join(DIR, 'nginx.conf'), 'utf8');
  for (const g of gateways) for (const port of [5683, 5684, 8080]) assert.ok(nginx.includes(`server ${g}:${port};`), `${g}:${port} behind the proxy`);
  assert.equal((nginx.match(/hash \$remote_addr consistent;/g) ?? []).length, 2, 'CoAP and DTLS keep a device on one instance');
  for (const sec of Object.values(compose.secrets)) assert.ok(text.split('x-gateway')[0]!.includes(`deploy/scale-out/${sec.file.slice(2)}`), `how to create ${sec.file}`);
});
