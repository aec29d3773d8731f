/**
 * LwM2M CBOR (content format 11544) against the LwM2M 1.2 Core specification.
 *
 * Spec text these vectors rest on:
 * - 7.4.4 "LwM2M CBOR": one CBOR map nested from the Object ID down; a key is one ID or an
 *   array of IDs (a path shortcut); "Except when used for a Write or Create operation, the
 *   IDs inside the top-level payload MUST start with the Object ID."
 * - Appendix C, Table C.-2 "Data Type Mapping", column "CBOR, LwM2M CBOR, and SenML CBOR
 *   Formats": Time is "represented as an unsigned integer or a date/time string, as
 *   defined in Section 2.4.1 of [RFC7049]" (tag 1 epoch seconds, tag 0 RFC 3339 text);
 *   String/Corelnk text string, Opaque byte string, Objlnk text "oid:iid". This codec
 *   writes Time as tag 1 and the epoch seconds, and reads all three forms.
 *
 * The example data are those the specification uses in its data format examples (7.4):
 * the Device object of the example client (the values of the TLV and SenML examples), the
 * Read-Composite response of /3/0/0, /3/0/9, /1/0/1, the Write-Composite request on 3311
 * and 3308, and the object-link objects 65, 66, 67. Every vector is assembled here byte by
 * byte from the rules above, in two forms:
 * - nested maps from the Object ID down, `{3: {0: {0: ...}}}`, the form of the spec's
 *   diagnostic-notation examples: decoded, and compared as a tree;
 * - the compact form this codec writes: every chain of single children as one array key,
 *   sorted ids, `{[3, 0]: {0: ...}}`: decoded, and encoded byte for byte.
 * Both forms are valid LwM2M CBOR; a map's key order carries no meaning (RFC 8949 5.6).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lwm2mCborCodec as codec } from '../../../src/lwm2m/codec/lwm2m-cbor.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import { COMPOSITE_READ, COMPOSITE_WRITE, DEVICE_0, LINKED_OBJECTS, codeOf, ctxOf, hex, p, toHex } from './senml-fixtures.js';

const ctx = ctxOf();

/** A CBOR text string (definite length, under 256 bytes): head and UTF-8 bytes, in hex. */
function txt(s: string): string {
  const b = Buffer.from(s, 'utf8');
  const head = b.length < 24 ? (0x60 + b.length).toString(16) : `78${b.length.toString(16).padStart(2, '0')}`;
  return head + b.toString('hex');
}

const enc = (path: string, node: LwM2mNode): string => toHex(codec.encode(p(path), node, ctx));
const dec = (path: string, h: string): LwM2mNode => codec.decode(p(path), hex(h), ctx);

// ---- Device object instance 0 of the example client (13 resources) ----
const DEVICE_RESOURCES = (timeHex: string, errorCodes: string): string =>
  [
    `00 ${txt('Open Mobile Alliance')}`, // 0 Manufacturer
    `01 ${txt('Lightweight M2M Client')}`, // 1 Model Number
    `02 ${txt('345000123')}`, // 2 Serial Number
    `03 ${txt('1.0')}`, // 3 Firmware Version
    '06 a2 00 01 01 05', // 6 Available Power Sources {0: 1, 1: 5}
    '07 a2 00 19 0ed8 01 19 1388', // 7 Power Source Voltage {0: 3800, 1: 5000}
    '08 a2 00 18 7d 01 19 0384', // 8 Power Source Current {0: 125, 1: 900}
    '09 18 64', // 9 Battery Level 100
    '0a 0f', // 10 Memory Free 15
    errorCodes, // 11 Error Code {0: 0}
    `0d ${timeHex}`, // 13 Current Time 1367491215 (2013-05-02T10:40:15Z)
    `0e ${txt('+02:00')}`, // 14 UTC Offset
    `10 ${txt('U')}`, // 16 Supported Binding and Modes
  ].join(' ');

