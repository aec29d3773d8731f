/** Batches of datagrams between the front and a shard: what goes in comes out, a cut batch stops at the cut. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWriter, readBatch } from '../../../src/workers/datagram-batch.js';

type Entry = [string, number, Buffer];

function readAll(batch: ArrayBuffer): { entries: Entry[]; whole: boolean } {
  const entries: Entry[] = [];
  const whole = readBatch(batch, (a, p, d) => entries.push([a, p, Buffer.from(d)]));
  return { entries, whole };
}

void test('datagrams of IPv4 and IPv6 peers, empty and large ones, come out as they went in, in order', () => {
  const w = new BatchWriter();
  assert.equal(w.empty, true);
  const sent: Entry[] = [
    ['127.0.0.1', 5683, Buffer.from([0x40, 0x01, 0x12, 0x34])],
    ['2001:db8::1', 65535, Buffer.alloc(0)],
    ['fe80::1%eth0', 1, Buffer.alloc(70_000 - 5000, 7)], // bigger than the writer's first buffer
  ];
  for (const [a, p, d] of sent) assert.equal(w.add(a, p, d), true);
  assert.equal(w.empty, false);
  const batch = w.take();
  assert.equal(w.empty, true, 'take empties the writer');
  assert.deepEqual(readAll(batch), { entries: sent, whole: true });
  assert.equal(w.take().byteLength, 0);
});

void test('a datagram or an address longer than an entry holds is refused, and the batch stays good', () => {
  const w = new BatchWriter();
  assert.equal(w.add('10.0.0.1', 5683, Buffer.alloc(0x10000)), false);
  assert.equal(w.add('x'.repeat(256), 5683, Buffer.from('a')), false);
  assert.equal(w.empty, true);
  w.add('10.0.0.1', 9, Buffer.from('ok'));
  assert.deepEqual(readAll(w.take()).entries, [['10.0.0.1', 9, Buffer.from('ok')]]);
});

void test('a cut batch yields the whole entries before the cut and says it was cut', () => {
  const w = new BatchWriter();
  w.add('10.0.0.1', 1000, Buffer.from('first'));
  w.add('10.0.0.2', 2000, Buffer.from('second'));
  const full = new Uint8Array(w.take());
  const firstEnd = 3 + '10.0.0.1'.length + 2 + 'first'.length;
  for (let cut = 1; cut < full.length; cut++) {
    const { entries, whole } = readAll(full.slice(0, cut).buffer);
    assert.equal(whole, cut === firstEnd, `cut at ${cut}: only a cut between entries reads as whole`);
    assert.ok(entries.length <= 1);
    if (entries.length === 1) assert.deepEqual(entries[0], ['10.0.0.1', 1000, Buffer.from('first')]);
  }
});
