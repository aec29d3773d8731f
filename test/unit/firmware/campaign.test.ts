/** Campaign orchestration on a fake clock: concurrency, retries with backoff, failure threshold, pause/resume/cancel, window. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Campaign, totalsOf, type CampaignRecord, type CampaignSpec } from '../../../src/firmware/campaign.js';
import type { JobProgress } from '../../../src/firmware/update-job.js';
import { FakeClock } from '../../helpers/fake-clock.js';

type Outcome = 'succeeded' | 'failed';

function setup(n: number, spec: Partial<CampaignSpec>, outcome: (ep: string, attempt: number) => Outcome) {
  const clock = new FakeClock();
  const record: CampaignRecord = {
    id: '0123456789abcdef',
    spec: { name: 'c', imageId: 'i', endpoints: [], method: 'auto', concurrency: 2, deviceTimeoutSec: 60, retries: 0, backoffSec: 10, failureThreshold: 1, minFinished: 1, ...spec },
    status: 'running',
    createdAt: clock.now(),
    devices: Array.from({ length: n }, (_, i) => ({ endpoint: `d${i}`, status: 'pending' as const, attempts: 0, bytes: 0 })),
  };
  const pending = new Map<string, (p: JobProgress) => void>();
  const attempts = new Map<string, number>();
  let maxRunning = 0;
  const c = new Campaign(record, {
    clock,
    runDevice: (endpoint) => {
      attempts.set(endpoint, (attempts.get(endpoint) ?? 0) + 1);
      const done = new Promise<JobProgress>((resolve) => pending.set(endpoint, resolve));
      return { done, cancel: () => pending.get(endpoint)?.({ ...base(endpoint), phase: 'cancelled' }) };
    },
    changed: (r) => {
      maxRunning = Math.max(maxRunning, totalsOf(r).running);
    },
  });
  const base = (endpoint: string): JobProgress => ({ endpoint, imageId: 'i', phase: 'starting', bytes: 0, size: 1, startedAt: 0, updatedAt: 0 });
  /** finishes every running device by `outcome` */
  const finishRunning = async (): Promise<void> => {
    for (const [ep, resolve] of [...pending]) {
      pending.delete(ep);
      resolve({ ...base(ep), phase: outcome(ep, attempts.get(ep)!) });
    }
    await new Promise((r) => setImmediate(r));
  };
  return { c, clock, record, pending, attempts, finishRunning, maxRunning: () => maxRunning };
}

void test('at most `concurrency` devices run at once, and the campaign finishes', async () => {
  const s = setup(7, { concurrency: 3 }, () => 'succeeded');
  s.c.start();
  assert.equal(s.pending.size, 3);
  while (s.pending.size > 0) await s.finishRunning();
  assert.equal(s.record.status, 'finished');
  assert.equal(totalsOf(s.record).succeeded, 7);
  assert.equal(s.maxRunning(), 3);
});

void test('a failed device is retried after the backoff, doubled each time, then fails for good', async () => {
  const s = setup(1, { retries: 2, backoffSec: 10 }, () => 'failed');
  s.c.start();
  await s.finishRunning();
  assert.equal(s.record.devices[0]!.status, 'retrying');
  s.clock.advance(9_999);
  assert.equal(s.pending.size, 0);
  s.clock.advance(1);
  assert.equal(s.pending.size, 1);
  await s.finishRunning();
  s.clock.advance(19_999);
  assert.equal(s.pending.size, 0);
  s.clock.advance(1);
  await s.finishRunning();
  assert.equal(s.record.devices[0]!.status, 'failed');
  assert.equal(s.attempts.get('d0'), 3);
  assert.equal(s.record.status, 'finished');
});

void test('the campaign stops once the failure ratio passes the threshold', async () => {
  const s = setup(20, { concurrency: 2, failureThreshold: 0.3, minFinished: 4 }, (ep) => (['d0', 'd1', 'd2'].includes(ep) ? 'failed' : 'succeeded'));
  s.c.start();
  while (s.pending.size > 0) await s.finishRunning();
  assert.equal(s.record.status, 'stopped');
  assert.match(s.record.reason!, /failure threshold/);
  const t = totalsOf(s.record);
  assert.ok(t.cancelled > 0 && t.succeeded + t.failed < 20, JSON.stringify(t));
});

void test('pause starts nothing new; resume goes on; cancel cancels what runs and what waits', async () => {
  const s = setup(6, { concurrency: 2 }, () => 'succeeded');
  s.c.start();
  assert.ok(s.c.pause());
  await s.finishRunning();
  assert.equal(s.pending.size, 0);
  assert.equal(totalsOf(s.record).succeeded, 2);
  assert.ok(s.c.resume());
  assert.equal(s.pending.size, 2);
  assert.ok(s.c.cancel());
  await new Promise((r) => setImmediate(r));
  assert.equal(s.record.status, 'cancelled');
  assert.equal(totalsOf(s.record).cancelled, 4);
  assert.equal(s.c.resume(), false);
});

void test('the schedule window: nothing before its start, nothing new after its end', async () => {
  const clock0 = new FakeClock().now();
  const s = setup(4, { concurrency: 1, window: { start: clock0 + 60_000, end: clock0 + 120_000 } }, () => 'succeeded');
  s.c.start();
  assert.equal(s.record.status, 'scheduled');
  assert.equal(s.pending.size, 0);
  s.clock.advance(60_000);
  assert.equal(s.record.status, 'running');
  assert.equal(s.pending.size, 1);
  await s.finishRunning();
  s.clock.advance(60_000);
  await s.finishRunning();
  assert.equal(s.record.status, 'stopped');
  assert.match(s.record.reason!, /window/);
});

void test('a record read back after a restart starts its running devices again', () => {
  const s = setup(3, {}, () => 'succeeded');
  s.record.devices[0]!.status = 'running';
  const again = new Campaign(s.record, { clock: s.clock, runDevice: () => ({ done: new Promise(() => {}), cancel: () => {} }), changed: () => {} });
  assert.equal(again.record.devices[0]!.status, 'pending');
});
