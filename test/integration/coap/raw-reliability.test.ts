/**
 * Message-layer reliability of downlinks against raw UDP peers: retransmission with
 * back-off, timeouts, piggybacked and separate responses, RST, NSTART, matching per peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { TransportError } from '../../../src/lwm2m/transport.js';
import type { DownlinkRequest } from '../../../src/lwm2m/transport.js';
import { ACK, CON, NON, RST, emptyMessage } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import { Opt, uintOption } from '../../../src/transport/coap/options.js';
import { RawPeer, RecordingHandler, sleep, startTransport } from './helpers.js';
import type { Received } from './helpers.js';

const READ: DownlinkRequest = { op: 'read', path: LwM2mPath.parse('/3/0/0') };

function answer(req: CoapMessage, code: number, payload = '', extra: Partial<CoapMessage> = {}): CoapMessage {
  return {
    type: ACK,
    code,
    messageId: req.messageId,
    token: req.token,
    options: [uintOption(Opt.ContentFormat, 0)],
    payload: Buffer.from(payload),
    ...extra,
  };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof TransportError && e.code === code);
}

void test('a silent peer gets MAX_RETRANSMIT+1 copies with doubling gaps, then TIMEOUT', async () => {
  const { transport } = await startTransport(new RecordingHandler(), {
    timing: { ackTimeoutMs: 80, ackRandomFactor: 1, maxRetransmit: 3 },
  });
  const dev = await RawPeer.open();
  try {
    const started = Date.now();
    const pending = transport.send(dev.peer, READ);
    let timedOutAt = 0;
    const outcome = rejectsWith(pending, 'TIMEOUT').then(() => (timedOutAt = Date.now()));
    const copies: Received[] = [];
    for (let i = 0; i < 4; i++) copies.push(await dev.next(2000));
    await outcome;
    // nothing more after the last copy
    assert.equal((await dev.collect(150)).length, 0);
    assert.ok(copies.every((c) => c.raw.equals(copies[0]!.raw)), 'retransmissions are the same datagram');
    assert.equal(copies[0]!.message?.type, CON);
    // measured from the send: copy k leaves after the sum of the first k timeouts
    const offsets = copies.map((c) => c.at - started);
    const expected = [0, 80, 240, 560];
    offsets.forEach((o, i) => assert.ok(o >= expected[i]! - 5 && o < expected[i]! + 150, `copy ${i} at ${o} ms, expected ~${expected[i]}`));
    // the last wait is 640 ms: first copy to TIMEOUT = 80 + 160 + 320 + 640
    const total = timedOutAt - started;
    assert.ok(total >= 1195 && total < 1600, `timed out after ${total} ms`);
    assert.deepEqual(transport.diagnostics(), { inFlight: 0, retransmitting: 0, observations: 0 });
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('with ACK_RANDOM_FACTOR 1.5 the first timeout is random in [ACK_TIMEOUT, 1.5 ACK_TIMEOUT], then doubles', async () => {
  const { transport } = await startTransport(new RecordingHandler(), {
    timing: { ackTimeoutMs: 100, ackRandomFactor: 1.5, maxRetransmit: 2 },
  });
  const dev = await RawPeer.open();
  try {
    const started = Date.now();
    const outcome = rejectsWith(transport.send(dev.peer, READ), 'TIMEOUT');
    const copies: Received[] = [];
    for (let i = 0; i < 3; i++) copies.push(await dev.next(2000));
    await outcome;
    // copy 1 after t in [100, 150], copy 2 after 3t
    const o1 = copies[1]!.at - started;
    const o2 = copies[2]!.at - started;
    assert.ok(o1 >= 95 && o1 < 150 + 100, `copy 1 at ${o1}`);
    assert.ok(o2 >= 295 && o2 < 450 + 100, `copy 2 at ${o2}`);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('timeoutMs shorter than the retransmissions wins', async () => {
  const { transport } = await startTransport(new RecordingHandler(), { timing: { ackTimeoutMs: 200, ackRandomFactor: 1 } });
  const dev = await RawPeer.open();
  try {
    const t0 = Date.now();
    await rejectsWith(transport.send(dev.peer, READ, { timeoutMs: 300 }), 'TIMEOUT');
    const took = Date.now() - t0;
    assert.ok(took >= 295 && took < 500, `took ${took}`);
    assert.equal((await dev.collect(20)).length, 2);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a nonsensical timeoutMs falls back to the default instead of firing at once', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  try {
    for (const timeoutMs of [Number.NaN, -5, 0, Number.POSITIVE_INFINITY]) {
      const pending = transport.send(dev.peer, READ, { timeoutMs });
      const req = await dev.nextMessage();
      await sleep(30);
      dev.send(port, answer(req, 0x45, 'ok'));
      assert.equal((await pending).code, '2.05', `timeoutMs ${timeoutMs}`);
    }
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a piggybacked response resolves the downlink and stops retransmission', async () => {
  const { transport } = await startTransport(new RecordingHandler(), { timing: { ackTimeoutMs: 100, ackRandomFactor: 1 } });
  const dev = await RawPeer.open();
  try {
    const pending = transport.send(dev.peer, { ...READ, accept: 0 });
    const req = await dev.nextMessage();
    assert.equal(req.code, 0x01);
    assert.ok(req.token.length >= 4 && req.token.length <= 8);
    assert.deepEqual(req.options.filter((o) => o.number === Opt.UriPath).map((o) => o.value.toString()), ['3', '0', '0']);
    dev.send(transport.address()!.port, answer(req, 0x45, 'Acme'));
    const res = await pending;
    assert.equal(res.code, '2.05');
    assert.equal(res.contentFormat, 0);
    assert.equal(Buffer.from(res.payload).toString(), 'Acme');
    assert.equal((await dev.collect(250)).length, 0, 'no retransmission after the ACK');
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('empty ACK then a separate CON response, which is ACKed (also when repeated)', async () => {
  const { transport, port } = await startTransport(new RecordingHandler(), { timing: { ackTimeoutMs: 100, ackRandomFactor: 1 } });
  const dev = await RawPeer.open();
  try {
    const pending = transport.send(dev.peer, READ, { timeoutMs: 3000 });
    const req = await dev.nextMessage();
    dev.send(port, emptyMessage(ACK, req.messageId));
    assert.equal((await dev.collect(300)).length, 0, 'the empty ACK stops retransmission');
    const separate: CoapMessage = { ...answer(req, 0x45, 'late'), type: CON, messageId: 4242 };
    dev.send(port, separate);
    const ack = await dev.nextMessage();
    assert.deepEqual([ack.type, ack.code, ack.messageId, ack.token.length], [ACK, 0, 4242, 0]);
    const res = await pending;
    assert.equal(Buffer.from(res.payload).toString(), 'late');
    // our ACK was lost: the device sends its response again and gets the same ACK
    dev.send(port, separate);
    const again = await dev.nextMessage();
    assert.deepEqual([again.type, again.messageId], [ACK, 4242]);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a separate NON response is accepted without an ACK', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  try {
    const pending = transport.send(dev.peer, READ, { timeoutMs: 3000 });
    const req = await dev.nextMessage();
    dev.send(port, emptyMessage(ACK, req.messageId));
    dev.send(port, { ...answer(req, 0x45, 'n'), type: NON, messageId: 9 });
    assert.equal((await pending).code, '2.05');
    assert.equal((await dev.collect(100)).length, 0);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('RST rejects with RESET', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  try {
    const pending = transport.send(dev.peer, READ);
    const req = await dev.nextMessage();
    dev.send(port, emptyMessage(RST, req.messageId));
    await rejectsWith(pending, 'RESET');
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a response with an unrecognized critical option is rejected: RESET, and a RST for a CON', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  const odd = { number: 2051, value: Buffer.from([1]) };
  try {
    const piggy = transport.send(dev.peer, READ);
    const r1 = await dev.nextMessage();
    dev.send(port, answer(r1, 0x45, 'x', { options: [odd] }));
    await rejectsWith(piggy, 'RESET');
    const separate = rejectsWith(transport.send(dev.peer, READ), 'RESET');
    const r2 = await dev.nextMessage();
    dev.send(port, emptyMessage(ACK, r2.messageId));
    dev.send(port, answer(r2, 0x45, 'x', { type: CON, messageId: 31, options: [odd] }));
    const rst = await dev.nextMessage();
    assert.deepEqual([rst.type, rst.messageId], [RST, 31]);
    await separate;
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('NSTART=1: a second downlink to the same peer waits for the first; other peers do not', async () => {
  const { transport, port } = await startTransport(new RecordingHandler(), { timing: { ackTimeoutMs: 1000 } });
  const a = await RawPeer.open();
  const b = await RawPeer.open();
  try {
    const first = transport.send(a.peer, { op: 'read', path: LwM2mPath.parse('/1') });
    const second = transport.send(a.peer, { op: 'read', path: LwM2mPath.parse('/2') });
    const other = transport.send(b.peer, { op: 'read', path: LwM2mPath.parse('/3') });
    const r1 = await a.nextMessage();
    const rb = await b.nextMessage();
    assert.equal((await a.collect(150)).length, 0, 'the second request waits');
    b.send(port, answer(rb, 0x45, 'b'));
    a.send(port, answer(r1, 0x45, 'one'));
    const r2 = await a.nextMessage();
    assert.equal(r2.options.find((o) => o.number === Opt.UriPath)!.value.toString(), '2');
    assert.equal(r2.messageId, (r1.messageId + 1) & 0xffff, 'message ids count up per peer');
    a.send(port, answer(r2, 0x45, 'two'));
    assert.deepEqual(
      (await Promise.all([first, second, other])).map((r) => Buffer.from(r.payload).toString()),
      ['one', 'two', 'b'],
    );
  } finally {
    await a.close();
    await b.close();
    await transport.stop();
  }
});

void test('a response from another peer never completes a request, even with the right token', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const a = await RawPeer.open();
  const b = await RawPeer.open();
  try {
    const pending = transport.send(a.peer, READ, { timeoutMs: 3000 });
    const req = await a.nextMessage();
    a.send(port, emptyMessage(ACK, req.messageId));
    b.send(port, { ...answer(req, 0x45, 'forged'), type: CON, messageId: 77 });
    const rst = await b.nextMessage();
    assert.deepEqual([rst.type, rst.messageId], [RST, 77]);
    // an ACK from B with A's message id does not count either
    b.send(port, answer(req, 0x45, 'forged'));
    a.send(port, { ...answer(req, 0x45, 'real'), type: CON, messageId: 78 });
    assert.equal(Buffer.from((await pending).payload).toString(), 'real');
  } finally {
    await a.close();
    await b.close();
    await transport.stop();
  }
});

void test('stop() rejects pending and queued downlinks with STOPPED and leaves nothing running', async () => {
  const { transport } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  try {
    const p1 = rejectsWith(transport.send(dev.peer, READ), 'STOPPED');
    const p2 = rejectsWith(transport.send(dev.peer, READ), 'STOPPED');
    await dev.nextMessage();
    await transport.stop();
    await p1;
    await p2;
    await rejectsWith(transport.send(dev.peer, READ), 'STOPPED');
    assert.deepEqual(transport.diagnostics(), { inFlight: 0, retransmitting: 0, observations: 0 });
    assert.equal(transport.address(), undefined);
    assert.equal((await dev.collect(100)).length, 0);
  } finally {
    await dev.close();
  }
});

void test('a peer that is no UDP address is refused at once', async () => {
  const { transport } = await startTransport(new RecordingHandler());
  try {
    await rejectsWith(transport.send({ transport: 'udp', key: 'x', address: 'nowhere', port: 1 }, READ), 'UNREACHABLE');
    await rejectsWith(transport.send({ transport: 'udp', key: 'x', address: '127.0.0.1', port: 0 }, READ), 'UNREACHABLE');
  } finally {
    await transport.stop();
  }
  await sleep(0);
});
