/** ModelRegistry: built-ins, versions kept apart, lookups; the compact table rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelRegistry, compareVersions } from '../../../src/lwm2m/model/registry.js';
import { BUILTIN_OBJECTS } from '../../../src/lwm2m/model/builtin-objects.js';
import { fromRow, toRow } from '../../../src/lwm2m/model/compact.js';
import type { ObjectModel } from '../../../src/lwm2m/model/types.js';

function model(id: number, version: string, resourceIds: number[] = []): ObjectModel {
  return {
    id,
    name: `Object ${id} v${version}`,
    version,
    lwm2mVersion: '1.1',
    urn: `urn:oma:lwm2m:x:${id}`,
    multiple: true,
    mandatory: false,
    resources: new Map(
      resourceIds.map((r) => [
        r,
        { id: r, name: `R${r}`, operations: 'R', multiple: false, mandatory: false, type: 'integer', range: '', units: '' },
      ]),
    ),
  };
}

test('withBuiltins knows the core objects with no setup', () => {
  const r = ModelRegistry.withBuiltins();
  assert.equal(r.size, BUILTIN_OBJECTS.length);
  for (const id of [0, 1, 2, 3, 4, 5, 3303]) assert.ok(r.has(id), `object ${id}`);
  const device = r.getObject(3);
  assert.equal(device?.name, 'Device');
  assert.equal(device?.urn.startsWith('urn:oma:lwm2m:oma:3'), true);
  assert.equal(r.getResource(3, 0)?.name, 'Manufacturer');
  assert.equal(r.getResource(3, 0)?.type, 'string');
  assert.equal(r.getResource(3, 4)?.operations, 'E');
  assert.equal(r.getResource(3, 4)?.type, 'none');
  assert.equal(r.getResource(3, 7)?.multiple, true);
  assert.equal(r.getResource(3, 9)?.range, '0..100');
  assert.equal(r.getResource(3, 9)?.units, '/100');
  assert.equal(r.getResource(1, 1)?.name, 'Lifetime');
  assert.equal(r.getResource(1, 1)?.units, 's');
  assert.equal(r.getResource(1, 1)?.mandatory, true);
  assert.equal(r.getResource(0, 13)?.type, 'unsigned');
  assert.equal(r.getResource(3303, 5700)?.type, 'float');
  assert.equal(r.getObject(0)?.multiple, true);
  assert.equal(r.getObject(3)?.multiple, false);
  assert.equal(r.getResource(3, 65000), undefined);
  assert.equal(r.getObject(65000), undefined);
});

test('each call gives a registry of its own', () => {
  const a = ModelRegistry.withBuiltins();
  const b = ModelRegistry.withBuiltins();
  a.add(model(3, '9.9'));
  a.getObject(3303)?.resources.delete(5700);
  assert.equal(b.has(3, '9.9'), false);
  assert.ok(b.getResource(3303, 5700));
});

test('object versions are kept apart', () => {
  const r = new ModelRegistry();
  r.addAll([model(20001, '1.1', [1, 2]), model(20001, '1.0', [1]), model(20001, '1.10', [1, 2, 3]), model(20002, '1.0')]);
  assert.deepEqual(r.versions(20001), ['1.0', '1.1', '1.10']);
  assert.equal(r.size, 4);
  assert.deepEqual(r.objectIds(), [20001, 20002]);
  assert.equal(r.getObject(20001, '1.0')?.resources.size, 1);
  assert.equal(r.getObject(20001, '1.1')?.resources.size, 2);
  // no version or an unknown one: the newest (1.10 > 1.1)
  assert.equal(r.getObject(20001)?.version, '1.10');
  assert.equal(r.getObject(20001, '7.0')?.version, '1.10');
  assert.equal(r.getResource(20001, 2, '1.0'), undefined);
  assert.ok(r.getResource(20001, 2, '1.1'));
  assert.ok(r.has(20001, '1.1'));
  assert.equal(r.has(20001, '2.0'), false);
  assert.deepEqual(
    r.all().map((m) => `${m.id}@${m.version}`),
    ['20001@1.0', '20001@1.1', '20001@1.10', '20002@1.0'],
  );
  // same id and version replaces
  r.add(model(20001, '1.1', [9]));
  assert.equal(r.size, 4);
  assert.deepEqual([...(r.getObject(20001, '1.1')?.resources.keys() ?? [])], [9]);
});

test('compareVersions orders numerically', () => {
  assert.ok(compareVersions('1.10', '1.9') > 0);
  assert.ok(compareVersions('2.0', '1.10') > 0);
  assert.equal(compareVersions('1.0', '1'), 0);
  assert.ok(compareVersions('1.0', '1.1') < 0);
});

test('table rows convert back to the same rows', () => {
  for (const row of BUILTIN_OBJECTS) assert.deepEqual(toRow(fromRow(row)), row);
  const m = model(20001, '1.0', [3, 1, 2]);
  const r1 = m.resources.get(1);
  if (r1) Object.assign(r1, { range: '0..9', units: '' });
  const r2 = m.resources.get(2);
  if (r2) Object.assign(r2, { range: '', units: 'Cel', multiple: true, mandatory: true, type: 'objlnk' });
  const back = fromRow(toRow(m));
  assert.deepEqual([...back.resources.keys()], [1, 2, 3]);
  assert.deepEqual(back.resources.get(2), m.resources.get(2));
  assert.deepEqual({ ...back, resources: null }, { ...m, resources: null });
  assert.deepEqual(new Map([...back.resources]), new Map([...m.resources].sort((a, b) => a[0] - b[0])));
});
