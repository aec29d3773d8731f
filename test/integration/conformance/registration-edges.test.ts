/**
 * Registration edge cases from real deployments, over raw UDP: endpoint name forms,
 * objects clients should not list, extra parameters, queue mode stated the "wrong" way,
 * failed Updates that must change nothing, retransmitted De-registers, Updates in blocks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, opt } from './raw-device.js';

describe('conformance: registration edge cases over CoAP/UDP', () => {
  let fx: Fixture;
  let d: RawDevice;

  before(async () => {
    fx = await Fixture.start({ server: { lifetime: { min: 10, max: 100_000, default: 86_400 } } });
    d = await RawDevice.open(fx.port);
  });
  after(async () => {
    await d.close();
    await fx.stop();
  });

  it('endpoint names in URN forms (with ":" and "=") are taken verbatim', async () => {
    for (const ep of ['urn:imei:490154203237518', 'urn:dev:ops:32473-Refrigerator-5002', 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'name=with=equals']) {
      await d.register([`ep=${ep}`, 'lwm2m=1.1'], LINKS);
      assert.equal(fx.server.getRegistration(ep)?.endpoint, ep);
    }
  });

  it('objects /0 and /21 listed anyway, an object without instances and unknown parameters do not stop a Register', async () => {
    await d.register(['ep=e-odd', 'lwm2m=1.1', 'apn=internet', 'lt=120'], '</>;rt="oma.lwm2m",</0/0>,</1/0>,</3/0>,</21/0>,</5>,</3303/0>');
    const reg = fx.server.getRegistration('e-odd');
    assert.ok(reg);
    assert.equal(reg.lifetime, 120);
    assert.ok(reg.objects.has(5), 'object 5 without instances kept');
    assert.deepEqual(reg.objects.get(5)?.instances ?? [], []);
    assert.equal(reg.extra.apn, 'internet');
  });

  it('queue mode stated the other version\'s way (Q with lwm2m=1.0, b=UQ with lwm2m=1.1) is accepted as queue mode', async () => {
    await d.register(['ep=e-q10', 'lwm2m=1.0', 'Q'], LINKS);
    await d.register(['ep=e-uq11', 'lwm2m=1.1', 'b=UQ'], LINKS);
    assert.equal(fx.server.getRegistration('e-q10')?.queueMode, true);
    assert.equal(fx.server.getRegistration('e-uq11')?.queueMode, true);
  });

  it('a refused Update (lifetime above the maximum, bad binding, bad payload) changes nothing', async () => {
    const id = await d.register(['ep=e-bad-upd', 'lwm2m=1.1', 'lt=300'], LINKS);
    const before = fx.server.getRegistration('e-bad-upd')!;
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id], query: ['lt=100001'] })).code, '4.00');
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id], query: ['lt=500', 'b=X'] })).code, '4.00');
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id], query: ['lt=500'], contentFormat: 40, payload: '<<<' })).code, '4.00');
    const after = fx.server.getRegistration('e-bad-upd')!;
    assert.equal(after.lifetime, 300);
    assert.equal(after.binding, before.binding);
    assert.deepEqual([...after.objects.keys()], [...before.objects.keys()]);
  });

  it('a retransmitted De-register (its 2.02 lost) gets 2.02 again, not 4.04', async () => {
    const id = await d.register(['ep=e-dereg', 'lwm2m=1.1'], LINKS);
    const del = d.build({ code: CODE.DELETE, path: ['rd', id] });
    d.send(del);
    assert.equal((await d.responseTo(del)).code, '2.02');
    d.send(del);
    assert.equal((await d.responseTo(del)).code, '2.02');
    assert.equal(fx.server.getRegistration('e-dereg'), undefined);
  });

  it('an Update whose object list comes in Block1 blocks is applied once, whole', async () => {
    const id = await d.register(['ep=e-upd-blocks', 'lwm2m=1.1'], LINKS);
    const links = ['</>;rt="oma.lwm2m";ct=110', '</1/0>', '</3/0>', ...Array.from({ length: 120 }, (_, i) => `</3303/${i}>`)].join(',');
    const body = Buffer.from(links);
    const size = 64;
    let updates = 0;
    const onUpd = (): void => {
      updates++;
    };
    fx.server.on('updated', onUpd);
    try {
      for (let num = 0; num * size < body.length; num++) {
        const more = (num + 1) * size < body.length;
        const res = await d.request({
          code: CODE.POST,
          path: ['rd', id],
          contentFormat: 40,
          payload: body.subarray(num * size, (num + 1) * size),
          options: [opt(O.Block1, num * 16 + (more ? 8 : 0) + 2)],
        });
        assert.equal(res.code, more ? '2.31' : '2.04', `block ${num}`);
      }
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(updates, 1);
      assert.equal(fx.server.getRegistration('e-upd-blocks')?.objects.get(3303)?.instances.length, 120);
    } finally {
      fx.server.off('updated', onUpd);
    }
  });

  it('ver given on an instance link applies to its object; other link attributes (ssid, obs, title, rt) are ignored', async () => {
    await d.register(['ep=e-attrs', 'lwm2m=1.1'], '</>;rt="oma.lwm2m";ct=110,</1/0>;ssid=1;obs,</3/0>;ver=1.1;title="dev",</3303/0>;ver="1.1";rt="urn:oma:lwm2m:ext:3303",</3303/1>');
    const reg = fx.server.getRegistration('e-attrs');
    assert.equal(reg?.objects.get(3)?.version, '1.1');
    assert.equal(reg?.objects.get(3303)?.version, '1.1');
    assert.deepEqual(reg?.objects.get(3303)?.instances, [0, 1]);
    assert.deepEqual(reg?.objects.get(1)?.instances, [0]);
  });
});
