import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lwm2mCborCodec as codec } from '../../../src/lwm2m/codec/lwm2m-cbor.js';
import { CodecError, ContentFormat, DEFAULT_LIMITS, type CodecContext } from '../../../src/lwm2m/codec/codec.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import type { ResourceType } from '../../../src/lwm2m/model/types.js';
import {
  NODE_LEVELS,
  objectModelFor,
  registryOf,
  resourceModelFor,
  treeArb,
} from '../../helpers/node-arbitraries.js';

// A hand-built Device object (3) and a test object (9000) with one resource of each type.
const device = objectModelFor(3, [
  resourceModelFor(0, 'string', false),
  resourceModelFor(1, 'string', false),
  resourceModelFor(4, 'none', false),
  resourceModelFor(6, 'integer', true),
  resourceModelFor(9, 'integer', false),
  resourceModelFor(11, 'integer', true),
  resourceModelFor(13, 'time', false),
  resourceModelFor(16, 'string', false),
]);
const TYPES: ResourceType[] = ['string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk'];
const typesObject = objectModelFor(
  9000,
  TYPES.map((t, i) => resourceModelFor(i, t, false)),
);
const ctx: CodecContext = { model: registryOf(device, typesObject), limits: DEFAULT_LIMITS };
const p = (s: string): LwM2mPath => LwM2mPath.parse(s);
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
  return 'OK';
}

// CBOR of "x" is 61 78, of "y" 61 79.
test('nested maps from the object down: {3: {0: {0: "x"}}}', () => {
  const node = codec.decode(p('/3/0/0'), hex('a1 03 a1 00 a1 00 61 78'), ctx);
  assert.deepEqual(node, resource(0, 'string', 'x'));
});

test('array keys as path shortcuts: {[3, 0]: {0: "x", 1: "y"}} both ways, byte-exact', () => {
  const bytes = hex('a1 82 03 00 a2 00 61 78 01 61 79');
  const node = instance(0, [resource(0, 'string', 'x'), resource(1, 'string', 'y')]);
  assert.deepEqual(codec.decode(p('/3/0'), bytes, ctx), node);
  assert.equal(toHex(codec.encode(p('/3/0'), node, ctx)), toHex(bytes));
});

test('every form of the same resource decodes alike', () => {
  const forms = [
    'a1 83 03 00 00 61 78', // {[3, 0, 0]: "x"}
    'a1 03 a1 00 a1 00 61 78', // {3: {0: {0: "x"}}}
    'a1 81 03 a1 81 00 a1 81 00 61 78', // {[3]: {[0]: {[0]: "x"}}}
    'a1 03 a1 82 00 00 61 78', // {3: {[0, 0]: "x"}}
    'bf 9f 03 00 00 ff 61 78 ff', // {_ [_ 3, 0, 0]: "x"}
    'bf 81 03 bf 00 bf 00 7f 61 78 ff ff ff ff', // indefinite maps and an indefinite text string
  ];
  for (const f of forms) assert.deepEqual(codec.decode(p('/3/0/0'), hex(f), ctx), resource(0, 'string', 'x'), f);
});

test('shortcut and nested keys mixed in one payload: {[3, 0]: {0: "x"}, [3, 0, 1]: "y"}', () => {
  const node = codec.decode(p('/3/0'), hex('a2 82 03 00 a1 00 61 78 83 03 00 01 61 79'), ctx);
  assert.deepEqual(node, instance(0, [resource(0, 'string', 'x'), resource(1, 'string', 'y')]));
});

