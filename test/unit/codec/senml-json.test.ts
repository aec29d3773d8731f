import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { senmlJsonCodec } from '../../../src/lwm2m/codec/senml-json.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import {
  COMPOSITE_PATHS,
  COMPOSITE_READ,
  COMPOSITE_WRITE,
  DEVICE_0,
  LINKED_OBJECTS,
  NOW_S,
  codeOf,
  ctxOf,
  p,
  text,
  utf8,
} from './senml-fixtures.js';

const codec = senmlJsonCodec;
const ctx = ctxOf();
const enc = (path: string, node: LwM2mNode): string => text(codec.encode(p(path), node, ctx));
const dec = (path: string, json: string): LwM2mNode => codec.decode(p(path), utf8(json), ctx);
const decCode = (path: string, json: string): string => codeOf(() => dec(path, json));

// LwM2M 1.1 Core, section 7.4.4 (SenML JSON) examples, written compactly.
const DEVICE_JSON =
  '[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},' +
  '{"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},' +
  '{"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},' +
  '{"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1367491215},' +
  '{"n":"14","vs":"+02:00"},{"n":"16","vs":"U"}]';
const HISTORY_JSON =
  '[{"bn":"/72/","bt":25462634,"n":"1/2","v":22.4,"t":-5},{"n":"1/2","v":22.9,"t":-30},{"n":"1/2","v":24.1,"t":-50}]';
const LINKS_JSON =
  '[{"bn":"/","n":"65/0/0/0","vlo":"66:0"},{"n":"65/0/0/1","vlo":"66:1"},{"n":"65/0/1","vs":"8613800755500"},' +
  '{"n":"65/0/2","v":1},{"n":"66/0/0","vs":"myService1"},{"n":"66/0/1","vs":"Internet.15.234"},' +
  '{"n":"66/0/2","vlo":"67:0"},{"n":"66/1/0","vs":"myService2"},{"n":"66/1/1","vs":"Internet.15.235"},' +
  '{"n":"66/1/2","vlo":"65535:65535"},{"n":"67/0/0","vs":"85.76.76.84"},{"n":"67/0/1","vs":"85.76.255.255"}]';
const SINGLE_JSON = '[{"bn":"/3/0/0","vs":"Open Mobile Alliance"}]';
const PATHS_JSON = '[{"n":"/3/0/0"},{"n":"/3/0/9"},{"n":"/1/0/1"}]';
const COMPOSITE_READ_JSON = '[{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/9","v":95},{"n":"/1/0/1","v":86400}]';
const COMPOSITE_WRITE_JSON =
  '[{"n":"/3311/0/5850","vb":false},{"n":"/3311/1/5850","vb":false},{"n":"/3311/2/5851","v":20},{"n":"/3308/0/5900","v":18}]';

