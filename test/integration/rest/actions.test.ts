/**
 * Discover, Write-Attributes, Observe (notifications over Server-Sent Events) and the
 * composite operations, over real HTTP against a simulated device on UDP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture, collectEvents } from './fixture.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

describe('REST actions', () => {
  let f: RestFixture;
  let dev: Lwm2mTestClient;

  before(async () => {
    f = await RestFixture.start();
    ({ client: dev } = await f.registered({ endpoint: 'dev-act', version: '1.2' }));
  });
  after(() => f.stop());

  it('discovers an instance as links with attributes', async () => {
    const r = await f.api('GET', '/api/devices/dev-act/3303/0/discover');
    assert.equal(r.status, 200, r.text);
    const paths = r.body.links.map((l: { path: string }) => l.path);
    assert.ok(paths.includes('/3303/0'));
    assert.ok(paths.includes('/3303/0/5700'));
    const depth = await f.api('GET', '/api/devices/dev-act/3303/discover?depth=1');
    assert.equal(depth.status, 200, depth.text);
    assert.deepEqual(dev.received.filter((q) => q.path === '/3303').pop()?.query, ['depth=1']);
  });

  it('writes attributes, and unsets one with null', async () => {
    const r = await f.api('PUT', '/api/devices/dev-act/3303/0/5700/attributes', { body: { pmin: 10, pmax: 60, st: 0.5 } });
    assert.equal(r.status, 204, r.text);
    const q = dev.received.filter((x) => x.method === 'PUT' && x.path === '/3303/0/5700').pop();
    assert.deepEqual(new Set(q?.query), new Set(['pmin=10', 'pmax=60', 'st=0.5']));
    const u = await f.api('PUT', '/api/devices/dev-act/3303/0/5700/attributes', { body: { st: null } });
    assert.equal(u.status, 204, u.text);
    assert.deepEqual(dev.received.filter((x) => x.method === 'PUT' && x.path === '/3303/0/5700').pop()?.query, ['st']);
    const bad = await f.api('PUT', '/api/devices/dev-act/3303/0/5700/attributes', { body: { often: 3 } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'BAD_BODY');
  });

  it('observes a resource and streams its notifications as SSE, then cancels', async () => {
    let observationId = '';
    const events = await collectEvents(
      `${f.base}/api/events?endpoint=dev-act&events=notification`,
      (evs) => evs.some((e) => e.data.value === 23.25),
      {
        onOpen: async () => {
          const r = await f.api('POST', '/api/devices/dev-act/3303/0/5700/observe');
          assert.equal(r.status, 200, r.text);
          assert.equal(r.body.value, 21.5);
          assert.equal(typeof r.body.observationId, 'string');
          observationId = r.body.observationId;
          await dev.set('/3303/0/5700', 23.25);
        },
      },
    );
    const n = events.find((e) => e.event === 'notification');
    assert.equal(n?.data.endpoint, 'dev-act');
    assert.equal(n?.data.observationId, observationId);
    assert.deepEqual(n?.data.paths, ['/3303/0/5700']);
    assert.equal(n?.data.value, 23.25);

    const list = await f.api('GET', '/api/devices/dev-act/observations');
    assert.deepEqual(list.body.observations.map((o: { id: string }) => o.id), [observationId]);
    const c = await f.api('DELETE', '/api/devices/dev-act/3303/0/5700/observe');
    assert.equal(c.status, 204, c.text);
    assert.equal(f.server.observations('dev-act').length, 0);
    const again = await f.api('DELETE', '/api/devices/dev-act/3303/0/5700/observe');
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'OBSERVATION_NOT_FOUND');
  });

  it('cancels an observation by id', async () => {
    const r = await f.api('POST', '/api/devices/dev-act/3/0/9/observe');
    assert.equal(r.status, 200, r.text);
    const c = await f.api('DELETE', `/api/observations/dev-act/${r.body.observationId}?passive=true`);
    assert.equal(c.status, 204, c.text);
    assert.equal(f.server.observations('dev-act').length, 0);
    const none = await f.api('DELETE', '/api/observations/dev-act/nope');
    assert.equal(none.status, 404);
    assert.equal(none.body.code, 'OBSERVATION_NOT_FOUND');
    const noDevice = await f.api('DELETE', '/api/observations/nobody/nope');
    assert.equal(noDevice.body.code, 'DEVICE_NOT_FOUND');
  });

  it('still cancels an observation by id on the former path', async () => {
    const r = await f.api('POST', '/api/devices/dev-act/3/0/9/observe');
    assert.equal(r.status, 200, r.text);
    const c = await f.api('DELETE', `/api/devices/dev-act/observations/${r.body.observationId}?passive=true`);
    assert.equal(c.status, 204, c.text);
    assert.equal(f.server.observations('dev-act').length, 0);
    const none = await f.api('DELETE', '/api/devices/dev-act/observations/nope');
    assert.equal(none.status, 404);
  });

  it('reads and writes composite', async () => {
    const r = await f.api('GET', '/api/devices/dev-act/composite?paths=/3/0/9,/3303/0/5701');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.values, { '/3/0/9': 87, '/3303/0/5701': 'Cel' });
    const w = await f.api('PUT', '/api/devices/dev-act/composite', { body: { values: { '/3/0/14': '+05:00', '/3311/0/5851': 12 } } });
    assert.equal(w.status, 204, w.text);
    assert.equal(dev.value('/3/0/14'), '+05:00');
    assert.equal(dev.value('/3311/0/5851'), 12);
    const bad = await f.api('GET', '/api/devices/dev-act/composite?paths=/3/x');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'BAD_PATH');
  });

  it('observes composite, streams the notification, cancels', async () => {
    const events = await collectEvents(
      `${f.base}/api/events?endpoint=dev-*`,
      (evs) => evs.some((e) => e.event === 'notification' && e.data.values?.['/3311/0/5850'] === false),
      {
        onOpen: async () => {
          const r = await f.api('POST', '/api/devices/dev-act/composite/observe', { body: { paths: ['/3311/0/5850', '/3/0/9'] } });
          assert.equal(r.status, 200, r.text);
          assert.equal(typeof r.body.observationId, 'string');
          assert.equal(r.body.values['/3/0/9'], 87);
          await dev.set('/3311/0/5850', false);
        },
      },
    );
    assert.ok(events.some((e) => e.event === 'notification' && e.data.values['/3/0/9'] === 87));
    const c = await f.api('DELETE', '/api/devices/dev-act/composite/observe?paths=/3/0/9,/3311/0/5850');
    assert.equal(c.status, 204, c.text);
    assert.equal(f.server.observations('dev-act').length, 0);
  });

  it('streams addressChanged with the old and the new address when a registration moves', async () => {
    const { client: mover } = await f.registered({ endpoint: 'mv-1' });
    let before = '';
    const events = await collectEvents(`${f.base}/api/events?endpoint=mv-*&events=addressChanged`, (evs) => evs.length > 0, {
      onOpen: async () => {
        before = `127.0.0.1:${f.server.getRegistration('mv-1')!.peer.port}`;
        assert.equal((await mover.rebind())?.code, '2.04');
      },
    });
    const after = `127.0.0.1:${f.server.getRegistration('mv-1')!.peer.port}`;
    assert.notEqual(after, before);
    assert.deepEqual(events.map((e) => [e.event, e.data]), [['addressChanged', { endpoint: 'mv-1', from: before, to: after, cause: 'update' }]]);
    await mover.deregister();
  });

  it('streams registration events filtered by endpoint', async () => {
    let other: Lwm2mTestClient | undefined;
    const events = await collectEvents(`${f.base}/api/events?endpoint=ev-*`, (evs) => evs.some((e) => e.event === 'deregistered'), {
      onOpen: async () => {
        await f.registered({ endpoint: 'zz-ignored' });
        ({ client: other } = await f.registered({ endpoint: 'ev-1' }));
        await other.update();
        await other.send(['/3303/0/5700']);
        await other.deregister();
      },
    });
    const names = events.map((e) => e.event);
    assert.deepEqual(names, ['registered', 'updated', 'send', 'deregistered']);
    assert.ok(events.every((e) => e.data.endpoint === 'ev-1'));
    assert.equal(events[0]?.data.registration.version, '1.1');
    assert.equal(events[2]?.data.records[0].values['/3303/0/5700'], 21.5);
  });
});
