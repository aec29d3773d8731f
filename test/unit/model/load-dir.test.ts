/** loadModelsDir: a models folder overrides or extends the built-ins; bad files are named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelsDir } from '../../../src/lwm2m/model/load-dir.js';
import { DdfError } from '../../../src/lwm2m/model/ddf.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { documentXml, itemXml, simpleObject } from './ddf-xml.js';
import { fixturesDir } from './registry-dir.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-models-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const item = (id: string, name: string, type = 'Integer'): string =>
  itemXml(id, { Name: name, Operations: 'R', MultipleInstances: 'Single', Mandatory: 'Optional', Type: type });

test('a models folder extends the built-ins and overrides the same id and version', () => {
  withDir((dir) => {
    const registry = ModelRegistry.withBuiltins();
    const before = registry.size;
    const device = registry.getObject(3);
    assert.ok(device);
    const deviceVersion = device.version;
    // a vendor object, and Device at the built-in version with one resource typed differently
    writeFileSync(join(dir, '30001.xml'), documentXml([simpleObject({ ObjectID: '30001', Name: 'Vendor Meter' })]));
    writeFileSync(
      join(dir, 'device.XML'),
      documentXml([
        simpleObject({ ObjectID: '3', Name: 'Device (vendor)', ObjectVersion: deviceVersion, MultipleInstances: 'Single' }, [
          item('0', 'Manufacturer', 'Opaque'),
          item('30000', 'Vendor Extra'),
        ]),
      ]),
    );
    // a Temperature version the table does not have: added beside the built-in one
    writeFileSync(join(dir, 'temp.xml'), documentXml([simpleObject({ ObjectID: '3303', Name: 'Temp', ObjectVersion: '9.0' })]));
    // not XML: ignored; a sub-folder: not read
    writeFileSync(join(dir, 'notes.txt'), 'not a DDF');
    mkdirSync(join(dir, 'old'));
    writeFileSync(join(dir, 'old', 'broken.xml'), '<nope');

    const loaded = loadModelsDir(registry, dir);
    assert.deepEqual(
      loaded.map((m) => `${m.id}@${m.version}`).sort(),
      [`3@${deviceVersion}`, '30001@1.0', '3303@9.0'].sort(),
    );
    assert.equal(registry.size, before + 2);
    assert.equal(registry.getObject(30001)?.name, 'Vendor Meter');
    assert.equal(registry.getObject(3)?.name, 'Device (vendor)');
    assert.equal(registry.getResource(3, 0)?.type, 'opaque');
    assert.ok(registry.getResource(3, 30000));
    assert.deepEqual(registry.versions(3303).includes('9.0'), true);
    assert.ok(registry.versions(3303).length >= 2, 'the built-in Temperature stays');
    assert.equal(registry.getObject(3303)?.version, '9.0');
  });
});

test('the fixtures folder as a models folder: two versions of one object', () => {
  const registry = new ModelRegistry();
  const loaded = loadModelsDir(registry, fixturesDir);
  assert.equal(loaded.length, 4);
  assert.deepEqual(registry.versions(3303), ['1.0', '1.1']);
  assert.equal(registry.getResource(3303, 5518, '1.0'), undefined);
  assert.equal(registry.getResource(3303, 5518, '1.1')?.name, 'Timestamp');
});

test('registry files that define no object are skipped', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'DDF.xml'), '<DDFList><Item><ObjectID>3</ObjectID><Name>Device</Name></Item></DDFList>');
    writeFileSync(join(dir, 'units.xml'), '<units><registry><record><value>Ws</value></record></registry></units>');
    copyFileSync(join(fixturesDir, '3303.xml'), join(dir, '3303.xml'));
    const registry = new ModelRegistry();
    assert.deepEqual(
      loadModelsDir(registry, dir).map((m) => m.id),
      [3303],
    );
  });
});

test('a bad file: the error names the file and the field, nothing is added', () => {
  withDir((dir) => {
    writeFileSync(join(dir, '1-good.xml'), documentXml([simpleObject({ ObjectID: '30001' })]));
    writeFileSync(
      join(dir, '2-bad.xml'),
      documentXml([simpleObject({ ObjectID: '30002' }, [item('1', 'Level', 'Decimal')])]),
    );
    const registry = ModelRegistry.withBuiltins();
    const size = registry.size;
    assert.throws(
      () => loadModelsDir(registry, dir),
      (e: unknown) =>
        e instanceof DdfError &&
        e.file === join(dir, '2-bad.xml') &&
        e.field === 'Object[ID=30002]/Resources/Item[ID=1]/Type' &&
        e.message.includes('2-bad.xml') &&
        e.message.includes('Decimal'),
    );
    assert.equal(registry.size, size);
    assert.equal(registry.has(30001), false);
  });
});

test('malformed XML in a models folder names the file', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'broken.xml'), '<LWM2M><Object>');
    assert.throws(
      () => loadModelsDir(new ModelRegistry(), dir),
      (e: unknown) => e instanceof DdfError && e.file === join(dir, 'broken.xml') && e.field === 'XML',
    );
  });
});

test('one object version in two files of the folder is an error', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'a.xml'), documentXml([simpleObject({ ObjectID: '30001' })]));
    writeFileSync(join(dir, 'b.xml'), documentXml([simpleObject({ ObjectID: '30001' })]));
    assert.throws(
      () => loadModelsDir(new ModelRegistry(), dir),
      (e: unknown) => e instanceof DdfError && e.file === join(dir, 'b.xml') && /also defined in .*a\.xml/.test(e.message),
    );
  });
});

test('a missing folder is an error naming it', () => {
  const dir = join(tmpdir(), 'lwm2m-models-does-not-exist-0');
  assert.throws(
    () => loadModelsDir(new ModelRegistry(), dir),
    (e: unknown) => e instanceof DdfError && e.message.startsWith(dir),
  );
});
