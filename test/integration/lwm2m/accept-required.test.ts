/**
 * Regression: reads and observes to a 1.1 client carry an Accept. A client built with one
 * multi-value format and no default answers 5.00 to a GET without Accept; clients that
 * know only TLV, only SenML CBOR or only SenML JSON answer 4.06 to the others. Each gets
 * values for single resources, instances, objects, multiple resources, observations
 * (whose active cancel repeats the Accept) and composite reads.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource, type ObjectInstanceNode, type SingleResourceNode, type MultiResourceNode } from '../../../src/lwm2m/node.js';
import { CF, type Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture, type ClientOptions } from './fixture.js';

/** Simulated clients: what they announce and the only multi-value format they know. */
const CLIENTS: { name: string; multi: number; opts: Omit<ClientOptions, 'endpoint'> }[] = [
  { name: 'SenML JSON only, 5.00 without Accept', multi: CF.SENML_JSON, opts: { version: '1.1', contentFormats: [CF.SENML_JSON], formats: [CF.TEXT, CF.OPAQUE, CF.SENML_JSON], requireAccept: true } },
  { name: 'TLV only', multi: CF.TLV, opts: { version: '1.1', contentFormats: [CF.TLV], formats: [CF.TEXT, CF.OPAQUE, CF.TLV], requireAccept: true } },
  { name: 'SenML CBOR only', multi: CF.SENML_CBOR, opts: { version: '1.1', contentFormats: [CF.SENML_CBOR], formats: [CF.TEXT, CF.OPAQUE, CF.SENML_CBOR], requireAccept: true } },
  { name: 'SenML JSON only, no ct', multi: CF.SENML_JSON, opts: { version: '1.1', formats: [CF.TEXT, CF.OPAQUE, CF.SENML_JSON], requireAccept: true } },
];