test('multi-instance resource, resource instance, object levels', () => {
  // {[3, 0, 6]: {0: 1, 1: 5}}
  const multi = hex('a1 83 03 00 06 a2 00 01 01 05');
  const node = multiResource(6, 'integer', { 0: 1, 1: 5 });
  assert.deepEqual(codec.decode(p('/3/0/6'), multi, ctx), node);
  assert.equal(toHex(codec.encode(p('/3/0/6'), node, ctx)), toHex(multi));
  // {[3, 0, 6, 1]: 5}
  const ri = hex('a1 84 03 00 06 01 05');
  assert.deepEqual(codec.decode(p('/3/0/6/1'), ri, ctx), resourceInstance(1, 'integer', 5));
  assert.equal(toHex(codec.encode(p('/3/0/6/1'), resourceInstance(1, 'integer', 5), ctx)), toHex(ri));
  // the whole resource is more than the instance asked for
  assert.equal(codeOf(() => codec.decode(p('/3/0/6/1'), multi, ctx)), 'PATH_MISMATCH');
  // {3: {[0, 9]: 80, [1, 9]: 20}}: every chain of single children is one key
  const obj = object(3, [instance(0, [resource(9, 'integer', 80)]), instance(1, [resource(9, 'integer', 20)])]);
  const objBytes = hex('a1 03 a2 82 00 09 18 50 82 01 09 14');
  assert.deepEqual(codec.decode(p('/3'), hex('a1 03 a2 00 a1 09 18 50 01 a1 09 14'), ctx), obj);
  assert.equal(toHex(codec.encode(p('/3'), obj, ctx)), toHex(objBytes));
  assert.deepEqual(codec.decode(p('/3'), objBytes, ctx), obj);
});

test('empty containers: object, instance, multi-instance resource', () => {
  assert.deepEqual(codec.decode(p('/3'), hex('a1 03 a0'), ctx), object(3, []));
  assert.deepEqual(codec.decode(p('/3/0'), hex('a1 82 03 00 a0'), ctx), instance(0, []));
  assert.deepEqual(codec.decode(p('/3/0/6'), hex('a1 83 03 00 06 a0'), ctx), multiResource(6, 'integer', {}));
  assert.equal(toHex(codec.encode(p('/3/0/6'), multiResource(6, 'integer', {}), ctx)), 'a183030006a0');
});

test('data types per the CBOR data type mapping', () => {
  const cases: Array<[number, ResourceType, string, unknown]> = [
    [0, 'string', '63 61 62 63', 'abc'],
    [1, 'integer', '38 63', -100],
    [1, 'integer', '1b 7f ff ff ff ff ff ff ff', 2n ** 63n - 1n],
    [1, 'integer', '3b 7f ff ff ff ff ff ff ff', -(2n ** 63n)],
    [1, 'integer', '1b 00 00 00 00 00 00 00 07', 7],
    [2, 'unsigned', '1b ff ff ff ff ff ff ff ff', 2n ** 64n - 1n],
    [3, 'float', 'f9 4d c0', 23],
    [3, 'float', 'f9 3e 00', 1.5],
    [3, 'float', 'fa 47 80 00 40', 65536.5],
    [3, 'float', 'fb 40 09 1e b8 51 eb 85 1f', 3.14],
    [4, 'boolean', 'f5', true],
    [5, 'opaque', '43 01 02 03', Uint8Array.of(1, 2, 3)],
    // Time: tag 1 and the epoch seconds, the date/time "as defined in Section 2.4.1 of
    // [RFC7049]" of the LwM2M 1.2 Core Appendix C data type table (Table C.-2)
    [6, 'time', 'c1 1a 58 0a 0f 1d', 1477054237],
    [7, 'objlnk', '65 33 3a 31 30 31', { objectId: 3, instanceId: 101 }],
    [8, 'corelnk', '65 3c 2f 33 2f 3e', '</3/>'],
  ];
  for (const [rid, type, valueHex, value] of cases) {
    // {[9000, 0, rid]: value}
    const buf = hex(`a1 83 19 23 28 00 ${rid.toString(16).padStart(2, '0')} ${valueHex}`);
    const node = resource(rid, type, value as never);
    assert.deepEqual(codec.decode(p(`/9000/0/${rid}`), buf, ctx), node, `${type} ${valueHex}`);
    // the 64-bit integer 7 is written in its shortest form
    if (valueHex.startsWith('1b 00')) continue;
    assert.equal(toHex(codec.encode(p(`/9000/0/${rid}`), node, ctx)), toHex(buf), `${type} ${valueHex}`);
  }
});

