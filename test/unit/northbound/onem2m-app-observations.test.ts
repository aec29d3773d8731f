/**
 * AppObservations, the observations oneM2M applications ask for, on a fake core: the first
 * subscriber of a path observes, the last one gone cancels; an observation the device
 * already had is used and never cancelled, nor one a mapping plans; a refused observe
 * leaves nothing to cancel; steps run in order, so a quick create/delete ends cancelled;
 * nothing happens after close; release cancels what was started here; the number followed
 * is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppObservations, MAX_WATCHED_SUBSCRIPTIONS } from '../../../src/northbound/onem2m/app-observations.js';
import { silentLogger } from '../../../src/log.js';
import type { CoreApi } from '../../../src/lwm2m/server/index.js';

interface Fake {
  core: CoreApi;
  calls: string[];
  existing: { id: string; paths: string[]; composite: boolean }[];
  refuse: Set<string>;
}

function fakeCore(): Fake {
  const f: Fake = { calls: [], existing: [], refuse: new Set(), core: undefined as unknown as CoreApi };
  let n = 0;
  f.core = {
    observations: () => f.existing,
    observe: async (_ep: string, path: string) => {
      f.calls.push(`observe ${path}`);
      await new Promise((r) => setImmediate(r));
      return f.refuse.has(path) ? { success: false, code: '4.05' } : { success: true, observationId: `ob${++n}` };
    },
    cancelObservation: async (_ep: string, id: string) => {
      f.calls.push(`cancel ${id}`);
      return { success: true };
    },
  } as unknown as CoreApi;
  return f;
}

const make = (f: Fake, planned: string[] = []): AppObservations =>
  new AppObservations({ core: f.core, endpoint: 'ep', planned: (p) => planned.includes(p), logger: silentLogger });

void test('the first subscriber observes, the last one gone cancels', async () => {
  const f = fakeCore();
  const w = make(f);
  w.add('/3303/0/5700', 'a');
  w.add('/3303/0/5700', 'b');
  w.add('/3303/0/5700', 'a');
  await w.settled();
  assert.deepEqual(f.calls, ['observe /3303/0/5700']);
  assert.deepEqual(w.observed(), ['/3303/0/5700']);
  w.remove('/3303/0/5700', 'a');
  w.remove('/3303/0/5700', 'unknown');
  await w.settled();
  assert.deepEqual(f.calls, ['observe /3303/0/5700'], 'one subscriber remains');
  w.remove('/3303/0/5700', 'b');
  await w.settled();
  assert.deepEqual(f.calls, ['observe /3303/0/5700', 'cancel ob1']);
  assert.deepEqual(w.observed(), []);
});

void test('an observation the device had, or one a mapping plans, is never cancelled here', async () => {
  const f = fakeCore();
  f.existing.push({ id: 'mqtt-1', paths: ['/3/0/9'], composite: false });
  const w = make(f, ['/3303/0/5700']);
  w.add('/3/0/9', 'a');
  w.add('/3303/0/5700', 'a');
  await w.settled();
  assert.deepEqual(f.calls, ['observe /3303/0/5700'], 'the existing one is used');
  w.remove('/3/0/9', 'a');
  w.remove('/3303/0/5700', 'a');
  await w.settled();
  assert.deepEqual(f.calls, ['observe /3303/0/5700']);
});

void test('a create and a delete in quick succession end cancelled; a refused observe leaves nothing', async () => {
  const f = fakeCore();
  const w = make(f);
  w.add('/1/0/1', 'a');
  w.remove('/1/0/1', 'a');
  await w.settled();
  assert.deepEqual(f.calls, [], 'gone before its turn: never observed');
  w.add('/1/0/1', 'a');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(f.calls, ['observe /1/0/1'], 'the observe is under way');
  w.remove('/1/0/1', 'a');
  await w.settled();
  assert.deepEqual(f.calls, ['observe /1/0/1', 'cancel ob1'], 'deleted while observing: cancelled once it is established');
  f.refuse.add('/1/0/2');
  w.add('/1/0/2', 'a');
  await w.settled();
  w.add('/1/0/2', 'a');
  await w.settled();
  assert.deepEqual(f.calls.slice(2), ['observe /1/0/2', 'observe /1/0/2'], 'found again after a refusal: tried again');
  w.remove('/1/0/2', 'a');
  await w.settled();
  assert.deepEqual(f.calls.slice(2), ['observe /1/0/2', 'observe /1/0/2'], 'refused: nothing to cancel');
  assert.deepEqual(w.observed(), []);
});

void test('nothing after close; the subscriptions followed are bounded', async () => {
  const f = fakeCore();
  const w = make(f);
  for (let i = 0; i < MAX_WATCHED_SUBSCRIPTIONS + 5; i++) w.add('/3/0/1', `s${i}`);
  await w.settled();
  for (let i = 0; i < MAX_WATCHED_SUBSCRIPTIONS + 5; i++) w.remove('/3/0/1', `s${i}`);
  await w.settled();
  assert.deepEqual(f.calls, ['observe /3/0/1', 'cancel ob1'], 'the ones beyond the bound were never counted');
  w.close();
  w.add('/3/0/2', 'a');
  await w.settled();
  assert.equal(f.calls.length, 2);
});

void test('release cancels the observations started here, not the ones it used', async () => {
  const f = fakeCore();
  f.existing.push({ id: 'mqtt-1', paths: ['/3/0/9'], composite: false });
  const w = make(f, ['/3/0/13']);
  w.add('/3/0/9', 'a');
  w.add('/3/0/1', 'a');
  w.add('/3/0/13', 'a');
  await w.settled();
  w.release();
  await w.settled();
  assert.deepEqual(f.calls, ['observe /3/0/1', 'observe /3/0/13', 'cancel ob1']);
  w.add('/3/0/2', 'a');
  await w.settled();
  assert.equal(f.calls.length, 3, 'nothing after release');
});