const TIME_UINT = '1a 5182428f';
/** Time as written: tag 1 and the epoch seconds (Table C.-2: "Section 2.4.1 of [RFC7049]"). */
const TIME_TAG1 = `c1 ${TIME_UINT}`;
/** Nested maps: {3: {0: {0: "Open Mobile Alliance", ..., 11: {0: 0}, ...}}}. */
const DEVICE_NESTED = `a1 03 a1 00 ad ${DEVICE_RESOURCES(TIME_UINT, '0b a1 00 00')}`;
/** Compact: {[3, 0]: {..., [11, 0]: 0, ..., 13: 1(1367491215), ...}}: the one instance of 11 joins its key. */
const DEVICE_COMPACT = `a1 82 03 00 ad ${DEVICE_RESOURCES(TIME_TAG1, '82 0b 00 00')}`;

describe('LwM2M CBOR: the Device object example (Read /3/0, Read /3)', () => {
  test('nested maps from the Object ID decode to the Device instance', () => {
    assert.deepEqual(dec('/3/0', DEVICE_NESTED), DEVICE_0);
  });

  test('the same maps with indefinite lengths (streaming encoders) decode alike', () => {
    const indefinite = `bf 03 bf 00 bf ${DEVICE_RESOURCES(TIME_UINT, '0b bf 00 00 ff')} ff ff ff`
      .replace('06 a2 00 01 01 05', '06 bf 00 01 01 05 ff');
    assert.deepEqual(dec('/3/0', indefinite), DEVICE_0);
  });

  test('the compact form, encoded byte for byte and decoded', () => {
    assert.equal(enc('/3/0', DEVICE_0), toHex(hex(DEVICE_COMPACT)));
    assert.deepEqual(dec('/3/0', DEVICE_COMPACT), DEVICE_0);
  });

  test('Read /3: the object with its one instance, same bytes as Read /3/0', () => {
    const obj = object(3, [DEVICE_0]);
    assert.deepEqual(dec('/3', DEVICE_NESTED), obj);
    assert.equal(enc('/3', obj), toHex(hex(DEVICE_COMPACT)));
    assert.deepEqual(dec('/3', DEVICE_COMPACT), obj);
  });

  test('Time as tag 1 (epoch seconds) or tag 0 (date/time string), Table C.-2', () => {
    const tag1 = `a1 03 a1 00 ad ${DEVICE_RESOURCES(TIME_TAG1, '0b a1 00 00')}`;
    const tag0 = `a1 03 a1 00 ad ${DEVICE_RESOURCES(`c0 ${txt('2013-05-02T10:40:15Z')}`, '0b a1 00 00')}`;
    const offset = `a1 03 a1 00 ad ${DEVICE_RESOURCES(`c0 ${txt('2013-05-02T12:40:15+02:00')}`, '0b a1 00 00')}`;
    assert.deepEqual(dec('/3/0', tag1), DEVICE_0);
    assert.deepEqual(dec('/3/0', tag0), DEVICE_0);
    assert.deepEqual(dec('/3/0', offset), DEVICE_0);
    // the plain integer (DEVICE_NESTED) is read too
    assert.deepEqual(dec('/3/0/13', `a1 83 03 00 0d ${TIME_UINT}`), resource(13, 'time', 1367491215));
    // written as tag 1 and the epoch seconds: the date/time "as defined in Section 2.4.1 of
    // [RFC7049]" that the table names, and the form other implementations write and read
    assert.equal(enc('/3/0/13', resource(13, 'time', 1367491215)), toHex(hex(`a1 83 03 00 0d ${TIME_TAG1}`)));
    // the spec group agreed (2024) to drop "unsigned": a time before 1970 is negative, 1(-1)
    assert.deepEqual(dec('/3/0/13', 'a1 83 03 00 0d c1 20'), resource(13, 'time', -1));
    assert.equal(enc('/3/0/13', resource(13, 'time', -1)), 'a1830300' + '0dc120');
  });
});

