/**
 * Device-management edge cases from a raw device: Location-Path under an alternate path,
 * Execute arguments on the wire, attribute rules checked before sending, version-gated
 * operations refused before they reach a 1.0 client.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instance, resource } from '../../../src/lwm2m/node.js';
import { Fixture } from '../lwm2m/fixture.js';
import { CODE, O, RawDevice, getUint, opt, uriPath } from './raw-device.js';

describe('conformance: device-management edge cases over CoAP/UDP', () => {
  let fx: Fixture;
  let d: RawDevice;

  before(async () => {
    fx = await Fixture.start();
    d = await RawDevice.open(fx.port);
    await d.register(['ep=x-dev', 'lwm2m=1.0'], '</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3/0>,</lwm2m/3303/0>');
  });
  after(async () => {
    await d.close();
    await fx.stop();
  });

  it('Create under an alternate path: POST /prefix/o; a Location-Path with the prefix gives the plain /o/i', async () => {
    const pending = fx.server.create('x-dev', '/3303', instance(1, [resource(5700, 'float', 1.5)]));
    const post = await d.nextRequest();
    assert.deepEqual([post.code, uriPath(post)], [CODE.POST, '/lwm2m/3303']);
    assert.ok(getUint(post, O.ContentFormat) !== undefined, 'the instance goes with its Content-Format');
    d.answer(post, '2.01', { options: [opt(O.LocationPath, 'lwm2m'), opt(O.LocationPath, '3303'), opt(O.LocationPath, '1')] });
    const r = await pending;
    assert.equal(r.code, '2.01');
    assert.equal(r.location, '/3303/1');
  });

  it('Execute: POST on the resource, the arguments as the text payload, nothing else', async () => {
    const pending = fx.server.execute('x-dev', '/3/0/4', { args: "0='U',1" });
    const post = await d.nextRequest();
    assert.deepEqual([post.code, uriPath(post), post.payload.toString()], [CODE.POST, '/lwm2m/3/0/4', "0='U',1"]);
    assert.ok([undefined, 0].includes(getUint(post, O.ContentFormat)));
    d.answer(post, '2.04');
    assert.equal((await pending).code, '2.04');
    const plain = fx.server.execute('x-dev', '/3/0/4');
    const post2 = await d.nextRequest();
    assert.equal(post2.payload.length, 0);
    d.answer(post2, '2.04');
    assert.equal((await plain).code, '2.04');
  });

  it('attribute rules (lt < gt, lt + 2*st < gt) are checked before anything is sent', async () => {
    const bad = [{ gt: 10, lt: 20 }, { gt: 10, lt: 5, st: 3 }];
    for (const attrs of bad) {
      const r = await fx.server.writeAttributes('x-dev', '/3303/0/5700', attrs);
      assert.equal(r.error?.code, 'BAD_REQUEST', JSON.stringify(attrs));
    }
    assert.equal(await d.none((m) => m.code === CODE.PUT, 200), undefined);
  });

  it('1.1+ operations are refused for a 1.0 client without a datagram: resource-instance delete, composite read, discover depth', async () => {
    assert.equal((await fx.server.delete('x-dev', '/3303/0/5700/1')).error?.code, 'BAD_REQUEST');
    assert.equal((await fx.server.readComposite('x-dev', ['/3/0/0', '/3303/0/5700'])).error?.code, 'BAD_REQUEST');
    assert.equal((await fx.server.discover('x-dev', '/3', { depth: 1 })).error?.code, 'BAD_REQUEST');
    assert.equal(await d.none(() => true, 200), undefined);
  });
});
