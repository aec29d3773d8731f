import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type LwM2mNode, type Value } from '../../../src/lwm2m/node.js';
import { tlvCodec } from '../../../src/lwm2m/codec/tlv.js';
import { CodecError, DEFAULT_LIMITS, type CodecErrorCode } from '../../../src/lwm2m/codec/codec.js';
import { treeArb, valueArb } from '../../helpers/node-arbitraries.js';
import { ALL_TYPES, ALL_TYPES_ID, ctxOf, hex, toHex } from './spec-models.js';

const ctx = ctxOf();
const p = (s: string): LwM2mPath => LwM2mPath.parse(s);

function codeOf(fn: () => unknown): CodecErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
}

describe('TLV values', () => {
  test('integers take the shortest two\'s complement width', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [127, '7F'],
      [-128, '80'],
      [128, '00 80'],
      [-129, 'FF 7F'],
      [32767, '7F FF'],
      [-32768, '80 00'],
      [32768, '00 00 80 00'],
      [2147483647, '7F FF FF FF'],
      [-2147483648, '80 00 00 00'],
      [2147483648, '00 00 00 00 80 00 00 00'],
      [-2147483649, 'FF FF FF FF 7F FF FF FF'],
      [9007199254740993n, '00 20 00 00 00 00 00 01'],
      [2n ** 63n - 1n, '7F FF FF FF FF FF FF FF'],
      [-(2n ** 63n), '80 00 00 00 00 00 00 00'],
    ];
    for (const [v, bytes] of cases) {
      const enc = tlvCodec.encode(p('/32000/0/11'), resource(11, 'integer', v), ctx);
      assert.equal(toHex(enc.subarray(enc.length - bytes.split(' ').length)), bytes, String(v));
      assert.deepStrictEqual(tlvCodec.decode(p('/32000/0/11'), enc, ctx), resource(11, 'integer', v));
    }
  });

  test('unsigned integers up to 2^64-1, shortest width', () => {
    for (const [v, len] of [[255, 1], [256, 2], [65535, 2], [65536, 4], [2 ** 32 - 1, 4], [2 ** 32, 8], [2n ** 64n - 1n, 8]] as const) {
      const enc = tlvCodec.encode(p('/32000/0/12'), resource(12, 'unsigned', v), ctx);
      assert.equal(enc.length - (len === 8 ? 3 : 2), len, String(v));
      assert.deepStrictEqual(tlvCodec.decode(p('/32000/0/12'), enc, ctx), resource(12, 'unsigned', v));
    }
  });

  test('a 3-byte integer from a lax client is read', () => {
    assert.deepStrictEqual(tlvCodec.decode(p('/32000/0/11'), hex('C3 0B FF FF FE'), ctx), resource(11, 'integer', -2));
  });

  test('floats: 4 bytes when exactly a float32, 8 otherwise; 4-byte input read', () => {
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/13'), resource(13, 'float', 1.5), ctx)), 'C4 0D 3F C0 00 00');
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/13'), resource(13, 'float', 0.1), ctx)), 'C8 0D 08 3F B9 99 99 99 99 99 9A');
    assert.deepStrictEqual(tlvCodec.decode(p('/32000/0/13'), hex('C4 0D 40 49 0F DB'), ctx), resource(13, 'float', Math.fround(Math.PI)));
    assert.equal(codeOf(() => tlvCodec.decode(p('/32000/0/13'), hex('C2 0D 40 49'), ctx)), 'TYPE_MISMATCH');
  });

  test('boolean, objlnk, time, opaque, corelnk, string bytes', () => {
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/14'), resource(14, 'boolean', false), ctx)), 'C1 0E 00');
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/17'), resource(17, 'objlnk', { objectId: 3, instanceId: 256 }), ctx)), 'C4 11 00 03 01 00');
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/16'), resource(16, 'time', 1700000000), ctx)), 'C4 10 65 53 F1 00');
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/15'), resource(15, 'opaque', Uint8Array.of(1, 2)), ctx)), 'C2 0F 01 02');
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/18'), resource(18, 'corelnk', '</3>'), ctx)), 'C4 12 3C 2F 33 3E');
    assert.equal(toHex(tlvCodec.encode(p('/32000/0/10'), resource(10, 'string', ''), ctx)), 'C0 0A');
  });

  test('values that do not fit their type are refused on encode', () => {
    const bad: [string, Value][] = [
      ['integer', 1.5],
      ['integer', 2n ** 63n],
      ['unsigned', -1],
      ['unsigned', 2n ** 64n],
      ['float', '1'],
      ['boolean', 1],
      ['string', 5],
      ['opaque', 'ab'],
      ['objlnk', { objectId: 70000, instanceId: 0 }],
      ['time', 'now'],
    ];
    for (const [type, v] of bad) {
      const rid = 10 + ALL_TYPES.indexOf(type as never);
      assert.equal(codeOf(() => tlvCodec.encode(p(`/32000/0/${rid}`), resource(rid, type as never, v), ctx)), 'TYPE_MISMATCH', `${type} ${String(v)}`);
    }
  });

  test('value bytes that do not fit the model type are TYPE_MISMATCH', () => {
    assert.equal(codeOf(() => tlvCodec.decode(p('/32000/0/14'), hex('C1 0E 02'), ctx)), 'TYPE_MISMATCH'); // boolean 2
    assert.equal(codeOf(() => tlvCodec.decode(p('/32000/0/17'), hex('C3 11 00 03 01'), ctx)), 'TYPE_MISMATCH'); // objlnk 3 bytes
    assert.equal(codeOf(() => tlvCodec.decode(p('/32000/0/11'), hex('C0 0B'), ctx)), 'TYPE_MISMATCH'); // integer 0 bytes
    assert.equal(codeOf(() => tlvCodec.decode(p('/32000/0/11'), hex('C8 0B 09 00 00 00 00 00 00 00 00 01'), ctx)), 'TYPE_MISMATCH'); // 9 bytes
    assert.equal(codeOf(() => tlvCodec.decode(p('/32000/0/10'), hex('C2 0A C3 28'), ctx)), 'TYPE_MISMATCH'); // bad UTF-8
  });
});

