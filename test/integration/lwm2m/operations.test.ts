/**
 * Device management over real UDP: read, write (replace and partial), write-attributes,
 * execute, create, delete and discover, in every multi-value format (TLV, SenML JSON,
 * SenML CBOR, LwM2M CBOR) and the single-value ones (text, opaque).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instance, multiResource, resource } from '../../../src/lwm2m/node.js';
import type { LwM2mNode, ObjectInstanceNode, ResourceNode } from '../../../src/lwm2m/node.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

const FORMATS = [
  ['TLV', CF.TLV],
  ['SenML JSON', CF.SENML_JSON],
  ['SenML CBOR', CF.SENML_CBOR],
  ['LwM2M CBOR', CF.LWM2M_CBOR],
] as const;

function asInstance(n: LwM2mNode | undefined): ObjectInstanceNode {
  assert.equal(n?.kind, 'instance');
  return n as ObjectInstanceNode;
}

function valueOf(n: LwM2mNode | undefined): unknown {
  assert.equal(n?.kind, 'resource', `expected a single resource, got ${n?.kind}`);
  return (n as { value: unknown }).value;
}

function resourceValue(inst: ObjectInstanceNode, id: number): unknown {
  const r = inst.resources.get(id) as ResourceNode | undefined;
  assert.ok(r, `resource ${id} missing`);
  return r.kind === 'resource' ? r.value : Object.fromEntries([...r.instances].map(([k, v]) => [k, v.value]));
}

describe('device management over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const ep = 'ops-1';

  before(async () => {
    fx = await Fixture.start();
    ({ client } = await fx.registered({
      endpoint: ep,
      version: '1.2',
      contentFormats: [CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR],
    }));
  });
  after(async () => {
    await fx.stop();
  });

  for (const [name, format] of FORMATS) {
    it(`reads an instance, a resource and an object in ${name}`, async () => {
      const from = client.received.length;
      const r = await fx.server.read(ep, '/3/0', { format });
      assert.equal(r.code, '2.05', JSON.stringify(r.error));
      assert.equal(r.success, true);
      assert.equal(r.contentFormat, format);
      const inst = asInstance(r.node);
      assert.equal(resourceValue(inst, 0), 'Test Devices Ltd');
      assert.equal(resourceValue(inst, 9), 87);
      assert.deepEqual(resourceValue(inst, 7), { 0: 3800, 1: 5000 });
      const seen = await client.waitForRequest((q) => q.path === '/3/0' && q.method === 'GET', { from });
      assert.equal(seen.accept, format);

      const t = await fx.server.read(ep, '/3303/0/5700', { format });
      assert.equal(t.success, true, JSON.stringify(t));
      assert.equal(valueOf(t.node), client.value('/3303/0/5700'));

      const obj = await fx.server.read(ep, '/3303', { format });
      assert.equal(obj.success, true, JSON.stringify(obj.error));
      assert.equal(obj.node?.kind, 'object');
      if (obj.node?.kind === 'object') assert.ok(obj.node.instances.has(0));
    });

    it(`writes a resource, replaces and partially updates an instance in ${name}`, async () => {
      const from = client.received.length;
      const w = await fx.server.write(ep, '/3311/0/5851', resource(5851, 'integer', 61), { format });
      assert.equal(w.code, '2.04', JSON.stringify(w));
      assert.equal(client.value('/3311/0/5851'), 61);
      const put = await client.waitForRequest((q) => q.path === '/3311/0/5851' && q.method === 'PUT', { from });
      assert.equal(put.contentFormat, format);

      const partial = await fx.server.write(
        ep,
        '/3311/0',
        instance(0, [resource(5850, 'boolean', false), resource(5706, 'string', `0A0B${format}`)]),
        { format, partial: true },
      );
      assert.equal(partial.code, '2.04', JSON.stringify(partial));
      assert.equal(client.value('/3311/0/5850'), false);
      assert.equal(client.value('/3311/0/5706'), `0A0B${format}`);
      const post = await client.waitForRequest((q) => q.path === '/3311/0' && q.method === 'POST', { from });
      assert.equal(post.contentFormat, format);

      const replace = await fx.server.write(ep, '/3311/0', instance(0, [resource(5850, 'boolean', true), resource(5851, 'integer', 9), resource(5750, 'string', name)]), {
        format,
      });
      assert.equal(replace.code, '2.04', JSON.stringify(replace));
      assert.equal(client.value('/3311/0/5850'), true);
      assert.equal(client.value('/3311/0/5851'), 9);
      assert.equal(client.value('/3311/0/5750'), name);
    });

    it(`writes and reads a Time resource in ${name}`, async () => {
      const t = 1_750_000_000 + format;
      const w = await fx.server.write(ep, '/3/0/13', resource(13, 'time', t), { format });
      assert.equal(w.code, '2.04', JSON.stringify(w));
      assert.equal(client.value('/3/0/13'), t, 'the device decoded the time the gateway wrote');
      const r = await fx.server.read(ep, '/3/0/13', { format });
      assert.equal(r.success, true, JSON.stringify(r.error));
      assert.equal(valueOf(r.node), t);
      assert.equal((r.node as { type?: string }).type, 'time');
    });

    it(`creates and deletes an instance in ${name}`, async () => {
      const id = 10 + format % 7;
      const c = await fx.server.create(ep, '/3303', instance(id, [resource(5700, 'float', -7.25), resource(5701, 'string', 'Cel')]), { format });
      assert.equal(c.code, '2.01', JSON.stringify(c));
      assert.equal(c.location, `/3303/${id}`);
      assert.equal(client.value(`/3303/${id}/5700`), -7.25);
      const d = await fx.server.delete(ep, `/3303/${id}`);
      assert.equal(d.code, '2.02');
      assert.equal(client.store.hasInstance(3303, id), false);
    });
  }

  it('creates an instance whose id the client picks', async () => {
    const c = await fx.server.create(ep, '/3303', instance(undefined, [resource(5700, 'float', 1.5), resource(5701, 'string', 'K')]));
    assert.equal(c.code, '2.01', JSON.stringify(c));
    const id = Number(c.location?.split('/')[2]);
    assert.equal(c.location, `/3303/${id}`);
    assert.equal(client.value(`/3303/${id}/5701`), 'K');
    assert.equal((await fx.server.delete(ep, c.location!)).code, '2.02');
  });

  it('deletes a resource instance (1.1+)', async () => {
    client.store.set('/3/0/6/2', 7);
    const d = await fx.server.delete(ep, '/3/0/6/2');
    assert.equal(d.code, '2.02', JSON.stringify(d));
    assert.deepEqual([...client.store.getMulti('/3/0/6')!.keys()], [0, 1]);
  });

  it('writes a multiple resource in TLV (replacing its instances)', async () => {
    client.store.define({ id: 3311, resources: { ...client.store.defs.get(3311)!.resources, 5900: { type: 'integer', ops: 'RW', multiple: true } } });
    client.store.set('/3311/0/5900/7', 1);
    const w = await fx.server.write(ep, '/3311/0/5900', multiResource(5900, 'integer', { 0: 10, 1: -20 }), { format: CF.TLV });
    assert.equal(w.code, '2.04', JSON.stringify(w));
    assert.deepEqual([...client.store.getMulti('/3311/0/5900')!], [[0, 10], [1, -20]]);
  });

  it('reads and writes single values as text and opaque', async () => {
    const t = await fx.server.read(ep, '/3/0/0', { format: CF.TEXT });
    assert.equal(t.contentFormat, CF.TEXT);
    assert.equal(valueOf(t.node), 'Test Devices Ltd');
    const w = await fx.server.write(ep, '/3311/0/5750', resource(5750, 'string', 'by text'), { format: CF.TEXT });
    assert.equal(w.code, '2.04');
    assert.equal(client.value('/3311/0/5750'), 'by text');
    const pkg = new Uint8Array([1, 2, 3, 250, 251]);
    const o = await fx.server.write(ep, '/5/0/0', resource(0, 'opaque', pkg), { format: CF.OPAQUE });
    assert.equal(o.code, '2.04');
    assert.deepEqual(client.value('/5/0/0'), pkg);
    const last = client.received.at(-1)!;
    assert.equal(last.contentFormat, CF.OPAQUE);
  });

  it('picks formats from the registration when the caller names none', async () => {
    const from = client.received.length;
    const r = await fx.server.read(ep, '/3303/0');
    assert.equal(r.success, true, JSON.stringify(r.error));
    assert.equal(resourceValue(asInstance(r.node), 5701), 'Cel');
    const w = await fx.server.write(ep, '/3311/0', instance(0, [resource(5851, 'integer', 33)]), { partial: true });
    assert.equal(w.code, '2.04', JSON.stringify(w));
    const post = await client.waitForRequest((q) => q.method === 'POST' && q.path === '/3311/0', { from });
    assert.ok([CF.LWM2M_CBOR, CF.SENML_CBOR, CF.SENML_JSON].includes(post.contentFormat as 110), `format ${post.contentFormat}`);
    assert.equal(client.value('/3311/0/5851'), 33);
  });

  it('executes with arguments', async () => {
    const r = await fx.server.execute(ep, '/3/0/4', { args: "0='soon',1" });
    assert.equal(r.code, '2.04');
    assert.deepEqual(client.executed.at(-1), { path: '/3/0/4', args: "0='soon',1" });
    const bad = await fx.server.execute(ep, '/3/0/0');
    assert.equal(bad.code, '4.05');
    assert.equal(bad.success, false);
  });

  it('writes attributes and discovers them', async () => {
    const wa = await fx.server.writeAttributes(ep, '/3303/0/5700', { pmin: 5, pmax: 60, st: 0.5 });
    assert.equal(wa.code, '2.04', JSON.stringify(wa));
    assert.deepEqual([...client.store.attributes.get('/3303/0/5700')!].sort(), ['pmax=60', 'pmin=5', 'st=0.5']);
    const d = await fx.server.discover(ep, '/3303/0');
    assert.equal(d.code, '2.05', JSON.stringify(d));
    const uris = d.links!.map((l) => l.uri);
    assert.ok(uris.includes('/3303/0') && uris.includes('/3303/0/5700') && uris.includes('/3303/0/5605'), uris.join(','));
    const l5700 = d.links!.find((l) => l.uri === '/3303/0/5700')!;
    assert.equal(l5700.attributes.get('pmin'), '5');
    assert.equal(client.received.at(-1)!.accept, CF.LINK);
  });

  it('maps client errors to result codes', async () => {
    const missing = await fx.server.read(ep, '/3/9');
    assert.equal(missing.code, '4.04');
    assert.equal(missing.success, false);
    const notAcceptable = await fx.server.read(ep, '/3/0', { format: CF.OMA_JSON });
    assert.equal(notAcceptable.code, '4.06');
    const denied = await fx.server.write(ep, '/3/0/0', resource(0, 'string', 'x'), { format: CF.TEXT });
    assert.equal(denied.code, '4.05');
    assert.equal(client.value('/3/0/0'), 'Test Devices Ltd');
  });
});
