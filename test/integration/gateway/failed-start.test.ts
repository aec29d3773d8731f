/**
 * A start that fails part way (here the REST port is taken, after the CoAP binding and the
 * embedded broker are up) stops what it had started before it throws: the CoAP port and
 * the broker's port are free again and nothing keeps the process alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { Gateway, StartError } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function udpBindable(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

void test('a failed start stops the parts it had started before it throws', async () => {
  const holder: Server = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const restPort = (holder.address() as { port: number }).port;
  const coapPort = await freeUdpPort();
  const brokerPort = await freeTcpPort();
  const c = structuredClone(DEFAULT_CONFIG);
  c.store.type = 'memory';
  c.coap = { ...c.coap, port: coapPort, address: '127.0.0.1' };
  c.mqtt = { ...c.mqtt, presence: false, embedded: { ...c.mqtt.embedded, port: brokerPort, host: '127.0.0.1' } };
  c.rest = { ...c.rest, port: restPort, host: '127.0.0.1' };
  c.mappings = { ...c.mappings, dir: null };
  const gateway = new Gateway(c, { logger: silentLogger });
  try {
    await assert.rejects(gateway.start(), (e: unknown) => e instanceof StartError && e.message.includes('rest.port'));
    assert.equal(await udpBindable(coapPort), true, 'the CoAP socket is closed');
    assert.equal(await tcpOpen(brokerPort), false, 'the embedded broker no longer listens');
    assert.equal(gateway.ports.coap, undefined, 'no CoAP port is reported as open');
    assert.equal(gateway.ports.mqtt, undefined, 'no broker port is reported as open');
  } finally {
    await gateway.stop();
    await new Promise<void>((r) => holder.close(() => r()));
  }
});
