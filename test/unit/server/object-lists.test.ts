import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseObjectList, isRefusal } from '../../../src/lwm2m/server/registration.js';

void test('Object lists: the same payload gives one shared, frozen list; another payload its own', () => {
  const links = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>;ver=1.1';
  const a = parseObjectList(Buffer.from(links), 40);
  const b = parseObjectList(new Uint8Array(Buffer.from(links)), undefined);
  assert.ok(!isRefusal(a) && !isRefusal(b));
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a.objectLinks) && Object.isFrozen(a.contentFormats));
  assert.ok(Object.isFrozen(a.objects.get(3303)?.instances));
  const c = parseObjectList(Buffer.from(links + ',</3304/0>'), 40);
  assert.ok(!isRefusal(c));
  assert.notEqual(c, a);
  assert.ok(c.objects.has(3304) && !a.objects.has(3304));
  // another default root is another list (an Update without a root link keeps the old root)
  const d = parseObjectList(Buffer.from('</3/0>'), 40, '/lwm2m');
  const e = parseObjectList(Buffer.from('</3/0>'), 40, '/');
  assert.ok(!isRefusal(d) && !isRefusal(e));
  assert.equal(d.rootPath, '/lwm2m');
  assert.equal(e.rootPath, '/');
});

void test('Object lists: clients with alternate paths share objects, ct and link attributes, keep their own links', () => {
  const payload = (root: string): string => `<${root}>;rt="oma.lwm2m";ct=110,<${root}/3/0>,<${root}/3303/0>;ver=1.1,<${root}/3304/0>;ver=1.1`;
  const a = parseObjectList(Buffer.from(payload('/c1')), 40);
  const b = parseObjectList(Buffer.from(payload('/c2')), 40);
  assert.ok(!isRefusal(a) && !isRefusal(b));
  assert.notEqual(a, b);
  assert.equal(a.rootPath, '/c1');
  assert.equal(b.rootPath, '/c2');
  assert.equal(a.objects, b.objects);
  assert.equal(a.contentFormats, b.contentFormats);
  assert.deepEqual(a.objectLinks.map((l) => l.uri), ['/c1/3/0', '/c1/3303/0', '/c1/3304/0']);
  assert.deepEqual(b.objectLinks.map((l) => l.uri), ['/c2/3/0', '/c2/3303/0', '/c2/3304/0']);
  assert.equal(a.objectLinks[1]?.attributes, b.objectLinks[1]?.attributes);
  assert.equal(a.objectLinks[1]?.attributes.get('ver'), '1.1');
  assert.deepEqual(a.objects.get(3303), { version: '1.1', instances: [0] });
});
