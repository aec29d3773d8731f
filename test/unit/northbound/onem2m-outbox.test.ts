/**
 * The oneM2M face's outbox: steps run in order; a step the CSE cannot take (CseUnreachable)
 * stays first and is retried; other failures are dropped; beyond the capacity the oldest
 * step is dropped and counted; reachability is reported on change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/log.js';
import { CseUnreachable } from '../../../src/northbound/onem2m/cse-client.js';
import { Outbox } from '../../../src/northbound/onem2m/outbox.js';

void test('retries an unreachable step in place, keeps order, bounds what waits', async () => {
  const changes: boolean[] = [];
  const box = new Outbox({ capacity: 3, retry: { min: 0.01, max: 0.02 }, logger: silentLogger, onReachable: (up) => changes.push(up) });
  const done: string[] = [];
  let down = true;
  box.push(async () => {
    if (down) throw new CseUnreachable('down');
    done.push('a');
  });
  for (const n of ['b', 'c', 'd']) box.push(async () => void done.push(n));
  assert.equal(box.dropped, 1, 'the oldest (a, retried in place) was dropped for d');
  box.push(async () => {
    throw new Error('refused');
  });
  assert.equal(box.dropped, 2);
  down = false;
  await box.idle();
  assert.deepEqual(done, ['c', 'd']);
  assert.deepEqual(changes, [false, true]);
  assert.equal(box.reachable, true);
  box.stop();
});

void test('a refused step is dropped and the next one runs', async () => {
  const box = new Outbox({ capacity: 10, retry: { min: 0.01, max: 0.02 }, logger: silentLogger });
  const done: string[] = [];
  box.push(async () => {
    throw new Error('4000');
  });
  box.push(async () => void done.push('next'));
  await box.idle();
  assert.deepEqual(done, ['next']);
  assert.equal(box.sent, 1);
  box.stop();
});

void test('a running step dropped for a newer one does not take another step with it', async () => {
  const box = new Outbox({ capacity: 1, retry: { min: 0.01, max: 0.02 }, logger: silentLogger });
  const done: string[] = [];
  let release!: () => void;
  box.push(() => new Promise<void>((r) => (release = r)).then(() => void done.push('first')));
  box.push(async () => void done.push('second'));
  assert.equal(box.dropped, 1);
  release();
  await box.idle();
  assert.deepEqual(done, ['first', 'second']);
  box.stop();
});
