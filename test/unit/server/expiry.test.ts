import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryQueue } from '../../../src/lwm2m/server/expiry.js';
import { RandomPool } from '../../../src/lwm2m/random-pool.js';
import { FakeClock } from '../../helpers/fake-clock.js';

void test('ExpiryQueue: due in time order on one timer; a reschedule replaces the older time; cancel forgets', () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  const q = new ExpiryQueue(clock, (id) => fired.push(id));
  const t0 = clock.now();
  q.schedule('a', t0 + 300);
  q.schedule('b', t0 + 100);
  q.schedule('c', t0 + 200);
  q.schedule('a', t0 + 50); // earlier than before
  q.schedule('c', t0 + 400); // later than before: the entry at 200 is stale
  q.schedule('d', t0 + 150);
  q.cancel('d');
  assert.equal(clock.pending, 1, 'one timer for all registrations');
  clock.advance(49);
  assert.deepEqual(fired, []);
  clock.advance(1);
  assert.deepEqual(fired, ['a']);
  clock.advance(250);
  assert.deepEqual(fired, ['a', 'b'], 'c was moved to 400, d cancelled');
  clock.advance(100);
  assert.deepEqual(fired, ['a', 'b', 'c']);
  assert.equal(q.size, 0);
  assert.equal(clock.pending, 0, 'no timer once nothing is due');
});

void test('ExpiryQueue: the callback may schedule again, also for the same time; clear() stops everything', () => {
  const clock = new FakeClock();
  let calls = 0;
  const q = new ExpiryQueue(clock, (id) => {
    calls++;
    if (calls < 3) q.schedule(id, clock.now() + 10);
  });
  q.schedule('x', clock.now() + 10);
  clock.advance(100);
  assert.equal(calls, 3);
  q.schedule('y', clock.now() + 10);
  q.clear();
  clock.advance(100);
  assert.equal(calls, 3);
  assert.equal(clock.pending, 0);
});

void test('ExpiryQueue: many reschedules of one id stay bounded and fire once', () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  const q = new ExpiryQueue(clock, (id) => fired.push(id));
  for (let i = 0; i < 5000; i++) q.schedule('busy', clock.now() + 1000 + i);
  clock.advance(10_000);
  assert.deepEqual(fired, ['busy']);
});

void test('RandomPool: bytes handed out once, of the asked length', () => {
  const pool = new RandomPool();
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = pool.base64url(9);
    assert.equal(id.length, 12);
    assert.ok(!seen.has(id));
    seen.add(id);
  }
  assert.equal(pool.bytes(8).length, 8);
  assert.equal(pool.hex(4).length, 8);
  assert.throws(() => pool.bytes(5000), RangeError);
});
