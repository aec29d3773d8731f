/** DDF loader on bad files: every error is a DdfError naming the file and the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DdfError, parseDdf } from '../../../src/lwm2m/model/ddf.js';
import { documentXml, itemXml, simpleObject } from './ddf-xml.js';

function assertDdfError(xml: string, field: string | RegExp, detail: RegExp): void {
  assert.throws(
    () => parseDdf(xml, 'vendor/bad.xml'),
    (e: unknown) => {
      assert.ok(e instanceof DdfError, `a DdfError, got ${String(e)}`);
      assert.equal(e.code, 'BAD_DDF');
      assert.equal(e.file, 'vendor/bad.xml');
      if (typeof field === 'string') assert.equal(e.field, field);
      else assert.match(e.field, field);
      assert.ok(e.message.startsWith(`vendor/bad.xml: ${e.field}: `), e.message);
      assert.match(e.message, detail);
      return true;
    },
  );
}

const item = (id: string | undefined, over: Record<string, string | undefined> = {}): string =>
  itemXml(id, {
    Name: 'R',
    Operations: 'R',
    MultipleInstances: 'Single',
    Mandatory: 'Optional',
    Type: 'String',
    ...over,
  });

test('malformed XML names the file and the line', () => {
  assertDdfError('<LWM2M><Object><Name>x</Object></LWM2M>', 'XML', /line 1/);
  assertDdfError(documentXml([simpleObject()]).replace('</Resources>', ''), 'XML', /line \d+/);
  assertDdfError('', 'XML', /./);
  assertDdfError('just text', 'XML', /./);
});

test('a document that is not a DDF file', () => {
  assertDdfError('<html><body/></html>', 'XML', /<html>.*expected <LWM2M>/);
  assertDdfError('<LWM2M></LWM2M>', 'LWM2M/Object', /missing/);
});

test('object fields', () => {
  assertDdfError(documentXml([simpleObject({ ObjectID: undefined })]), 'Object[1]/ObjectID', /missing/);
  assertDdfError(documentXml([simpleObject({ ObjectID: 'three' })]), 'Object[1]/ObjectID', /not an id: "three"/);
  assertDdfError(documentXml([simpleObject({ ObjectID: '-1' })]), 'Object[1]/ObjectID', /not an id/);
  assertDdfError(documentXml([simpleObject({ ObjectID: '65535' })]), 'Object[1]/ObjectID', /out of range/);
  assertDdfError(documentXml([simpleObject({ Name: undefined })]), 'Object[ID=4242]/Name', /missing/);
  assertDdfError(documentXml([simpleObject({ Name: '  ' })]), 'Object[ID=4242]/Name', /empty/);
  assertDdfError(
    documentXml([simpleObject({ MultipleInstances: 'Sometimes' })]),
    'Object[ID=4242]/MultipleInstances',
    /Multiple or Single, got "sometimes"/,
  );
  assertDdfError(documentXml([simpleObject({ MultipleInstances: undefined })]), 'Object[ID=4242]/MultipleInstances', /missing/);
  assertDdfError(documentXml([simpleObject({ Mandatory: 'Yes please' })]), 'Object[ID=4242]/Mandatory', /Mandatory or Optional/);
  assertDdfError(documentXml([simpleObject({ ObjectVersion: 'one' })]), 'Object[ID=4242]/ObjectVersion', /version like 1.0/);
  assertDdfError(documentXml([simpleObject({ LWM2MVersion: '1.x' })]), 'Object[ID=4242]/LWM2MVersion', /version/);
  // the second object of a file is named by its position until its id is known
  assertDdfError(documentXml([simpleObject(), simpleObject({ ObjectID: '' })]), 'Object[2]/ObjectID', /missing/);
  // one object version defined twice in a file
  assertDdfError(documentXml([simpleObject(), simpleObject()]), 'Object[ID=4242]', /twice for version 1.0/);
  // a field given twice
  assertDdfError(
    documentXml([simpleObject()]).replace('<Name>Thing</Name>', '<Name>A</Name><Name>B</Name>'),
    'Object[ID=4242]/Name',
    /more than once/,
  );
});

test('resource fields', () => {
  const at = 'Object[ID=4242]/Resources/Item[ID=5]';
  const doc = (...items: string[]): string => documentXml([simpleObject({}, items)]);
  assertDdfError(doc(item('5', { Type: 'Decimal' })), `${at}/Type`, /unknown resource type "Decimal"/);
  assertDdfError(doc(item('5', { Operations: 'RWX' })), `${at}/Operations`, /R, W, RW, E/);
  assertDdfError(doc(item('5', { MultipleInstances: 'Many' })), `${at}/MultipleInstances`, /got "many"/);
  assertDdfError(doc(item('5', { MultipleInstances: undefined })), `${at}/MultipleInstances`, /missing/);
  assertDdfError(doc(item('5', { Mandatory: 'M' })), `${at}/Mandatory`, /Mandatory or Optional/);
  assertDdfError(doc(item('5', { Name: undefined })), `${at}/Name`, /missing/);
  assertDdfError(doc(item('1'), item(undefined)), 'Object[ID=4242]/Resources/Item[2]/ID', /missing/);
  assertDdfError(doc(item('x1')), 'Object[ID=4242]/Resources/Item[1]/ID', /not an id/);
  assertDdfError(doc(item('70000')), 'Object[ID=4242]/Resources/Item[1]/ID', /out of range/);
  assertDdfError(doc(item('5'), item('5')), `${at}`, /defined twice/);
});

test('nothing but DdfError escapes on mangled registry-like files', () => {
  const good = documentXml([simpleObject({}, [item('1'), item('2', { Type: 'Float' })])]);
  let rng = 12345;
  const next = (n: number): number => {
    rng = (rng * 1103515245 + 12345) % 2 ** 31;
    return rng % n;
  };
  const pieces = ['<', '>', '/', '"', '&', '<Item ID="3">', '</Item>', '<Object>', '<Resources>', '', ' ', 'x', '&amp;', '<!--', ']]>'];
  for (let i = 0; i < 2000; i++) {
    let s = good;
    for (let k = 0; k <= next(3); k++) {
      const at = next(s.length);
      const cut = next(4);
      s = s.slice(0, at) + (pieces[next(pieces.length)] ?? '') + s.slice(at + cut);
    }
    try {
      parseDdf(s, 'mangled.xml');
    } catch (e) {
      assert.ok(e instanceof DdfError, `${String(e)} for ${JSON.stringify(s)}`);
      assert.equal(e.file, 'mangled.xml');
    }
  }
});
