/**
 * Server-initiated bootstrap of a registered client (LwM2M 1.1 Core 5.2.3): REST
 * `POST /api/bootstrap/{endpoint}/trigger` and the generic MQTT command `bootstrap`
 * execute its Bootstrap-Request Trigger (/1/x/9); the client then bootstraps, and the
 * session's events come out on `{prefix}/{endpoint}/up/bootstrap`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { Lwm2mTestClient, STANDARD_OBJECTS } from '../../helpers/lwm2m-test-client.js';
import { SERVER_CONFIG, startBootstrap } from './fixture.js';

const RW = 'rw-secret-token-1';

void test('REST trigger and the MQTT bootstrap command execute /1/x/9; the client bootstraps; events on up/bootstrap', async () => {
  const f = await startBootstrap((c) => {
    c.rest = { ...c.rest, enabled: true, port: 0, host: '127.0.0.1', tokens: [{ token: RW, scope: 'write' }] };
    c.mqtt = { ...c.mqtt, enabled: true, mode: 'embedded', embedded: { ...c.mqtt.embedded, port: 0, host: '127.0.0.1' }, presence: false };
  });
  const dm = new Lwm2mTestClient({ serverPort: f.gateway.port!, endpoint: 'dev-t', version: '1.1' });
  // a Server object with the Bootstrap-Request Trigger (resource 9)
  const server = STANDARD_OBJECTS.find((o) => o.id === 1)!;
  dm.store.define({ ...server, resources: { ...server.resources, 9: { type: 'none', ops: 'E' } } });
  const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${f.gateway.ports['mqtt']}`);
  try {
    f.configure('dev-t', SERVER_CONFIG);
    await dm.start();
    await dm.register();
    await peer.subscribeAsync('lwm2m/dev-t/up/#', { qos: 1 });
    const got: { topic: string; body: Record<string, unknown> }[] = [];
    peer.on('message', (topic, payload) => got.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
    // REST: the trigger, answered 204 once the device took the Execute
    const r = await fetch(`http://127.0.0.1:${f.gateway.ports['rest']}/api/bootstrap/dev-t/trigger`, { method: 'POST', headers: { authorization: `Bearer ${RW}` } });
    assert.equal(r.status, 204, await r.text());
    assert.deepEqual(dm.executed.map((e) => e.path), ['/1/0/9']);
    // as the client would: a Bootstrap-Request to its Bootstrap Server
    const bs = await f.client({ endpoint: 'dev-t' });
    const ended = f.ended('dev-t');
    assert.equal(await bs.bootstrapRequest(), '2.04');
    assert.equal((await ended).type, 'finished');
    // MQTT: the generic API's bootstrap command
    peer.publish('lwm2m/dev-t/dn', JSON.stringify({ reqID: 'b1', msgType: 'bootstrap', data: {} }), { qos: 1 });
    for (let i = 0; i < 200 && !got.some((g) => g.body.reqID === 'b1'); i++) await new Promise((res) => setTimeout(res, 20));
    const resp = got.find((g) => g.body.reqID === 'b1')!;
    assert.equal(resp.topic, 'lwm2m/dev-t/up/resp');
    assert.deepEqual(resp.body.data, { reqPath: '/1/0/9', code: '2.04', codeMsg: 'changed' });
    assert.deepEqual(dm.executed.map((e) => e.path), ['/1/0/9', '/1/0/9']);
    // a Server instance the device does not have
    peer.publish('lwm2m/dev-t/dn', JSON.stringify({ reqID: 'b2', msgType: 'bootstrap', data: { instance: 4 } }), { qos: 1 });
    for (let i = 0; i < 200 && !got.some((g) => g.body.reqID === 'b2'); i++) await new Promise((res) => setTimeout(res, 20));
    assert.match(String((got.find((g) => g.body.reqID === 'b2')!.body.data as { error: string }).error), /no Server instance \/1\/4/);
    // the session's events on up/bootstrap
    const events = got.filter((g) => g.topic === 'lwm2m/dev-t/up/bootstrap').map((g) => (g.body.data as { type: string }).type);
    assert.equal(events[0], 'started');
    assert.equal(events.at(-1), 'finished');
    assert.equal(events.filter((t) => t === 'step').length, 6);
  } finally {
    await peer.endAsync();
    await dm.stop();
    await f.stop();
  }
});
