/**
 * The generic device API over real HTTP against a simulated device on UDP: list, get,
 * read at every level, write, partial write, execute, create, delete.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture } from './fixture.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

describe('REST generic device API', () => {
  let f: RestFixture;
  let dev: Lwm2mTestClient;

  before(async () => {
    f = await RestFixture.start();
    ({ client: dev } = await f.registered({ endpoint: 'dev-rw', version: '1.1' }));
    await f.registered({ endpoint: 'other-1', version: '1.0' });
  });
  after(() => f.stop());

  it('lists devices, with filters', async () => {
    const all = await f.api('GET', '/api/devices');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.devices.map((d: { endpoint: string }) => d.endpoint), ['dev-rw', 'other-1']);
    assert.equal(all.body.count, 2);
    const glob = await f.api('GET', '/api/devices?endpoint=dev-*');
    assert.deepEqual(glob.body.devices.map((d: { endpoint: string }) => d.endpoint), ['dev-rw']);
    const byObject = await f.api('GET', '/api/devices?object=3303,3');
    assert.equal(byObject.body.count, 2);
    const none = await f.api('GET', '/api/devices?object=9999');
    assert.equal(none.body.count, 0);
    const online = await f.api('GET', '/api/devices?online=true');
    assert.equal(online.body.count, 2);
  });

  it('describes one registration', async () => {
    const r = await f.api('GET', '/api/devices/dev-rw');
    assert.equal(r.status, 200);
    assert.equal(r.body.endpoint, 'dev-rw');
    assert.equal(r.body.version, '1.1');
    assert.equal(r.body.binding, 'U');
    assert.equal(r.body.lifetime, 300);
    assert.equal(r.body.queueMode, false);
    assert.equal(r.body.awake, true);
    assert.equal(r.body.address.port, dev.port);
    assert.ok(r.body.objects.some((o: { id: number; instances: number[] }) => o.id === 3303 && o.instances.includes(0)));
    assert.ok(!Number.isNaN(Date.parse(r.body.lastSeen)));
  });

  it('reads a resource, a multiple resource, a resource instance, an instance and an object', async () => {
    const res = await f.api('GET', '/api/devices/dev-rw/3/0/9');
    assert.equal(res.status, 200);
    assert.deepEqual({ path: res.body.path, value: res.body.value, type: res.body.type }, { path: '/3/0/9', value: 87, type: 'integer' });
    const multi = await f.api('GET', '/api/devices/dev-rw/3/0/6');
    assert.deepEqual(multi.body.value, { 0: 1, 1: 5 });
    const ri = await f.api('GET', '/api/devices/dev-rw/3/0/7/1');
    assert.equal(ri.body.value, 5000);
    const inst = await f.api('GET', '/api/devices/dev-rw/3303/0');
    assert.equal(inst.status, 200);
    assert.equal(inst.body.value['5700'], 21.5);
    assert.equal(inst.body.value['5701'], 'Cel');
    const obj = await f.api('GET', '/api/devices/dev-rw/3');
    assert.equal(obj.body.value['0']['0'], 'Test Devices Ltd');
  });

  it('reads in the format asked with ?format=', async () => {
    for (const [name, cf] of [['tlv', 11542], ['senml-json', 110], ['lwm2m-cbor', 11544], ['112', 112]] as const) {
      const before = dev.received.length;
      const r = await f.api('GET', `/api/devices/dev-rw/3303/0?format=${name}`);
      assert.equal(r.status, 200, name);
      assert.equal(r.body.value['5700'], 21.5);
      assert.equal(r.body.contentFormat, cf);
      assert.equal(dev.received.slice(before).find((q) => q.method === 'GET')?.accept, cf);
    }
    const bad = await f.api('GET', '/api/devices/dev-rw/3303/0?format=xml');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'BAD_QUERY');
  });

  it('writes a resource (replace) and an instance partially', async () => {
    const w = await f.api('PUT', '/api/devices/dev-rw/3/0/14', { body: { value: '+02:00' } });
    assert.equal(w.status, 204, w.text);
    assert.equal(dev.value('/3/0/14'), '+02:00');
    const p = await f.api('PATCH', '/api/devices/dev-rw/3311/0', { body: { value: { 5850: false, 5851: 75 } } });
    assert.equal(p.status, 204, p.text);
    assert.equal(dev.value('/3311/0/5850'), false);
    assert.equal(dev.value('/3311/0/5851'), 75);
    assert.equal(dev.value('/3311/0/5750'), 'desk lamp');
    const last = dev.received.filter((q) => q.path === '/3311/0').pop();
    assert.equal(last?.method, 'POST');
  });

  it('refuses a value that does not fit the resource type', async () => {
    const r = await f.api('PUT', '/api/devices/dev-rw/3311/0/5851', { body: { value: 'lots' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'BAD_VALUE');
    assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('executes with and without arguments', async () => {
    const a = await f.api('POST', '/api/devices/dev-rw/3/0/4');
    assert.equal(a.status, 204, a.text);
    const b = await f.api('POST', '/api/devices/dev-rw/3303/0/5605', { body: { args: "0='now',1" } });
    assert.equal(b.status, 204, b.text);
    const c = await f.api('POST', '/api/devices/dev-rw/1/0/8', { raw: '5', contentType: 'text/plain' });
    assert.equal(c.status, 204, c.text);
    assert.deepEqual(dev.executed.slice(-3), [
      { path: '/3/0/4', args: '' },
      { path: '/3303/0/5605', args: "0='now',1" },
      { path: '/1/0/8', args: '5' },
    ]);
  });

  it('creates an instance and deletes it', async () => {
    const c = await f.api('POST', '/api/devices/dev-rw/3303', { body: { instanceId: 7, value: { 5700: 19.5, 5701: 'Cel' } } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.path, '/3303/7');
    assert.equal(c.body.instanceId, 7);
    assert.equal(c.headers.get('location'), '/api/devices/dev-rw/3303/7');
    assert.equal(dev.value('/3303/7/5700'), 19.5);
    const read = await f.api('GET', '/api/devices/dev-rw/3303/7/5700');
    assert.equal(read.body.value, 19.5);
    const d = await f.api('DELETE', '/api/devices/dev-rw/3303/7');
    assert.equal(d.status, 204, d.text);
    assert.equal(dev.store.hasInstance(3303, 7), false);
    const gone = await f.api('GET', '/api/devices/dev-rw/3303/7');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'DEVICE_PATH_NOT_FOUND');
    assert.equal(gone.body.deviceCode, '4.04');
  });

  it('lets the device pick the id of a created instance', async () => {
    const c = await f.api('POST', '/api/devices/dev-rw/3303', { body: { value: { 5700: 1.5 } } });
    assert.equal(c.status, 201, c.text);
    assert.match(c.body.path, /^\/3303\/\d+$/);
    assert.equal(c.headers.get('location'), `/api/devices/dev-rw${c.body.path}`);
    assert.equal(dev.value(`${c.body.path}/5700`), 1.5);
  });
});

describe('REST reads and writes across LwM2M versions and formats', () => {
  let f: RestFixture;
  before(async () => {
    f = await RestFixture.start();
  });
  after(() => f.stop());

  for (const version of ['1.0', '1.1', '1.2'] as const) {
    it(`reads and writes a ${version} device in the format it prefers`, async () => {
      const { client } = await f.registered({ endpoint: `v-${version}`, version });
      const inst = await f.api('GET', `/api/devices/v-${version}/3/0`);
      assert.equal(inst.status, 200, inst.text);
      assert.equal(inst.body.value['9'], 87);
      assert.deepEqual(inst.body.value['7'], { 0: 3800, 1: 5000 });
      const w = await f.api('PUT', `/api/devices/v-${version}/3/0/13`, { body: { value: '2024-01-02T03:04:05Z' } });
      assert.equal(w.status, 204, w.text);
      assert.equal(client.value('/3/0/13'), Date.parse('2024-01-02T03:04:05Z') / 1000);
      const time = await f.api('GET', `/api/devices/v-${version}/3/0/13`);
      assert.equal(time.body.type, 'time');
      assert.equal(time.body.value, Date.parse('2024-01-02T03:04:05Z') / 1000);
    });
  }
});
