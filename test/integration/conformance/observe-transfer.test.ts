/**
 * Observe meeting the message and block layers, through the whole stack from a raw device:
 * a notification in blocks from a client with an alternate path (pitfall 8), an Observe
 * answered by a separate response, a notification that overtakes the Observe response.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationEvent } from '../../../src/lwm2m/server/index.js';
import { Fixture } from '../lwm2m/fixture.js';
import { O, RawDevice, getOpt, getUint, observeOf, opt, readUint, uriPath } from './raw-device.js';

const TEXT = 0;

describe('conformance: observe with blocks and separate responses over CoAP/UDP', () => {
  let fx: Fixture;
  const devices: RawDevice[] = [];

  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await fx.stop();
  });

  async function registered(ep: string, links: string): Promise<RawDevice> {
    const d = await RawDevice.open(fx.port);
    devices.push(d);
    await d.register([`ep=${ep}`, 'lwm2m=1.1'], links);
    return d;
  }

  it('a notification in blocks, alternate path: block 0 ACKed, the rest fetched by GET under the prefix without Observe, delivered whole', async () => {
    const d = await registered('t-blk', '</dm>;rt="oma.lwm2m",</dm/1/0>,</dm/3/0>');
    const pending = fx.server.observe('t-blk', '/3/0/0', { format: TEXT });
    const req = await d.nextRequest();
    assert.equal(uriPath(req), '/dm/3/0/0');
    d.answer(req, '2.05', { contentFormat: TEXT, payload: 'short', options: [opt(O.Observe, 1)] });
    const r = await pending;
    assert.ok(r.observationId);
    const got = fx.event('notification', (e: NotificationEvent) => e.observation.id === r.observationId);

    const body = Buffer.from('M'.repeat(40) + '-end');
    const first = d.build({ code: '2.05', type: 'CON', token: req.token, payload: body.subarray(0, 16), options: [opt(O.Observe, 2), opt(O.ContentFormat, TEXT), opt(O.Block2, 8)] });
    first.options.sort((a, b) => a.number - b.number);
    d.send(first);
    assert.equal((await d.next((m) => m.mid === first.mid)).type, 'ACK');
    for (let num = 1; num * 16 < body.length; num++) {
      const get = await d.nextRequest();
      assert.deepEqual([get.code, uriPath(get), observeOf(get)], ['0.01', '/dm/3/0/0', undefined]);
      const b2 = readUint(getOpt(get, O.Block2) ?? Buffer.alloc(0));
      assert.deepEqual([b2 >>> 4, b2 & 7], [num, 0]);
      assert.equal(getUint(get, O.Accept), getUint(req, O.Accept), 'same Accept as the observe');
      const more = (num + 1) * 16 < body.length;
      d.answer(get, '2.05', { contentFormat: TEXT, payload: body.subarray(num * 16, num * 16 + 16), options: [opt(O.Block2, num * 16 + (more ? 8 : 0))] });
    }
    const [n] = await got;
    assert.equal(n.node?.kind === 'resource' ? n.node.value : undefined, body.toString());
  });

  it('an Observe answered by a separate CON response (after an empty ACK) still establishes the observation', async () => {
    const d = await registered('t-sep', '</1/0>,</3303/0>');
    const pending = fx.server.observe('t-sep', '/3303/0/5700', { format: TEXT });
    const req = await d.nextRequest();
    d.send({ type: 'ACK', code: '0.00', mid: req.mid, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) });
    const sep = d.build({ code: '2.05', type: 'CON', token: req.token, payload: '20.5', options: [opt(O.Observe, 7), opt(O.ContentFormat, TEXT)] });
    sep.options.sort((a, b) => a.number - b.number);
    d.send(sep);
    assert.equal((await d.next((m) => m.mid === sep.mid)).type, 'ACK');
    const r = await pending;
    assert.ok(r.observationId, JSON.stringify(r));
    const got = fx.event('notification', (e: NotificationEvent) => e.observation.id === r.observationId);
    d.notify(req, 8, { contentFormat: TEXT, payload: '21' });
    const [n] = await got;
    assert.equal(n.node?.kind === 'resource' ? n.node.value : undefined, 21);
  });

  it('a notification that overtakes the Observe ACK counts (as the response or as a notification); the older ACK changes nothing', async () => {
    const d = await registered('t-race', '</1/0>,</3303/0>');
    const values: unknown[] = [];
    const onN = (e: NotificationEvent): void => {
      if (e.registration.endpoint === 't-race') values.push(e.node?.kind === 'resource' ? e.node.value : undefined);
    };
    fx.server.on('notification', onN);
    try {
      const pending = fx.server.observe('t-race', '/3303/0/5700', { format: TEXT });
      const req = await d.nextRequest();
      // a NON 2.05 with the token: to the gateway it may also be a separate NON response (RFC 7252 5.2.2)
      d.notify(req, 3, { contentFormat: TEXT, payload: '23' });
      await new Promise((res) => setTimeout(res, 50));
      d.answer(req, '2.05', { contentFormat: TEXT, payload: '22', options: [opt(O.Observe, 2)] });
      const r = await pending;
      assert.ok(r.observationId);
      d.notify(req, 4, { contentFormat: TEXT, payload: '24' });
      await new Promise((res) => setTimeout(res, 150));
      const seen = [r.node?.kind === 'resource' ? r.node.value : undefined, ...values];
      assert.ok(seen.includes(23), `23 seen: ${JSON.stringify(seen)}`);
      assert.ok(!seen.slice(seen.indexOf(23)).includes(22), `the older 22 after 23: ${JSON.stringify(seen)}`);
      assert.equal(seen.at(-1), 24);
      assert.equal(fx.server.observations('t-race').length, 1);
    } finally {
      fx.server.off('notification', onN);
    }
  });
});
