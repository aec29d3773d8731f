/**
 * Regression: a client that refuses the Accept of a read or observe (4.06, or 5.00 from a
 * client that fails to encode) is asked once more with the next format it announced; what
 * worked is asked first from then on, and forgotten with the registration.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectInstanceNode, SingleResourceNode } from '../../../src/lwm2m/node.js';
import type { AcceptMemory } from '../../../src/lwm2m/server/operations/accept.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

/** Announces SenML CBOR first but encodes SenML JSON only. */
const WRONG_CT = { version: '1.1' as const, contentFormats: [CF.SENML_CBOR, CF.SENML_JSON], formats: [CF.TEXT, CF.SENML_JSON], requireAccept: true };

describe('a refused Accept is retried once with the next format', () => {
  let fx: Fixture;
  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await fx.stop();
  });

  const memory = (): AcceptMemory => (fx.server as unknown as { downlinks: { accepts: AcceptMemory } }).downlinks.accepts;
  const getsSince = (c: { received: { method: string; accept?: number; responseCode?: string }[] }, from: number): string[] =>
    c.received.slice(from).filter((q) => q.method === 'GET').map((q) => `${q.accept} ${q.responseCode}`);

  it('4.06: the next announced format, then that one first', async () => {
    const { client } = await fx.registered({ endpoint: 'retry-406', ...WRONG_CT });
    const r = await fx.server.read('retry-406', '/3/0');
    assert.equal(r.code, '2.05', JSON.stringify(r));
    assert.equal(((r.node as ObjectInstanceNode).resources.get(0) as SingleResourceNode).value, 'Test Devices Ltd');
    assert.deepEqual(getsSince(client, 0), ['112 4.06', '110 2.05']);
    const from = client.received.length;
    assert.equal((await fx.server.read('retry-406', '/3303/0')).code, '2.05');
    assert.equal((await fx.server.read('retry-406', '/3/0/7')).code, '2.05');
    assert.equal((await fx.server.read('retry-406', '/3/0/9')).code, '2.05');
    assert.deepEqual(getsSince(client, from), ['110 2.05', '110 2.05', '0 2.05'], 'remembered for every multi-value read; single values unaffected');
  });

  it('5.00 on a format the client announced: retried too; an observe is started again with a fresh token', async () => {
    const { client } = await fx.registered({ endpoint: 'retry-500', version: '1.1', contentFormats: [CF.TLV, CF.SENML_JSON], requireAccept: true });
    client.tamper = (out) => (out.kind === 'answer' && out.request?.accept === CF.TLV ? { code: '5.00', options: [], payload: Buffer.alloc(0) } : out);
    const o = await fx.server.observe('retry-500', '/3303/0');
    assert.equal(o.code, '2.05', JSON.stringify(o));
    assert.ok(o.observationId);
    const gets = client.received.filter((q) => q.method === 'GET');
    assert.deepEqual(gets.map((q) => `${q.observe} ${q.accept} ${q.responseCode}`), ['0 11542 5.00', '0 110 2.05']);
    assert.ok(!gets[0]!.token.equals(gets[1]!.token), 'a fresh token for the second observe');
    const seen = fx.event('notification', (n) => n.registration.endpoint === 'retry-500');
    await client.set('/3303/0/5700', 12.5);
    const [n] = await seen;
    assert.equal(((n.node as ObjectInstanceNode).resources.get(5700) as SingleResourceNode).value, 12.5);
    assert.equal((await fx.server.cancelObservation('retry-500', o.observationId)).code, '2.05');
    assert.deepEqual([client.received.at(-1)!.observe, client.received.at(-1)!.accept], [1, CF.SENML_JSON]);
  });

  it('composite: a refused Accept is retried with the next SenML format; the cancel repeats the one that worked', async () => {
    const { client } = await fx.registered({ endpoint: 'retry-comp', version: '1.1', contentFormats: [CF.SENML_CBOR, CF.SENML_JSON] });
    client.tamper = (out) =>
      out.kind === 'answer' && out.request?.method === 'FETCH' && out.request.accept === CF.SENML_CBOR ? { code: '4.06', options: [], payload: Buffer.alloc(0) } : out;
    const r = await fx.server.readComposite('retry-comp', ['/3/0/9', '/3303/0/5700']);
    assert.equal(r.code, '2.05', JSON.stringify(r));
    assert.equal((r.nodes?.get('/3/0/9') as SingleResourceNode).value, 87);
    const o = await fx.server.observeComposite('retry-comp', ['/3/0/9']);
    assert.equal(o.code, '2.05', JSON.stringify(o));
    assert.equal((await fx.server.cancelObservation('retry-comp', o.observationId!)).code, '2.05');
    const fetches = client.received.filter((q) => q.method === 'FETCH').map((q) => `${q.observe} ${q.accept} ${q.responseCode}`);
    assert.deepEqual(fetches, ['undefined 112 4.06', 'undefined 110 2.05', '0 110 2.05', '1 110 2.05']);
  });

  it('only once: two refusals give the client answer back', async () => {
    const { client } = await fx.registered({
      endpoint: 'retry-twice',
      version: '1.1',
      contentFormats: [CF.SENML_CBOR, CF.TLV, CF.SENML_JSON],
      formats: [CF.TEXT, CF.SENML_JSON],
      requireAccept: true,
    });
    const r = await fx.server.read('retry-twice', '/3/0');
    assert.equal(r.code, '4.06');
    assert.equal(r.success, false);
    assert.deepEqual(getsSince(client, 0), ['112 4.06', '11542 4.06']);
  });

  it('an explicit format is sent as asked, without retry', async () => {
    const { client } = await fx.registered({ endpoint: 'retry-explicit', ...WRONG_CT });
    const r = await fx.server.read('retry-explicit', '/3/0', { format: CF.SENML_CBOR });
    assert.equal(r.code, '4.06');
    assert.deepEqual(getsSince(client, 0), ['112 4.06']);
  });

  it('a client that announced nothing and lacks SenML JSON: last, a read without Accept', async () => {
    const { client } = await fx.registered({ endpoint: 'retry-none', version: '1.1', formats: [CF.TEXT, CF.TLV], defaultFormat: CF.TLV });
    const r = await fx.server.read('retry-none', '/3/0');
    assert.equal(r.code, '2.05', JSON.stringify(r));
    assert.equal(r.contentFormat, CF.TLV);
    assert.deepEqual(getsSince(client, 0), ['110 4.06', 'undefined 2.05']);
  });

  it('what worked is forgotten with the registration', async () => {
    const { client } = await fx.registered({ endpoint: 'retry-forget', ...WRONG_CT });
    assert.equal((await fx.server.read('retry-forget', '/3/0')).code, '2.05');
    const id = fx.server.getRegistration('retry-forget')!.id;
    assert.equal(memory().get(id, 'multi'), CF.SENML_JSON);
    const gone = fx.event('deregistered', (r) => r.endpoint === 'retry-forget');
    assert.equal((await client.deregister()).code, '2.02');
    await gone;
    assert.equal(memory().get(id, 'multi'), undefined);
    // again, and a new Register of the same endpoint replaces the registration
    const seen = fx.event('registered', (r) => r.endpoint === 'retry-forget');
    assert.equal((await client.register()).code, '2.01');
    await seen;
    const id2 = fx.server.getRegistration('retry-forget')!.id;
    assert.equal((await fx.server.read('retry-forget', '/3/0')).code, '2.05');
    assert.equal(memory().get(id2, 'multi'), CF.SENML_JSON);
    const replaced = fx.event('registered', (r) => r.endpoint === 'retry-forget');
    assert.equal((await client.register()).code, '2.01');
    await replaced;
    assert.equal(memory().get(id2, 'multi'), undefined);
    const from = client.received.length;
    assert.equal((await fx.server.read('retry-forget', '/3/0')).code, '2.05');
    assert.deepEqual(getsSince(client, from), ['112 4.06', '110 2.05'], 'the new registration starts from the announced order');
  });
});
