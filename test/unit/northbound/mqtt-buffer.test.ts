/** The bounded outbound buffer of the MQTT links, and its rate-limited overflow warnings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BoundedBuffer } from '../../../src/northbound/bounded-buffer.js';
import { OverflowReporter } from '../../../src/northbound/mqtt/overflow-reporter.js';
import { createLogger } from '../../../src/log.js';

test('keeps items in order and hands them out oldest first', () => {
  const b = new BoundedBuffer<number>(5);
  assert.equal(b.push(1), undefined);
  assert.equal(b.push(2), undefined);
  assert.equal(b.push(3), undefined);
  assert.equal(b.length, 3);
  assert.equal(b.peek(), 1);
  assert.equal(b.shift(), 1);
  assert.deepEqual([...b], [2, 3]);
  assert.equal(b.shift(), 2);
  assert.equal(b.shift(), 3);
  assert.equal(b.shift(), undefined);
  assert.equal(b.peek(), undefined);
  assert.equal(b.length, 0);
});

test('beyond its capacity the oldest item is dropped and returned', () => {
  const b = new BoundedBuffer<string>(3);
  for (const s of ['a', 'b', 'c']) assert.equal(b.push(s), undefined);
  assert.equal(b.push('d'), 'a');
  assert.equal(b.push('e'), 'b');
  assert.equal(b.length, 3);
  assert.deepEqual([...b], ['c', 'd', 'e']);
});

test('unshift puts an item back in front; when full that (oldest) item is the one dropped', () => {
  const b = new BoundedBuffer<number>(3);
  b.push(2);
  b.push(3);
  assert.equal(b.unshift(1), undefined);
  assert.deepEqual([...b], [1, 2, 3]);
  assert.equal(b.unshift(0), 0);
  assert.deepEqual([...b], [1, 2, 3]);
  b.shift();
  assert.equal(b.unshift(9), undefined);
  assert.deepEqual([...b], [9, 2, 3]);
});

test('clear empties the buffer and says how many went', () => {
  const b = new BoundedBuffer<number>(10);
  for (let i = 0; i < 7; i++) b.push(i);
  assert.equal(b.clear(), 7);
  assert.equal(b.length, 0);
  assert.deepEqual([...b], []);
});

test('a capacity below 1 or not an integer is refused', () => {
  assert.throws(() => new BoundedBuffer(0), RangeError);
  assert.throws(() => new BoundedBuffer(-3), RangeError);
  assert.throws(() => new BoundedBuffer(2.5), RangeError);
});

test('behaves as a FIFO of the newest `capacity` items under any sequence of operations', () => {
  type Op = { op: 'push'; v: number } | { op: 'shift' } | { op: 'unshift'; v: number };
  const op = fc.oneof(
    fc.record({ op: fc.constant('push' as const), v: fc.integer() }),
    fc.record({ op: fc.constant('shift' as const) }),
    fc.record({ op: fc.constant('unshift' as const), v: fc.integer() }),
  ) as fc.Arbitrary<Op>;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.array(op, { maxLength: 3000 }), (cap, ops) => {
      const b = new BoundedBuffer<number>(cap);
      const model: number[] = [];
      for (const o of ops) {
        if (o.op === 'push') {
          const dropped = b.push(o.v);
          const expected = model.length >= cap ? model.shift() : undefined;
          model.push(o.v);
          assert.equal(dropped, expected);
        } else if (o.op === 'unshift') {
          const dropped = b.unshift(o.v);
          if (model.length >= cap) assert.equal(dropped, o.v);
          else {
            assert.equal(dropped, undefined);
            model.unshift(o.v);
          }
        } else {
          assert.equal(b.shift(), model.shift());
        }
        assert.equal(b.length, model.length);
        assert.ok(b.length <= cap);
      }
      assert.deepEqual([...b], model);
    }),
    { seed: 4242, numRuns: 200 },
  );
});

test('overflow warnings: the first drop is logged at once, later ones at most once per interval with their count', () => {
  const lines: string[] = [];
  let now = 1_000_000;
  const r = new OverflowReporter({ logger: createLogger('debug', (l) => lines.push(l)), what: 'mqtt (test)', capacity: 10, intervalMs: 10_000, now: () => now });
  r.drop('a/1');
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /WARN.*mqtt \(test\): outbound buffer full.*dropped=1 droppedTotal=1 bufferSize=10 lastTopic=a\/1/);
  for (let i = 0; i < 50; i++) {
    now += 100;
    r.drop(`a/${i + 2}`);
  }
  assert.equal(lines.length, 1, 'no warning inside the interval');
  now += 10_000;
  r.drop('b/1');
  assert.equal(lines.length, 2);
  assert.match(lines[1] ?? '', /dropped=51 droppedTotal=52 .*lastTopic=b\/1/);
  assert.equal(r.dropped, 52);
});