test('lenient value forms: integral floats, ints for floats, time tags, bignums, decimal fractions', () => {
  const dec = (rid: number, valueHex: string): unknown =>
    (codec.decode(p(`/9000/0/${rid}`), hex(`a1 83 19 23 28 00 0${rid} ${valueHex}`), ctx) as { value: unknown }).value;
  assert.equal(dec(1, 'f9 3c 00'), 1); // 1.0 for an integer
  assert.equal(dec(3, '05'), 5); // 5 for a float
  assert.equal(dec(3, 'c4 82 21 19 6a b3'), 273.15); // decimal fraction 27315e-2
  assert.equal(dec(6, '1a 58 0a 0f 1d'), 1477054237); // untagged epoch seconds
  assert.equal(dec(6, 'c1 1a 58 0a 0f 1d'), 1477054237); // tag 1 epoch
  assert.equal(dec(6, 'c0 74 32 30 31 36 2d 31 30 2d 32 31 54 31 32 3a 35 30 3a 33 37 5a'), 1477054237); // tag 0 "2016-10-21T12:50:37Z"
  assert.equal(dec(1, 'c3 48 7f ff ff ff ff ff ff ff'), -(2n ** 63n)); // negative bignum
  assert.equal(codeOf(() => dec(1, 'c2 49 01 00 00 00 00 00 00 00 00')), 'TYPE_MISMATCH'); // 2^64 is no int64
  assert.equal(dec(2, 'c2 48 ff ff ff ff ff ff ff ff'), 2n ** 64n - 1n);
  assert.deepEqual(dec(5, '5f 42 01 02 41 03 ff'), Uint8Array.of(1, 2, 3)); // indefinite byte string
});

test('resources the model does not know are kept, typed by their CBOR type and flagged', () => {
  // {[3, 0]: {900: "abc", 901: 1.5, 902: {0: 1, 1: 2}}}
  const node = codec.decode(p('/3/0'), hex('a1 82 03 00 a3 19 03 84 63 61 62 63 19 03 85 f9 3e 00 19 03 86 a2 00 01 01 02'), ctx);
  assert.equal(node.kind, 'instance');
  if (node.kind !== 'instance') return;
  assert.deepEqual(node.resources.get(900), { ...resource(900, 'string', 'abc'), unknown: true });
  assert.deepEqual(node.resources.get(901), { ...resource(901, 'float', 1.5), unknown: true });
  const multi = node.resources.get(902);
  assert.equal(multi?.kind, 'multiResource');
  assert.equal(multi?.unknown, true);
  // an object nobody knows
  const other = codec.decode(p('/42/0/1'), hex('a1 83 18 2a 00 01 43 01 02 03'), ctx);
  assert.deepEqual(other, { ...resource(1, 'opaque', Uint8Array.of(1, 2, 3)), unknown: true });
});

test('bad input gives stable codec errors', () => {
  const cases: Array<[string, string, string]> = [
    ['', '/3/0/0', 'TRUNCATED'],
    ['83 03 00 00', '/3/0/0', 'MALFORMED'], // an array, not a map
    ['a1 83 03 00 00 61', '/3/0/0', 'TRUNCATED'], // string cut short
    ['a1 83 03 00 00 61 78 00', '/3/0/0', 'MALFORMED'], // trailing byte
    ['a1 83 03 00 00 7a ff ff ff ff', '/3/0/0', 'TRUNCATED'], // length beyond the payload
    ['bb ff ff ff ff ff ff ff ff', '/3/0/0', 'TRUNCATED'], // map count beyond the payload
    ['a1 83 04 00 00 61 78', '/3/0/0', 'PATH_MISMATCH'],
    ['a1 82 03 00 61 78', '/3/0', 'BAD_NESTING'], // value at instance level
    ['a1 84 03 00 06 00 a1 00 01', '/3/0/6', 'BAD_NESTING'], // map below a resource instance
    ['a1 85 03 00 06 00 00 01', '/3', 'MALFORMED'], // five ids
    ['a1 83 03 00 19 ff ff 01', '/3', 'MALFORMED'], // id 65535
    ['a1 83 03 00 20 01', '/3', 'MALFORMED'], // negative id
    ['a1 83 03 00 00 01', '/3/0/0', 'TYPE_MISMATCH'], // integer for a string
    ['a1 83 03 00 09 61 78', '/3/0/9', 'TYPE_MISMATCH'], // string for an integer
    ['a2 83 03 00 00 61 78 83 03 00 00 61 79', '/3/0/0', 'MALFORMED'], // same path twice
    ['a2 83 03 00 06 01 84 03 00 06 00 01', '/3/0/6', 'BAD_NESTING'], // value and instances
    ['a1 83 03 00 00 62 c3 28', '/3/0/0', 'MALFORMED'], // invalid UTF-8
    ['a1 83 03 00 00 f0', '/3/0/0', 'MALFORMED'], // unassigned simple value
    ['a1 83 03 00 00 ff', '/3/0/0', 'MALFORMED'], // lone break
    ['a1 83 03 00 00 82 01 02', '/3/0/0', 'MALFORMED'], // array value
    ['a1 83 03 00 01 61 78', '/3/0/0', 'PATH_MISMATCH'], // another resource
    ['a1 82 03 00 a0', '/3/0/0', 'MALFORMED'], // nothing at the path
    ['a1 f6 00', '/3', 'MALFORMED'], // null key
  ];
  for (const [h, path, code] of cases) assert.equal(codeOf(() => codec.decode(p(path), hex(h), ctx)), code, `${h} at ${path}`);
  assert.equal(codeOf(() => codec.decode(LwM2mPath.ROOT, hex('a0'), ctx)), 'UNSUPPORTED');
});

