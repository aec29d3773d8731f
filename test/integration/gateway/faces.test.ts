/**
 * The northbound faces as the composition root sees them: a list of kinds, each turned on
 * by its config section, started in list order, its ports merged into the gateway's, a
 * config fault reported as one StartError line, and everything stopped again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Gateway, StartError } from '../../../src/gateway.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { FACES } from '../../../src/northbound/faces.js';

function config(): GatewayConfig {
  const c = structuredClone(DEFAULT_CONFIG);
  c.store.type = 'memory'; // nothing of a test outlives it
  c.coap = { ...c.coap, port: 0, address: '127.0.0.1' };
  c.mqtt.embedded = { ...c.mqtt.embedded, port: 0, host: '127.0.0.1', wsPort: null };
  c.rest = { ...c.rest, port: 0, host: '127.0.0.1' };
  c.mappings = { dir: null, watch: false };
  return c;
}

void test('the face list: one entry per face, each turned on by its own config section', () => {
  const names = FACES.map((f) => f.name);
  assert.deepEqual(names, ['mqtt', 'rest', 'onem2m']);
  const off = config();
  off.mqtt.enabled = false;
  off.rest.enabled = false;
  assert.deepEqual(FACES.filter((f) => f.enabled(off)).map((f) => f.name), []);
  const on = config();
  on.rest.enabled = false;
  assert.deepEqual(FACES.filter((f) => f.enabled(on)).map((f) => f.name), ['mqtt']);
});

void test('the gateway starts the enabled faces, reports their ports, and stops them', async () => {
  const gateway = new Gateway(config());
  await gateway.start();
  try {
    const { mqtt, rest } = gateway.ports;
    assert.ok(typeof mqtt === 'number' && mqtt > 0);
    assert.ok(typeof rest === 'number' && rest > 0);
    assert.equal(gateway.face('mqtt')?.name, 'mqtt');
    assert.equal(gateway.face('rest')?.name, 'rest');
    const res = await fetch(`http://127.0.0.1:${rest}/api/devices`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  } finally {
    await gateway.stop();
  }
  assert.equal(gateway.face('mqtt'), undefined);
  assert.equal(gateway.ports.rest, undefined);
});

void test('a face that cannot start is one StartError line naming its config key; what started is stopped', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const c = config();
  c.rest.port = port;
  const gateway = new Gateway(c);
  try {
    await assert.rejects(gateway.start(), (e: unknown) => e instanceof StartError && !e.message.includes('\n') && /rest\.port/.test(e.message));
  } finally {
    await gateway.stop();
    blocker.close();
  }
});
