/** A campaign as a user sends it: checked field by field, devices chosen by list and globs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { campaignSpecOf, InputError } from '../../../src/firmware/campaign-input.js';

const limits = { maxDevices: 5, defaultDeviceTimeoutSec: 60 };
const registered = (): string[] => ['a-1', 'a-2', 'b-1'];
const base = { name: 'c', imageId: '0'.repeat(32) };

void test('devices from the list and the globs, defaults filled in', () => {
  const s = campaignSpecOf({ ...base, endpoints: ['x'], match: ['a-*'] }, registered, limits);
  assert.deepEqual(s.endpoints, ['x', 'a-1', 'a-2']);
  assert.equal(s.concurrency, 10);
  assert.equal(s.retries, 2);
  assert.equal(s.deviceTimeoutSec, 60);
  assert.equal(s.failureThreshold, 1);
  const w = campaignSpecOf({ ...base, match: ['*'], window: { start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' }, filter: { model: 'TD-1' } }, registered, limits);
  assert.equal(w.window?.start, Date.UTC(2030, 0, 1));
  assert.deepEqual(w.filter, { model: 'TD-1' });
});

void test('every bad field is refused with its name', () => {
  const bad: [unknown, RegExp][] = [
    [[], /JSON object/],
    [{ ...base, match: ['z*'] }, /no device chosen/],
    [{ ...base, endpoints: ['a', 'b', 'c', 'd', 'e', 'f'] }, /endpoints/],
    [{ ...base, match: ['x'.repeat(300)] }, /match/],
    [{ ...base, endpoints: ['a'], concurrency: 0 }, /concurrency/],
    [{ ...base, endpoints: ['a'], failureThreshold: 2 }, /failureThreshold/],
    [{ ...base, endpoints: ['a'], method: 'fax' }, /method/],
    [{ ...base, endpoints: ['a'], window: { start: 'soon' } }, /window.start/],
    [{ ...base, endpoints: ['a'], window: { start: '2030-01-02T00:00:00Z', end: '2030-01-01T00:00:00Z' } }, /after/],
    [{ ...base, endpoints: ['a'], filter: { color: 'red' } }, /filter/],
    [{ ...base, endpoints: ['a'], extra: 1 }, /unknown field/],
    [{ ...base, imageId: '../x', endpoints: ['a'] }, /imageId/],
    [{ ...base, name: '', endpoints: ['a'] }, /name/],
  ];
  for (const [body, re] of bad) assert.throws(() => campaignSpecOf(body, registered, limits), (e: unknown) => e instanceof InputError && re.test(e.message), JSON.stringify(body));
});
