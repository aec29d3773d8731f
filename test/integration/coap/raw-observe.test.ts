/**
 * Observe as seen from the server (RFC 7641) against a raw UDP device: registration,
 * notifications CON and NON, freshness, RST for unknown or forgotten observations,
 * active cancel, block-wise notifications.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { blockOption, getBlock } from '../../../src/transport/coap/block.js';
import { ACK, CON, NON, RST } from '../../../src/transport/coap/message.js';
import type { CoapMessage, MessageType } from '../../../src/transport/coap/message.js';
import { Opt, getStringOptions, getUintOption, uintOption } from '../../../src/transport/coap/options.js';
import { RawPeer, RecordingHandler, startTransport } from './helpers.js';

const TOKEN = Buffer.from('0b5e7e01', 'hex');

function notification(type: MessageType, mid: number, seq: number | undefined, payload: string, code = 0x45): CoapMessage {
  return {
    type,
    code,
    messageId: mid,
    token: TOKEN,
    options: [...(seq !== undefined ? [uintOption(Opt.Observe, seq)] : []), uintOption(Opt.ContentFormat, 0)],
    payload: Buffer.from(payload),
  };
}

async function observed(path = '/3303/0/5700') {
  const h = new RecordingHandler();
  const { transport, port } = await startTransport(h);
  const dev = await RawPeer.open();
  const pending = transport.send(dev.peer, { op: 'observe', path: LwM2mPath.parse(path), token: TOKEN, accept: 0 });
  const req = await dev.nextMessage();
  return { h, transport, port, dev, pending, req };
}

void test('observe: GET with Observe=0 and the given token; notifications reach the handler; stale ones are dropped', async () => {
  const { h, transport, port, dev, pending, req } = await observed();
  try {
    assert.equal(req.code, 0x01);
    assert.equal(getUintOption(req.options, Opt.Observe), 0);
    assert.deepEqual(req.token, TOKEN);
    assert.deepEqual(getStringOptions(req.options, Opt.UriPath), ['3303', '0', '5700']);
    dev.send(port, { ...notification(ACK, req.messageId, 10, '21.5') });
    const res = await pending;
    assert.deepEqual([res.code, res.observe, Buffer.from(res.payload).toString()], ['2.05', 10, '21.5']);
    assert.ok(transport.hasObservation(dev.peer, TOKEN));

    dev.send(port, notification(CON, 1000, 11, '22.0'));
    const ack = await dev.nextMessage();
    assert.deepEqual([ack.type, ack.messageId, ack.code], [ACK, 1000, 0]);
    dev.send(port, notification(CON, 1000, 11, '22.0')); // duplicate: ACK again, not delivered again
    assert.equal((await dev.nextMessage()).type, ACK);
    dev.send(port, notification(NON, 1001, 9, 'stale'));
    dev.send(port, notification(CON, 1002, 5, 'stale too'));
    assert.equal((await dev.nextMessage()).messageId, 1002, 'a stale CON notification is still acknowledged');
    dev.send(port, notification(NON, 1003, 12, '22.5'));
    await h.until(() => h.notifications.length >= 2);
    assert.equal((await dev.collect(100)).length, 0, 'no reply to a NON notification the core accepted');
    assert.deepEqual(
      h.notifications.map((n) => [n.notification.observe, Buffer.from(n.notification.payload).toString(), n.notification.code]),
      [
        [11, '22.0', '2.05'],
        [12, '22.5', '2.05'],
      ],
    );
    assert.deepEqual(h.notifications[0]!.notification.token, new Uint8Array(TOKEN));
    assert.equal(h.notifications[0]!.notification.contentFormat, 0);
    assert.equal(h.notifications[0]!.peer.key, dev.peer.key);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('Observe numbers wrap around 2^24', async () => {
  const { h, transport, port, dev, pending, req } = await observed();
  try {
    dev.send(port, notification(ACK, req.messageId, 0xfffffe, 'a'));
    await pending;
    dev.send(port, notification(NON, 1, 0xffffff, 'b'));
    dev.send(port, notification(NON, 2, 0, 'c'));
    dev.send(port, notification(NON, 3, 1, 'd'));
    dev.send(port, notification(NON, 4, 0xffffff, 'old'));
    await h.until(() => h.notifications.length >= 3);
    await dev.collect(100);
    assert.deepEqual(h.notifications.map((n) => n.notification.observe), [0xffffff, 0, 1]);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('forgetObservation: the next notification gets a RST, for CON and NON', async () => {
  const { h, transport, port, dev, pending, req } = await observed();
  try {
    dev.send(port, notification(ACK, req.messageId, 1, 'a'));
    await pending;
    transport.forgetObservation(dev.peer, TOKEN);
    dev.send(port, notification(CON, 50, 2, 'b'));
    const rst = await dev.nextMessage();
    assert.deepEqual([rst.type, rst.messageId], [RST, 50]);
    dev.send(port, notification(NON, 51, 3, 'c'));
    assert.deepEqual((await dev.nextMessage()).type, RST);
    assert.equal(h.notifications.length, 0);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a notification the core does not know (handler false) gets a RST and ends the observation', async () => {
  const { h, transport, port, dev, pending, req } = await observed();
  h.onNotification = () => false;
  try {
    dev.send(port, notification(ACK, req.messageId, 1, 'a'));
    await pending;
    dev.send(port, notification(CON, 60, 2, 'b'));
    assert.equal((await dev.nextMessage()).type, RST);
    assert.equal(transport.hasObservation(dev.peer, TOKEN), false);
    assert.equal(h.notifications.length, 1);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('unknown tokens get a RST; an error notification ends the observation', async () => {
  const { h, transport, port, dev, pending, req } = await observed();
  try {
    dev.send(port, { ...notification(CON, 70, 1, 'x'), token: Buffer.from('ffff', 'hex') });
    assert.equal((await dev.nextMessage()).type, RST);
    dev.send(port, notification(ACK, req.messageId, 1, 'a'));
    await pending;
    dev.send(port, notification(CON, 71, undefined, '', 0x84));
    assert.equal((await dev.nextMessage()).type, ACK);
    await h.until(() => h.notifications.length === 1);
    assert.equal(h.notifications[0]!.notification.code, '4.04');
    assert.equal(transport.hasObservation(dev.peer, TOKEN), false);
    dev.send(port, notification(CON, 72, 2, 'late'));
    assert.equal((await dev.nextMessage()).type, RST);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a device that answers without Observe did not accept the observation', async () => {
  const { transport, port, dev, pending, req } = await observed();
  try {
    dev.send(port, notification(ACK, req.messageId, undefined, 'once'));
    const res = await pending;
    assert.equal(res.observe, undefined);
    assert.equal(transport.hasObservation(dev.peer, TOKEN), false);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('cancelObserve: GET with Observe=1 and the same token; late notifications get RST', async () => {
  const { h, transport, port, dev, pending, req } = await observed();
  try {
    dev.send(port, notification(ACK, req.messageId, 1, 'a'));
    await pending;
    const cancel = transport.send(dev.peer, { op: 'cancelObserve', path: LwM2mPath.parse('/3303/0/5700'), token: TOKEN });
    const creq = await dev.nextMessage();
    assert.equal(getUintOption(creq.options, Opt.Observe), 1);
    assert.deepEqual(creq.token, TOKEN);
    dev.send(port, notification(CON, 80, 2, 'in flight'));
    assert.deepEqual((await dev.nextMessage()).type, RST);
    dev.send(port, notification(ACK, creq.messageId, undefined, 'final'));
    const res = await cancel;
    assert.equal(Buffer.from(res.payload).toString(), 'final');
    assert.equal(h.notifications.length, 0);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a notification in blocks: block 0 is ACKed, the rest fetched with plain GETs, then handed on whole', async () => {
  const { h, transport, port, dev, pending, req } = await observed('/5/0/0');
  try {
    dev.send(port, notification(ACK, req.messageId, 1, 'small'));
    await pending;
    const body = Buffer.from('n'.repeat(32) + 'tail');
    const first = notification(CON, 90, 2, '');
    first.payload = body.subarray(0, 16);
    first.options.push(blockOption(Opt.Block2, { num: 0, more: true, szx: 0 }));
    dev.send(port, first);
    assert.equal((await dev.nextMessage()).type, ACK);
    for (let num = 1; num <= 2; num++) {
      const get = await dev.nextMessage();
      assert.equal(get.code, 0x01);
      assert.equal(getUintOption(get.options, Opt.Observe), undefined, 'no Observe on follow-ups');
      assert.notDeepEqual(get.token, TOKEN, 'follow-ups use their own token');
      assert.deepEqual(getStringOptions(get.options, Opt.UriPath), ['5', '0', '0']);
      assert.deepEqual(getBlock(get.options, Opt.Block2), { num, more: false, szx: 0 });
      const more = num < 2;
      dev.send(port, {
        type: ACK,
        code: 0x45,
        messageId: get.messageId,
        token: get.token,
        options: [uintOption(Opt.ContentFormat, 0), blockOption(Opt.Block2, { num, more, szx: 0 })],
        payload: body.subarray(num * 16, num * 16 + 16),
      });
    }
    await h.until(() => h.notifications.length === 1);
    const n = h.notifications[0]!.notification;
    assert.equal(Buffer.from(n.payload).toString(), body.toString());
    assert.equal(n.observe, 2);
    assert.deepEqual(n.token, new Uint8Array(TOKEN));
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a notification from a new address (NAT rebinding) still matches its observation and moves it', async () => {
  const { h, transport, port, dev, pending, req } = await observed();
  const moved = await RawPeer.open();
  try {
    dev.send(port, notification(ACK, req.messageId, 1, '20.0'));
    await pending;
    moved.send(port, notification(CON, 2000, 2, '20.5'));
    const ack = await moved.nextMessage();
    assert.deepEqual([ack.type, ack.messageId], [ACK, 2000], 'acknowledged, not reset');
    await h.until(() => h.notifications.length >= 1);
    assert.equal(h.notifications[0]!.peer.key, moved.peer.key, 'the core hears the new address');
    // the old address no longer claims it; an unknown token from anywhere is still reset
    moved.send(port, { ...notification(CON, 2001, 3, 'x'), token: Buffer.from('ffffffff', 'hex') });
    assert.equal((await moved.nextMessage()).type, RST);
  } finally {
    await moved.close();
    await dev.close();
    await transport.stop();
  }
});
