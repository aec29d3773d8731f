/**
 * Several gateway instances on one broker (mqtt.external.sharedGroup): two links in one
 * shared group on a private Mosquitto. A command filter is a shared subscription, so each
 * message reaches one of them; a filter kept unshared (the start-up sweep's retained
 * statuses) reaches both, retained messages included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { ExternalLink } from '../../../src/northbound/mqtt/link-external.js';
import { MosquittoProcess, noMosquitto, sleep, waitFor } from './mosquitto.js';

test('a shared group: each command reaches one link; an unshared filter reaches every link, retained messages too', { skip: noMosquitto }, async () => {
  const broker = await MosquittoProcess.create();
  await broker.start();
  const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const links = ['a', 'b'].map((name) => new ExternalLink({ url: broker.url, clientId: `shared-${name}`, sharedGroup: 'gateways', unsharedFilters: ['gw/+/status'] }));
  try {
    await publisher.publishAsync('gw/dev1/status', 'online', { qos: 1, retain: true });
    const commands = links.map(() => [] as string[]);
    const statuses = links.map(() => [] as string[]);
    for (const [i, link] of links.entries()) {
      await link.start();
      link.subscribe('gw/+/dn/#', (_topic, payload) => commands[i]!.push(payload.toString()));
      link.subscribe('gw/+/status', (_topic, payload) => statuses[i]!.push(payload.toString()));
      assert.equal(await link.subscribed?.('gw/+/dn/#'), true, 'the shared subscription is granted');
      assert.equal(await link.subscribed?.('gw/+/status'), true, 'the plain subscription is granted');
    }
    const N = 40;
    for (let n = 0; n < N; n++) await publisher.publishAsync(`gw/dev${n % 4}/dn`, String(n), { qos: 1 });
    await waitFor(() => commands[0]!.length + commands[1]!.length >= N, 'every command delivered', 10_000);
    await sleep(300);
    assert.deepEqual([...commands[0]!, ...commands[1]!].map(Number).sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i), 'each command once');
    assert.ok(commands[0]!.length > 0 && commands[1]!.length > 0, `both members took commands (${commands[0]!.length} + ${commands[1]!.length})`);
    assert.deepEqual(statuses, [['online'], ['online']], 'the retained status reached both');
  } finally {
    for (const link of links) await link.stop();
    await publisher.endAsync();
    await broker.dispose();
  }
});