describe('TLV levels and the model', () => {
  test('a resource the model does not know is kept as opaque bytes, flagged unknown', () => {
    const node = tlvCodec.decode(p('/3/0'), hex('C1 09 64 C2 63 AB CD 83 64 41 00 07'), ctx);
    assert.deepStrictEqual(node, {
      kind: 'instance',
      id: 0,
      resources: new Map<number, LwM2mNode>([
        [9, resource(9, 'integer', 100)],
        [99, { ...resource(99, 'opaque', Uint8Array.of(0xab, 0xcd)), unknown: true }],
        [100, { kind: 'multiResource', id: 100, type: 'opaque', unknown: true, instances: new Map([[0, { ...resourceInstance(0, 'opaque', Uint8Array.of(7)), unknown: true }]]) }],
      ]),
    });
    const unknownObject = tlvCodec.decode(p('/40000/1/2'), hex('C1 02 05'), ctx);
    assert.deepStrictEqual(unknownObject, { ...resource(2, 'opaque', Uint8Array.of(5)), unknown: true });
  });

  test('decoded opaque values are plain Uint8Arrays, not views on the payload', () => {
    const payload = hex('C2 0F 01 02');
    const node = tlvCodec.decode(p('/32000/0/15'), payload, ctx);
    assert.ok(node.kind === 'resource' && node.value instanceof Uint8Array);
    payload[2] = 9;
    assert.deepStrictEqual(node.value, Uint8Array.of(1, 2));
    const fromBuffer = tlvCodec.decode(p('/32000/0/15'), Buffer.from('C20F0102', 'hex'), ctx);
    assert.equal(Object.getPrototypeOf((fromBuffer as { value: Uint8Array }).value), Uint8Array.prototype);
  });

  test('empty payloads: an empty object, an empty instance, an empty multiple resource', () => {
    assert.deepStrictEqual(tlvCodec.decode(p('/3'), new Uint8Array(0), ctx), object(3, []));
    assert.deepStrictEqual(tlvCodec.decode(p('/3/0'), new Uint8Array(0), ctx), instance(0, []));
    assert.deepStrictEqual(tlvCodec.decode(p('/3/0/6'), new Uint8Array(0), ctx), multiResource(6, 'integer', {}));
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/9'), new Uint8Array(0), ctx)), 'TRUNCATED');
    assert.equal(toHex(tlvCodec.encode(p('/3/0/6'), multiResource(6, 'integer', {}), ctx)), '80 06');
  });

  test('ids named by the path must match: PATH_MISMATCH', () => {
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/9'), hex('C1 0A 0F'), ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/9'), hex('08 01 03 C1 09 64'), ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/1'), hex('08 00 03 C1 09 64'), ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/6/1'), hex('41 00 01'), ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => tlvCodec.encode(p('/3/0/9'), resource(10, 'integer', 1), ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => tlvCodec.encode(p('/3/1'), instance(0, []), ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => tlvCodec.encode(p('/4'), object(3, []), ctx)), 'PATH_MISMATCH');
  });

  test('structure against the path: BAD_NESTING', () => {
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), hex('41 00 01'), ctx)), 'BAD_NESTING'); // resource instance in an instance
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), hex('08 00 03 C1 09 64 08 01 03 C1 09 64'), ctx)), 'BAD_NESTING');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3'), hex('08 00 03 C1 09 64 C1 0A 0F'), ctx)), 'BAD_NESTING'); // mixed
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/9'), hex('C1 09 64 C1 0A 0F'), ctx)), 'BAD_NESTING');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/6/0'), hex('C1 00 01'), ctx)), 'BAD_NESTING');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/6'), hex('83 06 C1 00 01'), ctx)), 'BAD_NESTING'); // resource inside multiple
    assert.equal(codeOf(() => tlvCodec.decode(p('/3'), hex('08 00 05 08 01 02 C0 00'), ctx)), 'BAD_NESTING'); // instance in instance
    assert.equal(codeOf(() => tlvCodec.encode(p('/3/0'), resource(9, 'integer', 1), ctx)), 'BAD_NESTING');
    assert.equal(codeOf(() => tlvCodec.encode(p('/3/0/6'), resourceInstance(6, 'integer', 1), ctx)), 'BAD_NESTING');
  });

  test('duplicate ids are MALFORMED', () => {
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), hex('C1 09 64 C1 09 65'), ctx)), 'MALFORMED');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/6'), hex('86 06 41 00 01 41 00 05'), ctx)), 'MALFORMED');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3'), hex('08 00 00 08 00 00'), ctx)), 'MALFORMED');
  });

  test('the root path is not a TLV level', () => {
    assert.equal(codeOf(() => tlvCodec.decode(LwM2mPath.ROOT, hex('C1 09 64'), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => tlvCodec.encode(LwM2mPath.ROOT, object(3, []), ctx)), 'UNSUPPORTED');
  });
});

