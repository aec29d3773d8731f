import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { omaJsonCodec } from '../../../src/lwm2m/codec/oma-json.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import { DEVICE_0, LINKED_OBJECTS, NOW_S, codeOf, ctxOf, p, text, utf8 } from './senml-fixtures.js';

const codec = omaJsonCodec;
const ctx = ctxOf();
const enc = (path: string, node: LwM2mNode): string => text(codec.encode(p(path), node, ctx));
const dec = (path: string, json: string): LwM2mNode => codec.decode(p(path), utf8(json), ctx);
const decCode = (path: string, json: string): string => codeOf(() => dec(path, json));

// LwM2M 1.0 TS, section 6.4.4 (JSON) examples, written compactly.
const DEVICE_JSON =
  '{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"1","sv":"Lightweight M2M Client"},' +
  '{"n":"2","sv":"345000123"},{"n":"3","sv":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"7/0","v":3800},' +
  '{"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},{"n":"9","v":100},{"n":"10","v":15},' +
  '{"n":"11/0","v":0},{"n":"13","v":1367491215},{"n":"14","sv":"+02:00"},{"n":"16","sv":"U"}]}';
const HISTORY_JSON = '{"e":[{"n":"1/2","v":22.4,"t":-5},{"n":"1/2","v":22.9,"t":-30},{"n":"1/2","v":24.1,"t":-50}],"bt":25462634}';
const LINKS_JSON =
  '{"bn":"/","e":[{"n":"65/0/0/0","ov":"66:0"},{"n":"65/0/0/1","ov":"66:1"},{"n":"65/0/1","sv":"8613800755500"},' +
  '{"n":"65/0/2","v":1},{"n":"66/0/0","sv":"myService1"},{"n":"66/0/1","sv":"Internet.15.234"},' +
  '{"n":"66/0/2","ov":"67:0"},{"n":"66/1/0","sv":"myService2"},{"n":"66/1/1","sv":"Internet.15.235"},' +
  '{"n":"66/1/2","ov":"65535:65535"},{"n":"67/0/0","sv":"85.76.76.84"},{"n":"67/0/1","sv":"85.76.255.255"}]}';

describe('OMA JSON: LwM2M 1.0 examples, byte for byte', () => {
  test('read of the Device object instance', () => {
    assert.equal(enc('/3/0', DEVICE_0), DEVICE_JSON);
    assert.deepEqual(dec('/3/0', DEVICE_JSON), DEVICE_0);
  });

  test('without bn, names are relative to the request path', () => {
    const noBn = DEVICE_JSON.replace('"bn":"/3/0/",', '');
    assert.deepEqual(dec('/3/0', noBn), DEVICE_0);
    assert.deepEqual(dec('/3/0/9', '{"e":[{"v":100}]}'), resource(9, 'integer', 100));
    assert.deepEqual(dec('/3/0', '{"e":[{"n":"/3/0/9","v":100}]}'), instance(0, [resource(9, 'integer', 100)]));
  });

  test('notification with history: bt after e, relative times', () => {
    const got = codec.decodeTimestamped(p('/72'), utf8(HISTORY_JSON), ctx);
    const at = (v: number) => object(72, [instance(1, [{ ...resource(2, 'float', v), unknown: true }])]);
    assert.deepEqual(got, [
      { time: NOW_S + 25462584, nodes: new Map([['/72', at(24.1)]]) },
      { time: NOW_S + 25462604, nodes: new Map([['/72', at(22.9)]]) },
      { time: NOW_S + 25462629, nodes: new Map([['/72', at(22.4)]]) },
    ]);
  });

  test('numbers written as strings, as an early 1.0 draft shows them', () => {
    const draft = '{"e":[{"n":"1/2","v":"22.4","t":"-5"},{"n":"1/2","v":"22.9","t":"-30"},{"n":"1/2","v":"24.1","t":"-50"}],"bt":"25462634"}';
    assert.deepEqual(codec.decodeTimestamped(p('/72'), utf8(draft), ctx), codec.decodeTimestamped(p('/72'), utf8(HISTORY_JSON), ctx));
    assert.deepEqual(dec('/3/0/9', '{"e":[{"v":"100"}]}'), resource(9, 'integer', 100));
    assert.equal(decCode('/3/0/9', '{"e":[{"v":"1x"}]}'), 'MALFORMED');
  });

  test('object links in ov', () => {
    const data = [{ time: undefined, nodes: new Map<string, LwM2mNode>(LINKED_OBJECTS) }];
    assert.equal(text(codec.encodeTimestamped(LwM2mPath.ROOT, data, ctx)), LINKS_JSON);
    assert.deepEqual(codec.decodeNodes(utf8(LINKS_JSON), ['/65', '/66', '/67'].map(p), ctx), new Map(LINKED_OBJECTS));
  });
});

