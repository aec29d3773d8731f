/**
 * Conformance of the gateway as an RFC 7641 observer, from a raw device: the Observe
 * request and cancel on the wire, ACKs of CON notifications (also stale ones), stale
 * numbers dropped, one token per path, observations ended by De-register and re-Register,
 * notifications without Content-Format (LWM2M-NOTES "Observe", pitfalls 3, 7).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationEvent, OperationResult } from '../../../src/lwm2m/server/index.js';
import { Fixture, sleep } from '../lwm2m/fixture.js';
import { CODE, LINKS, O, RawDevice, getUint, observeOf, senmlCbor, uriPath } from './raw-device.js';
import type { Msg } from './raw-device.js';

const TEXT = 0;
const TLV = 11542;

/** A TLV resource 5700 (float, 8 bytes) wrapped in object instance 0. */
function tlvWrapped5700(v: number): Buffer {
  const f = Buffer.alloc(8);
  f.writeDoubleBE(v);
  const res = Buffer.concat([Buffer.from([0xe8, 0x16, 0x44, 8]), f]); // 11 1 01 000: 16-bit id, 8-bit length
  return Buffer.concat([Buffer.from([0x08, 0x00, res.length]), res]); // 00 0 01 000: instance 0, 8-bit length
}

function valueOf(n: NotificationEvent | OperationResult): unknown {
  const node = n.node;
  assert.equal(node?.kind, 'resource', JSON.stringify(node));
  return (node as { value: unknown }).value;
}