test('limits: depth, item count, payload size', () => {
  const deep = new Uint8Array(200).fill(0x81);
  assert.equal(codeOf(() => codec.decode(p('/3'), deep, ctx)), 'LIMIT_EXCEEDED');
  const small: CodecContext = { ...ctx, limits: { ...DEFAULT_LIMITS, maxRecords: 3, maxPayload: 64 } };
  // {[3, 0]: {0: 1, 1: 2, 2: 3}} has 1 + 2 + 3 items
  assert.equal(codeOf(() => codec.decode(p('/3/0'), hex('a1 82 03 00 a3 00 01 01 02 02 03'), small)), 'LIMIT_EXCEEDED');
  assert.equal(codeOf(() => codec.decode(p('/3/0'), new Uint8Array(65), small)), 'LIMIT_EXCEEDED');
});

test('encode refuses nodes that do not fit their path or type', () => {
  assert.equal(codeOf(() => codec.encode(p('/3/0'), resource(0, 'string', 'x'), ctx)), 'BAD_NESTING');
  assert.equal(codeOf(() => codec.encode(p('/3/0/1'), resource(0, 'string', 'x'), ctx)), 'PATH_MISMATCH');
  assert.equal(codeOf(() => codec.encode(p('/3/0/0'), resource(0, 'integer', 'x'), ctx)), 'TYPE_MISMATCH');
  assert.equal(codeOf(() => codec.encode(p('/3/0/0'), resource(0, 'unsigned', -1), ctx)), 'TYPE_MISMATCH');
  assert.equal(codeOf(() => codec.encode(p('/3/0/0'), resource(0, 'integer', 2n ** 63n), ctx)), 'TYPE_MISMATCH');
  assert.equal(codeOf(() => codec.encode(p('/3'), instance(undefined, [resource(0, 'string', 'x')]), ctx)), 'UNSUPPORTED');
  // an instance with its id, written to its object path
  assert.equal(toHex(codec.encode(p('/3'), instance(1, [resource(0, 'string', 'x')]), ctx)), toHex(hex('a1 83 03 01 00 61 78')));
});

test('composite: encodeNodes / decodeNodes, with nulls for absent paths', () => {
  const nodes = new Map<string, LwM2mNode | null>([
    ['/3/0/0', resource(0, 'string', 'x')],
    ['/3/0/1', resource(1, 'string', 'y')],
    ['/9000/0/1', resource(1, 'integer', 86400)],
    ['/5/0', null],
  ]);
  const bytes = codec.encodeNodes(nodes, ctx);
  // {[3, 0]: {0: "x", 1: "y"}, [9000, 0, 1]: 86400}
  assert.equal(toHex(bytes), toHex(hex('a2 82 03 00 a2 00 61 78 01 61 79 83 19 23 28 00 01 1a 00 01 51 80')));
  const paths = ['/3/0/0', '/3/0/1', '/9000/0/1', '/5/0'].map(p);
  assert.deepEqual(codec.decodeNodes(bytes, paths, ctx), nodes);
  // without paths: each value its own node
  assert.deepEqual([...codec.decodeNodes(bytes, undefined, ctx).keys()], ['/3/0/0', '/3/0/1', '/9000/0/1']);
  // grouped under a wider path
  assert.deepEqual(codec.decodeNodes(bytes, [p('/3/0'), p('/9000')], ctx).get('/3/0'), instance(0, [resource(0, 'string', 'x'), resource(1, 'string', 'y')]));
  assert.equal(codeOf(() => codec.decodeNodes(bytes, [p('/3')], ctx)), 'PATH_MISMATCH');
  // an explicit null
  assert.deepEqual(codec.decodeNodes(hex('a1 82 05 00 f6'), [p('/5/0')], ctx), new Map([['/5/0', null]]));
  assert.deepEqual(codec.decodeNodes(hex('a1 82 05 00 f6'), undefined, ctx), new Map([['/5/0', null]]));
});

