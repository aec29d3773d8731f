/**
 * Conformance of the Accept of reads and observes to a 1.1 client, from a raw device that
 * answers 5.00 to a GET without Accept: which Accept goes on the wire, the single retry
 * after a refusal (a new message and token), and the active cancel that repeats the
 * observe's Accept (RFC 7641 3.6).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SingleResourceNode, ObjectInstanceNode } from '../../../src/lwm2m/node.js';
import { Fixture } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, getUint, observeOf, opt, uriPath } from './raw-device.js';

const TEXT = 0;
const SENML_JSON = 110;
const SENML_CBOR = 112;

describe('conformance: Accept of reads and observes', () => {
  let fx: Fixture;
  const devices: RawDevice[] = [];

  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await fx.stop();
  });

  async function registered(ep: string, links = LINKS): Promise<RawDevice> {
    const d = await RawDevice.open(fx.port);
    devices.push(d);
    await d.register([`ep=${ep}`, 'lt=300', 'lwm2m=1.1'], links);
    return d;
  }

  it('ct=110: text/plain for one resource, SenML JSON for an instance; no other format to retry with', async () => {
    const d = await registered('c-acc-1');
    const one = fx.server.read('c-acc-1', '/3/0/0');
    const get = await d.nextRequest();
    assert.equal(d.refuseWithoutAccept(get), false);
    assert.deepEqual([uriPath(get), getUint(get, O.Accept)], ['/3/0/0', TEXT]);
    d.answer(get, '2.05', { contentFormat: TEXT, payload: 'Acme' });
    assert.equal(((await one).node as SingleResourceNode).value, 'Acme');

    const inst = fx.server.read('c-acc-1', '/3/0');
    const g2 = await d.nextRequest();
    assert.equal(getUint(g2, O.Accept), SENML_JSON);
    d.answer(g2, '5.00');
    assert.equal((await inst).code, '5.00');
    assert.equal(await d.none((m) => m.code === CODE.GET, 400), undefined, 'ct lists one multi-value format: no retry');
  });

  it('ct="112 110": 4.06 to SenML CBOR, then one more request with SenML JSON', async () => {
    const d = await registered('c-acc-2', '</>;rt="oma.lwm2m";ct="112 110",</1/0>,</3/0>');
    const inst = fx.server.read('c-acc-2', '/3/0');
    const g1 = await d.nextRequest();
    assert.equal(getUint(g1, O.Accept), SENML_CBOR);
    d.answer(g1, '4.06');
    const g2 = await d.nextRequest();
    assert.equal(getUint(g2, O.Accept), SENML_JSON);
    assert.notEqual(g2.mid, g1.mid);
    assert.ok(!g2.token.equals(g1.token));
    d.answer(g2, '2.05', { contentFormat: SENML_JSON, payload: '[{"bn":"/3/0/","n":"0","vs":"Acme"}]' });
    const r = await inst;
    assert.equal(r.code, '2.05', JSON.stringify(r));
    assert.equal(((r.node as ObjectInstanceNode).resources.get(0) as SingleResourceNode).value, 'Acme');
    // the next read of several values asks for what worked
    const again = fx.server.read('c-acc-2', '/3/0');
    const g3 = await d.nextRequest();
    assert.equal(getUint(g3, O.Accept), SENML_JSON);
    d.answer(g3, '2.05', { contentFormat: SENML_JSON, payload: '[{"bn":"/3/0/","n":"0","vs":"Acme"}]' });
    assert.equal((await again).code, '2.05');
  });

  it('observe carries the Accept, and so does its active cancel', async () => {
    const d = await registered('c-acc-3');
    const obs = fx.server.observe('c-acc-3', '/3/0/9');
    const get = await d.nextRequest();
    assert.deepEqual([observeOf(get), getUint(get, O.Accept)], [0, TEXT]);
    d.answer(get, '2.05', { contentFormat: TEXT, payload: '80', options: [opt(O.Observe, 1)] });
    const o = await obs;
    assert.equal(o.code, '2.05', JSON.stringify(o));
    const cancel = fx.server.cancelObservation('c-acc-3', o.observationId!);
    const c = await d.nextRequest();
    assert.deepEqual([observeOf(c), getUint(c, O.Accept)], [1, TEXT]);
    assert.ok(c.token.equals(get.token));
    d.answer(c, '2.05', { contentFormat: TEXT, payload: '80' });
    assert.equal((await cancel).code, '2.05');
  });
});
