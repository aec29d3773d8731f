import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockSize, decodeBlock, encodeBlock, szxFor } from '../../../../src/transport/coap/block.js';
import { Block1Assembler } from '../../../../src/transport/coap/block1-assembler.js';

void test('Block option values follow RFC 7959 2.2 (NUM << 4 | M << 3 | SZX)', () => {
  assert.deepEqual(encodeBlock({ num: 0, more: false, szx: 0 }), Buffer.alloc(0));
  assert.deepEqual(encodeBlock({ num: 2, more: false, szx: 3 }), Buffer.from([0x23])); // "2/0/128"
  assert.deepEqual(encodeBlock({ num: 1, more: true, szx: 6 }), Buffer.from([0x1e]));
  assert.deepEqual(encodeBlock({ num: 20, more: false, szx: 2 }), Buffer.from([0x01, 0x42]));
  assert.deepEqual(encodeBlock({ num: 0xfffff, more: true, szx: 6 }), Buffer.from([0xff, 0xff, 0xfe]));
  assert.throws(() => encodeBlock({ num: 0x100000, more: false, szx: 0 }), RangeError);
  assert.deepEqual(decodeBlock(Buffer.from([0x01, 0x4a])), { num: 20, more: true, szx: 2 });
  assert.equal(decodeBlock(Buffer.from([0x07])), undefined, 'SZX 7 is reserved');
  assert.equal(decodeBlock(Buffer.from([1, 2, 3, 4])), undefined);
});

void test('block sizes and SZX', () => {
  assert.equal(blockSize(0), 16);
  assert.equal(blockSize(6), 1024);
  assert.equal(szxFor(1024), 6);
  assert.equal(szxFor(1000), 5);
  assert.equal(szxFor(512), 5);
  assert.equal(szxFor(16), 0);
  assert.equal(szxFor(3), 0);
  assert.equal(szxFor(1 << 20), 6);
});

function assembler(maxBodySize = 10_000): Block1Assembler {
  return new Block1Assembler({ maxBodySize, szx: 6, transferTimeoutMs: 60_000 });
}

void test('reassembles blocks in order and echoes the last block', () => {
  const a = assembler();
  const body = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
  assert.deepEqual(a.accept('k', { num: 0, more: true, szx: 3 }, body.subarray(0, 128), 300), {
    kind: 'continue',
    block: { num: 0, more: true, szx: 3 },
  });
  assert.equal(a.accept('k', { num: 1, more: true, szx: 3 }, body.subarray(128, 256), undefined).kind, 'continue');
  const r = a.accept('k', { num: 2, more: false, szx: 3 }, body.subarray(256), undefined);
  assert.equal(r.kind, 'complete');
  if (r.kind === 'complete') {
    assert.deepEqual(r.payload, body);
    assert.deepEqual(r.block, { num: 2, more: false, szx: 3 });
  }
  assert.equal(a.size, 0);
});

void test('a block with no transfer to continue or out of order is incomplete (4.08)', () => {
  const a = assembler();
  assert.deepEqual(a.accept('k', { num: 1, more: true, szx: 4 }, Buffer.alloc(256), undefined), { kind: 'incomplete' });
  a.accept('k', { num: 0, more: true, szx: 4 }, Buffer.alloc(256), undefined);
  assert.deepEqual(a.accept('k', { num: 2, more: true, szx: 4 }, Buffer.alloc(256), undefined), { kind: 'incomplete' });
  assert.equal(a.size, 0);
  a.clear();
});

void test('transfers are separate per key, a block 0 restarts, a repeated block replaces itself', () => {
  const a = assembler();
  a.accept('a', { num: 0, more: true, szx: 0 }, Buffer.alloc(16, 1), undefined);
  a.accept('b', { num: 0, more: true, szx: 0 }, Buffer.alloc(16, 2), undefined);
  a.accept('a', { num: 1, more: true, szx: 0 }, Buffer.alloc(16, 3), undefined);
  a.accept('a', { num: 1, more: true, szx: 0 }, Buffer.alloc(16, 4), undefined); // sent again
  const ra = a.accept('a', { num: 2, more: false, szx: 0 }, Buffer.from([9]), undefined);
  assert.ok(ra.kind === 'complete');
  assert.deepEqual(ra.payload, Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 4), Buffer.from([9])]));
  a.accept('b', { num: 0, more: true, szx: 0 }, Buffer.alloc(16, 5), undefined); // restart
  const rb = a.accept('b', { num: 1, more: false, szx: 0 }, Buffer.from([7]), undefined);
  assert.ok(rb.kind === 'complete');
  assert.deepEqual(rb.payload, Buffer.concat([Buffer.alloc(16, 5), Buffer.from([7])]));
});

