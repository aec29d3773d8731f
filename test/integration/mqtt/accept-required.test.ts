/**
 * Regression: the MQTT northbound gets values from 1.1 clients that answer 5.00 to a GET
 * without Accept and know one multi-value format (SenML JSON, TLV or SenML CBOR): generic
 * `read` and `observe` commands, and the mapped observations started at registration
 * (a whole instance and a single resource), whose notifications reach the mapped topics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MqttFixture, compiled, type Peer } from './fixture.js';
import { CF, type Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { waitFor } from '../mqtt-link/mosquitto.js';

const MAPPING = `
targets:
  - object: Temperature
    observe: {}
    mqtt:
      publish:
        topic: "acc/{endpoint}/temperature/{instanceId}"
        payload: { celsius: "{5700}", unit: "{5701}" }
  - object: Light Control
    observe:
      resources: [Dimmer]
    mqtt:
      publish:
        topic: "acc/{endpoint}/dimmer/{instanceId}"
        payload: { level: "{value}" }
`;

const CLIENTS = [
  { ep: 'mq-json', multi: CF.SENML_JSON },
  { ep: 'mq-tlv', multi: CF.TLV },
  { ep: 'mq-cbor', multi: CF.SENML_CBOR },
];

describe('MQTT reads and observations of clients that need an Accept', () => {
  let f: MqttFixture;
  let peer: Peer;
  const clients = new Map<string, Lwm2mTestClient>();
  let reqID = 500;
  const ask = async (ep: string, msgType: string, data: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const id = ++reqID;
    await peer.publish(`lwm2m/${ep}/dn`, { reqID: id, msgType, data });
    const r = await peer.next(`lwm2m/${ep}/up/resp`, (b) => b.reqID === id);
    return r.data as Record<string, unknown>;
  };

  before(async () => {
    f = await MqttFixture.start({ mappings: compiled({ 'acc.yaml': MAPPING }) });
    peer = await f.peer(['lwm2m/+/up/#', 'acc/#']);
    for (const c of CLIENTS) {
      const { client } = await f.lwm2m.registered({
        endpoint: c.ep,
        version: '1.1',
        contentFormats: [c.multi],
        formats: [CF.TEXT, CF.OPAQUE, c.multi],
        requireAccept: true,
      });
      clients.set(c.ep, client);
    }
    for (const client of clients.values()) await waitFor(() => client.observations().length === 2, 'the planned observations at the device');
    await f.northbound.settled();
  });
  after(async () => {
    await f.stop();
  });

  for (const c of CLIENTS) {
    test(`${c.ep}: generic read of a resource and of an instance`, async () => {
      assert.deepEqual(await ask(c.ep, 'read', { path: '/3/0/0' }), { reqPath: '/3/0/0', code: '2.05', codeMsg: 'content', content: [{ path: '/3/0/0', value: 'Test Devices Ltd' }] });
      const inst = await ask(c.ep, 'read', { path: '/3/0' });
      assert.equal(inst.code, '2.05', JSON.stringify(inst));
      const content = inst.content as { path: string; value: unknown }[];
      assert.ok(content.some((v) => v.path === '/3/0/9' && v.value === 87));
      assert.ok(content.some((v) => v.path === '/3/0/7/1' && v.value === 5000));
    });

    test(`${c.ep}: generic write, then read`, async () => {
      assert.equal((await ask(c.ep, 'write', { path: '/3/0/14', type: 'String', value: '+03:00' })).code, '2.04');
      assert.deepEqual((await ask(c.ep, 'read', { path: '/3/0/14' })).content, [{ path: '/3/0/14', value: '+03:00' }]);
    });

    test(`${c.ep}: generic observe answers the value and notifies`, async () => {
      const obs = await ask(c.ep, 'observe', { path: '/3311/0' });
      assert.equal(obs.code, '2.05', JSON.stringify(obs));
      assert.ok((obs.content as { path: string }[]).some((v) => v.path === '/3311/0/5851'));
      await clients.get(c.ep)!.set('/3311/0/5706', 'warm');
      await peer.next(`lwm2m/${c.ep}/up/notify`, (b) => ((b.data as { content?: { path: string; value: unknown }[] }).content ?? []).some((v) => v.path === '/3311/0/5706' && v.value === 'warm'));
    });

    test(`${c.ep}: mapped observations of an instance and of a resource publish their values`, async () => {
      await peer.next(`acc/${c.ep}/temperature/0`, (b) => b.celsius === 21.5 && b.unit === 'Cel');
      const client = clients.get(c.ep)!;
      await client.set('/3303/0/5700', 19.5);
      await peer.next(`acc/${c.ep}/temperature/0`, (b) => b.celsius === 19.5);
      await client.set('/3311/0/5851', 33);
      await peer.next(`acc/${c.ep}/dimmer/0`, (b) => b.level === 33);
      const accepts = client.received.filter((q) => q.observe === 0).map((q) => `${q.path} ${q.accept} ${q.responseCode}`);
      assert.ok(accepts.includes(`/3303/0 ${c.multi} 2.05`), accepts.join('; '));
      assert.ok(accepts.includes('/3311/0/5851 0 2.05'), accepts.join('; '));
    });
  }
});
