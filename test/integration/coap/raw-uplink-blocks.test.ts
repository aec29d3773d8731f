/**
 * Block-wise requests from devices against raw UDP peers (RFC 7959): Block1 uploads
 * reassembled for the core, Block2 for answers larger than a block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockOption, getBlock } from '../../../src/transport/coap/block.js';
import { CON, codeText } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import { Opt, getUintOption, stringOptions, uintOption } from '../../../src/transport/coap/options.js';
import { RawPeer, RecordingHandler, startTransport } from './helpers.js';

function post(mid: number, token: string, payload: string): CoapMessage {
  return {
    type: CON,
    code: 0x02,
    messageId: mid,
    token: Buffer.from(token, 'hex'),
    options: [...stringOptions(Opt.UriPath, ['dp']), uintOption(Opt.ContentFormat, 110)],
    payload: Buffer.from(payload),
  };
}

void test('Block1 uploads: 2.31 per block, the handler sees the whole body, 4.08 out of order, 4.13 too large', async () => {
  const h = new RecordingHandler();
  h.onRequest = () => ({ code: '2.04' });
  const { transport, port } = await startTransport(h, { maxBodySize: 100 });
  const dev = await RawPeer.open();
  const block = (mid: number, num: number, more: boolean, data: string, size1?: number): CoapMessage => {
    const m = post(mid, 'b1', data);
    m.options.push(blockOption(Opt.Block1, { num, more, szx: 0 }));
    if (size1 !== undefined) m.options.push(uintOption(Opt.Size1, size1));
    return m;
  };
  try {
    dev.send(port, block(1, 0, true, 'a'.repeat(16), 40));
    let r = await dev.nextMessage();
    assert.equal(codeText(r.code), '2.31');
    assert.deepEqual(getBlock(r.options, Opt.Block1), { num: 0, more: true, szx: 0 });
    dev.send(port, block(2, 1, true, 'b'.repeat(16)));
    assert.equal(codeText((await dev.nextMessage()).code), '2.31');
    dev.send(port, block(3, 2, false, 'cc'));
    r = await dev.nextMessage();
    assert.equal(codeText(r.code), '2.04');
    assert.deepEqual(getBlock(r.options, Opt.Block1), { num: 2, more: false, szx: 0 });
    assert.equal(h.requests.length, 1);
    assert.equal(Buffer.from(h.requests[0]!.request.payload).toString(), 'a'.repeat(16) + 'b'.repeat(16) + 'cc');
    dev.send(port, block(4, 3, true, 'x'.repeat(16)));
    assert.equal(codeText((await dev.nextMessage()).code), '4.08');
    dev.send(port, block(5, 0, true, 'x'.repeat(16), 101));
    r = await dev.nextMessage();
    assert.equal(codeText(r.code), '4.13');
    assert.equal(getUintOption(r.options, Opt.Size1), 100);
    assert.equal(h.requests.length, 1);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a large answer to a device goes out in Block2 blocks', async () => {
  const h = new RecordingHandler();
  const body = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
  h.onRequest = () => ({ code: '2.05', contentFormat: 42, payload: body });
  const { transport, port } = await startTransport(h, { blockSize: 128 });
  const dev = await RawPeer.open();
  try {
    const get = (mid: number, num: number): CoapMessage => ({
      type: CON,
      code: 0x01,
      messageId: mid,
      token: Buffer.from([mid]),
      options: [...stringOptions(Opt.UriPath, ['bspack']), ...(num > 0 ? [blockOption(Opt.Block2, { num, more: false, szx: 3 })] : [])],
      payload: Buffer.alloc(0),
    });
    const parts: Buffer[] = [];
    for (let num = 0; ; num++) {
      dev.send(port, get(num + 1, num));
      const r = await dev.nextMessage();
      const b = getBlock(r.options, Opt.Block2)!;
      assert.equal(b.num, num);
      assert.equal(getUintOption(r.options, Opt.Size2), 300);
      assert.equal(getUintOption(r.options, Opt.ContentFormat), 42);
      parts.push(r.payload);
      if (!b.more) break;
    }
    assert.deepEqual(Buffer.concat(parts), body);
    assert.equal(h.requests.length, 1, 'later blocks come from the stored body');
  } finally {
    await dev.close();
    await transport.stop();
  }
});
