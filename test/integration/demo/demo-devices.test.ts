/**
 * The demo's simulated devices (bench/fleet) behind the gateway's LwM2M server and REST
 * API, over real UDP and HTTP: the composite examples of docs/rest.md, and the pmin / pmax
 * the gateway writes with Write-Attributes. Timing is only bounded loosely: counts of
 * notifications, never their exact times.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationEvent } from '../../../src/lwm2m/server/index.js';
import { Fleet } from '../../../bench/fleet/fleet.js';
import { RestFixture } from '../rest/fixture.js';
import { sleep } from '../lwm2m/fixture.js';

describe('demo devices behind the gateway', () => {
  let f: RestFixture;
  let fleet: Fleet;
  const notes: NotificationEvent[] = [];
  const onNote = (n: NotificationEvent): void => void notes.push(n);
  const count = (ep: string, path: string): number =>
    notes.filter((n) => n.registration.endpoint === ep && n.observation.paths.map(String).join() === path).length;

  before(async () => {
    f = await RestFixture.start();
    f.server.on('notification', onNote);
    fleet = new Fleet({ host: '127.0.0.1', port: f.lwm2m.port, count: 4, prefix: 'dd-', lifetime: 60, addresses: ['127.0.0.1'] });
    await fleet.open();
    await fleet.register(100);
    assert.equal(fleet.counters().registered, 4);
  });

  after(async () => {
    f.server.off('notification', onNote);
    await fleet.close();
    await f.stop();
  });

  for (const format of ['senml-cbor', 'senml-json']) {
    it(`answers Read-Composite through GET /api/devices/{ep}/composite (${format})`, async () => {
      const r = await f.api('GET', `/api/devices/dd-0/composite?paths=/3/0/9,/3303/0/5700,/3/0/2&format=${format}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.contentFormat, format === 'senml-cbor' ? 112 : 110);
      assert.deepEqual(Object.keys(r.body.values).sort(), ['/3/0/2', '/3/0/9', '/3303/0/5700']);
      assert.equal(r.body.values['/3/0/2'], 'SN00000000');
      assert.equal(typeof r.body.values['/3303/0/5700'], 'number');
    });
  }

  it('answers Read-Composite of an instance and leaves out what it does not have', async () => {
    const r = await f.api('GET', '/api/devices/dd-0/composite?paths=/3303/0,/5/0/3');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.values['/3303/0']['5701'], 'Cel');
    assert.equal(r.body.values['/5/0/3'], null);
  });

  it('writes with Write-Composite, all or nothing', async () => {
    const w = await f.api('PUT', '/api/devices/dd-0/composite', { body: { values: { '/3/0/14': '+02:00', '/3303/0/5750': 'hall' } } });
    assert.equal(w.status, 204, w.text);
    const r = await f.api('GET', '/api/devices/dd-0/composite?paths=/3/0/14,/3303/0/5750');
    assert.deepEqual(r.body.values, { '/3/0/14': '+02:00', '/3303/0/5750': 'hall' });
    const bad = await f.api('PUT', '/api/devices/dd-0/composite', { body: { values: { '/3/0/14': '+03:00', '/3303/0/5700': 1.5 } } });
    assert.equal(bad.status, 405, bad.text);
    const still = await f.api('GET', '/api/devices/dd-0/3/0/14');
    assert.equal(still.body.value, '+02:00');
  });

  it('observes composite: the answer, a notification with every path, the cancel', async () => {
    const o = await f.api('POST', '/api/devices/dd-1/composite/observe', { body: { paths: ['/3/0/9', '/3303/0/5700'] } });
    assert.equal(o.status, 200, o.text);
    assert.ok(o.body.observationId);
    assert.deepEqual(Object.keys(o.body.values).sort(), ['/3/0/9', '/3303/0/5700']);
    const seen = notes.length;
    fleet.notifyOne();
    const deadline = Date.now() + 3000;
    while (count('dd-1', '/3/0/9,/3303/0/5700') === 0 && Date.now() < deadline) await sleep(20);
    const n = notes.slice(seen).find((x) => x.registration.endpoint === 'dd-1');
    assert.ok(n, 'a composite notification');
    assert.deepEqual([...(n.nodes?.keys() ?? [])].map(String).sort(), ['/3/0/9', '/3303/0/5700']);
    const c = await f.api('DELETE', '/api/devices/dd-1/composite/observe?paths=/3/0/9,/3303/0/5700');
    assert.equal(c.status, 204, c.text);
    assert.equal(fleet.counters().observations, 0);
  });

  it('drops an observation the gateway cancelled passively, at the RST of its next notification', async () => {
    assert.equal((await f.api('POST', '/api/devices/dd-1/3304/0/5701/observe')).status, 200);
    const before = fleet.counters().observations;
    const c = await f.api('DELETE', '/api/devices/dd-1/3304/0/5701/observe?passive=true');
    assert.equal(c.status, 204, c.text);
    assert.equal(fleet.counters().observations, before, 'nothing reached the device yet');
    const deadline = Date.now() + 3000;
    while (fleet.counters().observations === before && Date.now() < deadline) {
      fleet.notifyOne();
      await sleep(30);
    }
    assert.equal(fleet.counters().observations, before - 1);
  });

  it('executes what the shipped device mapping offers: reboot and reset-error-code', async () => {
    for (const r of [4, 12]) {
      const x = await f.api('POST', `/api/devices/dd-0/3/0/${r}`);
      assert.equal(x.status, 204, `/3/0/${r}: ${x.text}`);
    }
  });

  it('notifies at least every pmax, with no value change at all', async () => {
    const a = await f.api('PUT', '/api/devices/dd-2/3304/0/5700/attributes', { body: { pmax: 1 } });
    assert.equal(a.status, 204, a.text);
    const o = await f.api('POST', '/api/devices/dd-2/3304/0/5700/observe');
    assert.equal(o.status, 200, o.text);
    // no startNotifications: only pmax makes the device speak
    const deadline = Date.now() + 8000;
    while (count('dd-2', '/3304/0/5700') < 2 && Date.now() < deadline) await sleep(50);
    assert.ok(count('dd-2', '/3304/0/5700') >= 2, `${count('dd-2', '/3304/0/5700')} notifications`);
    assert.equal((await f.api('DELETE', '/api/devices/dd-2/3304/0/5700/observe')).status, 204);
  });

  it('holds changes back for pmin, whatever the rate of change', async () => {
    const a = await f.api('PUT', '/api/devices/dd-3/3303/0/5700/attributes', { body: { pmin: 2 } });
    assert.equal(a.status, 204, a.text);
    const b = await f.api('PUT', '/api/devices/dd-3/3303/0/5701/attributes', { body: { pmin: 2 } });
    assert.equal(b.status, 204, b.text);
    // then unset on the resource: the instance has none, so 5701 goes back to every change
    const u = await f.api('PUT', '/api/devices/dd-3/3303/0/5701/attributes', { body: { pmin: null } });
    assert.equal(u.status, 204, u.text);
    const t0 = Date.now();
    assert.equal((await f.api('POST', '/api/devices/dd-3/3303/0/5700/observe')).status, 200);
    assert.equal((await f.api('POST', '/api/devices/dd-3/3303/0/5701/observe')).status, 200);
    fleet.startNotifications(200); // about 100 changes a second for each of the two observations
    try {
      const deadline = Date.now() + 8000;
      while (count('dd-3', '/3303/0/5701') < 50 && Date.now() < deadline) await sleep(50);
    } finally {
      fleet.stopNotifications();
    }
    const elapsed = Date.now() - t0;
    const free = count('dd-3', '/3303/0/5701');
    const held = count('dd-3', '/3303/0/5700');
    assert.ok(free >= 50, `without pmin: ${free} notifications`);
    // as many changes of 5700 (about half a second's worth); pmin 2 lets one through per 2 s
    const most = Math.floor(elapsed / 2000) + 1;
    assert.ok(held <= most, `with pmin 2: ${held} notifications in ${elapsed} ms while 5701 had ${free}`);
  });
});
