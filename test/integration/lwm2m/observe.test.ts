/**
 * Observe over real UDP: notifications (NON and CON) with increasing sequence numbers,
 * active and passive cancel, one observation per path, observations ending with the
 * registration.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationEvent } from '../../../src/lwm2m/server/index.js';
import { CF, O, opt } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture, sleep } from './fixture.js';

function value(e: NotificationEvent): unknown {
  const n = e.node;
  assert.equal(n?.kind, 'resource');
  return (n as { value: unknown }).value;
}

describe('observe over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const ep = 'obs-1';

  before(async () => {
    fx = await Fixture.start();
    ({ client } = await fx.registered({ endpoint: ep, version: '1.1', contentFormats: [CF.SENML_CBOR] }));
  });
  after(async () => {
    await fx.stop();
  });

  it('observes a resource and receives NON and CON notifications in order', async () => {
    const r = await fx.server.observe(ep, '/3303/0/5700');
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.ok(r.observationId);
    assert.equal(valueOf(r), 21.5);
    assert.equal(client.observations().length, 1);
    assert.deepEqual(client.observations()[0]!.paths, ['/3303/0/5700']);
    const req = client.received.at(-1)!;
    assert.equal(req.observe, 0);

    const first = fx.event('notification', (e) => e.observation.id === r.observationId);
    await client.set('/3303/0/5700', 22.5);
    const [n1] = await first;
    assert.equal(value(n1), 22.5);
    assert.equal(n1.registration.endpoint, ep);

    const second = fx.event('notification', (e) => e.observation.id === r.observationId);
    await client.set('/3303/0/5700', 23.75, { confirmable: true }); // resolves on the server's ACK
    const [n2] = await second;
    assert.equal(value(n2), 23.75);
    assert.ok((n2.sequence ?? 0) > (n1.sequence ?? 0), `${n2.sequence} after ${n1.sequence}`);
    assert.equal(client.observations().length, 1, 'the CON notification was acknowledged, not reset');
  });

  it('observes an instance in SenML CBOR', async () => {
    const r = await fx.server.observe(ep, '/3311/0', { format: CF.SENML_CBOR });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    const next = fx.event('notification', (e) => e.observation.id === r.observationId);
    await client.set('/3311/0/5851', 77);
    const [n] = await next;
    assert.equal(n.contentFormat, CF.SENML_CBOR);
    assert.equal(n.node?.kind, 'instance');
    if (n.node?.kind === 'instance') {
      const res = n.node.resources.get(5851);
      assert.equal(res?.kind === 'resource' ? res.value : undefined, 77);
    }
  });

  it('a new observation of the same path replaces the old one', async () => {
    const a = await fx.server.observe(ep, '/3/0/9');
    const ended = fx.event('observationEnded', (o) => o.id === a.observationId);
    const b = await fx.server.observe(ep, '/3/0/9');
    assert.equal(b.code, '2.05');
    await ended;
    assert.equal(fx.server.observations(ep).filter((o) => o.paths[0]?.toString() === '/3/0/9').length, 1);
    const got = fx.event('notification', (e) => e.observation.paths[0]?.toString() === '/3/0/9');
    await client.set('/3/0/9', 55);
    const [n] = await got;
    assert.equal(n.observation.id, b.observationId);
  });

  it('cancels actively (GET with Observe=1)', async () => {
    const r = await fx.server.observe(ep, '/3/0/13');
    assert.equal(r.code, '2.05');
    const before = client.observations().length;
    const c = await fx.server.cancelObservation(ep, r.observationId!);
    assert.equal(c.success, true, JSON.stringify(c));
    const cancel = client.received.at(-1)!;
    assert.equal(cancel.observe, 1);
    assert.equal(cancel.path, '/3/0/13');
    assert.equal(client.observations().length, before - 1);
    assert.equal(fx.server.observations(ep).some((o) => o.id === r.observationId), false);
  });

  it('cancels passively: the next notification gets a RST', async () => {
    const r = await fx.server.observe(ep, '/3/0/14');
    assert.equal(r.code, '2.05');
    const c = await fx.server.cancelObservation(ep, r.observationId!, { passive: true });
    assert.equal(c.success, true, JSON.stringify(c));
    let seen = 0;
    const count = (e: NotificationEvent): void => {
      if (e.observation.id === r.observationId) seen++;
    };
    fx.server.on('notification', count);
    try {
      await client.set('/3/0/14', '+02:00');
      for (let k = 0; k < 40 && client.observations().some((o) => o.paths[0] === '/3/0/14'); k++) await sleep(25);
      assert.equal(client.observations().some((o) => o.paths[0] === '/3/0/14'), false, 'the client dropped the observation on RST');
      assert.equal(seen, 0);
    } finally {
      fx.server.off('notification', count);
    }
  });

  it('drops a notification older than the last one (RFC 7641 3.4)', async () => {
    const r = await fx.server.observe(ep, '/3311/0/5750');
    assert.equal(r.code, '2.05');
    const first = fx.event('notification', (e) => e.observation.id === r.observationId);
    await client.set('/3311/0/5750', 'new');
    await first;
    const last = client.notificationsSent.at(-1)!.seq;
    const values: unknown[] = [];
    const collect = (e: NotificationEvent): void => {
      if (e.observation.id === r.observationId) values.push((e.node as { value?: unknown }).value);
    };
    fx.server.on('notification', collect);
    try {
      client.tamper = (out) =>
        out.kind === 'notification'
          ? { ...out, options: out.options.map((o) => (o.number === O.Observe ? opt(O.Observe, last - 3) : o)) }
          : out;
      await client.set('/3311/0/5750', 'stale');
      await sleep(200);
      client.tamper = undefined;
      const fresh = fx.event('notification', (e) => e.observation.id === r.observationId);
      await client.set('/3311/0/5750', 'fresh');
      await fresh;
      assert.deepEqual(values, ['fresh']);
    } finally {
      client.tamper = undefined;
      fx.server.off('notification', collect);
    }
  });

  it('de-registration ends the observations', async () => {
    const { client: other } = await fx.registered({ endpoint: 'obs-2', version: '1.1' });
    const r = await fx.server.observe('obs-2', '/3303/0/5700');
    assert.equal(r.code, '2.05');
    const ended = fx.event('observationEnded', (o) => o.id === r.observationId);
    assert.equal((await other.deregister()).code, '2.02');
    const [, reason] = await ended;
    assert.ok(reason.length > 0);
    assert.deepEqual(fx.server.observations('obs-2'), []);
  });
});

function valueOf(r: { node?: unknown }): unknown {
  const n = r.node as { kind?: string; value?: unknown } | undefined;
  assert.equal(n?.kind, 'resource');
  return n?.value;
}
