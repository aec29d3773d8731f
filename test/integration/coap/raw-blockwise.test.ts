/**
 * Block-wise downlinks (RFC 7959) against a raw UDP device: Block1 splitting, a 2.31
 * asking for smaller blocks, 4.13 with Size1, Block2 reassembly, ETag changes, size bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { TransportError } from '../../../src/lwm2m/transport.js';
import { blockOption, getBlock } from '../../../src/transport/coap/block.js';
import { ACK } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import type { CoapOption } from '../../../src/transport/coap/options.js';
import { Opt, getUintOption, uintOption } from '../../../src/transport/coap/options.js';
import { RawPeer, RecordingHandler, startTransport } from './helpers.js';

function reply(req: CoapMessage, code: number, options: CoapOption[] = [], payload: Buffer = Buffer.alloc(0)): CoapMessage {
  return { type: ACK, code, messageId: req.messageId, token: req.token, options, payload };
}

const CONTINUE = 0x5f;
const CHANGED = 0x44;
const CONTENT = 0x45;

void test('Block1: a write larger than a block goes out block by block, Size1 first, one token', async () => {
  const { transport, port } = await startTransport(new RecordingHandler(), { blockSize: 64 });
  const dev = await RawPeer.open();
  const body = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff));
  try {
    const p = transport.send(dev.peer, { op: 'write', path: LwM2mPath.parse('/5/0/0'), contentFormat: 42, payload: body });
    const got: Buffer[] = [];
    let token: Buffer | undefined;
    for (let num = 0; ; num++) {
      const req = await dev.nextMessage();
      const b = getBlock(req.options, Opt.Block1)!;
      assert.deepEqual([b.num, b.szx], [num, 2]);
      assert.equal(getUintOption(req.options, Opt.Size1), num === 0 ? 200 : undefined);
      assert.equal(getUintOption(req.options, Opt.ContentFormat), 42);
      token ??= req.token;
      assert.deepEqual(req.token, token);
      got.push(req.payload);
      if (!b.more) {
        dev.send(port, reply(req, CHANGED, [blockOption(Opt.Block1, b)]));
        break;
      }
      dev.send(port, reply(req, CONTINUE, [blockOption(Opt.Block1, b)]));
    }
    assert.deepEqual(Buffer.concat(got), body);
    assert.equal((await p).code, '2.04');
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('Block1: a 2.31 asking for smaller blocks is followed; 4.13 with Size1 restarts with smaller blocks', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  const body = Buffer.alloc(2000, 0x61);
  try {
    const p = transport.send(dev.peer, { op: 'write', path: LwM2mPath.parse('/5/0/0'), contentFormat: 42, payload: body });
    let req = await dev.nextMessage();
    assert.deepEqual(getBlock(req.options, Opt.Block1), { num: 0, more: true, szx: 6 });
    dev.send(port, reply(req, 0x8d, [uintOption(Opt.Size1, 512)])); // 4.13: at most 512 per message
    const offsets: number[] = [];
    let received = 0;
    let restarted = false;
    for (;;) {
      req = await dev.nextMessage();
      const b = getBlock(req.options, Opt.Block1)!;
      const size = 1 << (b.szx + 4);
      offsets.push(b.num * size);
      if (!restarted) {
        assert.deepEqual([b.num, b.szx], [0, 5], 'starts over with 512-byte blocks');
        restarted = true;
        // accept this block but ask for 256-byte blocks from now on
        received += req.payload.length;
        dev.send(port, reply(req, CONTINUE, [blockOption(Opt.Block1, { num: 0, more: true, szx: 4 })]));
        continue;
      }
      assert.equal(b.szx, 4);
      received += req.payload.length;
      if (!b.more) {
        dev.send(port, reply(req, CHANGED));
        break;
      }
      dev.send(port, reply(req, CONTINUE, [blockOption(Opt.Block1, b)]));
    }
    assert.equal(received, 2000);
    assert.deepEqual(offsets.slice(0, 3), [0, 512, 768]);
    assert.equal((await p).code, '2.04');
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('Block2: a large read is fetched to the end and reassembled; an ETag change restarts it', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  const v1 = Buffer.alloc(40, 0x31);
  const v2 = Buffer.from('x'.repeat(16) + 'y'.repeat(16) + 'zz');
  const serve = (req: CoapMessage, body: Buffer, etag: number): void => {
    const b = getBlock(req.options, Opt.Block2) ?? { num: 0, more: false, szx: 0 };
    const chunk = body.subarray(b.num * 16, b.num * 16 + 16);
    const more = b.num * 16 + 16 < body.length;
    dev.send(port, reply(req, CONTENT, [
      { number: Opt.ETag, value: Buffer.from([etag]) },
      uintOption(Opt.ContentFormat, 42),
      blockOption(Opt.Block2, { num: b.num, more, szx: 0 }),
    ], chunk));
  };
  try {
    const p = transport.send(dev.peer, { op: 'read', path: LwM2mPath.parse('/3/0/0'), accept: 42 });
    const r0 = await dev.nextMessage();
    assert.equal(getBlock(r0.options, Opt.Block2), undefined);
    serve(r0, v1, 1);
    const r1 = await dev.nextMessage();
    assert.deepEqual(getBlock(r1.options, Opt.Block2), { num: 1, more: false, szx: 0 });
    assert.notDeepEqual(r1.token, r0.token);
    assert.equal(getUintOption(r1.options, Opt.Accept), 42);
    serve(r1, v2, 2); // the resource changed in between
    const again = await dev.nextMessage();
    assert.equal(getBlock(again.options, Opt.Block2)?.num, 0, 'starts over');
    serve(again, v2, 2);
    for (let n = 1; n <= 2; n++) serve(await dev.nextMessage(), v2, 2);
    const res = await p;
    assert.equal(Buffer.from(res.payload).toString(), v2.toString());
    assert.equal(res.contentFormat, 42);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('Block2: a body beyond maxBodySize fails with TOO_LARGE', async () => {
  const { transport, port } = await startTransport(new RecordingHandler(), { maxBodySize: 40 });
  const dev = await RawPeer.open();
  try {
    const p = transport.send(dev.peer, { op: 'read', path: LwM2mPath.parse('/3/0/0') });
    for (let num = 0; num < 3; num++) {
      const req = await dev.nextMessage();
      dev.send(port, reply(req, CONTENT, [blockOption(Opt.Block2, { num, more: true, szx: 0 })], Buffer.alloc(16)));
    }
    await assert.rejects(p, (e: unknown) => e instanceof TransportError && e.code === 'TOO_LARGE');
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a block-wise transfer must end within blockTransferTimeoutMs', async () => {
  const { transport, port } = await startTransport(new RecordingHandler(), { blockTransferTimeoutMs: 300, blockSize: 16 });
  const dev = await RawPeer.open();
  try {
    const t0 = Date.now();
    const p = transport.send(dev.peer, { op: 'write', path: LwM2mPath.parse('/5/0/0'), payload: Buffer.alloc(100) });
    const req = await dev.nextMessage();
    dev.send(port, reply(req, CONTINUE, [blockOption(Opt.Block1, getBlock(req.options, Opt.Block1)!)]));
    await dev.nextMessage(); // block 1, never answered
    await assert.rejects(p, (e: unknown) => e instanceof TransportError && e.code === 'TIMEOUT');
    const took = Date.now() - t0;
    assert.ok(took >= 290 && took < 600, `took ${took}`);
  } finally {
    await dev.close();
    await transport.stop();
  }
});