void test('a device may switch to smaller blocks after a 2.31 asking for them', () => {
  const a = assembler();
  const r0 = a.accept('k', { num: 0, more: true, szx: 6 }, Buffer.alloc(1024, 1), undefined);
  const small = new Block1Assembler({ maxBodySize: 10_000, szx: 4, transferTimeoutMs: 1000 });
  assert.deepEqual(small.accept('k', { num: 0, more: true, szx: 6 }, Buffer.alloc(1024, 1), undefined), {
    kind: 'continue',
    block: { num: 0, more: true, szx: 4 },
  });
  // next block at offset 1024 in 256-byte blocks is number 4
  const r = small.accept('k', { num: 4, more: false, szx: 4 }, Buffer.alloc(10, 2), undefined);
  assert.ok(r.kind === 'complete');
  assert.equal(r.payload.length, 1034);
  assert.equal(r0.kind, 'continue');
  a.clear();
});

void test('too large bodies are refused by Size1 or by what arrived (4.13)', () => {
  const a = assembler(100);
  assert.deepEqual(a.accept('k', { num: 0, more: true, szx: 2 }, Buffer.alloc(64), 101), { kind: 'tooLarge' });
  assert.equal(a.accept('k', { num: 0, more: true, szx: 2 }, Buffer.alloc(64), 100).kind, 'continue');
  assert.deepEqual(a.accept('k', { num: 1, more: true, szx: 2 }, Buffer.alloc(64), undefined), { kind: 'tooLarge' });
  assert.equal(a.size, 0);
});

void test('an unfinished transfer is dropped after the transfer timeout', async () => {
  const a = new Block1Assembler({ maxBodySize: 1000, szx: 6, transferTimeoutMs: 20 });
  a.accept('k', { num: 0, more: true, szx: 0 }, Buffer.alloc(16), undefined);
  assert.equal(a.size, 1);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(a.size, 0);
  assert.deepEqual(a.accept('k', { num: 1, more: false, szx: 0 }, Buffer.alloc(1), undefined), { kind: 'incomplete' });
});

void test('the number of transfers in progress is bounded, the oldest dropped first', () => {
  const a = new Block1Assembler({ maxBodySize: 1000, szx: 6, transferTimeoutMs: 60_000, maxTransfers: 2 });
  for (const k of ['a', 'b', 'c']) a.accept(k, { num: 0, more: true, szx: 0 }, Buffer.alloc(16), undefined);
  assert.equal(a.size, 2);
  assert.deepEqual(a.accept('a', { num: 1, more: false, szx: 0 }, Buffer.alloc(1), undefined), { kind: 'incomplete' });
  assert.equal(a.accept('c', { num: 1, more: false, szx: 0 }, Buffer.alloc(1), undefined).kind, 'complete');
  a.clear();
});

void test('all transfers together hold at most maxTotalBytes: the oldest others are dropped to make room', () => {
  const a = new Block1Assembler({ maxBodySize: 1000, szx: 6, transferTimeoutMs: 60_000, maxTotalBytes: 1500 });
  assert.equal(a.accept('old', { num: 0, more: true, szx: 4 }, Buffer.alloc(256), undefined).kind, 'continue');
  assert.equal(a.accept('old', { num: 1, more: true, szx: 4 }, Buffer.alloc(256), undefined).kind, 'continue');
  assert.equal(a.accept('mid', { num: 0, more: true, szx: 4 }, Buffer.alloc(256), undefined).kind, 'continue');
  assert.equal(a.accept('new', { num: 0, more: true, szx: 4 }, Buffer.alloc(256), undefined).kind, 'continue');
  assert.equal(a.bytes, 1024);
  assert.equal(a.accept('new', { num: 1, more: true, szx: 4 }, Buffer.alloc(256), undefined).kind, 'continue');
  assert.equal(a.accept('new', { num: 2, more: true, szx: 4 }, Buffer.alloc(256), undefined).kind, 'continue');
  assert.ok(a.bytes <= 1500, `${a.bytes} bytes held`);
  assert.equal(a.size, 2, 'the oldest transfer made room');
  assert.deepEqual(a.accept('old', { num: 2, more: true, szx: 4 }, Buffer.alloc(256), undefined), { kind: 'incomplete' });
  const done = a.accept('new', { num: 3, more: false, szx: 4 }, Buffer.alloc(10), undefined);
  assert.ok(done.kind === 'complete');
  assert.equal(done.payload.length, 778);
  assert.equal(a.bytes, 256, 'what is left: the transfer still in progress');
  a.clear();
  assert.equal(a.bytes, 0);
});
