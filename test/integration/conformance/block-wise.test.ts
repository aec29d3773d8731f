/**
 * RFC 7959 duties of the gateway as the server of uplink Block1 transfers (Register with a
 * large object list), through the whole stack from raw devices.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture } from '../lwm2m/fixture.js';
import { CODE, O, RawDevice, getOpt, getStrings, opt, readUint } from './raw-device.js';

const links = (n: number): Buffer => Buffer.from(['</1/0>', '</3/0>', ...Array.from({ length: n }, (_, i) => `</3303/${i}>`)].join(','));

describe('conformance: block-wise uploads over CoAP/UDP', () => {
  let fx: Fixture;
  const devices: RawDevice[] = [];

  before(async () => {
    fx = await Fixture.start({ transport: { maxBodySize: 4096 } });
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await fx.stop();
  });

  async function device(): Promise<RawDevice> {
    const d = await RawDevice.open(fx.port);
    devices.push(d);
    return d;
  }

  it('each block is acknowledged with 2.31 echoing its Block1; the last with 2.01 and Block1', async () => {
    const d = await device();
    const body = links(40);
    const token = Buffer.from('blk1');
    const size = 128;
    let last;
    for (let num = 0; num * size < body.length; num++) {
      const more = (num + 1) * size < body.length;
      const value = num * 16 + (more ? 8 : 0) + 3;
      last = await d.request({ code: CODE.POST, path: ['rd'], query: ['ep=b-echo'], contentFormat: 40, token, payload: body.subarray(num * size, (num + 1) * size), options: [opt(O.Block1, value)] });
      assert.equal(last.code, more ? '2.31' : '2.01', `block ${num}`);
      assert.equal(readUint(getOpt(last, O.Block1) ?? Buffer.alloc(0)), value, `Block1 echoed in block ${num}`);
    }
    assert.equal(getStrings(last!, O.LocationPath)[0], 'rd');
    assert.equal(fx.server.getRegistration('b-echo')?.objects.get(3303)?.instances.length, 40);
  });

  it('two devices uploading at once with the same token are kept apart', async () => {
    const a = await device();
    const b = await device();
    const token = Buffer.from('same');
    const bodies = [links(30), links(50)];
    const size = 64;
    const blocks = Math.max(...bodies.map((x) => Math.ceil(x.length / size)));
    const codes: string[][] = [[], []];
    for (let num = 0; num < blocks; num++) {
      for (const [i, dev] of [a, b].entries()) {
        const body = bodies[i]!;
        if (num * size >= body.length) continue;
        const more = (num + 1) * size < body.length;
        const r = await dev.request({ code: CODE.POST, path: ['rd'], query: [`ep=b-pair-${i}`], contentFormat: 40, token, payload: body.subarray(num * size, (num + 1) * size), options: [opt(O.Block1, num * 16 + (more ? 8 : 0) + 2)] });
        codes[i]!.push(r.code);
      }
    }
    assert.equal(codes[0]!.at(-1), '2.01');
    assert.equal(codes[1]!.at(-1), '2.01');
    assert.equal(fx.server.getRegistration('b-pair-0')?.objects.get(3303)?.instances.length, 30);
    assert.equal(fx.server.getRegistration('b-pair-1')?.objects.get(3303)?.instances.length, 50);
  });

  it('Block1 with the reserved SZX 7 gets 4.00', async () => {
    const d = await device();
    const r = await d.request({ code: CODE.POST, path: ['rd'], query: ['ep=b-szx7'], contentFormat: 40, payload: links(2), options: [opt(O.Block1, 8 + 7)] });
    assert.equal(r.code, '4.00');
    assert.equal(fx.server.getRegistration('b-szx7'), undefined);
  });

  it('a body announced (Size1) or grown beyond the limit gets 4.13 with Size1 = the limit', async () => {
    const d = await device();
    const r = await d.request({ code: CODE.POST, path: ['rd'], query: ['ep=b-big'], contentFormat: 40, payload: links(5).subarray(0, 64), options: [opt(O.Block1, 8 + 2), opt(O.Size1, 100_000)] });
    assert.equal(r.code, '4.13');
    assert.equal(readUint(getOpt(r, O.Size1) ?? Buffer.alloc(0)), 4096);
    assert.equal(fx.server.getRegistration('b-big'), undefined);
    const body = links(400); // > 4096 bytes, no Size1
    let code = '';
    for (let num = 0; num * 256 < body.length && code !== '4.13'; num++) {
      const more = (num + 1) * 256 < body.length;
      const res = await d.request({ code: CODE.POST, path: ['rd'], query: ['ep=b-big2'], contentFormat: 40, token: Buffer.from('grow'), payload: body.subarray(num * 256, (num + 1) * 256), options: [opt(O.Block1, num * 16 + (more ? 8 : 0) + 4)] });
      code = res.code;
      if (code === '4.13') assert.equal(readUint(getOpt(res, O.Size1) ?? Buffer.alloc(0)), 4096);
      else assert.equal(code, '2.31', `block ${num}`);
    }
    assert.equal(code, '4.13');
    assert.equal(fx.server.getRegistration('b-big2'), undefined);
  });

  it('a block out of order (the first one missing) gets 4.08', async () => {
    const d = await device();
    const r = await d.request({ code: CODE.POST, path: ['rd'], query: ['ep=b-order'], contentFormat: 40, payload: links(5).subarray(64, 128), options: [opt(O.Block1, 16 + 8 + 2)] });
    assert.equal(r.code, '4.08');
  });
});
