/**
 * Presence (retained device and gateway status, read by late subscribers), Send values
 * through the generic API and the mappings, and hot reload from a mapping folder: a
 * changed file re-plans the connected device without a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MappingStore } from '../../../src/mapping/index.js';
import { MqttFixture, models, type Peer } from './fixture.js';
import { waitFor } from '../mqtt-link/mosquitto.js';

describe('presence over aedes', () => {
  let f: MqttFixture;
  before(async () => {
    f = await MqttFixture.start();
  });
  after(async () => {
    await f.stop();
  });

  test('online with the registration details, retained for late subscribers; offline on de-register', async () => {
    const { client, registration } = await f.lwm2m.registered({ endpoint: 'pres-1', version: '1.2', lifetime: 90, queueMode: true });
    const late = await f.peer(['lwm2m/pres-1/status', 'lwm2m/$gateway/status']);
    const online = await late.next('lwm2m/pres-1/status', (b) => b.status === 'online');
    // the registration id is the device's secret
    assert.equal('registrationId' in online, false);
    assert.ok(!late.got.some((m) => m.topic.includes(registration.id) || m.payload.includes(registration.id)));
    assert.equal(online.version, '1.2');
    assert.equal(online.lifetime, 90);
    assert.equal(online.queueMode, true);
    assert.equal(online.binding, 'U');
    assert.ok((online.objects as string[]).includes('/3/0'));
    assert.ok(late.got.find((m) => m.topic === 'lwm2m/pres-1/status')!.retain);
    assert.equal((await late.next('lwm2m/$gateway/status')).status, 'online');
    await client.deregister();
    const off = await late.next('lwm2m/pres-1/status', (b) => b.status === 'offline');
    assert.equal(off.reason, 'deregistered');
    const later = await f.peer(['lwm2m/pres-1/status']);
    assert.equal((await later.next('lwm2m/pres-1/status')).status, 'offline');
  });
});

describe('Send values and hot reload', () => {
  let f: MqttFixture;
  let dir: string;
  let store: MappingStore;
  let peer: Peer;

  const mapping = (topic: string, resource: number): string => `
targets:
  - object: 3303
    observe: { resources: [${resource}] }
    mqtt:
      publish: { topic: "${topic}", payload: "{value}" }
`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-mqtt-map-'));
    writeFileSync(join(dir, 'temp.yaml'), mapping('t/{endpoint}/{resourceId}', 5700));
    store = new MappingStore({ dir, models, debounceMs: 50 });
    store.start();
    f = await MqttFixture.start({ mappings: store });
    peer = await f.peer(['t/#', 'lwm2m/+/up/send']);
  });
  after(async () => {
    await f.stop();
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a Send is published on up/send and on the mapped topic', async () => {
    const { client } = await f.lwm2m.registered({ endpoint: 'send-1', version: '1.1' });
    await client.send(['/3303/0/5700']);
    const generic = await peer.next('lwm2m/send-1/up/send');
    assert.equal(generic.msgType, 'send');
    assert.deepEqual((generic.data as { content: unknown[] }).content, [{ path: '/3303/0/5700', value: 21.5 }]);
    assert.equal(await peer.nextText('t/send-1/5700'), '21.5');
    await client.deregister();
  });

  test('editing the mapping file re-plans a connected device: new observation, old one cancelled', async () => {
    const { client } = await f.lwm2m.registered({ endpoint: 'reload-1', version: '1.1' });
    await waitFor(() => client.observations().length === 1, 'the first observation');
    assert.deepEqual(client.observations()[0]!.paths, ['/3303/0/5700']);
    writeFileSync(join(dir, 'temp.yaml'), mapping('u/{endpoint}/{resourceId}', 5601));
    await waitFor(() => client.observations().length === 1 && client.observations()[0]!.paths[0] === '/3303/0/5601', 'the observation of the new mapping');
    const sub = await f.peer(['u/#']);
    await client.set('/3303/0/5601', 17.5);
    assert.equal(await sub.nextText('u/reload-1/5601'), '17.5');
  });

  test('an alias bomb written over the mapping file: refused, the device keeps its mapping', async () => {
    const { client } = await f.lwm2m.registered({ endpoint: 'reload-2', version: '1.1' });
    await waitFor(() => client.observations().length === 1, 'the observation of the mapping in use');
    const before = store.current;
    const levels = 'abcdefghi'.split('');
    const bomb = ['targets:', '  - object: 3303', '    onem2m:', '      a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < levels.length; i++) bomb.push(`      ${levels[i]}: &${levels[i]} [${Array(9).fill(`*${levels[i - 1]}`).join(',')}]`);
    writeFileSync(join(dir, 'temp.yaml'), bomb.join('\n') + '\n');
    const r = store.reload();
    assert.ok(!r.ok);
    assert.match(r.errors[0]!.message, /temp\.yaml:5:\d+: YAML error: the aliases \(\*name\) expand too much/);
    assert.equal(store.current, before);
    const sub = await f.peer(['u/reload-2/#']);
    await client.set('/3303/0/5601', 18.5);
    assert.equal(await sub.nextText('u/reload-2/5601'), '18.5');
  });
});
