/**
 * RFC 7252 duties of the gateway as a CoAP server, through the whole stack (transport and
 * LwM2M core) from a raw device: pings, unknown options, unknown paths and methods,
 * NON requests, malformed messages.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, opt } from './raw-device.js';
import type { Msg } from './raw-device.js';
import { encodeMsg as encodeRaw } from '../../helpers/lwm2m-test-client-coap.js';

const EMPTY = Buffer.alloc(0);

describe('conformance: CoAP server duties over UDP', () => {
  let fx: Fixture;
  let d: RawDevice;
  let id: string;

  before(async () => {
    fx = await Fixture.start();
    d = await RawDevice.open(fx.port);
    id = await d.register(['ep=k-main', 'lwm2m=1.1'], LINKS);
  });
  after(async () => {
    await d.close();
    await fx.stop();
  });

  const register = (ep: string, extra: Partial<Msg> = {}): Msg => ({
    ...d.build({ code: CODE.POST, path: ['rd'], query: [`ep=${ep}`], contentFormat: 40, payload: LINKS }),
    ...extra,
  });

  it('an empty CON (ping) gets a RST with its MID; an empty NON gets nothing', async () => {
    const mid = RawDevice.mid();
    d.send({ type: 'CON', code: '0.00', mid, token: EMPTY, options: [], payload: EMPTY });
    const r = await d.next((m) => m.mid === mid);
    assert.deepEqual([r.type, r.code, r.token.length, r.payload.length], ['RST', '0.00', 0, 0]);
    const mid2 = RawDevice.mid();
    d.send({ type: 'NON', code: '0.00', mid: mid2, token: EMPTY, options: [], payload: EMPTY });
    assert.equal(await d.none((m) => m.mid === mid2, 400), undefined);
  });

  it('an unknown critical option gets 4.02 and no registration; an unknown elective one is ignored', async () => {
    const crit = register('k-crit');
    crit.options.push(opt(65001, Buffer.from([1]))); // odd = critical
    d.send(crit);
    const r = await d.responseTo(crit);
    assert.deepEqual([r.type, r.code, r.mid], ['ACK', '4.02', crit.mid]);
    assert.equal(fx.server.getRegistration('k-crit'), undefined);
    const elective = register('k-elect');
    elective.options.push(opt(65000, Buffer.from([1])));
    d.send(elective);
    assert.equal((await d.responseTo(elective)).code, '2.01');
  });

  it('a non-repeatable critical option given twice (Uri-Host) gets 4.02; a repeated elective one (Content-Format) is ignored', async () => {
    const m = register('k-twohost');
    m.options.push(opt(3, 'a.example'), opt(3, 'b.example'));
    d.send(m);
    assert.equal((await d.responseTo(m)).code, '4.02');
    assert.equal(fx.server.getRegistration('k-twohost'), undefined);
    const cf = register('k-twocf');
    cf.options.push(opt(O.ContentFormat, 40));
    d.send(cf);
    assert.equal((await d.responseTo(cf)).code, '2.01');
  });

  it('Uri-Host and Uri-Port (critical, known) do not stop a Register', async () => {
    const m = register('k-host');
    m.options.push(opt(3, '127.0.0.1'), opt(7, fx.port));
    d.send(m);
    assert.equal((await d.responseTo(m)).code, '2.01');
  });

  it('Proxy-Uri gets 5.05 (the gateway is no proxy)', async () => {
    const m = register('k-proxy');
    m.options.push(opt(35, `coap://127.0.0.1:${fx.port}/rd`));
    d.send(m);
    assert.equal((await d.responseTo(m)).code, '5.05');
  });

  it('an unknown Uri-Path gets 4.04; a wrong method on /rd or /rd/<id> 4.05; an unknown method code 4.05', async () => {
    assert.equal((await d.request({ code: CODE.POST, path: ['nothing', 'here'] })).code, '4.04');
    assert.equal((await d.request({ code: CODE.GET, path: ['3', '0'] })).code, '4.04');
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id, 'x'] })).code, '4.04');
    for (const code of [CODE.GET, CODE.PUT, CODE.DELETE, CODE.FETCH, CODE.IPATCH]) {
      assert.equal((await d.request({ code, path: ['rd'], contentFormat: 40, payload: LINKS })).code, '4.05', `${code} /rd`);
    }
    assert.equal((await d.request({ code: CODE.GET, path: ['rd', id] })).code, '4.05');
    assert.equal((await d.request({ code: '0.31', path: ['rd'] })).code, '4.05');
    assert.ok(fx.server.getRegistration('k-main'), 'still registered');
  });

  it('a NON Register is answered with a NON carrying the same token', async () => {
    const m = register('k-non', { type: 'NON' });
    d.send(m);
    const r = await d.next((x) => x.token.equals(m.token));
    assert.deepEqual([r.type, r.code], ['NON', '2.01']);
  });

  it('a message with another CoAP version is silently ignored', async () => {
    const m = register('k-v2');
    const bytes = Buffer.from(encodeRaw(m));
    bytes[0] = (bytes[0]! & 0x3f) | 0x80; // version 2
    d.sendBytes(bytes);
    assert.equal(await d.none((x) => x.mid === m.mid, 400), undefined);
    assert.equal(fx.server.getRegistration('k-v2'), undefined);
  });

  it('a token length of 9-15 is a message format error: the CON is rejected (RST), nothing registered', async () => {
    const m = register('k-tkl');
    const bytes = Buffer.from(encodeRaw({ ...m, token: Buffer.alloc(8, 7) }));
    // TKL 9: insert one more token byte
    const bad = Buffer.concat([Buffer.from([(bytes[0]! & 0xf0) | 9]), bytes.subarray(1, 12), Buffer.from([7]), bytes.subarray(12)]);
    d.sendBytes(bad);
    const r = await d.next((x) => x.mid === m.mid);
    assert.deepEqual([r.type, r.code], ['RST', '0.00']);
    assert.equal(fx.server.getRegistration('k-tkl'), undefined);
  });

  it('a payload marker followed by no payload is a format error: no registration, an RST or 4.00', async () => {
    const m = register('k-marker', { payload: EMPTY });
    const bytes = Buffer.concat([encodeRaw(m), Buffer.from([0xff])]);
    d.sendBytes(bytes);
    const r = await d.none((x) => x.mid === m.mid, 600);
    assert.ok(r?.type === 'RST' || r?.code === '4.00', `answered ${r?.type} ${r?.code}`);
    assert.equal(fx.server.getRegistration('k-marker'), undefined);
  });

  it('an ACK or RST for a message the gateway never sent is ignored, and the device is still served', async () => {
    const mid = RawDevice.mid();
    d.send({ type: 'ACK', code: '0.00', mid, token: EMPTY, options: [], payload: EMPTY });
    d.send({ type: 'RST', code: '0.00', mid, token: EMPTY, options: [], payload: EMPTY });
    assert.equal(await d.none((x) => x.mid === mid, 300), undefined);
    assert.equal((await d.request({ code: CODE.POST, path: ['rd', id] })).code, '2.04');
  });

  it('bootstrap is not served here: POST /bs gets 4.04, GET /bspack 5.01 (so a 1.2 client falls back)', async () => {
    assert.equal((await d.request({ code: CODE.POST, path: ['bs'], query: ['ep=k-main'] })).code, '4.04');
    assert.equal((await d.request({ code: CODE.GET, path: ['bspack'], query: ['ep=k-main'] })).code, '5.01');
  });
});
