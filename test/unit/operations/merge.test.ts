import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasHistory, latestAt } from '../../../src/lwm2m/server/operations/merge.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode, type TimestampedNodes } from '../../../src/lwm2m/node.js';

const at = (time: number | undefined, entries: [string, LwM2mNode][]): TimestampedNodes => ({ time, nodes: new Map(entries) });
const P = (s: string) => LwM2mPath.parse(s);

void test('later records overwrite earlier ones per resource and resource instance', () => {
  const data = [
    at(1, [['/3/0/7/0', resourceInstance(0, 'integer', 1)], ['/3/0/9', resource(9, 'integer', 50)]]),
    at(2, [['/3/0/7/1', resourceInstance(1, 'integer', 2)], ['/3/0/9', resource(9, 'integer', 49)]]),
    at(3, [['/3/0/7/0', resourceInstance(0, 'integer', 3)]]),
  ];
  const inst = latestAt(P('/3/0'), data);
  assert.deepEqual(inst, instance(0, [multiResource(7, 'integer', { 0: 3, 1: 2 }), resource(9, 'integer', 49)]));
  assert.deepEqual(latestAt(P('/3/0/7'), data), multiResource(7, 'integer', { 0: 3, 1: 2 }));
  assert.deepEqual(latestAt(P('/3/0/7/1'), data), resourceInstance(1, 'integer', 2));
  assert.deepEqual(latestAt(P('/3'), data), object(3, [instance(0, [multiResource(7, 'integer', { 0: 3, 1: 2 }), resource(9, 'integer', 49)])]));
  assert.equal(latestAt(P('/3/1'), data), undefined);
  assert.equal(latestAt(P('/4'), data), undefined);
  assert.equal(latestAt(P('/3/0/8'), data), undefined);
  assert.equal(latestAt(LwM2mPath.ROOT, data), undefined);
});

void test('grouped nodes (instances, objects, multiple resources) are unfolded; inputs untouched', () => {
  const first = instance(0, [resource(5700, 'float', 1), multiResource(1, 'integer', { 0: 1 })]);
  const data = [
    at(10, [['/3303/0', first]]),
    at(20, [['/3303', object(3303, [instance(0, [resource(5700, 'float', 2)]), instance(1, [resource(5700, 'float', 9)])])]]),
    at(30, [['/3303/0/1', multiResource(1, 'integer', { 1: 5 })]]),
  ];
  const snapshot = structuredClone(first);
  assert.deepEqual(latestAt(P('/3303/0'), data), instance(0, [resource(5700, 'float', 2), multiResource(1, 'integer', { 0: 1, 1: 5 })]));
  assert.deepEqual(latestAt(P('/3303/1/5700'), data), resource(5700, 'float', 9));
  assert.deepEqual(first, snapshot);
});

void test('hasHistory: several entries, or one with a time', () => {
  assert.equal(hasHistory([]), false);
  assert.equal(hasHistory([at(undefined, [])]), false);
  assert.equal(hasHistory([at(5, [])]), true);
  assert.equal(hasHistory([at(undefined, []), at(undefined, [])]), true);
});
