/**
 * Alternate path (`</lwm2m>;rt="oma.lwm2m"`): every device-management request carries
 * the client's root path prefix; Register, Update and Send do not.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource } from '../../../src/lwm2m/node.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

describe('alternate path over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const ep = 'alt-1';

  before(async () => {
    fx = await Fixture.start();
    const r = await fx.registered({ endpoint: ep, version: '1.1', rootPath: '/lwm2m', contentFormats: [CF.SENML_CBOR] });
    client = r.client;
    assert.equal(r.registration.rootPath, '/lwm2m');
    assert.ok(r.registration.objects.has(3303));
    assert.ok(!r.registration.objects.has(0));
  });
  after(async () => {
    await fx.stop();
  });

  it('prefixes read, write, execute, discover, observe and composite requests', async () => {
    const from = client.received.length;
    const read = await fx.server.read(ep, '/3/0/0', { format: CF.TEXT });
    assert.equal(read.code, '2.05');
    const write = await fx.server.write(ep, '/3311/0/5851', resource(5851, 'integer', 3), { format: CF.TEXT });
    assert.equal(write.code, '2.04');
    assert.equal((await fx.server.execute(ep, '/3/0/4')).code, '2.04');
    assert.equal((await fx.server.discover(ep, '/3303/0')).code, '2.05');
    const obs = await fx.server.observe(ep, '/3303/0/5700');
    assert.equal(obs.code, '2.05');
    assert.equal((await fx.server.readComposite(ep, ['/3/0/1', '/3303/0/5701'])).code, '2.05');
    const got = client.received.slice(from);
    assert.equal(got.length, 6);
    for (const q of got) assert.equal(q.uriPath[0], 'lwm2m', `${q.method} ${q.uriPath.join('/')}`);
    assert.deepEqual(got[0]!.uriPath, ['lwm2m', '3', '0', '0']);
    assert.ok(got.every((q) => q.path !== ''), 'every request named a path inside the root');

    const next = fx.event('notification', (e) => e.observation.id === obs.observationId);
    await client.set('/3303/0/5700', 17.25);
    const [n] = await next;
    assert.equal((n.node as { value?: unknown }).value, 17.25);
  });

  it('keeps the root path across an Update with a new object list', async () => {
    const updated = fx.event('updated', (r) => r.endpoint === ep);
    assert.equal((await client.update({ objects: true })).code, '2.04');
    const [reg] = await updated;
    assert.equal(reg.rootPath, '/lwm2m');
    const r = await fx.server.read(ep, '/3/0/2', { format: CF.TEXT });
    assert.equal((r.node as { value?: unknown }).value, 'SN-0001');
    assert.deepEqual(client.received.at(-1)!.uriPath, ['lwm2m', '3', '0', '2']);
  });
});