describe('LwM2M CBOR: single resources, multiple resources, resource instances', () => {
  test('Read /3/0/0: {3: {0: {0: "Open Mobile Alliance"}}} and {[3, 0, 0]: ...}', () => {
    const node = resource(0, 'string', 'Open Mobile Alliance');
    assert.deepEqual(dec('/3/0/0', `a1 03 a1 00 a1 00 ${txt('Open Mobile Alliance')}`), node);
    assert.equal(enc('/3/0/0', node), toHex(hex(`a1 83 03 00 00 ${txt('Open Mobile Alliance')}`)));
  });

  test('Read /3/0/7: a multiple resource is a map of resource instances', () => {
    const node = multiResource(7, 'integer', { 0: 3800, 1: 5000 });
    assert.deepEqual(dec('/3/0/7', 'a1 03 a1 00 a1 07 a2 00 19 0ed8 01 19 1388'), node);
    assert.equal(enc('/3/0/7', node), toHex(hex('a1 83 03 00 07 a2 00 19 0ed8 01 19 1388')));
  });

  test('Read /3/0/7/1: one resource instance, four IDs', () => {
    const node = resourceInstance(1, 'integer', 5000);
    assert.deepEqual(dec('/3/0/7/1', 'a1 03 a1 00 a1 07 a1 01 19 1388'), node);
    assert.equal(enc('/3/0/7/1', node), toHex(hex('a1 84 03 00 07 01 19 1388')));
  });
});

describe('LwM2M CBOR: Read-Composite response and Write-Composite request', () => {
  const OMA = txt('Open Mobile Alliance');
  // {3: {0: {0: "Open Mobile Alliance", 9: 95}}, 1: {0: {1: 86400}}}, in the request's order
  const READ_NESTED = `a2 03 a1 00 a2 00 ${OMA} 09 18 5f 01 a1 00 a1 01 1a 00015180`;
  // {[1, 0, 1]: 86400, [3, 0]: {0: "Open Mobile Alliance", 9: 95}}
  const READ_COMPACT = `a2 83 01 00 01 1a 00015180 82 03 00 a2 00 ${OMA} 09 18 5f`;
  const READ_PATHS = ['/3/0/0', '/3/0/9', '/1/0/1'].map(p);

  test('response to Read-Composite /3/0/0, /3/0/9, /1/0/1', () => {
    assert.deepEqual(codec.decodeNodes(hex(READ_NESTED), READ_PATHS, ctx), new Map(COMPOSITE_READ));
    assert.equal(toHex(codec.encodeNodes(new Map(COMPOSITE_READ), ctx)), toHex(hex(READ_COMPACT)));
    assert.deepEqual(codec.decodeNodes(hex(READ_COMPACT), READ_PATHS, ctx), new Map(COMPOSITE_READ));
  });

  // 3311 Light Control: 5850 On/Off (boolean), 5851 Dimmer (integer); 3308 Set Point: 5900 (float)
  // {3311: {0: {5850: false}, 1: {5850: false}, 2: {5851: 20}}, 3308: {0: {5900: 18.0}}}
  const writeNested = (setPoint: string): string =>
    'a2 19 0cef a3 00 a1 19 16da f4 01 a1 19 16da f4 02 a1 19 16db 14 ' + `19 0cec a1 00 a1 19 170c ${setPoint}`;
  // {[3308, 0, 5900]: 18.0, 3311: {[0, 5850]: false, [1, 5850]: false, [2, 5851]: 20}}
  const WRITE_COMPACT = 'a2 83 19 0cec 00 19 170c f9 4c80 19 0cef a3 82 00 19 16da f4 82 01 19 16da f4 82 02 19 16db 14';
  const WRITE_PATHS = ['/3311/0/5850', '/3311/1/5850', '/3311/2/5851', '/3308/0/5900'].map(p);

  test('Write-Composite on /3311/0/5850, /3311/1/5850, /3311/2/5851, /3308/0/5900', () => {
    // 18.0 as a half float (f9 4c80), a double (fb 4032...), or the integer 18 (12)
    for (const setPoint of ['f9 4c80', 'fb 4032000000000000', '12']) {
      assert.deepEqual(codec.decodeNodes(hex(writeNested(setPoint)), WRITE_PATHS, ctx), new Map(COMPOSITE_WRITE), setPoint);
    }
    assert.equal(toHex(codec.encodeNodes(new Map(COMPOSITE_WRITE), ctx)), toHex(hex(WRITE_COMPACT)));
    assert.deepEqual(codec.decodeNodes(hex(WRITE_COMPACT), WRITE_PATHS, ctx), new Map(COMPOSITE_WRITE));
  });
});

