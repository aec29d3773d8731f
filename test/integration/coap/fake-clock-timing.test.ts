/**
 * The CoAP transport's timing on an injected clock: retransmission with exponential
 * back-off (RFC 7252 4.2) and the 128-second freshness rule of notifications (RFC 7641
 * 3.4), in milliseconds of real time. The sockets are real; only time is moved by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { ACK, CON, NON } from '../../../src/transport/coap/message.js';
import type { CoapMessage, MessageType } from '../../../src/transport/coap/message.js';
import { Opt, uintOption } from '../../../src/transport/coap/options.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { RawPeer, RecordingHandler, startTransport } from './helpers.js';

const TOKEN = Buffer.from('c10c4711', 'hex');

/** Lets the datagrams of a timer that fired cross loopback (a few event-loop turns). */
const io = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

void test('a CON request is sent again after ACK_TIMEOUT, doubling, MAX_RETRANSMIT times, then fails: all on the injected clock', async () => {
  const clock = new FakeClock();
  const h = new RecordingHandler();
  // ACK_RANDOM_FACTOR 1: the first timeout is exactly ACK_TIMEOUT
  const { transport } = await startTransport(h, { clock, timing: { ackTimeoutMs: 2000, ackRandomFactor: 1, maxRetransmit: 4 }, requestTimeoutMs: 600_000 });
  const dev = await RawPeer.open();
  try {
    let outcome: string | undefined;
    transport.send(dev.peer, { op: 'read', path: LwM2mPath.parse('/3/0/0') }).then(
      (r) => (outcome = `answered ${r.code}`),
      (e: unknown) => (outcome = `failed ${(e as { code?: string }).code}`),
    );
    const first = await dev.nextMessage();
    assert.equal(first.type, CON);
    // the real clock runs, the transport's does not: nothing is sent again
    assert.equal((await dev.collect(60)).length, 0, 'no retransmission while the clock stands still');

    const gaps = [2000, 4000, 8000, 16_000];
    for (const [k, gap] of gaps.entries()) {
      await clock.advanceAsync(gap - 1);
      await io();
      assert.equal((await dev.collect(0)).length, 0, `retransmission ${k + 1} not before ${gap} ms`);
      await clock.advanceAsync(1);
      const again = await dev.nextMessage();
      assert.equal(again.messageId, first.messageId, `retransmission ${k + 1} repeats the message id`);
      assert.deepEqual(Buffer.from(again.token), Buffer.from(first.token));
    }
    assert.equal(outcome, undefined, 'still waiting after the last retransmission');
    await clock.advanceAsync(32_000 - 1);
    assert.equal(outcome, undefined);
    await clock.advanceAsync(1);
    assert.equal(outcome, 'failed TIMEOUT', 'gives up one doubled timeout after the fourth retransmission');
    await io();
    assert.equal((await dev.collect(0)).length, 0, 'exactly MAX_RETRANSMIT retransmissions');
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a request answered with an empty ACK is not sent again, however far the clock moves', async () => {
  const clock = new FakeClock();
  const { transport, port } = await startTransport(new RecordingHandler(), { clock, timing: { ackTimeoutMs: 2000, ackRandomFactor: 1 }, requestTimeoutMs: 600_000 });
  const dev = await RawPeer.open();
  try {
    const pending = transport.send(dev.peer, { op: 'read', path: LwM2mPath.parse('/3/0/0') });
    const req = await dev.nextMessage();
    dev.send(port, { type: ACK, code: 0, messageId: req.messageId, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) });
    await io();
    await clock.advanceAsync(100_000);
    await io();
    assert.equal((await dev.collect(0)).length, 0, 'an acknowledged request is never retransmitted');
    // the separate response still completes it
    dev.send(port, { type: CON, code: 0x45, messageId: 4242, token: req.token, options: [uintOption(Opt.ContentFormat, 0)], payload: Buffer.from('Acme') });
    const res = await pending;
    assert.deepEqual([res.code, Buffer.from(res.payload).toString()], ['2.05', 'Acme']);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

function notification(type: MessageType, mid: number, seq: number, payload: string): CoapMessage {
  return { type, code: 0x45, messageId: mid, token: TOKEN, options: [uintOption(Opt.Observe, seq), uintOption(Opt.ContentFormat, 0)], payload: Buffer.from(payload) };
}

void test('RFC 7641 3.4: an older Observe number is stale within 128 s and fresh after 128 s', async () => {
  const clock = new FakeClock();
  const h = new RecordingHandler();
  const { transport, port } = await startTransport(h, { clock });
  const dev = await RawPeer.open();
  try {
    const pending = transport.send(dev.peer, { op: 'observe', path: LwM2mPath.parse('/3303/0/5700'), token: TOKEN, accept: 0 });
    const req = await dev.nextMessage();
    dev.send(port, notification(ACK, req.messageId, 1000, '20.0'));
    await pending;

    dev.send(port, notification(NON, 1, 1001, '21.0'));
    await h.until(() => h.notifications.length === 1);
    // 127 s later an Observe number lower than the last is still stale: dropped
    await clock.advanceAsync(127_000);
    dev.send(port, notification(NON, 2, 500, 'stale'));
    // a fresh one after it proves the stale one was seen and dropped, not still in flight
    dev.send(port, notification(NON, 3, 1002, '22.0'));
    await h.until(() => h.notifications.length === 2);
    assert.deepEqual(h.notifications.map((n) => Buffer.from(n.notification.payload).toString()), ['21.0', '22.0']);

    // more than 128 s after the last accepted one, any Observe number is fresh
    await clock.advanceAsync(128_001);
    dev.send(port, notification(NON, 4, 7, 'after a reboot'));
    await h.until(() => h.notifications.length === 3);
    assert.equal(Buffer.from(h.notifications[2]!.notification.payload).toString(), 'after a reboot');
    // and the new number is the reference from then on
    dev.send(port, notification(NON, 5, 6, 'stale again'));
    dev.send(port, notification(NON, 6, 8, 'fresh'));
    await h.until(() => h.notifications.length === 4);
    assert.equal(Buffer.from(h.notifications[3]!.notification.payload).toString(), 'fresh');
  } finally {
    await dev.close();
    await transport.stop();
  }
});