describe('OMA JSON: values and levels', () => {
  test('single resource, multiple resource, resource instance, object', () => {
    assert.equal(enc('/3/0/9', resource(9, 'integer', 100)), '{"bn":"/3/0/9","e":[{"v":100}]}');
    const multi = multiResource(7, 'integer', { 0: 3800, 1: 5000 });
    assert.equal(enc('/3/0/7', multi), '{"bn":"/3/0/7/","e":[{"n":"0","v":3800},{"n":"1","v":5000}]}');
    assert.deepEqual(dec('/3/0/7', enc('/3/0/7', multi)), multi);
    const ri = resourceInstance(1, 'integer', 5000);
    assert.deepEqual(dec('/3/0/7/1', enc('/3/0/7/1', ri)), ri);
    const obj = object(3, [DEVICE_0]);
    assert.deepEqual(dec('/3', enc('/3', obj)), obj);
  });

  test('opaque as standard base64 in sv, boolean in bv, 64-bit integers exact', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x01]);
    assert.equal(enc('/5/0/0', resource(0, 'opaque', bytes)), '{"bn":"/5/0/0","e":[{"sv":"+/+/AQ=="}]}');
    assert.deepEqual(dec('/5/0/0', '{"bn":"/5/0/0","e":[{"sv":"+/+/AQ=="}]}'), resource(0, 'opaque', bytes));
    assert.equal(enc('/3311/0/5850', resource(5850, 'boolean', false)), '{"bn":"/3311/0/5850","e":[{"bv":false}]}');
    assert.equal(enc('/3/0/9', resource(9, 'integer', -(2n ** 63n))), '{"bn":"/3/0/9","e":[{"v":-9223372036854775808}]}');
    assert.deepEqual(dec('/3/0/9', '{"e":[{"n":"/3/0/9","v":-9223372036854775808}]}'), resource(9, 'integer', -(2n ** 63n)));
  });

  test('unknown resources keep the field type, flagged', () => {
    assert.deepEqual(dec('/9999/0/1', '{"e":[{"n":"/9999/0/1","sv":"x"}]}'), { ...resource(1, 'string', 'x'), unknown: true });
    assert.deepEqual(dec('/9999/0/1', '{"e":[{"n":"/9999/0/1","ov":"3:0"}]}'), {
      ...resource(1, 'objlnk', { objectId: 3, instanceId: 0 }),
      unknown: true,
    });
  });

  test('timestamps are written as absolute t on each entry', () => {
    const temp = (v: number) => resource(5700, 'float', v);
    const data = [
      { time: 1_700_000_000, nodes: new Map([['/3303/0/5700', temp(20.5)]]) },
      { time: 1_700_000_060, nodes: new Map([['/3303/0/5700', temp(21)]]) },
    ];
    const json = text(codec.encodeTimestamped(p('/3303/0/5700'), data, ctx));
    assert.equal(json, '{"bn":"/3303/0/5700","e":[{"v":20.5,"t":1700000000},{"v":21,"t":1700000060}]}');
    assert.deepEqual(codec.decodeTimestamped(p('/3303/0/5700'), utf8(json), ctx), data);
  });

  test('no composite path lists in LwM2M 1.0 JSON', () => {
    assert.equal(codec.encodePaths, undefined);
    const reg = new CodecRegistry();
    const r = reg.encodePaths(ContentFormat.JSON, [p('/3/0')]);
    assert.ok(!r.ok && r.error.code === 'UNSUPPORTED');
  });
});

describe('OMA JSON: bad input', () => {
  const cases: [string, string, string][] = [
    ['not JSON', '{"e":[', 'MALFORMED'],
    ['an array', '[{"n":"/3/0/9","v":1}]', 'MALFORMED'],
    ['no e', '{"bn":"/3/0/9"}', 'MALFORMED'],
    ['e not an array', '{"e":{}}', 'MALFORMED'],
    ['entry not an object', '{"e":[1]}', 'MALFORMED'],
    ['bn not a string', '{"bn":1,"e":[{"v":1}]}', 'MALFORMED'],
    ['bt not a number', '{"bt":true,"e":[{"v":1}]}', 'MALFORMED'],
    ['two values', '{"e":[{"v":1,"sv":"1"}]}', 'MALFORMED'],
    ['sv for an integer', '{"e":[{"sv":"1"}]}', 'TYPE_MISMATCH'],
    ['outside the path', '{"e":[{"n":"/3/0/10","v":1}]}', 'PATH_MISMATCH'],
  ];
  for (const [name, json, code] of cases) test(name, () => assert.equal(decCode('/3/0/9', json), code));

  test('record count and depth are bounded', () => {
    const deep = '{"e":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    assert.equal(decCode('/3/0/9', deep), 'LIMIT_EXCEEDED');
    const three = '{"e":[{"v":1},{"v":2},{"v":3}]}';
    assert.equal(codeOf(() => codec.decode(p('/3/0/9'), utf8(three), ctxOf({ maxRecords: 2 }))), 'LIMIT_EXCEEDED');
  });
});

describe('OMA JSON in the codec registry', () => {
  test('formats 11543 and the older 1543', () => {
    const reg = new CodecRegistry();
    for (const f of [ContentFormat.JSON, ContentFormat.OLD_JSON]) {
      const r = reg.decode(f, p('/3/0'), utf8(DEVICE_JSON), ctx);
      assert.ok(r.ok);
      assert.deepEqual(r.value, DEVICE_0);
    }
  });
});