describe('LwM2M CBOR: object links (objects 65, 66, 67), Objlnk as text "oid:iid"', () => {
  const OBJ_66 = LINKED_OBJECTS.get('/66') as LwM2mNode;
  const INSTANCES_66 = (first: string): string =>
    `${first} a3 00 ${txt('myService1')} 01 ${txt('Internet.15.234')} 02 ${txt('67:0')} ` +
    `01 a3 00 ${txt('myService2')} 01 ${txt('Internet.15.235')} 02 ${txt('65535:65535')}`;

  test('Read /66: two instances, a link to 67:0 and the null link 65535:65535', () => {
    // {66: {0: {...}, 1: {...}}}: two instances, so 66 stays a key of its own
    const bytes = `a1 18 42 a2 ${INSTANCES_66('00')}`;
    assert.deepEqual(dec('/66', bytes), OBJ_66);
    assert.equal(enc('/66', OBJ_66), toHex(hex(bytes)));
  });

  test('Read /65/0: a multiple Objlnk resource', () => {
    const node = instance(0, [
      multiResource(0, 'objlnk', { 0: { objectId: 66, instanceId: 0 }, 1: { objectId: 66, instanceId: 1 } }),
      resource(1, 'string', '8613800755500'),
      resource(2, 'integer', 1),
    ]);
    const inner = `a3 00 a2 00 ${txt('66:0')} 01 ${txt('66:1')} 01 ${txt('8613800755500')} 02 01`;
    assert.deepEqual(dec('/65/0', `a1 18 41 a1 00 ${inner}`), node);
    assert.equal(enc('/65/0', node), toHex(hex(`a1 82 18 41 00 ${inner}`)));
  });

  test('Read-Composite of /65, /66, /67 in one payload', () => {
    const paths = ['/65', '/66', '/67'].map(p);
    const nested =
      `a3 18 41 a1 00 a3 00 a2 00 ${txt('66:0')} 01 ${txt('66:1')} 01 ${txt('8613800755500')} 02 01 ` +
      `18 42 a2 ${INSTANCES_66('00')} ` +
      `18 43 a1 00 a2 00 ${txt('85.76.76.84')} 01 ${txt('85.76.255.255')}`;
    assert.deepEqual(codec.decodeNodes(hex(nested), paths, ctx), new Map(LINKED_OBJECTS));
    const back = codec.encodeNodes(new Map(LINKED_OBJECTS), ctx);
    assert.deepEqual(codec.decodeNodes(back, paths, ctx), new Map(LINKED_OBJECTS));
    // single-instance objects join their instance id: [65, 0] and [67, 0]
    assert.ok(toHex(back).startsWith('a3821841'), toHex(back));
  });

  test('an Objlnk that is not "oid:iid" text is refused', () => {
    for (const bad of [txt('66'), txt('66:0:1'), txt('66000:0'), '1a 00420000']) {
      assert.equal(codeOf(() => dec('/66/0/2', `a1 83 18 42 00 02 ${bad}`)), 'TYPE_MISMATCH', bad);
    }
  });
});

describe('LwM2M CBOR: "the IDs inside the top-level payload MUST start with the Object ID"', () => {
  test('every level is written from the Object ID down', () => {
    const r = resource(1, 'integer', 86400);
    assert.equal(enc('/1/0/1', r), 'a18301000' + '11a00015180');
    assert.equal(enc('/1/0', instance(0, [r])), 'a18301000' + '11a00015180');
    assert.equal(enc('/1', object(1, [instance(0, [r])])), 'a18301000' + '11a00015180');
    // Create with the instance id in the payload: the id cannot be mistaken for a resource
    assert.equal(enc('/1', instance(3, [r])), 'a18301030' + '11a00015180');
  });

  test('a response that starts below the Object ID is refused', () => {
    // {0: {1: 86400}} answered to a Read of /1/0: read from the Object ID, a value at /0/1
    assert.equal(codeOf(() => dec('/1/0', 'a1 00 a1 01 1a 00015180')), 'BAD_NESTING');
    // {1: 86400} answered to a Read of /1/0/1: a value at object level
    assert.equal(codeOf(() => dec('/1/0/1', 'a1 01 1a 00015180')), 'BAD_NESTING');
    // {[0, 1]: {0: 1}} answered to a Read of /1/0: /0/1/0 is outside /1/0
    assert.equal(codeOf(() => dec('/1/0', 'a1 82 00 01 a1 00 01')), 'PATH_MISMATCH');
  });
});
