/**
 * The external link against a real Mosquitto (a private process per test file): MQTT 3.1.1
 * and 5, third-party mosquitto_sub/pub, the gateway's will and birth messages, subscriptions
 * made again after a reconnect, TLS with PEM files, and a stop that leaves nothing open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { BrokerStartError, EmbeddedBroker } from '../../../src/northbound/mqtt/broker.js';
import { ExternalLink } from '../../../src/northbound/mqtt/link-external.js';
import { createLogger } from '../../../src/log.js';
import { MosquittoProcess, MosquittoSub, mosquittoPub, noMosquitto, noMosquittoClients, sleep, waitFor } from './mosquitto.js';
import { makeTlsFiles, noOpenssl, type TlsFiles } from './tls-fixture.js';

function collect(client: MqttClient): { topic: string; payload: string; properties?: Record<string, unknown>; retain: boolean }[] {
  const got: { topic: string; payload: string; properties?: Record<string, unknown>; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) =>
    got.push({ topic, payload: payload.toString(), retain: packet.retain, ...(packet.properties ? { properties: packet.properties as Record<string, unknown> } : {}) }),
  );
  return got;
}

describe('external link to Mosquitto', { skip: noMosquitto }, () => {
  let broker: MosquittoProcess;
  before(async () => {
    broker = await MosquittoProcess.create();
  });
  after(async () => {
    await broker.dispose();
  });

  for (const version of [4, 5] as const) {
    test(`publishes and subscribes over MQTT ${version === 4 ? '3.1.1' : '5'}`, async () => {
      const link = new ExternalLink({ url: broker.url, protocolVersion: version, clientId: `gw-v${version}` });
      await link.start();
      assert.equal(link.connected, true);
      const peer = await mqtt.connectAsync(broker.url, { protocolVersion: version, reconnectPeriod: 0 });
      try {
        const got = collect(peer);
        await peer.subscribeAsync(`v${version}/up/#`, { qos: 1 });
        const commands: string[] = [];
        link.subscribe(`v${version}/dn/+/cmd`, (topic, payload) => commands.push(`${topic}=${payload.toString()}`));
        const correlationData = Buffer.from([1, 2, 3]);
        link.publish(`v${version}/up/ep1`, '{"v":1}', {
          properties: { contentType: 'application/json', correlationData, responseTopic: 'r/1', userProperties: { k: 'v' } },
        });
        link.publish(`v${version}/up/ep2`, Buffer.from([0xff, 0x00]), { qos: 0 });
        assert.equal(await link.flush(5000), true);
        await waitFor(() => got.length === 2, 'two messages at the peer');
        assert.deepEqual(got.map((m) => [m.topic, m.payload]), [
          [`v${version}/up/ep1`, '{"v":1}'],
          [`v${version}/up/ep2`, Buffer.from([0xff, 0x00]).toString()],
        ]);
        if (version === 5) {
          const p = got[0]?.properties ?? {};
          assert.equal(p.contentType, 'application/json');
          assert.deepEqual(p.correlationData, correlationData);
          assert.equal(p.responseTopic, 'r/1');
          assert.deepEqual({ ...(p.userProperties as object) }, { k: 'v' });
        }
        // the subscription is made asynchronously: send until it arrives
        await waitFor(() => {
          if (commands.length === 0) peer.publish(`v${version}/dn/ep1/cmd`, 'reboot', { qos: 1 });
          return commands.length > 0;
        }, 'the command at the link');
        assert.equal(commands[0], `v${version}/dn/ep1/cmd=reboot`);
        const s = link.stats();
        assert.equal(s.published, 2);
        assert.equal(s.buffered, 0);
        assert.equal(s.dropped, 0);
        assert.equal(s.connected, true);
      } finally {
        await peer.endAsync();
        await link.stop();
      }
      assert.equal(link.connected, false);
    });
  }

  test('mosquitto_sub receives what the link publishes; mosquitto_pub reaches the link', { skip: noMosquittoClients }, async () => {
    const link = new ExternalLink({ url: broker.url });
    await link.start();
    const args = ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1'];
    const sub = await MosquittoSub.start([...args, '-t', 'third/up/#'], 'third/probe', async () => link.publish('third/probe', 'p', { qos: 0 }));
    const got: string[] = [];
    link.subscribe('third/dn/#', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    try {
      for (let i = 0; i < 5; i++) link.publish(`third/up/${i}`, `value ${i}`);
      await waitFor(() => sub.received().length === 5, 'five lines at mosquitto_sub');
      assert.deepEqual(sub.received(), [0, 1, 2, 3, 4].map((i) => `third/up/${i} value ${i}`));
      await waitFor(() => {
        if (got.length === 0) void mosquittoPub([...args, '-t', 'third/dn/ep/write', '-m', '42']);
        return got.length > 0;
      }, 'the mosquitto_pub message at the link');
      assert.equal(got[0], 'third/dn/ep/write 42');
    } finally {
      await sub.stop();
      await link.stop();
    }
  });

  test('birth on every connection, will when the connection breaks, offline again on stop', async () => {
    const watcher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const got = collect(watcher);
    await watcher.subscribeAsync('gwstate/#', { qos: 1 });
    const link = new ExternalLink({
      url: broker.url,
      clientId: 'gw-will',
      reconnectPeriod: 0.1,
      birth: { topic: 'gwstate/gw', payload: 'online' },
      will: { topic: 'gwstate/gw', payload: 'offline' },
    });
    const changes: boolean[] = [];
    link.onConnectionChange((c) => changes.push(c));
    try {
      await link.start();
      await waitFor(() => got.length === 1, 'online');
      // break the TCP connection without DISCONNECT: the broker publishes the will
      (link as unknown as { client: MqttClient }).client.stream.destroy();
      await waitFor(() => got.length === 3, 'offline (will) then online (birth after reconnect)');
      await link.stop();
      await waitFor(() => got.length === 4, 'offline at stop');
      assert.deepEqual(got.map((m) => m.payload), ['online', 'offline', 'online', 'offline']);
      assert.deepEqual(changes, [true, false, true, false]);
      assert.equal(link.stats().reconnects, 1);
      // the state is retained for whoever comes later
      const late = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
      const lateGot = collect(late);
      await late.subscribeAsync('gwstate/gw', { qos: 1 });
      await waitFor(() => lateGot.length === 1, 'retained state');
      assert.deepEqual(lateGot[0], { topic: 'gwstate/gw', payload: 'offline', retain: true });
      await late.publishAsync('gwstate/gw', '', { retain: true });
      await late.endAsync();
    } finally {
      await link.stop();
      await watcher.endAsync();
    }
  });

  test('subscriptions are made again after the broker restarts', async () => {
    const link = new ExternalLink({ url: broker.url, reconnectPeriod: 0.1 });
    await link.start();
    const got: string[] = [];
    link.subscribe('resub/+', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
    const sendUntilReceived = async (value: string): Promise<void> => {
      const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
      try {
        await waitFor(() => {
          if (!got.includes(`resub/x=${value}`)) peer.publish('resub/x', value, { qos: 1 });
          return got.includes(`resub/x=${value}`);
        }, `resub/x=${value} at the link`);
      } finally {
        await peer.endAsync();
      }
    };
    try {
      await sendUntilReceived('before');
      await broker.stop();
      await waitFor(() => !link.connected, 'the link to see the broker gone');
      await broker.start();
      await waitFor(() => link.connected, 'the link to reconnect');
      await sendUntilReceived('after');
      assert.equal(link.stats().reconnects, 1);
    } finally {
      await link.stop();
      if (!broker.running) await broker.start();
    }
  });

  test('publish never throws, even for a topic the broker cannot take', async () => {
    const link = new ExternalLink({ url: broker.url });
    await link.start();
    try {
      assert.doesNotThrow(() => link.publish('bad/#/topic', 'x'));
      assert.doesNotThrow(() => link.publish('', 'x'));
      // Mosquitto closes the connection of a client that publishes these (control characters, noncharacters)
      for (const t of ['bad/a\nb', 'bad/\u007f', 'bad/\u0085', 'bad/\uFDD0', 'bad/\uFFFE']) link.publish(t, 'x');
      link.publish('fine/topic', 'x');
      assert.equal(await link.flush(5000), true);
      assert.equal(link.stats().published, 1);
      assert.equal(link.stats().rejected, 7);
      assert.equal(link.connected, true, 'the broker did not drop the connection');
    } finally {
      await link.stop();
    }
  });

  test('subscribed(): true once the broker granted the filter, also for one added while the broker is down; false when not wanted or stopped', async () => {
    const link = new ExternalLink({ url: broker.url, reconnectPeriod: 0.1 });
    await link.start();
    try {
      assert.equal(await link.subscribed('ack/+'), false, 'not subscribed');
      const got: string[] = [];
      const peer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
      await peer.publishAsync('ack/kept', 'r', { qos: 1, retain: true });
      await peer.endAsync();
      link.subscribe('ack/+', (topic) => got.push(topic));
      assert.equal(await link.subscribed('ack/+'), true);
      await waitFor(() => got.includes('ack/kept'), 'the retained message after the SUBACK');
      await broker.stop();
      await waitFor(() => !link.connected, 'the link to see the broker gone');
      const off = link.subscribe('later/+', () => undefined);
      let answer: boolean | undefined;
      void link.subscribed('later/+').then((ok) => (answer = ok));
      await sleep(200);
      assert.equal(answer, undefined, 'no answer while the broker is away');
      await broker.start();
      await waitFor(() => answer === true, 'the SUBACK after the reconnection');
      off();
      assert.equal(await link.subscribed('later/+'), false);
      link.subscribe('never/+', () => undefined);
      await broker.stop();
      await waitFor(() => !link.connected, 'the link to see the broker gone');
      const pending = link.subscribed('never/+');
      await link.stop();
      assert.equal(await pending, false);
    } finally {
      await link.stop();
      if (!broker.running) await broker.start();
    }
  });

  test('stop() while the broker is unreachable resolves and leaves no handle open', async () => {
    const tcpAndTimers = (): string[] => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP') || r === 'Timeout');
    const before = tcpAndTimers().length;
    const lines: string[] = [];
    const link = new ExternalLink({ url: 'mqtt://127.0.0.1:1', reconnectPeriod: 0.05, stopTimeoutMs: 100, logger: createLogger('debug', (l) => lines.push(l)) });
    await link.start();
    assert.equal(link.connected, false);
    link.publish('x/y', 'waits');
    assert.equal(link.stats().buffered, 1);
    await sleep(200);
    await link.stop();
    assert.ok(lines.some((l) => /WARN .*messages not delivered at stop.*count=1/.test(l)), lines.join('\n'));
    assert.equal(lines.filter((l) => /WARN .*connection error/.test(l)).length, 1, 'the same connection error is warned once');
    await waitFor(() => tcpAndTimers().length <= before, `handles released (before ${before}, now ${tcpAndTimers().join(',')})`, 5000);
  });
});

describe('external link over TLS', { skip: noMosquitto || noOpenssl }, () => {
  let tls: TlsFiles;
  let broker: MosquittoProcess;
  before(async () => {
    tls = makeTlsFiles();
    broker = await MosquittoProcess.create({
      listenerLines: [`cafile ${tls.ca}`, `certfile ${tls.serverCert}`, `keyfile ${tls.serverKey}`, 'require_certificate true'],
    });
  });
  after(async () => {
    await broker?.dispose();
    tls?.dispose();
  });

  test('connects with CA, client certificate and key from PEM files', async () => {
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const link = new ExternalLink({ url, protocolVersion: 5, tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, rejectUnauthorized: true } });
    await link.start();
    try {
      assert.equal(link.connected, true);
      const got: string[] = [];
      link.subscribe('tls/#', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
      await waitFor(() => {
        if (got.length === 0) link.publish('tls/echo', 'hello');
        return got.length > 0;
      }, 'the echo over TLS');
      assert.equal(got[0], 'tls/echo=hello');
    } finally {
      await link.stop();
    }
  });

  test('without the CA the server is not trusted: no connection, a warning', async () => {
    const lines: string[] = [];
    const link = new ExternalLink({
      url: `mqtts://127.0.0.1:${broker.port}`,
      tls: { cert: tls.clientCert, key: tls.clientKey },
      logger: createLogger('debug', (l) => lines.push(l)),
    });
    await link.start();
    try {
      assert.equal(link.connected, false);
      assert.ok(lines.some((l) => /WARN .*connection error.*(certificate|self.signed|issuer)/i.test(l)), lines.join('\n'));
    } finally {
      await link.stop();
    }
  });

  test('an unreadable PEM file fails start() naming its config key', async () => {
    const link = new ExternalLink({ url: `mqtts://127.0.0.1:${broker.port}`, tls: { ca: `${tls.dir}/missing.pem` } });
    await assert.rejects(link.start(), (e: Error) => {
      assert.ok(e instanceof BrokerStartError);
      assert.equal(e.key, 'mqtt.external.tls.ca');
      assert.match(e.message, /^mqtt\.external\.tls\.ca: cannot read .*missing\.pem: ENOENT$/);
      return true;
    });
    await link.stop();
  });
});

test('the external link speaks MQTT over WebSocket (here to the embedded broker, with a login)', async () => {
  const broker = new EmbeddedBroker({ port: 0, host: '127.0.0.1', wsPort: 0, username: 'gw', password: 'pw' });
  const { port, wsPort } = await broker.start();
  const link = new ExternalLink({ url: `ws://127.0.0.1:${wsPort}/mqtt`, username: 'gw', password: 'pw' });
  const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'gw', password: 'pw', reconnectPeriod: 0 });
  try {
    await link.start();
    assert.equal(link.connected, true);
    const got = collect(peer);
    await peer.subscribeAsync('ws/#', { qos: 1 });
    link.publish('ws/up', 'over websocket');
    assert.equal(await link.flush(5000), true);
    await waitFor(() => got.length === 1, 'the message at the TCP peer');
    assert.equal(got[0]?.payload, 'over websocket');
  } finally {
    await peer.endAsync();
    await link.stop();
    await broker.stop();
  }
});

test('an unusable URL fails start() naming mqtt.external.url', async () => {
  const link = new ExternalLink({ url: 'gopher://127.0.0.1:70' });
  await assert.rejects(link.start(), (e: Error) => e instanceof BrokerStartError && e.key === 'mqtt.external.url' && /^mqtt\.external\.url: /.test(e.message));
  await link.stop();
});