describe('SenML JSON: LwM2M Core examples, byte for byte', () => {
  test('read of the Device object instance (Table 7.4.4-2)', () => {
    assert.equal(enc('/3/0', DEVICE_0), DEVICE_JSON);
    assert.deepEqual(dec('/3/0', DEVICE_JSON), DEVICE_0);
  });

  test('read of a single resource (Table 7.4.4-5)', () => {
    const node = resource(0, 'string', 'Open Mobile Alliance');
    assert.equal(enc('/3/0/0', node), SINGLE_JSON);
    assert.deepEqual(dec('/3/0/0', SINGLE_JSON), node);
  });

  test('notification with history, relative times (Table 7.4.4-3)', () => {
    const got = codec.decodeTimestamped(p('/72'), utf8(HISTORY_JSON), ctx);
    // bt + t is below 2^28: relative to now (RFC 8428 4.5.3); object 72 is unknown to the model
    const at = (v: number) => object(72, [instance(1, [{ ...resource(2, 'float', v), unknown: true }])]);
    assert.deepEqual(got, [
      { time: NOW_S + 25462584, nodes: new Map([['/72', at(24.1)]]) },
      { time: NOW_S + 25462604, nodes: new Map([['/72', at(22.9)]]) },
      { time: NOW_S + 25462629, nodes: new Map([['/72', at(22.4)]]) },
    ]);
    // a plain read of the same payload keeps the newest value
    assert.deepEqual(dec('/72/1/2', HISTORY_JSON), { ...resource(2, 'float', 22.4), unknown: true });
  });

  test('object links across objects 65, 66, 67 (Table 7.4.4-4)', () => {
    const data = [{ time: undefined, nodes: new Map<string, LwM2mNode>(LINKED_OBJECTS) }];
    assert.equal(text(codec.encodeTimestamped(LwM2mPath.ROOT, data, ctx)), LINKS_JSON);
    const got = codec.decodeNodes(utf8(LINKS_JSON), ['/65', '/66', '/67'].map(p), ctx);
    assert.deepEqual(got, new Map(LINKED_OBJECTS));
  });

  test('read-composite request: a list of paths (Table 7.4.4-6)', () => {
    assert.equal(text(codec.encodePaths!(COMPOSITE_PATHS)), PATHS_JSON);
    assert.deepEqual(codec.decodePaths!(utf8(PATHS_JSON), ctx), COMPOSITE_PATHS);
  });

  test('read-composite response (Table 7.4.4-7)', () => {
    assert.equal(text(codec.encodeNodes(COMPOSITE_READ, ctx)), COMPOSITE_READ_JSON);
    assert.deepEqual(codec.decodeNodes(utf8(COMPOSITE_READ_JSON), COMPOSITE_PATHS, ctx), new Map(COMPOSITE_READ));
    assert.deepEqual(codec.decodeNodes(utf8(COMPOSITE_READ_JSON), undefined, ctx), new Map(COMPOSITE_READ));
  });

  test('write-composite request (Table 7.4.4-8)', () => {
    assert.equal(text(codec.encodeNodes(COMPOSITE_WRITE, ctx)), COMPOSITE_WRITE_JSON);
    assert.deepEqual(codec.decodeNodes(utf8(COMPOSITE_WRITE_JSON), undefined, ctx), new Map(COMPOSITE_WRITE));
  });
});

describe('SenML JSON: levels', () => {
  test('object, multiple resource and resource instance use bn and relative names', () => {
    const obj = object(3, [DEVICE_0]);
    assert.ok(enc('/3', obj).startsWith('[{"bn":"/3/","n":"0/0","vs":"Open Mobile Alliance"},{"n":"0/1",'));
    assert.deepEqual(dec('/3', enc('/3', obj)), obj);
    const multi = multiResource(7, 'integer', { 0: 3800, 1: 5000 });
    assert.equal(enc('/3/0/7', multi), '[{"bn":"/3/0/7/","n":"0","v":3800},{"n":"1","v":5000}]');
    assert.deepEqual(dec('/3/0/7', enc('/3/0/7', multi)), multi);
    const ri = resourceInstance(1, 'integer', 5000);
    assert.equal(enc('/3/0/7/1', ri), '[{"bn":"/3/0/7/1","v":5000}]');
    assert.deepEqual(dec('/3/0/7/1', enc('/3/0/7/1', ri)), ri);
  });

  test('an instance given at an object path is named with its id', () => {
    assert.equal(enc('/3', instance(2, [resource(9, 'integer', 7)])), '[{"bn":"/3/","n":"2/9","v":7}]');
    assert.equal(codeOf(() => enc('/3', instance(undefined, [resource(9, 'integer', 7)]))), 'UNSUPPORTED');
  });

  test('node kinds that do not fit the path are refused', () => {
    assert.equal(codeOf(() => enc('/3/0', resource(9, 'integer', 7))), 'BAD_NESTING');
    assert.equal(codeOf(() => enc('/3/0/10', resource(9, 'integer', 7))), 'PATH_MISMATCH');
  });

  test('empty containers, and a missing value for a single resource', () => {
    assert.equal(enc('/3/0', instance(0, [])), '[]');
    assert.deepEqual(dec('/3/0', '[]'), instance(0, []));
    assert.deepEqual(dec('/3', '[]'), object(3, []));
    assert.deepEqual(dec('/3/0/7', '[]'), multiResource(7, 'integer', {}));
    assert.equal(decCode('/3/0/9', '[]'), 'MALFORMED');
  });

  test('records are grouped under the request path; records outside it are refused', () => {
    assert.equal(decCode('/3/0', '[{"n":"/3/1/9","v":1}]'), 'PATH_MISMATCH');
    assert.equal(decCode('/3/0/9', '[{"n":"/3/0/10","v":1}]'), 'PATH_MISMATCH');
    assert.equal(decCode('/3/0', '[{"n":"/3/0","v":1}]'), 'BAD_NESTING');
    assert.equal(decCode('/3', '[{"n":"/3/0","v":1}]'), 'BAD_NESTING');
    assert.equal(decCode('/3/0', '[{"n":"/3/0/7","v":1},{"n":"/3/0/7/0","v":1}]'), 'BAD_NESTING');
  });

  test('the root path cannot hold a node', () => {
    assert.equal(decCode('/', '[{"n":"/3/0/9","v":1}]'), 'UNSUPPORTED');
  });
});

