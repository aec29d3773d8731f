/**
 * Mapped topics end to end: a simulated device on UDP registers, the gateway observes what
 * the mapping asks (Write-Attributes first); its notification reaches a third-party
 * subscriber (mosquitto_sub) on the mapped topic with the mapped payload; a command
 * published with mosquitto_pub reaches the device as a write / execute, and the result
 * comes back on the response topic with the correlation id.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MqttFixture, compiled, type Peer } from './fixture.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { MosquittoSub, mosquittoPub, noMosquittoClients, waitFor } from '../mqtt-link/mosquitto.js';

const MAPPING = `
targets:
  - object: Temperature
    observe:
      resources: [Sensor Value]
      attributes: { pmin: 0, pmax: 60 }
    mqtt:
      publish:
        topic: "sites/{endpoint}/temperature/{instanceId}"
        payload: { celsius: "{value}", at: "{timestamp}" }
        transform: { round: 1 }
      commands:
        - topic: "sites/{endpoint}/temperature/{instanceId}/reset"
          execute: Reset Min and Max Measured Values
          response: "sites/{endpoint}/temperature/{instanceId}/reset/result"
        - topic: "sites/{endpoint}/temperature/{instanceId}/name/set"
          write: Application Type
          response: "sites/{endpoint}/temperature/{instanceId}/name/result"
  - object: Light Control
    mqtt:
      commands:
        - topic: "sites/{endpoint}/light/{instanceId}/on/set"
          write: On/Off
          response: "sites/{endpoint}/light/{instanceId}/on/result"
`;

describe('mapped topics over aedes', () => {
  let f: MqttFixture;
  let peer: Peer;
  let client: Lwm2mTestClient;

  before(async () => {
    f = await MqttFixture.start({ mappings: compiled({ 'sites.yaml': MAPPING }) });
    peer = await f.peer(['sites/#']);
    ({ client } = await f.lwm2m.registered({ endpoint: 'map-1', version: '1.1' }));
    await waitFor(() => client.observations().length === 1, 'the planned observation at the device');
    await f.northbound.settled();
  });
  after(async () => {
    await f.stop();
  });

  test('the plan: Write-Attributes, then Observe, of the mapped resource', () => {
    assert.deepEqual(client.store.attributes.get('/3303/0/5700'), ['pmin=0', 'pmax=60']);
    assert.deepEqual(client.observations()[0]!.paths, ['/3303/0/5700']);
    const ops = client.received.filter((r) => r.path.startsWith('/3303/0/5700')).map((r) => `${r.method}${r.observe !== undefined ? ` observe=${r.observe}` : ''}${r.query.length ? ` ${r.query.join('&')}` : ''}`);
    assert.deepEqual(ops, ['PUT pmin=0&pmax=60', 'GET observe=0']);
  });

  test('the value of the observe answer is published first, like a notification', async () => {
    await peer.next('sites/map-1/temperature/0', (b) => b.celsius === 21.5);
  });

  test('a mapped observation cancelled elsewhere starts again on the next Update', async () => {
    const [ob] = f.lwm2m.server.observations('map-1');
    assert.ok(ob);
    assert.equal((await f.lwm2m.server.cancelObservation('map-1', ob.id)).success, true);
    await waitFor(() => client.observations().length === 0, 'the cancel at the device');
    assert.equal((await client.update()).code, '2.04');
    await waitFor(() => client.observations().length === 1, 'the observation started again');
    await f.northbound.settled();
    assert.notEqual(f.lwm2m.server.observations('map-1')[0]?.id, ob.id);
  });

  test('a notification reaches an MQTT subscriber on the mapped topic with the mapped payload', async () => {
    await client.set('/3303/0/5700', 22.46);
    const m = await peer.next('sites/map-1/temperature/0', (b) => b.celsius === 22.5);
    assert.equal(typeof m.at, 'string');
  });

  test('an MQTT command becomes a write; the result comes back with the correlation id', async () => {
    await peer.publish('sites/map-1/temperature/0/name/set', { value: 'greenhouse', correlationId: 'cid-7' });
    const r = await peer.next('sites/map-1/temperature/0/name/result', (b) => b.correlationId === 'cid-7');
    assert.equal(r.success, true);
    assert.equal(r.code, '2.04');
    assert.equal(client.store.get('/3303/0/5750'), 'greenhouse');
  });

  test('a value the resource cannot take is refused before the device, with the correlation id', async () => {
    await peer.publish('sites/map-1/light/0/on/set', { value: 'maybe', correlationId: 'cid-8' });
    const r = await peer.next('sites/map-1/light/0/on/result', (b) => b.correlationId === 'cid-8');
    assert.equal(r.success, false);
    assert.equal(r.code, '4.00');
    assert.equal(client.store.get('/3311/0/5850'), true);
  });

  test('third-party tools: mosquitto_sub gets the mapped notification, mosquitto_pub commands an execute', { skip: noMosquittoClients }, async () => {
    const host = ['-h', '127.0.0.1', '-p', String(f.port)];
    const sub = await MosquittoSub.start([...host, '-q', '1', '-t', 'sites/map-1/#'], 'probe/map-1', () => mosquittoPub([...host, '-t', 'probe/map-1', '-m', 'p']));
    try {
      await client.set('/3303/0/5700', 19.04);
      await waitFor(() => sub.received().some((l) => l.startsWith('sites/map-1/temperature/0 ')), 'the notification at mosquitto_sub');
      const line = sub.received().find((l) => l.startsWith('sites/map-1/temperature/0 '))!;
      assert.equal((JSON.parse(line.slice(line.indexOf(' ') + 1)) as { celsius: number }).celsius, 19);

      const before = client.executed.length;
      await mosquittoPub([...host, '-q', '1', '-t', 'sites/map-1/temperature/0/reset', '-m', '{"correlationId":"tool-1"}']);
      await waitFor(() => sub.received().some((l) => l.startsWith('sites/map-1/temperature/0/reset/result ')), 'the execute result at mosquitto_sub');
      const res = sub.received().find((l) => l.startsWith('sites/map-1/temperature/0/reset/result '))!;
      const body = JSON.parse(res.slice(res.indexOf(' ') + 1)) as { correlationId: string; success: boolean; code: string };
      assert.deepEqual([body.correlationId, body.success, body.code], ['tool-1', true, '2.04']);
      assert.equal(client.executed.length, before + 1);
      assert.equal(client.executed.at(-1)!.path, '/3303/0/5605');
    } finally {
      await sub.stop();
    }
  });
});
