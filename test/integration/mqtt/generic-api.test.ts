/**
 * The generic topic API against the embedded aedes broker and a simulated device on UDP:
 * register message, read / write / execute / discover / write-attr / observe / create /
 * delete commands from an MQTT peer, and their answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MqttFixture, type Peer } from './fixture.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

describe('generic topic API over aedes', () => {
  let f: MqttFixture;
  let peer: Peer;
  let client: Lwm2mTestClient;
  let reqID = 100;
  const ask = async (msgType: string, data: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const id = ++reqID;
    await peer.publish('lwm2m/gen-1/dn', { reqID: id, msgType, data });
    const r = await peer.next('lwm2m/gen-1/up/resp', (b) => b.reqID === id);
    assert.equal(r.msgType, msgType);
    return r.data as Record<string, unknown>;
  };

  before(async () => {
    f = await MqttFixture.start();
    peer = await f.peer(['lwm2m/+/up/#', 'lwm2m/+/status']);
    ({ client } = await f.lwm2m.registered({ endpoint: 'gen-1', version: '1.1', lifetime: 120 }));
  });
  after(async () => {
    await f.stop();
  });

  test('Register is published on up/resp with the documented fields', async () => {
    const r = await peer.next('lwm2m/gen-1/up/resp', (b) => b.msgType === 'register');
    const data = r.data as Record<string, unknown>;
    assert.equal(data.ep, 'gen-1');
    assert.equal(data.lt, 120);
    assert.equal(data.lwm2m, '1.1');
    assert.equal(data.b, 'U');
    assert.ok((data.objectList as string[]).includes('/3303/0'));
  });

  test('read of a resource and of an instance', async () => {
    assert.deepEqual(await ask('read', { path: '/3/0/0' }), { reqPath: '/3/0/0', code: '2.05', codeMsg: 'content', content: [{ path: '/3/0/0', value: 'Test Devices Ltd' }] });
    const inst = await ask('read', { path: '/3/0' });
    const content = inst.content as { path: string; value: unknown }[];
    assert.ok(content.some((c) => c.path === '/3/0/6/1' && c.value === 5));
    assert.ok(content.some((c) => c.path === '/3/0/9' && c.value === 87));
  });

  test('write reaches the device, and a read returns the new value', async () => {
    assert.deepEqual(await ask('write', { path: '/3/0/14', type: 'String', value: '+05:30' }), { reqPath: '/3/0/14', code: '2.04', codeMsg: 'changed' });
    assert.equal(client.store.get('/3/0/14'), '+05:30');
    const batch = await ask('write', { basePath: '/3311/0', content: [{ path: '5850', type: 'Boolean', value: false }, { path: '5851', value: 12 }] });
    assert.equal(batch.code, '2.04');
    assert.equal(client.store.get('/3311/0/5850'), false);
    assert.equal(client.store.get('/3311/0/5851'), 12);
  });

  test('execute with arguments reaches the device', async () => {
    assert.deepEqual(await ask('execute', { path: '/3303/0/5605', args: "0='now'" }), { reqPath: '/3303/0/5605', code: '2.04', codeMsg: 'changed' });
    assert.deepEqual(client.executed.at(-1), { path: '/3303/0/5605', args: "0='now'" });
  });

  test('discover lists links as strings; write-attr is stored by the device', async () => {
    const d = await ask('discover', { path: '/3303/0' });
    assert.equal(d.code, '2.05');
    assert.ok((d.content as string[]).includes('</3303/0/5700>'));
    assert.equal((await ask('write-attr', { path: '/3303/0/5700', pmin: 1, pmax: 30 })).code, '2.04');
    assert.deepEqual(client.store.attributes.get('/3303/0/5700'), ['pmin=1', 'pmax=30']);
  });

  test('observe, a notification on up/notify with the reqID, then cancel-observe', async () => {
    const obs = await ask('observe', { path: '/3303/0/5700' });
    assert.equal(obs.code, '2.05');
    const observeId = reqID;
    await client.set('/3303/0/5700', 30.5);
    const n = await peer.next('lwm2m/gen-1/up/notify', (b) => ((b.data as { content: { value: unknown }[] }).content[0]?.value === 30.5));
    assert.equal(n.reqID, observeId);
    assert.equal(n.msgType, 'notify');
    assert.equal(typeof n.seqNum, 'number');
    assert.equal((n.data as { reqPath: string }).reqPath, '/3303/0/5700');
    assert.equal((await ask('cancel-observe', { path: '/3303/0/5700' })).code, '2.05');
    assert.equal(client.observations().length, 0);
  });

  test('create and delete an instance', async () => {
    const c = await ask('create', { basePath: '/3303', content: [{ path: '/3303/7/5750', type: 'String', value: 'attic' }] });
    assert.equal(c.code, '2.01');
    assert.equal(client.store.get('/3303/7/5750'), 'attic');
    assert.deepEqual(await ask('delete', { path: '/3303/7' }), { reqPath: '/3303/7', code: '2.02', codeMsg: 'deleted' });
    assert.equal(client.store.hasInstance(3303, 7), false);
  });

  test('a command without reqID is answered with an error on up/resp and not executed', async () => {
    const executed = client.executed.length;
    const before = peer.got.length;
    await peer.publish('lwm2m/gen-1/dn', { msgType: 'execute', data: { path: '/3303/0/5605', args: "0='no-id'" } });
    const refused = await peer.next('lwm2m/gen-1/up/resp', (b) => b.msgType === 'execute' && b.reqID === undefined);
    assert.deepEqual(refused.data, { reqPath: '/3303/0/5605', code: '4.00', codeMsg: 'bad_request', error: 'reqID is missing (a number or a string, echoed in the response)' });
    assert.ok(peer.got.length > before);
    // a command sent after it is answered, so the refused one would have reached the device by now
    assert.equal((await ask('read', { path: '/3/0/0' })).code, '2.05');
    assert.equal(client.executed.length, executed);
  });

  test('errors: the device refuses (4.05), a bad payload (4.00), an unknown device (4.04)', async () => {
    const refused = await ask('write', { path: '/3/0/0', value: 'x' });
    assert.equal(refused.code, '4.05');
    assert.equal(refused.codeMsg, 'method_not_allowed');
    await peer.publish('lwm2m/gen-1/dn/x', '{"reqID": 9001, "msgType": "read"}');
    const bad = await peer.next('lwm2m/gen-1/up/resp', (b) => b.reqID === 9001);
    assert.equal((bad.data as { code: string }).code, '4.00');
    await peer.publish('lwm2m/nobody/dn', { reqID: 9002, msgType: 'read', data: { path: '/3/0/0' } });
    const nobody = await peer.next('lwm2m/nobody/up/resp', (b) => b.reqID === 9002);
    assert.equal((nobody.data as { code: string }).code, '4.04');
  });
});