describe('SenML JSON: names', () => {
  test('base name carries over until replaced; n may be absent', () => {
    const json =
      '[{"bn":"/3/0/","n":"0","vs":"a"},{"n":"1","vs":"b"},{"bn":"/3/0/7/","n":"0","v":1},{"n":"1","v":2},{"bn":"/3/0/9","v":50}]';
    assert.deepEqual(
      dec('/3/0', json),
      instance(0, [resource(0, 'string', 'a'), resource(1, 'string', 'b'), multiResource(7, 'integer', { 0: 1, 1: 2 }), resource(9, 'integer', 50)]),
    );
  });

  test('names without a leading slash and bn with full n are accepted', () => {
    assert.deepEqual(dec('/3/0/9', '[{"n":"3/0/9","v":5}]'), resource(9, 'integer', 5));
    assert.deepEqual(dec('/3/0/9', '[{"bn":"","n":"/3/0/9","v":5}]'), resource(9, 'integer', 5));
  });

  test('long names are refused before parsing', () => {
    const long = `[{"bn":"/${'0'.repeat(100_000)}"},${'{"n":"/3/0/9","v":1},'.repeat(20_000)}{"n":"","v":1}]`;
    assert.equal(decCode('/3/0/9', long), 'MALFORMED');
  });

  test('names that are no LwM2M path are refused', () => {
    for (const n of ['/3/x/9', '/3/0/9/1/2', '/99999/0/0', '']) assert.equal(decCode('/3/0/9', `[{"n":"${n}","v":5}]`), 'MALFORMED', n);
  });

  test('a later record for the same path wins unless it is older', () => {
    assert.deepEqual(dec('/3/0/9', '[{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":2}]'), resource(9, 'integer', 2));
    const older = '[{"bn":"/3/0/9","bt":1800000000,"v":1},{"t":-60,"v":2}]';
    assert.deepEqual(dec('/3/0/9', older), resource(9, 'integer', 1));
  });
});

