/**
 * Hostile Registers over raw UDP: endpoint names that are not valid UTF-8 or hold
 * control characters, a flood from one address, object lists too large (also when sent
 * in Block1 blocks), and the Max-Age that tells a refused client when to try again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture, sleep } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, getUint, opt } from './raw-device.js';

const links = (n: number): string => ['</>;rt="oma.lwm2m"', ...Array.from({ length: n }, (_, i) => `</3303/${i}>`)].join(',');

describe('conformance: registration bounds and endpoint names over CoAP/UDP', () => {
  let fx: Fixture;
  let d: RawDevice;

  before(async () => {
    fx = await Fixture.start({ server: { registrationLimits: { maxLinks: 50, maxPayload: 600, registerRatePerAddress: 1000 } } });
    d = await RawDevice.open(fx.port);
  });
  after(async () => {
    await d.close();
    await fx.stop();
  });

  const register = (query: (string | Buffer)[], payload: string = LINKS, options = [] as ReturnType<typeof opt>[]) =>
    d.request({ code: CODE.POST, path: ['rd'], contentFormat: 40, payload, options: [...options, ...query.map((q) => opt(O.UriQuery, q))] });

  it('an endpoint name that is not valid UTF-8 is refused with 4.00, checked on the bytes', async () => {
    for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const q = Buffer.concat([Buffer.from('ep=bad-'), Buffer.from(bytes)]);
      assert.equal((await register([q])).code, '4.00', Buffer.from(bytes).toString('hex'));
    }
    assert.equal(fx.server.registrations().filter((r) => r.endpoint.startsWith('bad-')).length, 0);
  });

  it('a genuine U+FFFD, validly encoded, is an ordinary character', async () => {
    const res = await register([Buffer.concat([Buffer.from('ep=fffd-'), Buffer.from([0xef, 0xbf, 0xbd])])]);
    assert.equal(res.code, '2.01');
    assert.ok(fx.server.getRegistration('fffd-\ufffd'));
  });

  it('control characters in the endpoint name are refused with 4.00', async () => {
    for (const ep of ['evil\nname', 'esc\u001b[2J', 'nul\u0000', 'c1\u0085']) assert.equal((await register([`ep=${ep}`])).code, '4.00', JSON.stringify(ep));
    assert.ok(fx.server.refusals().endpointName >= 4);
  });

  it('a Uri-Path that is not valid UTF-8 is refused with 4.00', async () => {
    const id = await d.register(['ep=path-utf8'], LINKS);
    const res = await d.request({ code: CODE.POST, options: [opt(O.UriPath, 'rd'), opt(O.UriPath, Buffer.concat([Buffer.from(id), Buffer.from([0xfe])]))] });
    assert.equal(res.code, '4.00');
  });

  it('too many object links: 4.00; a payload over the limit: 4.13, also when it comes in Block1 blocks', async () => {
    assert.equal((await register(['ep=links'], links(51))).code, '4.00');
    assert.equal((await register(['ep=links'], links(50).slice(0, 590))).code, '2.01', 'within both limits');
    const big = links(80);
    assert.ok(big.length > 600);
    assert.equal((await register(['ep=payload'], big)).code, '4.13');
    // Block1: 64-byte blocks; the transport reassembles, the core refuses the whole
    let last;
    const token = Buffer.from('b1b1b1b1', 'hex');
    for (let num = 0; num * 64 < big.length; num++) {
      const more = (num + 1) * 64 < big.length;
      const block1 = (num << 4) | (more ? 0x08 : 0) | 2; // SZX 2: 64 bytes
      last = await d.request({
        code: CODE.POST,
        path: ['rd'],
        query: ['ep=payload-b1'],
        contentFormat: 40,
        token,
        payload: big.slice(num * 64, num * 64 + 64),
        options: [opt(O.Block1, block1)],
      });
      if (more) assert.equal(last.code, '2.31');
    }
    assert.equal(last?.code, '4.13');
    assert.equal(fx.server.getRegistration('payload-b1'), undefined);
    assert.ok(fx.server.refusals().payload >= 2);
  });
});

describe('conformance: refused Registers carry Max-Age over CoAP/UDP', () => {
  it('4.29 for a flood from one address, 5.03 when the registrations are full, each with Max-Age', async () => {
    const fx = await Fixture.start({ server: { registrationLimits: { registerRatePerAddress: 2, maxRegistrations: 3 } } });
    const a = await RawDevice.open(fx.port);
    const post = (ep: string) => a.request({ code: CODE.POST, path: ['rd'], query: [`ep=${ep}`], contentFormat: 40, payload: LINKS });
    try {
      assert.equal((await post('f1')).code, '2.01');
      assert.equal((await post('f2')).code, '2.01');
      const r = await post('f3');
      assert.equal(r.code, '4.29');
      assert.equal(getUint(r, O.MaxAge), 1);
      await sleep(600); // two Registers a second: one more is allowed after half a second
      assert.equal((await post('f3')).code, '2.01');
      await sleep(600);
      const full = await post('f4');
      assert.equal(full.code, '5.03');
      assert.equal(getUint(full, O.MaxAge), 60);
      assert.deepEqual(fx.server.refusals(), { endpointName: 0, links: 0, payload: 0, registrations: 1, rate: 1, credentials: 0 });
    } finally {
      await a.close();
      await fx.stop();
    }
  });
});
