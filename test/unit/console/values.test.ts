/**
 * The web console's value handling (console/src/values.ts, device-state.ts), in Node:
 * API values flattened to resource paths, inputs parsed by resource type, the value store
 * and its bounded history for the plots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, flatten, parseInput, show } from '../../../console/src/values.js';
import { HISTORY, ValueStore } from '../../../console/src/device-state.js';

void test('flatten: an object, an instance, a multiple resource and one value, to leaf paths', () => {
  assert.deepEqual([...flatten('/3303', { 0: { 5700: 21.5, 5701: 'Cel' }, 1: { 5700: 19 } })], [
    ['/3303/0/5700', 21.5],
    ['/3303/0/5701', 'Cel'],
    ['/3303/1/5700', 19],
  ]);
  const multi = flatten('/3/0', { 0: 'Acme', 7: { 0: 3800, 1: 5000 } });
  assert.equal(multi.get('/3/0/0'), 'Acme');
  assert.equal(multi.get('/3/0/7/1'), 5000);
  assert.deepEqual(multi.get('/3/0/7'), { 0: 3800, 1: 5000 }, 'the multiple resource as a whole too');
  assert.deepEqual([...flatten('/3/0/7/1', 5000)], [['/3/0/7/1', 5000]]);
  // opaque values are base64 strings, objlnk "3:0": leaves, not containers
  assert.deepEqual([...flatten('/5/0/0', 'AAEC')], [['/5/0/0', 'AAEC']]);
});

void test('parseInput: each resource type, and what it refuses', () => {
  assert.deepEqual(parseInput('42', 'integer', false), { value: 42 });
  assert.deepEqual(parseInput('9007199254740993', 'integer', false), { value: '9007199254740993' }, 'beyond 2^53 as a decimal string');
  assert.ok('error' in parseInput('4.5', 'integer', false));
  assert.ok('error' in parseInput('', 'float', false));
  assert.ok('error' in parseInput('abc', 'unsigned', false));
  assert.deepEqual(parseInput('-0.25', 'float', false), { value: -0.25 });
  assert.deepEqual(parseInput('true', 'boolean', false), { value: true });
  assert.ok('error' in parseInput('yes', 'boolean', false));
  assert.deepEqual(parseInput('1700000000', 'time', false), { value: 1_700_000_000 });
  assert.deepEqual(parseInput('2026-12-04T10:00:00Z', 'time', false), { value: '2026-12-04T10:00:00Z' });
  assert.deepEqual(parseInput(' spaced ', 'string', false), { value: ' spaced ' }, 'a string as typed');
  assert.deepEqual(parseInput('{"0": 1, "1": 2}', 'integer', true), { value: { 0: 1, 1: 2 } });
  assert.ok('error' in parseInput('[1, 2]', 'integer', true));
  assert.ok('error' in parseInput('{', 'integer', true));
});

void test('show and ago', () => {
  assert.equal(show(1_700_000_000, 'time'), '2023-11-14T22:13:20Z (1700000000)');
  assert.equal(show({ 0: 1 }), '{"0":1}');
  assert.equal(show(null), 'null');
  assert.equal(show(undefined), '');
  const now = Date.parse('2026-12-04T12:00:00Z');
  assert.equal(ago('2026-12-04T11:59:30Z', now), '30 s ago');
  assert.equal(ago('2026-12-04T11:00:00Z', now), '1 h ago');
  assert.equal(ago('2026-12-01T12:00:00Z', now), '3 d ago');
  assert.equal(ago('not a date', now), '');
});

void test('ValueStore: the latest value per path, and a bounded history of numbers', () => {
  const s = new ValueStore();
  for (let i = 0; i < HISTORY + 10; i++) s.put('/3303/0', { 5700: i, 5701: 'Cel' }, 'notification', 1000 + i);
  assert.deepEqual(s.latest.get('/3303/0/5700'), { value: HISTORY + 9, at: 1000 + HISTORY + 9, source: 'notification' });
  const h = s.history.get('/3303/0/5700')!;
  assert.equal(h.length, HISTORY);
  assert.deepEqual(h[0], { t: 1010, v: 10 });
  assert.equal(s.history.get('/3303/0/5701'), undefined, 'no plot of a string');
});