describe('Accept on every read to a 1.1 client', () => {
  let fx: Fixture;
  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await fx.stop();
  });

  for (const [k, c] of CLIENTS.entries()) {
    describe(c.name, () => {
      const ep = `acc-${k}`;
      let client: Lwm2mTestClient;
      before(async () => {
        ({ client } = await fx.registered({ endpoint: ep, ...c.opts }));
      });

      it('reads a single resource with Accept text/plain', async () => {
        const r = await fx.server.read(ep, '/3/0/0');
        assert.equal(r.code, '2.05', JSON.stringify(r));
        assert.equal((r.node as SingleResourceNode).value, 'Test Devices Ltd');
        assert.equal(client.received.at(-1)!.accept, CF.TEXT);
      });

      it('reads an instance, an object and a multiple resource in its multi-value format', async () => {
        const inst = await fx.server.read(ep, '/3/0');
        assert.equal(inst.code, '2.05', JSON.stringify(inst));
        assert.equal(inst.contentFormat, c.multi);
        const r0 = (inst.node as ObjectInstanceNode).resources.get(0) as SingleResourceNode;
        assert.equal(r0.value, 'Test Devices Ltd');
        const obj = await fx.server.read(ep, '/3303');
        assert.equal(obj.code, '2.05', JSON.stringify(obj));
        assert.equal(client.received.at(-1)!.accept, c.multi);
        const multi = await fx.server.read(ep, '/3/0/7');
        assert.equal(multi.code, '2.05', JSON.stringify(multi));
        assert.equal((multi.node as MultiResourceNode).instances.get(1)?.value, 5000);
        assert.equal(client.received.at(-1)!.accept, c.multi);
        assert.ok(client.received.every((q) => q.responseCode !== '5.00' && q.responseCode !== '4.06'), 'no refused request');
      });

      it('a written value reads back', async () => {
        const w = await fx.server.write(ep, '/3311/0/5851', resource(5851, 'integer', 40 + k));
        assert.equal(w.code, '2.04', JSON.stringify(w));
        const r = await fx.server.read(ep, '/3311/0/5851');
        assert.equal((r.node as SingleResourceNode).value, 40 + k);
        const inst = await fx.server.read(ep, '/3311/0');
        assert.equal(((inst.node as ObjectInstanceNode).resources.get(5851) as SingleResourceNode).value, 40 + k);
      });

      it('observes a resource and an instance; notifications decode; the cancel repeats the Accept', async () => {
        const o = await fx.server.observe(ep, '/3303/0/5700');
        assert.equal(o.code, '2.05', JSON.stringify(o));
        const oi = await fx.server.observe(ep, '/3303/0');
        assert.equal(oi.code, '2.05', JSON.stringify(oi));
        assert.equal(client.received.at(-1)!.accept, c.multi);
        const seen = fx.event('notification', (n) => n.registration.endpoint === ep && n.observation.paths[0]!.toString() === '/3303/0/5700');
        const seenInst = fx.event('notification', (n) => n.registration.endpoint === ep && n.observation.paths[0]!.toString() === '/3303/0');
        await client.set('/3303/0/5700', 30 + k);
        const [n] = await seen;
        assert.equal((n.node as SingleResourceNode).value, 30 + k);
        const [ni] = await seenInst;
        assert.equal(((ni.node as ObjectInstanceNode).resources.get(5700) as SingleResourceNode).value, 30 + k);
        const cancel = await fx.server.cancelObservation(ep, '/3303/0');
        assert.equal(cancel.code, '2.05', JSON.stringify(cancel));
        const last = client.received.at(-1)!;
        assert.deepEqual([last.observe, last.accept], [1, c.multi]);
        assert.equal((await fx.server.cancelObservation(ep, '/3303/0/5700')).code, '2.05');
        assert.equal(client.received.at(-1)!.accept, CF.TEXT);
      });
    });
  }

  it('read-composite and observe-composite ask for the SenML format the client announced', async () => {
    const { client } = await fx.registered({ endpoint: 'acc-comp', version: '1.1', contentFormats: [CF.SENML_CBOR], formats: [CF.TEXT, CF.SENML_CBOR], requireAccept: true });
    const r = await fx.server.readComposite('acc-comp', ['/3/0/9', '/3303/0/5700']);
    assert.equal(r.code, '2.05', JSON.stringify(r));
    assert.equal((r.nodes?.get('/3/0/9') as SingleResourceNode).value, 87);
    assert.equal(client.received.at(-1)!.accept, CF.SENML_CBOR);
    const o = await fx.server.observeComposite('acc-comp', ['/3/0/9']);
    assert.equal(o.code, '2.05', JSON.stringify(o));
    const cancel = await fx.server.cancelObservation('acc-comp', o.observationId!);
    assert.equal(cancel.code, '2.05');
    assert.equal(client.received.at(-1)!.accept, CF.SENML_CBOR);
  });

  it('block-wise answers: every follow-up GET (read and notification) repeats the Accept', async () => {
    const { client } = await fx.registered({
      endpoint: 'acc-blocks',
      version: '1.1',
      contentFormats: [CF.SENML_JSON],
      formats: [CF.TEXT, CF.SENML_JSON],
      requireAccept: true,
      blockSize: 64,
    });
    const r = await fx.server.read('acc-blocks', '/3/0');
    assert.equal(r.code, '2.05', JSON.stringify(r));
    assert.equal(((r.node as ObjectInstanceNode).resources.get(0) as SingleResourceNode).value, 'Test Devices Ltd');
    const o = await fx.server.observe('acc-blocks', '/3/0');
    assert.equal(o.code, '2.05', JSON.stringify(o));
    const seen = fx.event('notification', (n) => n.registration.endpoint === 'acc-blocks');
    await client.set('/3/0/9', 12);
    const [n] = await seen;
    assert.equal(((n.node as ObjectInstanceNode).resources.get(9) as SingleResourceNode).value, 12);
    const gets = client.received.filter((q) => q.method === 'GET');
    assert.ok(gets.filter((q) => q.block2 && q.block2.num > 0).length >= 3, 'answers came in blocks');
    assert.deepEqual([...new Set(gets.map((q) => `${q.accept} ${q.responseCode}`))], [`${CF.SENML_JSON} 2.05`]);
  });

  it('a 1.2 client that announced CBOR: one value in CBOR, several in its LwM2M CBOR', async () => {
    const { client } = await fx.registered({
      endpoint: 'acc-12',
      version: '1.2',
      contentFormats: [CF.CBOR, CF.LWM2M_CBOR],
      formats: [CF.TEXT, CF.CBOR, CF.LWM2M_CBOR],
      requireAccept: true,
    });
    const one = await fx.server.read('acc-12', '/3/0/9');
    assert.equal((one.node as SingleResourceNode).value, 87);
    assert.equal(client.received.at(-1)!.accept, CF.CBOR);
    const inst = await fx.server.read('acc-12', '/3303/0');
    assert.equal(((inst.node as ObjectInstanceNode).resources.get(5700) as SingleResourceNode).value, 21.5);
    assert.equal(client.received.at(-1)!.accept, CF.LWM2M_CBOR);
  });

  it('a 1.0 client still gets reads without Accept', async () => {
    const { client } = await fx.registered({ endpoint: 'acc-10', version: '1.0', contentFormats: [CF.SENML_JSON] });
    assert.equal((await fx.server.read('acc-10', '/3/0')).code, '2.05');
    assert.equal(client.received.at(-1)!.accept, undefined);
  });
});
