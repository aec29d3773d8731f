/**
 * Secure by default, as Mosquitto 2 is: with no credentials the embedded broker and the
 * REST API are reachable on loopback only and the start log says in one line how to open
 * them; a non-loopback host without credentials needs `allowAnonymous: true`; with
 * credentials they listen on every address. Reachability is tried on the machine's own
 * non-loopback address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Gateway, StartError } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log.js';

/** an IPv4 address of this machine that is not loopback */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const noOutside = outside === undefined && 'this machine has no non-loopback IPv4 address';

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function config(): typeof DEFAULT_CONFIG {
  const c = structuredClone(DEFAULT_CONFIG);
  c.store.type = 'memory'; // nothing of a test outlives it
  c.coap = { ...c.coap, port: 0, address: '127.0.0.1' };
  c.mqtt = { ...c.mqtt, presence: false, embedded: { ...c.mqtt.embedded, port: 0 } };
  c.rest = { ...c.rest, port: 0 };
  c.mappings = { ...c.mappings, dir: null };
  return c;
}

async function started(c: typeof DEFAULT_CONFIG): Promise<{ gateway: Gateway; lines: string[] }> {
  const lines: string[] = [];
  const gateway = new Gateway(c, { logger: createLogger('info', (l) => lines.push(l)) });
  await gateway.start();
  return { gateway, lines };
}

void test('no credentials: broker and API on loopback only, one log line each says how to open them', { skip: noOutside }, async () => {
  const { gateway, lines } = await started(config());
  try {
    const { mqtt, rest } = gateway.ports as { mqtt: number; rest: number };
    assert.equal(await reachable('127.0.0.1', rest), true);
    assert.equal(await reachable('127.0.0.1', mqtt), true);
    assert.equal(await reachable(outside as string, rest), false, 'the API is not reachable from outside');
    assert.equal(await reachable(outside as string, mqtt), false, 'the broker is not reachable from outside');
    const notices = lines.filter((l) => l.includes('listening on 127.0.0.1 only'));
    assert.equal(notices.length, 2);
    assert.ok(notices.some((l) => l.includes('set rest.tokens (or rest.allowAnonymous: true)')));
    assert.ok(notices.some((l) => l.includes('mqtt.embedded.allowAnonymous: true')));
  } finally {
    await gateway.stop();
  }
});

void test('credentials open every address; allowAnonymous opens without them, and says so', { skip: noOutside }, async () => {
  const c = config();
  c.rest.tokens = [{ token: 'a-long-enough-write-token', scope: 'write' }];
  c.mqtt.embedded.allowAnonymous = true;
  const { gateway, lines } = await started(c);
  try {
    const { mqtt, rest } = gateway.ports as { mqtt: number; rest: number };
    assert.equal(await reachable(outside as string, rest), true);
    assert.equal(await reachable(outside as string, mqtt), true);
    assert.ok(lines.some((l) => l.includes('mqtt.embedded: serving without login on 0.0.0.0')));
    assert.ok(!lines.some((l) => l.includes('rest: ')), 'nothing to say about an API with tokens');
  } finally {
    await gateway.stop();
  }
});

void test('a non-loopback host without credentials and without allowAnonymous does not start', async () => {
  for (const face of ['rest', 'mqtt'] as const) {
    const c = config();
    if (face === 'rest') c.rest.host = '0.0.0.0';
    else c.mqtt.embedded.host = '0.0.0.0';
    const gateway = new Gateway(c);
    try {
      await assert.rejects(gateway.start(), (e: unknown) => {
        assert.ok(e instanceof StartError);
        const key = face === 'rest' ? 'rest' : 'mqtt.embedded';
        assert.match(e.message, new RegExp(`^${key.replace('.', '\\.')}\\.host is 0\\.0\\.0\\.0 but no .* are configured: set .*, or ${key.replace('.', '\\.')}\\.allowAnonymous: true`));
        return true;
      });
    } finally {
      await gateway.stop();
    }
  }
});
