/** LwM2M paths: parse and print every level, bad input, and the tree relations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LwM2mPath, MAX_ID, PathError } from '../../src/lwm2m/path.js';

test('parses and prints every level', () => {
  const cases: [string, number[], number][] = [
    ['/', [], 0],
    ['/3', [3], 1],
    ['/3/0', [3, 0], 2],
    ['/3/0/1', [3, 0, 1], 3],
    ['/3/0/7/1', [3, 0, 7, 1], 4],
    ['/65534/65534/65534/65534', [65534, 65534, 65534, 65534], 4],
    ['/0/0/0/0', [0, 0, 0, 0], 4],
  ];
  for (const [text, ids, depth] of cases) {
    const p = LwM2mPath.parse(text);
    assert.deepEqual(p.ids(), ids, text);
    assert.equal(p.depth, depth, text);
    assert.equal(p.toString(), text);
    assert.equal(JSON.stringify({ p }), JSON.stringify({ p: text }));
    assert.ok(p.equals(LwM2mPath.of(...ids)));
  }
  const p = LwM2mPath.parse('/3/0/7/1');
  assert.equal(p.objectId, 3);
  assert.equal(p.instanceId, 0);
  assert.equal(p.resourceId, 7);
  assert.equal(p.resourceInstanceId, 1);
  assert.equal(LwM2mPath.parse('/3').instanceId, undefined);
});

test('level predicates', () => {
  const levels = ['/', '/3', '/3/0', '/3/0/1', '/3/0/1/2'].map((s) => LwM2mPath.parse(s));
  const preds = [
    (p: LwM2mPath) => p.isRoot(),
    (p: LwM2mPath) => p.isObject(),
    (p: LwM2mPath) => p.isObjectInstance(),
    (p: LwM2mPath) => p.isResource(),
    (p: LwM2mPath) => p.isResourceInstance(),
  ];
  levels.forEach((p, i) => preds.forEach((pred, j) => assert.equal(pred(p), i === j, `${p} pred ${j}`)));
});

test('tolerated spellings', () => {
  assert.equal(LwM2mPath.parse('3/0/1').toString(), '/3/0/1');
  assert.equal(LwM2mPath.parse('/3/0/').toString(), '/3/0');
  assert.equal(LwM2mPath.parse(' /3/0 ').toString(), '/3/0');
  assert.equal(LwM2mPath.parse('').toString(), '/');
  assert.equal(LwM2mPath.parse('/'), LwM2mPath.ROOT);
});

test('bad input is a PathError', () => {
  const bad = [
    '//',
    '///',
    '/3//1',
    '//3',
    '/3/0/1/2/3',
    '/a',
    '/3/x',
    '/-1',
    '/+1',
    '/3.0',
    '/1e3',
    '/65535',
    '/3/65535',
    '/99999',
    '/123456',
    '/3 /0',
    '/3/0//',
    '/0x10',
  ];
  for (const text of bad) {
    assert.throws(
      () => LwM2mPath.parse(text),
      (e: unknown) => e instanceof PathError && e.code === 'BAD_PATH' && e.message.length > 0,
      JSON.stringify(text),
    );
  }
  assert.throws(() => LwM2mPath.parse(3 as unknown as string), PathError);
  assert.throws(() => LwM2mPath.of(1, 2, 3, 4, 5), PathError);
  assert.throws(() => LwM2mPath.of(-1), PathError);
  assert.throws(() => LwM2mPath.of(1.5), PathError);
  assert.throws(() => LwM2mPath.of(Number.NaN), PathError);
  assert.throws(() => LwM2mPath.of(MAX_ID + 1), PathError);
  assert.throws(() => new LwM2mPath(3, undefined, 1), PathError);
  assert.throws(() => new LwM2mPath(undefined, 0), PathError);
});

test('contains, parent and child', () => {
  const root = LwM2mPath.ROOT;
  const obj = LwM2mPath.parse('/3');
  const inst = LwM2mPath.parse('/3/0');
  const res = LwM2mPath.parse('/3/0/7');
  const ri = LwM2mPath.parse('/3/0/7/1');
  for (const p of [root, obj, inst, res, ri]) {
    assert.ok(root.contains(p));
    assert.ok(p.contains(p));
  }
  assert.ok(obj.contains(ri));
  assert.ok(inst.contains(res));
  assert.equal(res.contains(inst), false);
  assert.equal(ri.contains(res), false);
  assert.equal(obj.contains(LwM2mPath.parse('/30')), false);
  assert.equal(inst.contains(LwM2mPath.parse('/3/1/7')), false);
  assert.equal(LwM2mPath.parse('/4').contains(inst), false);

  assert.ok(ri.parent().equals(res));
  assert.ok(res.parent().equals(inst));
  assert.ok(inst.parent().equals(obj));
  assert.ok(obj.parent().equals(root));
  assert.ok(root.parent().equals(root));

  assert.equal(root.child(3).toString(), '/3');
  assert.equal(obj.child(0).toString(), '/3/0');
  assert.equal(inst.child(7).toString(), '/3/0/7');
  assert.equal(res.child(1).toString(), '/3/0/7/1');
  assert.throws(() => ri.child(0), PathError);
  assert.throws(() => res.child(65535), PathError);
  assert.equal(obj.equals(inst), false);
});

test('random paths print and parse back; parent of child is the path', () => {
  const id = fc.integer({ min: 0, max: MAX_ID });
  fc.assert(
    fc.property(fc.array(id, { maxLength: 4 }), id, (ids, extra) => {
      const p = LwM2mPath.of(...ids);
      const back = LwM2mPath.parse(p.toString());
      assert.deepEqual(back.ids(), ids);
      assert.ok(back.equals(p));
      if (ids.length < 4) {
        const c = p.child(extra);
        assert.ok(c.parent().equals(p));
        assert.ok(p.contains(c));
        assert.equal(c.contains(p), false);
      }
    }),
    { numRuns: 500 },
  );
});