describe('conformance: observe over CoAP/UDP', () => {
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
    const id = await d.register([`ep=${ep}`, 'lwm2m=1.1', 'lt=300'], LINKS);
    return { d, id };
  }

  /** server.observe answered by the raw device with `payload` and Observe=seq. */
  async function observe(
    d: RawDevice,
    ep: string,
    path: string,
    o: { format?: number; payload?: Buffer | string; contentFormat?: number; seq?: number } = {},
  ): Promise<{ req: Msg; result: OperationResult }> {
    const pending = fx.server.observe(ep, path, o.format !== undefined ? { format: o.format } : {});
    const req = await d.nextRequest((m) => m.code === CODE.GET);
    d.answer(req, '2.05', {
      options: [{ number: O.Observe, value: Buffer.from([o.seq ?? 1]) }],
      contentFormat: o.contentFormat ?? TEXT,
      payload: o.payload ?? '21.5',
    });
    return { req, result: await pending };
  }

  function collect(observationId: string | undefined): NotificationEvent[] {
    const seen: NotificationEvent[] = [];
    fx.server.on('notification', (e) => {
      if (e.observation.id === observationId) seen.push(e);
    });
    return seen;
  }

  it('the Observe request: CON GET, Observe=0, a token of 1-8 bytes, the path; the 2.05 with Observe makes an observation', async () => {
    const { d } = await registered('o-wire');
    const { req, result } = await observe(d, 'o-wire', '/3303/0/5700', { format: TEXT });
    assert.deepEqual([req.type, req.code, uriPath(req), observeOf(req), getUint(req, O.Accept)], ['CON', '0.01', '/3303/0/5700', 0, TEXT]);
    assert.ok(req.token.length >= 1 && req.token.length <= 8);
    assert.equal(result.code, '2.05');
    assert.ok(result.observationId);
    assert.equal(valueOf(result), 21.5);
  });

  it('CON notifications get an empty ACK with their MID, NON ones nothing; values arrive in order', async () => {
    const { d } = await registered('o-ack');
    const { req, result } = await observe(d, 'o-ack', '/3303/0/5700', { format: TEXT });
    const seen = collect(result.observationId);
    const con = d.notify(req, 2, { type: 'CON', contentFormat: TEXT, payload: '22' });
    const ack = await d.next((m) => m.mid === con.mid);
    assert.deepEqual([ack.type, ack.code, ack.token.length, ack.payload.length], ['ACK', '0.00', 0, 0]);
    const non = d.notify(req, 3, { type: 'NON', contentFormat: TEXT, payload: '23' });
    assert.equal(await d.none((m) => m.mid === non.mid, 300), undefined);
    assert.deepEqual(seen.map(valueOf), [22, 23]);
  });

  it('a stale notification (RFC 7641 3.4) is dropped but a CON one is still ACKed, not reset', async () => {
    const { d } = await registered('o-stale');
    const { req, result } = await observe(d, 'o-stale', '/3303/0/5700', { format: TEXT, seq: 10 });
    const seen = collect(result.observationId);
    d.notify(req, 12, { contentFormat: TEXT, payload: '12' });
    await sleep(50);
    const stale = d.notify(req, 11, { type: 'CON', contentFormat: TEXT, payload: '11' });
    const ack = await d.next((m) => m.mid === stale.mid);
    assert.equal(ack.type, 'ACK', 'a stale CON notification is acknowledged (it is not unknown)');
    d.notify(req, 13, { contentFormat: TEXT, payload: '13' });
    await sleep(150);
    assert.deepEqual(seen.map(valueOf), [12, 13]);
  });

  it('a new Observe on the same path uses a new token and replaces the old one: the old token gets a RST (pitfall 7)', async () => {
    const { d } = await registered('o-repl');
    const first = await observe(d, 'o-repl', '/3303/0/5700', { format: TEXT });
    const ended = fx.event('observationEnded', (o) => o.id === first.result.observationId);
    const second = await observe(d, 'o-repl', '/3303/0/5700', { format: TEXT });
    assert.notEqual(second.req.token.toString('hex'), first.req.token.toString('hex'));
    const [, reason] = await ended;
    assert.equal(reason, 'replaced');
    assert.equal(fx.server.observations('o-repl').length, 1);
    const seen = collect(second.result.observationId);
    const old = d.notify(first.req, 5, { type: 'CON', contentFormat: TEXT, payload: '5' });
    assert.equal((await d.next((m) => m.mid === old.mid)).type, 'RST');
    d.notify(second.req, 5, { contentFormat: TEXT, payload: '6' });
    await sleep(100);
    assert.deepEqual(seen.map(valueOf), [6]);
  });

  it(
    'active cancel: GET with Observe=1, the same token, path and Accept as the observe (RFC 7641 3.6: other options identical)',
    async () => {
      const { d } = await registered('o-cancel');
      const { req, result } = await observe(d, 'o-cancel', '/3303/0/5700', { format: TEXT });
      const pending = fx.server.cancelObservation('o-cancel', result.observationId!);
      const cancel = await d.nextRequest();
      assert.deepEqual(
        [cancel.code, uriPath(cancel), observeOf(cancel), cancel.token.toString('hex'), getUint(cancel, O.Accept)],
        ['0.01', '/3303/0/5700', 1, req.token.toString('hex'), getUint(req, O.Accept)],
      );
      d.answer(cancel, '2.05', { contentFormat: TEXT, payload: '21.5' });
      await pending;
      assert.equal(fx.server.observations('o-cancel').length, 0);
    },
  );

  it('De-register ends the observations: the next notification gets a RST', async () => {
    const { d, id } = await registered('o-dereg');
    const { req, result } = await observe(d, 'o-dereg', '/3303/0/5700', { format: TEXT });
    const ended = fx.event('observationEnded', (o) => o.id === result.observationId);
    assert.equal((await d.request({ code: CODE.DELETE, path: ['rd', id] })).code, '2.02');
    assert.equal((await ended)[1], 'deregistered');
    const n = d.notify(req, 2, { type: 'CON', contentFormat: TEXT, payload: '1' });
    assert.equal((await d.next((m) => m.mid === n.mid)).type, 'RST');
  });

  it('a new Register of the endpoint ends its observations (replaced, no deregistered event); old tokens get a RST', async () => {
    const { d } = await registered('o-rereg');
    const { req, result } = await observe(d, 'o-rereg', '/3303/0/5700', { format: TEXT });
    let deregistered = 0;
    const onDereg = (): void => {
      deregistered++;
    };
    fx.server.on('deregistered', onDereg);
    try {
      const ended = fx.event('observationEnded', (o) => o.id === result.observationId);
      const d2 = await RawDevice.open(fx.port); // rebooted: a new socket
      devices.push(d2);
      await d2.register(['ep=o-rereg', 'lwm2m=1.1'], LINKS);
      assert.equal((await ended)[1], 'replaced');
      assert.equal(fx.server.observations('o-rereg').length, 0);
      const n = d.notify(req, 2, { type: 'CON', contentFormat: TEXT, payload: '1' });
      assert.equal((await d.next((m) => m.mid === n.mid)).type, 'RST');
      await sleep(50);
      assert.equal(deregistered, 0);
    } finally {
      fx.server.off('deregistered', onDereg);
    }
  });

  it('a notification without Content-Format is decoded like the observe response (pitfall 3)', async () => {
    const { d } = await registered('o-nocf');
    const { req, result } = await observe(d, 'o-nocf', '/3303/0/5700', { format: TEXT });
    const seen = collect(result.observationId);
    d.notify(req, 2, { payload: '30.25' }); // no Content-Format
    await sleep(150);
    assert.deepEqual(seen.map(valueOf), [30.25]);
  });

  it('a TLV notification of a single resource wrapped in its object instance is accepted (pitfall 2)', async () => {
    const { d } = await registered('o-tlv');
    const { req, result } = await observe(d, 'o-tlv', '/3303/0/5700', { format: TLV, contentFormat: TLV, payload: tlvWrapped5700(21.5) });
    assert.equal(valueOf(result), 21.5);
    const seen = collect(result.observationId);
    d.notify(req, 2, { contentFormat: TLV, payload: tlvWrapped5700(19.75) });
    d.notify(req, 3, { payload: tlvWrapped5700(18.5) }); // and without Content-Format
    await sleep(150);
    assert.deepEqual(seen.map(valueOf), [19.75, 18.5]);
  });

  it('a 2.05 without Observe to the observe request is a plain read: no observation, later messages with its token get a RST', async () => {
    const { d } = await registered('o-noobs');
    const pending = fx.server.observe('o-noobs', '/3303/0/5700', { format: TEXT });
    const req = await d.nextRequest();
    d.answer(req, '2.05', { contentFormat: TEXT, payload: '20' });
    const r = await pending;
    assert.equal(r.code, '2.05');
    assert.equal(r.observationId, undefined);
    assert.equal(fx.server.observations('o-noobs').length, 0);
    const n = d.notify(req, 2, { type: 'CON', contentFormat: TEXT, payload: '1' });
    assert.equal((await d.next((m) => m.mid === n.mid)).type, 'RST');
  });

  it('a retransmitted CON notification (same MID, its ACK lost) is ACKed again and delivered once', async () => {
    const { d } = await registered('o-dupn');
    const { req, result } = await observe(d, 'o-dupn', '/3303/0/5700', { format: TEXT });
    const seen = collect(result.observationId);
    const n = d.notify(req, 2, { type: 'CON', contentFormat: TEXT, payload: '24' });
    assert.equal((await d.next((m) => m.mid === n.mid)).type, 'ACK');
    d.send(n);
    assert.equal((await d.next((m) => m.mid === n.mid)).type, 'ACK', 'the duplicate is acknowledged too');
    await sleep(150);
    assert.deepEqual(seen.map(valueOf), [24]);
  });

  it('a notification with an error code (4.04) ends the observation; the next one with its token gets a RST', async () => {
    const { d } = await registered('o-err');
    const { req, result } = await observe(d, 'o-err', '/3303/0/5700', { format: TEXT });
    const ended = fx.event('observationEnded', (o) => o.id === result.observationId);
    d.notify(req, 2, { code: '4.04', observe: false });
    assert.match((await ended)[1], /4\.04/);
    const n = d.notify(req, 3, { type: 'CON', contentFormat: TEXT, payload: '1' });
    assert.equal((await d.next((m) => m.mid === n.mid)).type, 'RST');
  });

  for (const format of [undefined, 112]) {
    const note = format === undefined ? 'the format chosen from ct' : 'a forced format (SenML CBOR)';
    it(`Observe-Composite with ${note}: FETCH / with Observe=0; the cancel repeats token, body, Content-Format and Accept with Observe=1`, async () => {
      const ep = `o-comp-${format ?? 'auto'}`;
      const d = await RawDevice.open(fx.port);
      devices.push(d);
      await d.register([`ep=${ep}`, 'lwm2m=1.1'], '</>;rt="oma.lwm2m";ct="110 112",</1/0>,</3/0>,</3303/0>');
      const pending = fx.server.observeComposite(ep, ['/3303/0/5700', '/3/0/9'], format !== undefined ? { format } : {});
      const fetch = await d.nextRequest();
      assert.deepEqual([fetch.code, uriPath(fetch), observeOf(fetch)], ['0.05', '/', 0]);
      const accept = getUint(fetch, O.Accept);
      assert.ok(accept === 110 || accept === 112, `Accept ${accept}`);
      if (format !== undefined) assert.equal(accept, format);
      const body = accept === 110 ? JSON.stringify([{ n: '/3303/0/5700', v: 21.5 }, { n: '/3/0/9', v: 80 }]) : undefined;
      d.answer(fetch, '2.05', {
        options: [{ number: O.Observe, value: Buffer.from([1]) }],
        contentFormat: accept,
        payload: body ?? senmlCbor([['/3303/0/5700', 21.5], ['/3/0/9', 80]]),
      });
      const r = await pending;
      assert.ok(r.observationId, JSON.stringify(r.error));
      const cancelling = fx.server.cancelObservation(ep, r.observationId);
      const cancel = await d.nextRequest();
      assert.deepEqual(
        [cancel.code, observeOf(cancel), cancel.token.toString('hex'), getUint(cancel, O.ContentFormat), getUint(cancel, O.Accept), cancel.payload.toString('hex')],
        ['0.05', 1, fetch.token.toString('hex'), getUint(fetch, O.ContentFormat), accept, fetch.payload.toString('hex')],
      );
      d.answer(cancel, '2.05', { contentFormat: accept, payload: body ?? Buffer.alloc(0) });
      await cancelling;
    });
  }
});
