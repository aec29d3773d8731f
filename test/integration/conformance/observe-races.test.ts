/**
 * Observe races from a raw device: two observes of one path started together (never two
 * observations on one path, pitfall 7), a De-register while an observe is in flight,
 * a passive cancel (nothing sent; the next notification, CON or NON, gets a RST).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture, sleep } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, opt } from './raw-device.js';

const TEXT = 0;

describe('conformance: observe races over CoAP/UDP', () => {
  let fx: Fixture;
  const devices: RawDevice[] = [];

  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await fx.stop();
  });

  async function registered(ep: string): Promise<{ d: RawDevice; id: string }> {
    const d = await RawDevice.open(fx.port);
    devices.push(d);
    return { d, id: await d.register([`ep=${ep}`, 'lwm2m=1.1'], LINKS) };
  }

  it('two observes of one path started together end with one observation: the earlier token gets a RST', async () => {
    const { d } = await registered('r-twice');
    const p1 = fx.server.observe('r-twice', '/3303/0/5700', { format: TEXT });
    const p2 = fx.server.observe('r-twice', '/3303/0/5700', { format: TEXT });
    const g1 = await d.nextRequest();
    d.answer(g1, '2.05', { contentFormat: TEXT, payload: '1', options: [opt(O.Observe, 1)] });
    const g2 = await d.nextRequest();
    assert.notDeepEqual(g2.token, g1.token);
    d.answer(g2, '2.05', { contentFormat: TEXT, payload: '2', options: [opt(O.Observe, 1)] });
    const [, r2] = await Promise.all([p1, p2]);
    assert.equal(fx.server.observations('r-twice').length, 1);
    assert.equal(fx.server.observations('r-twice')[0]?.id, r2.observationId);
    const n1 = d.notify(g1, 5, { type: 'CON', contentFormat: TEXT, payload: '5' });
    const n2 = d.notify(g2, 5, { type: 'CON', contentFormat: TEXT, payload: '6' });
    assert.equal((await d.next((m) => m.mid === n1.mid)).type, 'RST');
    assert.equal((await d.next((m) => m.mid === n2.mid)).type, 'ACK');
  });

  it('a De-register while an observe is in flight: the observe ends CANCELLED, its notifications get a RST', async () => {
    const { d, id } = await registered('r-dereg');
    const pending = fx.server.observe('r-dereg', '/3303/0/5700', { format: TEXT });
    const get = await d.nextRequest();
    assert.equal((await d.request({ code: CODE.DELETE, path: ['rd', id] })).code, '2.02');
    d.answer(get, '2.05', { contentFormat: TEXT, payload: '1', options: [opt(O.Observe, 1)] });
    const r = await pending;
    assert.equal(r.error?.code, 'CANCELLED');
    await sleep(20);
    assert.equal(fx.server.observations('r-dereg').length, 0);
    const n = d.notify(get, 5, { type: 'CON', contentFormat: TEXT, payload: '5' });
    assert.equal((await d.next((m) => m.mid === n.mid)).type, 'RST');
  });

  it('passive cancel: nothing goes to the device; its next CON and NON notifications get a RST', async () => {
    const { d } = await registered('r-passive');
    const pending = fx.server.observe('r-passive', '/3303/0/5700', { format: TEXT });
    const get = await d.nextRequest();
    d.answer(get, '2.05', { contentFormat: TEXT, payload: '1', options: [opt(O.Observe, 1)] });
    const r = await pending;
    assert.ok(r.observationId);
    await fx.server.cancelObservation('r-passive', r.observationId, { passive: true });
    assert.equal(await d.none(() => true, 200), undefined, 'a passive cancel sends nothing');
    assert.equal(fx.server.observations('r-passive').length, 0);
    const con = d.notify(get, 2, { type: 'CON', contentFormat: TEXT, payload: '2' });
    assert.equal((await d.next((m) => m.mid === con.mid)).type, 'RST');
    const non = d.notify(get, 3, { type: 'NON', contentFormat: TEXT, payload: '3' });
    assert.equal((await d.next((m) => m.mid === non.mid)).type, 'RST');
  });
});