test('composite request bodies: a path list is a map of nulls', () => {
  const paths = [p('/3/0/0'), p('/3/0/9'), p('/1'), p('/9000/0')];
  const bytes = codec.encodePaths(paths);
  // {1: null, [3, 0]: {0: null, 9: null}, [9000, 0]: null}
  assert.equal(toHex(bytes), toHex(hex('a3 01 f6 82 03 00 a2 00 f6 09 f6 82 19 23 28 00 f6')));
  assert.deepEqual(
    codec.decodePaths(bytes, ctx).map(String).sort(),
    paths.map(String).sort(),
  );
  assert.equal(codeOf(() => codec.decodePaths(hex('a1 83 03 00 00 61 78'), ctx)), 'MALFORMED');
});

test('timestamps: one group without time only', () => {
  const nodes = new Map<string, LwM2mNode>([['/3/0/9', resource(9, 'integer', 80)]]);
  const bytes = codec.encodeTimestamped(undefined, [{ time: undefined, nodes }], ctx);
  assert.deepEqual(codec.decodeTimestamped(undefined, bytes, ctx), [{ time: undefined, nodes }]);
  assert.deepEqual(codec.decodeTimestamped(p('/3/0'), bytes, ctx), [
    { time: undefined, nodes: new Map([['/3/0', instance(0, [resource(9, 'integer', 80)])]]) },
  ]);
  assert.equal(codeOf(() => codec.encodeTimestamped(undefined, [{ time: 1700000000, nodes }], ctx)), 'UNSUPPORTED');
  assert.equal(codeOf(() => codec.encodeTimestamped(undefined, [{ time: undefined, nodes }, { time: undefined, nodes }], ctx)), 'UNSUPPORTED');
  assert.equal(codeOf(() => codec.encodeTimestamped(p('/4'), [{ time: undefined, nodes }], ctx)), 'PATH_MISMATCH');
});

test('through the registry: results, never exceptions', () => {
  const reg = new CodecRegistry();
  assert.ok(reg.supports(ContentFormat.LWM2M_CBOR));
  const ok = reg.decode(ContentFormat.LWM2M_CBOR, p('/3/0/0'), hex('a1 83 03 00 00 61 78'), ctx);
  assert.deepEqual(ok, { ok: true, value: resource(0, 'string', 'x') });
  const bad = reg.decode(ContentFormat.LWM2M_CBOR, p('/3/0/0'), hex('a1 83'), ctx);
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.error.code, 'TRUNCATED');
});

test('property: encode then decode gives the tree back, at every level', () => {
  fc.assert(
    fc.property(treeArb({ levels: NODE_LEVELS, nonFiniteFloats: true, allowEmpty: true }), (t) => {
      const c: CodecContext = { model: t.provider, limits: DEFAULT_LIMITS };
      const bytes = codec.encode(t.path, t.node, c);
      // structuredClone: the generator's object links have a null prototype
      assert.deepStrictEqual(codec.decode(t.path, bytes, c), structuredClone(t.node));
    }),
    { numRuns: 300 },
  );
});

test('property: composite round trip of several trees of one model', () => {
  fc.assert(
    fc.property(treeArb({ levels: ['resource', 'multiResource', 'resourceInstance', 'instance'], objectId: 77 }), (t) => {
      const c: CodecContext = { model: t.provider, limits: DEFAULT_LIMITS };
      const nodes = new Map<string, LwM2mNode | null>([[t.path.toString(), t.node]]);
      const back = codec.decodeNodes(codec.encodeNodes(nodes, c), [t.path], c);
      assert.deepStrictEqual(back, structuredClone(nodes));
    }),
    { numRuns: 300 },
  );
});