describe('SenML JSON: values by type', () => {
  const one = (type: string, path: string, field: string): LwM2mNode => dec(path, `[{"n":"${path}",${field}}]`);

  test('64-bit integers stay exact both ways', () => {
    const cases: [string, string, string, number | bigint][] = [
      ['/3/0/9', 'integer', '9223372036854775807', 2n ** 63n - 1n],
      ['/3/0/9', 'integer', '-9223372036854775808', -(2n ** 63n)],
      ['/3/0/9', 'integer', '9007199254740993', 9007199254740993n],
      ['/3/0/9', 'integer', '-42', -42],
    ];
    for (const [path, type, lit, v] of cases) {
      assert.deepEqual(one(type, path, `"v":${lit}`), resource(9, 'integer', v));
      assert.equal(enc(path, resource(9, 'integer', v)), `[{"bn":"${path}","v":${lit}}]`);
    }
  });

  test('integers out of range or with fractions do not fit', () => {
    assert.equal(decCode('/3/0/9', '[{"n":"/3/0/9","v":9223372036854775808}]'), 'TYPE_MISMATCH');
    assert.equal(decCode('/3/0/9', '[{"n":"/3/0/9","v":1.5}]'), 'TYPE_MISMATCH');
    assert.deepEqual(dec('/3/0/9', '[{"n":"/3/0/9","v":1.5e3}]'), resource(9, 'integer', 1500));
  });

  test('opaque: base64url without padding out, both alphabets in', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x01]);
    assert.equal(enc('/5/0/0', resource(0, 'opaque', bytes)), '[{"bn":"/5/0/0","vd":"-_-_AQ"}]');
    for (const s of ['-_-_AQ', '+/+/AQ==', '+/+/AQ', '-_-_AQ==']) {
      assert.deepEqual(dec('/5/0/0', `[{"n":"/5/0/0","vd":"${s}"}]`), resource(0, 'opaque', bytes), s);
    }
    assert.equal(decCode('/5/0/0', '[{"n":"/5/0/0","vd":"a*b="}]'), 'TYPE_MISMATCH');
    assert.equal(decCode('/5/0/0', '[{"n":"/5/0/0","vd":"abcde"}]'), 'TYPE_MISMATCH');
  });

  test('objlnk in vlo, boolean in vb, time and float in v, corelnk in vs', () => {
    assert.equal(enc('/66/0/2', resource(2, 'objlnk', { objectId: 3, instanceId: 0 })), '[{"bn":"/66/0/2","vlo":"3:0"}]');
    assert.deepEqual(dec('/66/0/2', '[{"n":"/66/0/2","vlo":"3:0"}]'), resource(2, 'objlnk', { objectId: 3, instanceId: 0 }));
    assert.equal(decCode('/66/0/2', '[{"n":"/66/0/2","vlo":"3:70000"}]'), 'TYPE_MISMATCH');
    assert.equal(enc('/3311/0/5850', resource(5850, 'boolean', true)), '[{"bn":"/3311/0/5850","vb":true}]');
    assert.equal(enc('/3/0/13', resource(13, 'time', 1700000000)), '[{"bn":"/3/0/13","v":1700000000}]');
    assert.equal(enc('/3303/0/5700', resource(5700, 'float', -21.5)), '[{"bn":"/3303/0/5700","v":-21.5}]');
    assert.deepEqual(dec('/3303/0/5700', '[{"n":"/3303/0/5700","v":-0.0}]'), resource(5700, 'float', -0));
    assert.equal(enc('/3303/0/5700', resource(5700, 'float', -0)), '[{"bn":"/3303/0/5700","v":-0.0}]');
    assert.equal(enc('/3/0/0', resource(0, 'corelnk', '</3/0>;ver=1.1')), '[{"bn":"/3/0/0","vs":"</3/0>;ver=1.1"}]');
  });

  test('NaN and infinities cannot be written as JSON', () => {
    assert.equal(codeOf(() => enc('/3303/0/5700', resource(5700, 'float', NaN))), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => enc('/3303/0/5700', resource(5700, 'float', Infinity))), 'TYPE_MISMATCH');
  });

  test('a value field that does not fit the model type', () => {
    assert.equal(decCode('/3/0/9', '[{"n":"/3/0/9","vs":"100"}]'), 'TYPE_MISMATCH');
    assert.equal(decCode('/3/0/0', '[{"n":"/3/0/0","v":1}]'), 'TYPE_MISMATCH');
    assert.equal(decCode('/3311/0/5850', '[{"n":"/3311/0/5850","v":1}]'), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => enc('/3/0/9', resource(9, 'integer', 'x'))), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => enc('/3/0/9', resource(9, 'integer', 1.5))), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => enc('/3/0/9', resource(9, 'unsigned', -1))), 'TYPE_MISMATCH');
  });

  test('resources unknown to the model keep the value field type, flagged', () => {
    const u = (n: LwM2mNode): LwM2mNode => ({ ...n, unknown: true }) as LwM2mNode;
    assert.deepEqual(dec('/9999/0/1', '[{"n":"/9999/0/1","v":42}]'), u(resource(1, 'integer', 42)));
    assert.deepEqual(dec('/9999/0/1', '[{"n":"/9999/0/1","v":18446744073709551615}]'), u(resource(1, 'unsigned', 2n ** 64n - 1n)));
    assert.deepEqual(dec('/9999/0/1', '[{"n":"/9999/0/1","v":4.0}]'), u(resource(1, 'float', 4)));
    assert.deepEqual(dec('/9999/0/1', '[{"n":"/9999/0/1","vs":"x"}]'), u(resource(1, 'string', 'x')));
    assert.deepEqual(dec('/9999/0/1', '[{"n":"/9999/0/1","vb":false}]'), u(resource(1, 'boolean', false)));
    assert.deepEqual(dec('/9999/0/1', '[{"n":"/9999/0/1","vd":"AQI"}]'), u(resource(1, 'opaque', new Uint8Array([1, 2]))));
    assert.deepEqual(dec('/9999/0/1', '[{"n":"/9999/0/1","vlo":"1:2"}]'), u(resource(1, 'objlnk', { objectId: 1, instanceId: 2 })));
    const multi = dec('/9999/0/1', '[{"n":"/9999/0/1/0","v":1},{"n":"/9999/0/1/1","v":2}]');
    assert.deepEqual(multi, {
      kind: 'multiResource',
      id: 1,
      type: 'integer',
      unknown: true,
      instances: new Map([
        [0, { ...resourceInstance(0, 'integer', 1), unknown: true }],
        [1, { ...resourceInstance(1, 'integer', 2), unknown: true }],
      ]),
    });
    // and written back unchanged
    assert.equal(enc('/9999/0/1', multi), '[{"bn":"/9999/0/1/","n":"0","v":1},{"n":"1","v":2}]');
  });
});

