/**
 * Mapped messages built from several resources, end to end with the shipped files: a
 * simulated device on UDP whose resources notify at different times; the summary on
 * `devices/{ep}/connectivity/0` and `devices/{ep}/light/0` carries every value from the
 * first message on, then the last known value of the others; a resource the device lacks
 * (4.04) leaves the message null there (connectivity) or without it (light).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MqttFixture, compiled, type Peer } from './fixture.js';
import { ObjectStore, STANDARD_OBJECTS, STANDARD_VALUES, type Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { waitFor } from '../mqtt-link/mosquitto.js';

const shipped = (name: string): string => readFileSync(new URL(`../../../mappings/${name}`, import.meta.url), 'utf8');

const R = { type: 'integer', ops: 'R' } as const;
const CONNECTIVITY = { id: 4, resources: { 0: R, 2: R, 3: R, 8: R } };

/** A device with Connectivity Monitoring and Light Control; `without` removes resources ("/4/0/8"). */
function store(without: string[] = []): ObjectStore {
  const values = { ...STANDARD_VALUES, '/4/0': { 0: 6, 2: -87, 3: 30, 8: 1234 } };
  const light = { ...STANDARD_VALUES['/3311/0']! };
  const conn = { ...values['/4/0'] } as Record<number, number>;
  for (const p of without) {
    const [, o, , r] = p.split('/');
    if (o === '4') delete conn[Number(r)];
    else delete light[Number(r)];
  }
  return new ObjectStore([...STANDARD_OBJECTS, CONNECTIVITY], { ...values, '/4/0': conn, '/3311/0': light });
}

/** Payloads received on `topic`, in order, without the timestamp. */
function bodies(peer: Peer, topic: string): Record<string, unknown>[] {
  return peer.got
    .filter((m) => m.topic === topic)
    .map((m) => {
      const { timestamp, ...rest } = JSON.parse(m.payload) as Record<string, unknown>;
      assert.equal(typeof timestamp, 'string');
      return rest;
    });
}

describe('mapped summaries from resources notified at different times', () => {
  let f: MqttFixture;
  let peer: Peer;
  let full: Lwm2mTestClient;
  let lacking: Lwm2mTestClient;

  before(async () => {
    f = await MqttFixture.start({ mappings: compiled({ 'connectivity-monitoring.yaml': shipped('connectivity-monitoring.yaml'), 'light-control.yaml': shipped('light-control.yaml') }) });
    peer = await f.peer(['devices/#']);
    ({ client: full } = await f.lwm2m.registered({ endpoint: 'full', version: '1.1', store: store() }));
    ({ client: lacking } = await f.lwm2m.registered({ endpoint: 'lacking', version: '1.1', store: store(['/4/0/8', '/3311/0/5851']) }));
    // one observation per mapped resource the device has
    await waitFor(() => full.observations().length === 7 && lacking.observations().length === 5, 'the planned observations');
    await f.northbound.settled();
  });
  after(async () => {
    await f.stop();
  });

  test('the first summary already carries every value', async () => {
    await peer.next('devices/full/connectivity/0');
    await peer.next('devices/full/light/0');
    assert.deepEqual(bodies(peer, 'devices/full/connectivity/0')[0], { bearer: 'lte-fdd', rssi: -87, linkQuality: 30, cellId: 1234 });
    assert.deepEqual(bodies(peer, 'devices/full/light/0')[0], { on: true, dimmer: 40 });
  });

  test('a resource the device lacks (4.04): null in the connectivity summary, left out of the light one', async () => {
    await peer.next('devices/lacking/connectivity/0');
    await peer.next('devices/lacking/light/0');
    assert.deepEqual(bodies(peer, 'devices/lacking/connectivity/0')[0], { bearer: 'lte-fdd', rssi: -87, linkQuality: 30, cellId: null });
    assert.deepEqual(bodies(peer, 'devices/lacking/light/0')[0], { on: true });
    await lacking.set('/4/0/2', -70);
    await peer.next('devices/lacking/connectivity/0', (b) => b.rssi === -70);
    assert.deepEqual(bodies(peer, 'devices/lacking/connectivity/0').at(-1), { bearer: 'lte-fdd', rssi: -70, linkQuality: 30, cellId: null });
  });

  test('later notifications of one resource carry the last known value of the others', async () => {
    await full.set('/4/0/2', -90);
    await peer.next('devices/full/connectivity/0', (b) => b.rssi === -90);
    await full.set('/4/0/8', 5555);
    await peer.next('devices/full/connectivity/0', (b) => b.cellId === 5555);
    const conn = bodies(peer, 'devices/full/connectivity/0');
    assert.deepEqual(conn.slice(-2), [
      { bearer: 'lte-fdd', rssi: -90, linkQuality: 30, cellId: 1234 },
      { bearer: 'lte-fdd', rssi: -90, linkQuality: 30, cellId: 5555 },
    ]);
    await full.set('/3311/0/5851', 80);
    await peer.next('devices/full/light/0', (b) => b.dimmer === 80);
    await full.set('/3311/0/5850', false);
    await peer.next('devices/full/light/0', (b) => b.on === false);
    assert.deepEqual(bodies(peer, 'devices/full/light/0').slice(-2), [{ on: true, dimmer: 80 }, { on: false, dimmer: 80 }]);
    // no summary ever went out with a null for a resource the device has
    assert.ok(bodies(peer, 'devices/full/connectivity/0').every((b) => Object.values(b).every((v) => v !== null)));
  });

  test('a device that registers again starts from nothing: its first summary waits for every value again', async () => {
    const before = bodies(peer, 'devices/full/light/0').length;
    // the dimmer changes while nobody observes (the last value the gateway knew is 80)
    full.store.set('/3311/0/5851', 10);
    const seen = f.lwm2m.event('registered', (r) => r.endpoint === 'full');
    assert.equal((await full.register()).code, '2.01');
    await seen;
    await waitFor(() => bodies(peer, 'devices/full/light/0').length > before, 'the summary after the new registration');
    await f.northbound.settled();
    assert.deepEqual(bodies(peer, 'devices/full/light/0')[before], { on: false, dimmer: 10 });
  });
});
