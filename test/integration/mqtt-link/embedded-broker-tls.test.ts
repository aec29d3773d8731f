/**
 * The embedded broker over TLS: mqtts and wss listeners with certificates made at test
 * time by openssl; MQTT.js over mqtts:// and wss://, mosquitto_sub with --cafile; a client
 * that does not trust the broker, client certificates when a CA is set, and taken ports.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { BrokerStartError, EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { EmbeddedLink } from '../../../src/northbound/mqtt/link-embedded.js';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';
import { MosquittoSub, noMosquittoClients, waitFor } from './mosquitto.js';

const pki = noOpensslCli ? undefined : new TestPki();
after(() => pki?.remove());
const skip = noOpensslCli;

function serverTls(withClientCa = false): { cert: Buffer; key: Buffer; ca: Buffer | null } {
  const issued = pki!.issue(`broker-${withClientCa ? 'ca' : 'plain'}`, 'localhost');
  return { cert: readFileSync(issued.cert), key: readFileSync(issued.key), ca: withClientCa ? readFileSync(pki!.caFile) : null };
}

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

function messages(client: MqttClient): string[] {
  const got: string[] = [];
  client.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
  return got;
}

test('MQTT.js over mqtts:// and wss:// and mosquitto_sub --cafile exchange messages through the TLS listeners', { skip: skip || noMosquittoClients }, async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', tls: { ...serverTls(), port: 0, wssPort: 0 } });
  const ports = await broker.start();
  assert.ok(ports.tlsPort !== null && ports.tlsPort > 0 && ports.tlsPort !== ports.port);
  assert.ok(ports.wssPort !== null && ports.wssPort > 0 && ports.wssPort !== ports.tlsPort);
  assert.equal(ports.wsPort, null);
  const ca = readFileSync(pki!.caFile);
  const tls = await mqtt.connectAsync(`mqtts://127.0.0.1:${ports.tlsPort}`, { ca, reconnectPeriod: 0 });
  const wss = await mqtt.connectAsync(`wss://127.0.0.1:${ports.wssPort}/mqtt`, { ca, reconnectPeriod: 0 });
  const link = new EmbeddedLink({ broker });
  await link.start();
  const sub = await MosquittoSub.start(['-h', '127.0.0.1', '-p', String(ports.tlsPort), '--cafile', pki!.caFile, '-V', 'mqttv311', '-q', '1', '-t', 'dev/#'], 'probe/tls', async () =>
    link.publish('probe/tls', 'p', { qos: 0 }),
  );
  try {
    const atTls = messages(tls);
    const atWss = messages(wss);
    await tls.subscribeAsync('cmd/#', { qos: 1 });
    await wss.subscribeAsync('dev/#', { qos: 1 });
    await tls.publishAsync('dev/ep1/temp', '21.5', { qos: 1 });
    await wss.publishAsync('cmd/ep1/reset', 'now', { qos: 1 });
    await waitFor(() => atTls.length === 1 && atWss.length === 1 && sub.received().length === 1, 'the messages at all three clients');
    assert.deepEqual(atTls, ['cmd/ep1/reset now']);
    assert.deepEqual(atWss, ['dev/ep1/temp 21.5']);
    assert.deepEqual(sub.received(), ['dev/ep1/temp 21.5']);
  } finally {
    await sub.stop();
    await tls.endAsync();
    await wss.endAsync();
    await link.stop();
    await broker.stop();
  }
});

test('a client that does not trust the broker certificate does not connect; plain MQTT on the TLS port gets nothing', { skip }, async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', tls: { ...serverTls(), port: 0 } });
  const { tlsPort } = await broker.start();
  try {
    await assert.rejects(mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(pki!.otherCaFile), reconnectPeriod: 0 }), /certificate/i);
    const plain = mqtt.connect(`mqtt://127.0.0.1:${tlsPort}`, { reconnectPeriod: 0, connectTimeout: 1500 });
    const outcome = await new Promise<string>((resolve) => {
      plain.once('connect', () => resolve('connected'));
      plain.once('error', () => resolve('refused'));
      plain.once('close', () => resolve('closed'));
    });
    plain.end(true);
    assert.notEqual(outcome, 'connected');
  } finally {
    await broker.stop();
  }
});

test('with a CA set, a TLS client needs a certificate that chains to it', { skip }, async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', tls: { ...serverTls(true), port: 0 } });
  const { tlsPort } = await broker.start();
  const ca = readFileSync(pki!.caFile);
  const good = pki!.issue('client-good', 'client-1');
  const bad = pki!.issue('client-bad', 'client-2', 'other-ca');
  try {
    const fails = async (opts: object): Promise<void> => {
      const c = mqtt.connect(`mqtts://127.0.0.1:${tlsPort}`, { ca, reconnectPeriod: 0, connectTimeout: 3000, ...opts });
      const outcome = await new Promise<string>((resolve) => {
        c.once('connect', () => resolve('connected'));
        c.once('error', () => resolve('refused'));
        c.once('close', () => resolve('closed'));
      });
      c.end(true);
      assert.notEqual(outcome, 'connected');
    };
    await fails({});
    await fails({ cert: readFileSync(bad.cert), key: readFileSync(bad.key) });
    const ok = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { ca, cert: readFileSync(good.cert), key: readFileSync(good.key), reconnectPeriod: 0 });
    await ok.endAsync();
  } finally {
    await broker.stop();
  }
});

for (const [which, key, env] of [
  ['tls', 'mqtt.embedded.tls.port', 'LWM2MGW_MQTT__EMBEDDED__TLS__PORT'],
  ['wss', 'mqtt.embedded.tls.wssPort', 'LWM2MGW_MQTT__EMBEDDED__TLS__WSSPORT'],
] as const) {
  test(`a taken ${which} port names ${key} in one line and the other listeners close again`, { skip }, async () => {
    const { server, port: taken } = await occupy();
    const tls = which === 'tls' ? { ...serverTls(), port: taken } : { ...serverTls(), port: 0, wssPort: taken };
    const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', tls });
    try {
      await assert.rejects(broker.start(), (e: Error) => {
        assert.ok(e instanceof BrokerStartError);
        assert.equal(e.key, key);
        const what = which === 'tls' ? 'TLS' : 'WebSocket TLS';
        assert.equal(e.message, `${what} 127.0.0.1 port ${taken} is already in use: set another port with the config key ${key} (or ${env})`);
        return true;
      });
      assert.equal(broker.running, false);
      assert.equal(broker.address, undefined);
    } finally {
      server.close();
    }
  });
}