describe('SenML JSON: timestamps', () => {
  const temp = (v: number) => resource(5700, 'float', v);

  test('a notification with history: bt on the first record, t relative to it', () => {
    const data = [
      { time: 1_700_000_000, nodes: new Map([['/3303/0/5700', temp(20.5)]]) },
      { time: 1_700_000_060, nodes: new Map([['/3303/0/5700', temp(21)]]) },
      { time: 1_700_000_120, nodes: new Map([['/3303/0/5700', temp(21.5)]]) },
    ];
    const json = text(codec.encodeTimestamped(p('/3303/0/5700'), data, ctx));
    assert.equal(json, '[{"bn":"/3303/0/5700","bt":1700000000,"v":20.5},{"v":21,"t":60},{"v":21.5,"t":120}]');
    assert.deepEqual(codec.decodeTimestamped(p('/3303/0/5700'), utf8(json), ctx), data);
  });

  test('Send: several paths and times, full names, oldest first after decoding', () => {
    const data = [
      { time: 1_700_000_100, nodes: new Map<string, LwM2mNode>([['/3303/0/5700', temp(22)], ['/3/0/9', resource(9, 'integer', 80)]]) },
      { time: 1_700_000_000, nodes: new Map<string, LwM2mNode>([['/3303/0/5700', temp(21)]]) },
    ];
    const json = text(codec.encodeTimestamped(undefined, data, ctx));
    assert.equal(json, '[{"bt":1700000100,"n":"/3303/0/5700","v":22},{"n":"/3/0/9","v":80},{"n":"/3303/0/5700","v":21,"t":-100}]');
    assert.deepEqual(codec.decodeTimestamped(undefined, utf8(json), ctx), [data[1], data[0]]);
  });

  test('data without time comes first and stays without time', () => {
    const data = [
      { time: 1_700_000_000, nodes: new Map([['/3303/0/5700', temp(1)]]) },
      { time: undefined, nodes: new Map([['/3303/0/5700', temp(2)]]) },
    ];
    const json = text(codec.encodeTimestamped(p('/3303/0/5700'), data, ctx));
    assert.equal(json, '[{"bn":"/3303/0/5700","v":2},{"bt":1700000000,"v":1}]');
    assert.deepEqual(codec.decodeTimestamped(p('/3303/0/5700'), utf8(json), ctx), [data[0], data[1]]);
  });

  test('fractional times that would not survive bt + t are written as absolute t', () => {
    const data = [
      { time: 1699877805.766, nodes: new Map([['/3303/0/5700', temp(1)]]) },
      { time: 1699877805.867, nodes: new Map([['/3303/0/5700', temp(2)]]) },
    ];
    const bytes = codec.encodeTimestamped(p('/3303/0/5700'), data, ctx);
    assert.deepEqual(codec.decodeTimestamped(p('/3303/0/5700'), bytes, ctx), data);
  });

  test('relative times: t alone, negative, and zero are relative to now', () => {
    const got = codec.decodeTimestamped(undefined, utf8('[{"n":"/3/0/9","v":1,"t":-10},{"n":"/3/0/10","v":2,"t":0},{"n":"/3/0/11/0","v":3}]'), ctx);
    assert.deepEqual(
      got.map((g) => [g.time, [...g.nodes.keys()]]),
      [
        [NOW_S - 10, ['/3/0/9']],
        [NOW_S, ['/3/0/10']],
        [undefined, ['/3/0/11/0']],
      ],
    );
  });

  test('a payload without values gives the empty node at the path, without time', () => {
    assert.deepEqual(codec.decodeTimestamped(p('/3/0'), utf8('[]'), ctx), [{ time: undefined, nodes: new Map([['/3/0', instance(0, [])]]) }]);
    assert.deepEqual(codec.decodeTimestamped(undefined, utf8('[]'), ctx), []);
    assert.equal(codeOf(() => codec.decodeTimestamped(p('/3/0/9'), utf8('[]'), ctx)), 'MALFORMED');
  });

  test('timestamped data outside the request path is refused', () => {
    const data = [{ time: undefined, nodes: new Map([['/3/0/9', resource(9, 'integer', 1)]]) }];
    assert.equal(codeOf(() => codec.encodeTimestamped(p('/3303'), data, ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => codec.decodeTimestamped(p('/3303'), utf8('[{"n":"/3/0/9","v":1}]'), ctx)), 'PATH_MISMATCH');
  });
});

describe('SenML JSON: composite', () => {
  test('absent paths: null in, left out on the wire, null out', () => {
    const nodes = new Map<string, LwM2mNode | null>([['/3/0/9', resource(9, 'integer', 1)], ['/3/0/20', null]]);
    const bytes = codec.encodeNodes(nodes, ctx);
    assert.equal(text(bytes), '[{"n":"/3/0/9","v":1}]');
    assert.deepEqual(codec.decodeNodes(bytes, ['/3/0/9', '/3/0/20'].map(p), ctx), nodes);
  });

  test('nodes at several levels in one payload', () => {
    const nodes = new Map<string, LwM2mNode | null>([
      ['/3/0', DEVICE_0],
      ['/1/0/1', resource(1, 'integer', 300)],
      ['/65/0/0/1', resourceInstance(1, 'objlnk', { objectId: 66, instanceId: 1 })],
    ]);
    const bytes = codec.encodeNodes(nodes, ctx);
    assert.deepEqual(codec.decodeNodes(bytes, ['/3/0', '/1/0/1', '/65/0/0/1'].map(p), ctx), nodes);
  });

  test('records outside every requested path are refused', () => {
    assert.equal(codeOf(() => codec.decodeNodes(utf8('[{"n":"/3/0/9","v":1}]'), [p('/1')], ctx)), 'PATH_MISMATCH');
  });

  test('without a path list, a record without value is a null entry', () => {
    const got = codec.decodeNodes(utf8('[{"n":"/3/0/9","v":1},{"n":"/3/0/7/1"}]'), undefined, ctx);
    assert.deepEqual(got, new Map<string, LwM2mNode | null>([['/3/0/9', resource(9, 'integer', 1)], ['/3/0/7/1', null]]));
  });

  test('a null value (SenML-ETCH) is a record without value', () => {
    const got = codec.decodeNodes(utf8('[{"n":"/3/0/9","v":1},{"n":"/3/0/7/1","v":null}]'), undefined, ctx);
    assert.deepEqual(got, new Map<string, LwM2mNode | null>([['/3/0/9', resource(9, 'integer', 1)], ['/3/0/7/1', null]]));
  });

  test('path lists at every depth, with base names', () => {
    const paths = ['/', '/3', '/3/0', '/3/0/7', '/3/0/7/1'].map(p);
    const bytes = codec.encodePaths!(paths);
    assert.equal(text(bytes), '[{"n":"/"},{"n":"/3"},{"n":"/3/0"},{"n":"/3/0/7"},{"n":"/3/0/7/1"}]');
    assert.deepEqual(codec.decodePaths!(bytes, ctx), paths);
    assert.deepEqual(codec.decodePaths!(utf8('[{"bn":"/3/0/","n":"1"},{"n":"2"}]'), ctx), ['/3/0/1', '/3/0/2'].map(p));
  });
});

describe('SenML JSON: bad input', () => {
  const cases: [string, string, string][] = [
    ['not JSON', '[{"n":', 'MALFORMED'],
    ['trailing text', '[] x', 'MALFORMED'],
    ['not an array', '{"n":"/3/0/9","v":1}', 'MALFORMED'],
    ['record not an object', '[1]', 'MALFORMED'],
    ['n not a string', '[{"n":3,"v":1}]', 'MALFORMED'],
    ['v not a number', '[{"n":"/3/0/9","v":"1"}]', 'MALFORMED'],
    ['vb not a boolean', '[{"n":"/3311/0/5850","vb":1}]', 'MALFORMED'],
    ['two values', '[{"n":"/3/0/9","v":1,"vs":"1"}]', 'MALFORMED'],
    ['duplicate key', '[{"n":"/3/0/9","v":1,"v":2}]', 'MALFORMED'],
    ['must-understand field', '[{"n":"/3/0/9","v":1,"x_":1}]', 'MALFORMED'],
    ['bad escape', '[{"n":"/3/0/9\\q","v":1}]', 'MALFORMED'],
    ['leading zero', '[{"n":"/3/0/9","v":01}]', 'MALFORMED'],
  ];
  for (const [name, json, code] of cases) {
    test(name, () => assert.equal(decCode('/3/0/9', json), code));
  }

  test('invalid UTF-8 is MALFORMED', () => {
    assert.equal(codeOf(() => codec.decode(p('/3/0/0'), new Uint8Array([0x5b, 0x22, 0xff, 0x22, 0x5d]), ctx)), 'MALFORMED');
  });

  test('record count and nesting depth are bounded before building anything', () => {
    const small = ctxOf({ maxRecords: 3 });
    const four = '[{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":1}]';
    assert.equal(codeOf(() => codec.decode(p('/3/0/9'), utf8(four), small)), 'LIMIT_EXCEEDED');
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    assert.equal(decCode('/3/0/9', deep), 'LIMIT_EXCEEDED');
    const wide = `[{"n":"/3/0/9","v":1,"x":[${'1,'.repeat(50_000)}1]}]`;
    assert.equal(codeOf(() => codec.decode(p('/3/0/9'), utf8(wide), ctxOf({ maxRecords: 100 }))), 'LIMIT_EXCEEDED');
    assert.equal(codeOf(() => codec.decode(p('/3/0/9'), utf8(four), ctxOf({ maxPayload: 10 }))), 'LIMIT_EXCEEDED');
    // a million-digit integer is read as a (huge) number, not parsed as a BigInt
    assert.equal(decCode('/3/0/9', `[{"n":"/3/0/9","v":${'7'.repeat(1_000_000)}}]`), 'TYPE_MISMATCH');
  });
});

describe('SenML JSON in the codec registry', () => {
  test('formats 110 and 320 decode the same; errors come back as values', () => {
    const reg = new CodecRegistry();
    for (const f of [ContentFormat.SENML_JSON, ContentFormat.SENML_ETCH_JSON]) {
      const r = reg.decode(f, p('/3/0'), utf8(DEVICE_JSON), ctx);
      assert.ok(r.ok);
      assert.deepEqual(r.value, DEVICE_0);
      const bad = reg.decode(f, p('/3/0'), utf8('[{'), ctx);
      assert.ok(!bad.ok && bad.error.code === 'MALFORMED');
    }
    const paths = reg.encodePaths(ContentFormat.SENML_ETCH_JSON, COMPOSITE_PATHS);
    assert.ok(paths.ok && text(paths.value) === PATHS_JSON);
  });
});
