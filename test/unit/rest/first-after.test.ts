/** firstAfter: the same page as filtering and sorting everything, for any items, cursor and count. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstAfter } from '../../../src/northbound/rest/first-after.js';

const bySort = (names: string[], after: string | undefined, count: number): string[] =>
  names
    .filter((n) => after === undefined || n > after)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, Math.max(0, count));

void test('firstAfter gives the page a full sort gives', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 200 }), fc.option(fc.string({ maxLength: 6 }), { nil: undefined }), fc.integer({ min: 0, max: 60 }), (names, after, count) => {
      assert.deepEqual(firstAfter(names, (n) => n, after, count), bySort(names, after, count));
    }),
    { numRuns: 500 },
  );
});

void test('firstAfter on ascending, descending and shuffled fleets of 10,000', () => {
  const names = Array.from({ length: 10_000 }, (_, i) => `dev-${String(i).padStart(5, '0')}`);
  const shuffled = [...names].sort(() => Math.random() - 0.5);
  for (const list of [names, [...names].reverse(), shuffled]) {
    assert.deepEqual(firstAfter(list, (n) => n, undefined, 3), ['dev-00000', 'dev-00001', 'dev-00002']);
    assert.deepEqual(firstAfter(list, (n) => n, 'dev-09997', 100), ['dev-09998', 'dev-09999']);
    assert.equal(firstAfter(list, (n) => n, 'dev-04999', 1001).length, 1001);
  }
});
