/**
 * The DDF loader against the OMA registry files: every file loads, and the generated
 * built-in table says the same as the files. Falls back to test/fixtures/ddf when the
 * shared registry folder is not there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDdfDocument, type DdfDocument } from '../../../src/lwm2m/model/ddf.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { ObjectModel } from '../../../src/lwm2m/model/types.js';
import { ddfDir, fixturesDir, sharedRegistryDir, xmlFiles } from './registry-dir.js';

function loadAll(dir: string): DdfDocument[] {
  return xmlFiles(dir).map((f) => parseDdfDocument(readFileSync(join(dir, f)), f));
}

const key = (m: ObjectModel): string => `${m.id}@${m.version}`;

test('every DDF file of the registry folder loads', (t) => {
  const { dir, shared } = ddfDir();
  const files = xmlFiles(dir);
  const docs = loadAll(dir);
  const objects = docs.flatMap((d) => d.objects);
  const resources = objects.reduce((n, o) => n + o.resources.size, 0);
  t.diagnostic(
    `${shared ? 'shared registry' : 'fixtures'} ${dir}: ${docs.length} of ${files.length} XML files loaded, ` +
      `${objects.length} objects, ${resources} resources`,
  );
  assert.equal(docs.length, files.length);
  assert.ok(files.length >= 4, 'at least the fixtures');
  for (const doc of docs) {
    if (doc.kind !== 'objects') continue;
    assert.ok(doc.objects.length >= 1, `${doc.file} defines an object`);
    // registry files are named <id>.xml, fixtures of older versions <id>-<major>_<minor>.xml
    const named = /^(\d+)(?:-(\d+)_(\d+))?\.xml$/.exec(doc.file);
    if (named && doc.objects.length === 1) {
      const [o] = doc.objects as [ObjectModel];
      assert.equal(o.id, Number(named[1]), `${doc.file}: object id`);
      if (named[2] !== undefined) assert.equal(o.version, `${named[2]}.${named[3]}`, `${doc.file}: version`);
    }
  }
  // object versions are unique across the folder
  assert.equal(new Set(objects.map(key)).size, objects.length);
  if (shared) {
    // one object file per id in the registry, plus Common.xml, DDF.xml and the units list
    assert.equal(docs.filter((d) => d.kind === 'objects').length, objects.length);
    assert.equal(docs.filter((d) => d.kind === 'reusable-resources').length, 1);
    assert.ok(docs.some((d) => d.reusableResources.some((r) => r.id === 4000 && r.type === 'objlnk')));
    const index = docs.find((d) => d.kind === 'index');
    assert.ok(index, 'DDF.xml index present');
    const listed = new Set(index.index.map((e) => `${e.id}@${e.version}`));
    for (const o of objects) assert.ok(listed.has(key(o)), `object ${key(o)} is listed in the index`);
  }
});

test('the fixtures load: Device, two versions of Temperature, an odd object', () => {
  const docs = loadAll(fixturesDir);
  assert.equal(docs.length, xmlFiles(fixturesDir).length);
  const registry = new ModelRegistry();
  registry.addAll(docs.flatMap((d) => d.objects));
  assert.deepEqual(registry.objectIds(), [3, 3303, 10482]);
  assert.deepEqual(registry.versions(3303), ['1.0', '1.1']);
  const device = registry.getObject(3);
  assert.equal(device?.name, 'Device');
  assert.equal(device?.multiple, false);
  assert.equal(device?.mandatory, true);
  assert.deepEqual(device?.resources.get(4), {
    id: 4,
    name: 'Reboot',
    operations: 'E',
    multiple: false,
    mandatory: true,
    type: 'none',
    range: '',
    units: '',
  });
  assert.equal(device?.resources.get(6)?.multiple, true);
  assert.equal(device?.resources.get(6)?.type, 'integer');
  assert.equal(device?.resources.get(13)?.type, 'time');
  assert.equal(registry.getObject(3303, '1.0')?.resources.size, 7);
  assert.equal(registry.getObject(3303, '1.1')?.resources.get(5518)?.type, 'time');
});

test('the built-in table says what the DDF files say', (t) => {
  const shared = sharedRegistryDir();
  const builtins = ModelRegistry.withBuiltins();
  // The fixture copies of registry files (not the cut-back 3303 1.0) are in the table.
  const fixtures = loadAll(fixturesDir)
    .flatMap((d) => d.objects)
    .filter((o) => !(o.id === 3303 && o.version === '1.0'));
  for (const o of fixtures) assert.deepEqual(builtins.getObject(o.id, o.version), o, `fixture ${key(o)}`);
  if (!shared) {
    t.diagnostic('shared registry folder not found: compared the fixtures only');
    return;
  }
  const fromFiles = loadAll(shared).flatMap((d) => d.objects);
  const table = builtins.all();
  t.diagnostic(`built-in table: ${table.length} objects; registry folder: ${fromFiles.length}`);
  assert.equal(table.length, fromFiles.length);
  for (const o of fromFiles) assert.deepEqual(builtins.getObject(o.id, o.version), o, `object ${key(o)}`);
});