describe('TLV bad input', () => {
  test('lengths beyond the buffer are TRUNCATED, whatever the length field size', () => {
    for (const h of ['C8', 'C8 00', 'C8 00 05 41', 'D0 00 01', 'D8 00 00 00 FF 00', 'E1 00', '86 06 41 00', '88 07 08 42 00 0E D8 42', 'C4 0D 51 82']) {
      assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), hex(h), ctx)), 'TRUNCATED', h);
    }
  });

  test('entry count bounded by limits.maxRecords', () => {
    const many = hex('C1 09 64 '.repeat(1).concat('C1 0A 0F C1 14 01 C1 15 02'));
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), many, ctxOf(undefined, { maxRecords: 3 }))), 'LIMIT_EXCEEDED');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), many, ctxOf(undefined, { maxRecords: 4 }))), 'none');
    const nested = hex('86 06 41 00 01 41 01 05');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0/6'), nested, ctxOf(undefined, { maxRecords: 2 }))), 'LIMIT_EXCEEDED');
  });

  test('a payload above limits.maxPayload is LIMIT_EXCEEDED', () => {
    const small = ctxOf(undefined, { maxPayload: 4 });
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), hex('C1 09 64 C1 0A'), small)), 'LIMIT_EXCEEDED');
    assert.equal(codeOf(() => tlvCodec.decode(p('/3/0'), hex('C1 09 64'), small)), 'none');
  });

  test('random and mutated payloads give a node or a CodecError, never another exception', () => {
    const seeds = [hex('08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F'), hex('88 07 08 42 00 0E D8 42 01 13 88'), hex('C4 0D 51 82 42 8F')];
    const paths = ['/2', '/3', '/3/0', '/3/0/7', '/3/0/7/1', '/32000/0/17', '/40000/0'].map(p);
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([s, muts]) => {
        const b = new Uint8Array(s);
        for (const [i, v] of muts) b[i % b.length] = v;
        return b;
      }),
    );
    fc.assert(
      fc.property(payload, fc.constantFrom(...paths), (bytes, path) => {
        try {
          tlvCodec.decode(path, bytes, ctx);
        } catch (e) {
          assert.ok(e instanceof CodecError, String(e));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('TLV round trips', () => {
  test('every type at every level, single and multiple', () => {
    for (const [n, type] of ALL_TYPES.entries()) {
      fc.assert(
        fc.property(valueArb(type), valueArb(type), (a, b) => {
          const single = resource(10 + n, type, a);
          const multi = multiResource(100 + n, type, { 0: a, 7: b });
          const ri = resourceInstance(300, type, b);
          const inst = instance(5, [single, multi]);
          const cases: [string, LwM2mNode][] = [
            [`/${ALL_TYPES_ID}/5/${10 + n}`, single],
            [`/${ALL_TYPES_ID}/5/${100 + n}`, multi],
            [`/${ALL_TYPES_ID}/5/${100 + n}/300`, ri],
            [`/${ALL_TYPES_ID}/5`, inst],
            [`/${ALL_TYPES_ID}`, object(ALL_TYPES_ID, [inst, instance(6, [single])])],
          ];
          for (const [path, node] of cases) {
            assert.deepStrictEqual(tlvCodec.decode(p(path), tlvCodec.encode(p(path), node, ctx), ctx), node, path);
          }
        }),
        { numRuns: 60 },
      );
    }
  });

  test('property: random typed trees survive encode then decode', () => {
    fc.assert(
      fc.property(treeArb({ nonFiniteFloats: true, allowEmpty: true }), (t) => {
        const c = { model: t.provider, limits: DEFAULT_LIMITS };
        const bytes = tlvCodec.encode(t.path, t.node, c);
        assert.deepStrictEqual(tlvCodec.decode(t.path, bytes, c), t.node);
      }),
      { numRuns: 500 },
    );
  });
});
