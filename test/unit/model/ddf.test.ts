/** DDF loader on hand-written files: fields, lenient variants, several objects, defaults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDdf, parseDdfDocument, defaultUrn } from '../../../src/lwm2m/model/ddf.js';
import type { ObjectModel, ResourceModel, ResourceType } from '../../../src/lwm2m/model/types.js';
import { documentXml, itemXml, modelXml, objectXml, simpleObject } from './ddf-xml.js';

function only(models: ObjectModel[]): ObjectModel {
  assert.equal(models.length, 1);
  return models[0] as ObjectModel;
}

test('reads the object and resource fields', () => {
  const m = only(parseDdf(documentXml([simpleObject()]), 'thing.xml'));
  assert.deepEqual(m, {
    id: 4242,
    name: 'Thing',
    version: '1.0',
    lwm2mVersion: '1.1',
    urn: 'urn:oma:lwm2m:x:4242',
    multiple: true,
    mandatory: false,
    resources: new Map([
      [
        1,
        {
          id: 1,
          name: 'Level',
          operations: 'RW',
          multiple: false,
          mandatory: true,
          type: 'integer',
          range: '0..100',
          units: '%',
        },
      ],
    ]),
  });
});

test('maps every DDF type name and operation', () => {
  const types: [string, ResourceType][] = [
    ['String', 'string'],
    ['Integer', 'integer'],
    ['Unsigned Integer', 'unsigned'],
    ['Float', 'float'],
    ['Boolean', 'boolean'],
    ['Opaque', 'opaque'],
    ['Time', 'time'],
    ['Objlnk', 'objlnk'],
    ['Corelnk', 'corelnk'],
    ['', 'none'],
    // variants written by hand or by other tools
    ['unsigned integer', 'unsigned'],
    ['UnsignedInteger', 'unsigned'],
    ['OBJLNK', 'objlnk'],
    ['CoreLnk', 'corelnk'],
    ['  float ', 'float'],
  ];
  const ops = ['R', 'W', 'RW', 'E', '', ' rw ', 'r', 'WR'];
  const items = types.map(([t], i) =>
    itemXml(String(i), {
      Name: `R${i}`,
      Operations: ops[i % ops.length],
      MultipleInstances: 'Single',
      Mandatory: 'Optional',
      Type: t,
    }),
  );
  const m = only(parseDdf(documentXml([simpleObject({}, items)]), 'types.xml'));
  types.forEach(([, want], i) => assert.equal(m.resources.get(i)?.type, want, `type #${i}`));
  const wantOps = ['R', 'W', 'RW', 'E', '', 'RW', 'R', 'RW'];
  types.forEach((_, i) => assert.equal(m.resources.get(i)?.operations, wantOps[i % ops.length], `ops #${i}`));
});

test('lenient with case, whitespace, namespace prefixes, BOM and entities', () => {
  const xml =
    '\uFEFF<?xml version="1.0"?>\n<o:lwm2m xmlns:o="urn:x">\n<o:object objecttype="MODefinition">' +
    '<objectid>\n 5001 \n</objectid><NAME> Pump &amp; Valve </NAME><multipleinstances>single</multipleinstances>' +
    '<MANDATORY>mandatory</MANDATORY><objectversion> 2.1 </objectversion>' +
    '<resources><item id="7"><name>Flow</name><operations>r</operations><multipleinstances>MULTIPLE</multipleinstances>' +
    '<mandatory>OPTIONAL</mandatory><type>float</type><units><![CDATA[m3/h]]></units></item></resources>' +
    '</o:object></o:lwm2m>';
  const m = only(parseDdf(new TextEncoder().encode(xml), 'lenient.xml'));
  assert.equal(m.id, 5001);
  assert.equal(m.name, 'Pump & Valve');
  assert.equal(m.multiple, false);
  assert.equal(m.mandatory, true);
  assert.equal(m.version, '2.1');
  assert.deepEqual(m.resources.get(7), {
    id: 7,
    name: 'Flow',
    operations: 'R',
    multiple: true,
    mandatory: false,
    type: 'float',
    range: '',
    units: 'm3/h',
  });
});

test('defaults: version 1.0, LwM2M 1.0, URN from the id, optional, no resources', () => {
  const obj = (id: string, version?: string): string =>
    objectXml({ Name: 'N', ObjectID: id, ObjectVersion: version, MultipleInstances: 'Single' }, []);
  const models = parseDdf(documentXml([obj('3', undefined), obj('3303', '1.1'), obj('10300', '')]), 'defaults.xml');
  assert.deepEqual(
    models.map((m) => [m.id, m.version, m.lwm2mVersion, m.urn, m.mandatory, m.resources.size]),
    [
      [3, '1.0', '1.0', 'urn:oma:lwm2m:oma:3', false, 0],
      [3303, '1.1', '1.0', 'urn:oma:lwm2m:ext:3303:1.1', false, 0],
      [10300, '1.0', '1.0', 'urn:oma:lwm2m:x:10300', false, 0],
    ],
  );
  assert.equal(defaultUrn(2048, '2.0'), 'urn:oma:lwm2m:ext:2048:2.0');
  // an empty <Resources/> and a version written as a bare major number
  const bare = parseDdf(
    '<LWM2M><Object><Name>B</Name><ObjectID>9</ObjectID><ObjectVersion>2</ObjectVersion>' +
      '<MultipleInstances>Single</MultipleInstances><Resources/></Object></LWM2M>',
    'bare.xml',
  );
  assert.equal(only(bare).version, '2.0');
  assert.equal(only(bare).resources.size, 0);
});

test('a file may hold several objects, also two versions of one', () => {
  const xml = documentXml([
    simpleObject({ ObjectID: '20001', ObjectVersion: '1.0' }),
    simpleObject({ ObjectID: '20001', ObjectVersion: '1.1', Name: 'Thing v1.1' }),
    simpleObject({ ObjectID: '20002', Name: 'Other' }),
  ]);
  const models = parseDdf(xml, 'multi.xml');
  assert.deepEqual(
    models.map((m) => [m.id, m.version, m.name]),
    [
      [20001, '1.0', 'Thing'],
      [20001, '1.1', 'Thing v1.1'],
      [20002, '1.0', 'Other'],
    ],
  );
});

test('recognises registry files that define no object', () => {
  const common = parseDdfDocument(
    '<LWM2M><Object ObjectType="CommonResources"><Resources><Item ID="4000"><Name>ObjectInstanceHandle</Name>' +
      '<Operations>R</Operations><Type>Objlnk</Type></Item></Resources></Object></LWM2M>',
    'Common.xml',
  );
  assert.equal(common.kind, 'reusable-resources');
  assert.deepEqual(common.objects, []);
  assert.deepEqual(
    common.reusableResources.map((r) => [r.id, r.name, r.type, r.multiple]),
    [[4000, 'ObjectInstanceHandle', 'objlnk', false]],
  );
  const index = parseDdfDocument(
    '<DDFList><Item><ObjectID>3</ObjectID><URN>urn:oma:lwm2m:oma:3:1.1</URN><Name>Device</Name><Ver>1.1</Ver></Item>' +
      '<Item><ObjectID>4</ObjectID><Name>Connectivity Monitoring</Name></Item></DDFList>',
    'DDF.xml',
  );
  assert.equal(index.kind, 'index');
  assert.deepEqual(index.index, [
    { id: 3, name: 'Device', version: '1.1', urn: 'urn:oma:lwm2m:oma:3:1.1' },
    { id: 4, name: 'Connectivity Monitoring', version: '1.0', urn: 'urn:oma:lwm2m:oma:4' },
  ]);
  const units = parseDdfDocument(
    '<units><registry id="senml-units"><record><value>Ws</value></record><record><value>kWh</value></record></registry></units>',
    'units.xml',
  );
  assert.equal(units.kind, 'units');
  assert.deepEqual(units.units, ['Ws', 'kWh']);
});

// Random models written as DDF XML read back the same.
const textChars = fc.constantFrom(...'abcXYZ019 -_./%()<>&"\'°µ³äß'.split(''));
const trimmed = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: textChars, minLength: min, maxLength: max }).map((s) => s.replace(/\s+/g, ' ').trim());
const name = trimmed(1, 30).filter((s) => s !== '');
const version = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 20 })).map(([a, b]) => `${a}.${b}`);
const resource = (id: number): fc.Arbitrary<ResourceModel> =>
  fc.record({
    id: fc.constant(id),
    name,
    operations: fc.constantFrom('', 'R', 'W', 'RW', 'E' as const),
    multiple: fc.boolean(),
    mandatory: fc.boolean(),
    type: fc.constantFrom<ResourceType>(
      'string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk', 'none',
    ),
    range: trimmed(0, 20),
    units: trimmed(0, 8),
  }, { noNullPrototype: true });
const objectModel: fc.Arbitrary<ObjectModel> = fc
  .record({
    id: fc.integer({ min: 0, max: 65534 }),
    name,
    version,
    lwm2mVersion: fc.constantFrom('1.0', '1.1', '1.2'),
    multiple: fc.boolean(),
    mandatory: fc.boolean(),
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 65534 }), { maxLength: 12 }),
  }, { noNullPrototype: true })
  .chain(({ ids, ...o }) =>
    fc.tuple(...ids.map(resource)).map((rs) => ({
      ...o,
      urn: defaultUrn(o.id, o.version),
      resources: new Map(rs.map((r) => [r.id, r])),
    })),
  );

test('random models round-trip through DDF XML', () => {
  fc.assert(
    fc.property(fc.uniqueArray(objectModel, { minLength: 1, maxLength: 3, selector: (m) => `${m.id}@${m.version}` }), (models) => {
      const parsed = parseDdf(documentXml(models.map(modelXml)), 'random.xml');
      assert.deepEqual(parsed, models);
    }),
    { numRuns: 200 },
  );
});
