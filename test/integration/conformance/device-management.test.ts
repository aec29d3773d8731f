/**
 * Conformance of device-management requests and answers, from a raw device: what goes on
 * the wire (methods, options, queries) and which client answers the gateway accepts
 * (LWM2M-NOTES "Device management", "Content formats", pitfalls 2, 4, 9; RFC 7252 5.2.2
 * separate responses; RFC 7959 4.13 with Size1).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource } from '../../../src/lwm2m/node.js';
import type { LwM2mNode } from '../../../src/lwm2m/node.js';
import { Fixture, sleep } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, getOpt, getStrings, getUint, readUint, uriPath } from './raw-device.js';
import type { Msg } from './raw-device.js';

const TEXT = 0;
const OPAQUE = 42;
const SENML_JSON = 110;
const TLV = 11542;

function block1(m: Msg): { num: number; more: boolean; szx: number } | undefined {
  const v = getOpt(m, O.Block1);
  if (v === undefined) return undefined;
  const n = readUint(v);
  return { num: n >>> 4, more: (n & 8) !== 0, szx: n & 7 };
}

describe('conformance: device management over CoAP/UDP', () => {
  let fx: Fixture;
  const devices: RawDevice[] = [];

  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await fx.stop();
  });

  async function registered(ep: string, query: string[] = ['lwm2m=1.1'], links = LINKS): Promise<{ d: RawDevice; id: string }> {
    const d = await RawDevice.open(fx.port);
    devices.push(d);
    const id = await d.register([`ep=${ep}`, 'lt=300', ...query], links);
    return { d, id };
  }

  it('an object read answered in TLV without the object-instance wrapper is taken as instance 0 (pitfall 2)', async () => {
    const { d } = await registered('m-nowrap', ['lwm2m=1.0'], '</1/0>,</3/0>,</3303/0>');
    const pending = fx.server.read('m-nowrap', '/3303', { format: TLV });
    const get = await d.nextRequest();
    const f = Buffer.alloc(8);
    f.writeDoubleBE(21.5);
    d.answer(get, '2.05', { contentFormat: TLV, payload: Buffer.concat([Buffer.from([0xe8, 0x16, 0x44, 8]), f]) });
    const r = await pending;
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    const node = r.node as LwM2mNode;
    assert.equal(node.kind, 'object');
    const res = node.kind === 'object' ? node.instances.get(0)?.resources.get(5700) : undefined;
    assert.equal(res?.kind === 'resource' ? res.value : undefined, 21.5);
  });

  for (const [name, vd] of [
    ['base64url without padding', '-_8'],
    ['standard base64 with padding', '+/8='],
  ] as const) {
    it(`SenML JSON vd in ${name} decodes to the same bytes (pitfall 4)`, async () => {
      const ep = `m-vd-${vd.length}`;
      const { d } = await registered(ep, ['lwm2m=1.1'], '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</5/0>');
      const pending = fx.server.read(ep, '/5/0/0', { format: SENML_JSON });
      const get = await d.nextRequest();
      assert.equal(getUint(get, O.Accept), SENML_JSON);
      d.answer(get, '2.05', { contentFormat: SENML_JSON, payload: JSON.stringify([{ n: '/5/0/0', vd }]) });
      const r = await pending;
      assert.equal(r.code, '2.05', JSON.stringify(r.error));
      const v = r.node?.kind === 'resource' ? r.node.value : undefined;
      assert.ok(v instanceof Uint8Array, String(v));
      assert.deepEqual([...v], [0xfb, 0xff]);
    });
  }

  it('an empty 2.05 to a Read is a success, not a bad response', async () => {
    const { d } = await registered('m-empty');
    const pending = fx.server.read('m-empty', '/3303/0');
    d.answer(await d.nextRequest(), '2.05');
    const r = await pending;
    assert.equal(r.success, true, JSON.stringify(r.error));
    assert.equal(r.code, '2.05');
  });

  it('a separate response (empty ACK, later CON 2.05 with the token) is ACKed and completes the read', async () => {
    const { d } = await registered('m-sep');
    const pending = fx.server.read('m-sep', '/3303/0/5700', { format: TEXT });
    const get = await d.nextRequest();
    d.send({ type: 'ACK', code: '0.00', mid: get.mid, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) });
    await sleep(700); // longer than the gateway's ACK timeout: it must not retransmit after the empty ACK
    const resent = d.inbox.filter((x) => x.msg.mid === get.mid).length;
    assert.equal(resent, 0, 'no retransmission after the empty ACK');
    const mid = RawDevice.mid();
    d.send({ type: 'CON', code: '2.05', mid, token: get.token, options: [{ number: O.ContentFormat, value: Buffer.alloc(0) }], payload: Buffer.from('17.5') });
    const ack = await d.next((m) => m.mid === mid);
    assert.deepEqual([ack.type, ack.code], ['ACK', '0.00']);
    const r = await pending;
    assert.equal(r.node?.kind === 'resource' ? r.node.value : undefined, 17.5);
  });

  it('Write-Attributes: PUT with one query per attribute; a null attribute is sent valueless (unset)', async () => {
    const { d } = await registered('m-attr');
    const pending = fx.server.writeAttributes('m-attr', '/3303/0/5700', { pmin: null, pmax: 60, gt: 30.5, st: 0.5 });
    const put = await d.nextRequest();
    assert.equal(put.code, CODE.PUT);
    assert.equal(uriPath(put), '/3303/0/5700');
    assert.deepEqual(getStrings(put, O.UriQuery).sort(), ['gt=30.5', 'pmax=60', 'pmin', 'st=0.5']);
    assert.equal(put.payload.length, 0);
    d.answer(put, '2.04');
    assert.equal((await pending).code, '2.04');
  });

  it('Discover: GET with Accept 40; a 1.2 client gets ?depth=', async () => {
    const { d } = await registered('m-disc', ['lwm2m=1.2']);
    const pending = fx.server.discover('m-disc', '/3303', { depth: 1 });
    const get = await d.nextRequest();
    assert.deepEqual([get.code, uriPath(get), getUint(get, O.Accept), getStrings(get, O.UriQuery)], ['0.01', '/3303', 40, ['depth=1']]);
    d.answer(get, '2.05', { contentFormat: 40, payload: '</3303>,</3303/0>;pmax=60' });
    const r = await pending;
    assert.equal(r.code, '2.05');
    assert.ok(r.links && r.links.length === 2, JSON.stringify(r.links));
  });

  it('Read-Composite is a FETCH (0.05) on / with a SenML body; Write-Composite an iPATCH (0.07)', async () => {
    const { d } = await registered('m-comp', ['lwm2m=1.1'], '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>');
    const reading = fx.server.readComposite('m-comp', ['/3/0/0', '/3303/0/5700']);
    const fetch = await d.nextRequest();
    assert.deepEqual([fetch.code, uriPath(fetch), getUint(fetch, O.ContentFormat)], ['0.05', '/', SENML_JSON]);
    assert.deepEqual(
      (JSON.parse(fetch.payload.toString()) as { n?: string; bn?: string }[]).map((x) => (x.bn ?? '') + (x.n ?? '')).sort(),
      ['/3/0/0', '/3303/0/5700'],
    );
    d.answer(fetch, '2.05', { contentFormat: SENML_JSON, payload: JSON.stringify([{ n: '/3/0/0', vs: 'ACME' }, { n: '/3303/0/5700', v: 21 }]) });
    const r = await reading;
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal(r.nodes?.size, 2);

    const writing = fx.server.writeComposite('m-comp', new Map([['/3/0/14', resource(14, 'string', '+02:00')]]));
    const patch = await d.nextRequest();
    assert.deepEqual([patch.code, uriPath(patch), getUint(patch, O.ContentFormat)], ['0.07', '/', SENML_JSON]);
    d.answer(patch, '2.04');
    assert.equal((await writing).code, '2.04');
  });

  it('4.13 with Size1 to a write: the gateway retries in Block1 blocks no larger than Size1 (pitfall 9, RFC 7959 2.9.3)', async () => {
    const { d } = await registered('m-413', ['lwm2m=1.1'], '</1/0>,</3/0>,</5/0>');
    const body = Buffer.alloc(700, 0x5a);
    const pending = fx.server.write('m-413', '/5/0/0', resource(0, 'opaque', new Uint8Array(body)), { format: OPAQUE });
    const first = await d.nextRequest();
    d.answer(first, '4.13', { options: [{ number: O.Size1, value: Buffer.from([128]) }] });
    const got: Buffer[] = [];
    for (;;) {
      const put = await d.nextRequest();
      const b = block1(put);
      assert.ok(b, 'the retry is block-wise');
      assert.ok(16 << b.szx <= 128, `block of ${16 << b.szx} bytes`);
      assert.equal(b.num * (16 << b.szx), got.reduce((n, x) => n + x.length, 0));
      got.push(put.payload);
      if (!b.more) {
        d.answer(put, '2.04', { options: [{ number: O.Block1, value: getOpt(put, O.Block1)! }] });
        break;
      }
      d.answer(put, '2.31', { options: [{ number: O.Block1, value: getOpt(put, O.Block1)! }] });
    }
    assert.deepEqual(Buffer.concat(got), body);
    assert.equal((await pending).code, '2.04');
  });

  it('queue mode: the 2.04 to the waking Update goes out before the first queued request', async () => {
    const { d, id } = await registered('m-queue', ['lwm2m=1.1', 'Q']);
    const awakeWindowOver = fx.event('sleeping', (r) => r.endpoint === 'm-queue', 8000);
    // nothing answers while "asleep": wait until the gateway thinks so
    fx.server.read('m-queue', '/3303/0/5700', { format: TEXT, timeoutMs: 400 }).catch(() => undefined);
    await awakeWindowOver;
    const queued = fx.server.read('m-queue', '/3303/0/5700', { format: TEXT, timeoutMs: 4000 });
    await sleep(100);
    const before = d.log.length;
    const upd = d.build({ code: CODE.POST, path: ['rd', id] });
    d.send(upd);
    const get = await d.nextRequest((m) => !d.log.slice(0, before).some((x) => x.msg === m));
    d.answer(get, '2.05', { contentFormat: TEXT, payload: '20' });
    const since = d.log.slice(before);
    const updated = since.findIndex((x) => x.msg.mid === upd.mid && x.msg.code === '2.04');
    const requested = since.findIndex((x) => x.msg === get);
    assert.ok(updated >= 0 && updated < requested, `2.04 at ${updated}, GET at ${requested}`);
    assert.equal((await queued).code, '2.05');
  });

  it('a piggybacked answer with another token is not taken as the response (RFC 7252 5.3.2)', async () => {
    const { d } = await registered('m-token');
    const pending = fx.server.read('m-token', '/3303/0/5700', { format: TEXT, timeoutMs: 3000 });
    const get = await d.nextRequest();
    d.send({ type: 'ACK', code: '2.05', mid: get.mid, token: Buffer.from('wrongtok'), options: [{ number: O.ContentFormat, value: Buffer.alloc(0) }], payload: Buffer.from('666') });
    const again = await d.nextRequest((m) => m.token.equals(get.token), 2000).catch(() => undefined);
    if (again) d.answer(again, '2.05', { contentFormat: TEXT, payload: '19' });
    const r = await pending;
    assert.notEqual(r.node?.kind === 'resource' ? r.node.value : undefined, 666, 'the mismatched answer was used');
  });
});
