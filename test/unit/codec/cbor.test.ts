import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, resource, resourceInstance, type Value } from '../../../src/lwm2m/node.js';
import type { ResourceType } from '../../../src/lwm2m/model/types.js';
import { cborCodec } from '../../../src/lwm2m/codec/cbor.js';
import { CodecError, ContentFormat, DEFAULT_LIMITS, type CodecErrorCode } from '../../../src/lwm2m/codec/codec.js';
import { treeArb } from '../../helpers/node-arbitraries.js';
import { ALL_TYPES, ALL_TYPES_ID, ctxOf, hex, toHex, utf8Hex } from './spec-models.js';

const ctx = ctxOf();
const p = (s: string): LwM2mPath => LwM2mPath.parse(s);
const at = (type: ResourceType): [LwM2mPath, number] => {
  const rid = 10 + ALL_TYPES.indexOf(type);
  return [p(`/${ALL_TYPES_ID}/0/${rid}`), rid];
};

function codeOf(fn: () => unknown): CodecErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
}

function enc(type: ResourceType, v: Value): string {
  const [path, rid] = at(type);
  return toHex(cborCodec.encode(path, resource(rid, type, v), ctx));
}

function dec(type: ResourceType, h: string): Value {
  const [path] = at(type);
  return (cborCodec.decode(path, hex(h), ctx) as { value: Value }).value;
}

describe('plain CBOR (60)', () => {
  test('serves content format 60', () => {
    assert.deepEqual([...cborCodec.formats], [ContentFormat.CBOR]);
  });

  test('encodes each type as one data item (RFC 8949 encodings)', () => {
    assert.equal(enc('integer', 0), '00');
    assert.equal(enc('integer', -1), '20');
    assert.equal(enc('integer', 1000), '19 03 E8');
    assert.equal(enc('integer', -(2n ** 63n)), '3B 7F FF FF FF FF FF FF FF');
    assert.equal(enc('integer', 2n ** 63n - 1n), '1B 7F FF FF FF FF FF FF FF');
    assert.equal(enc('unsigned', 2n ** 64n - 1n), '1B FF FF FF FF FF FF FF FF');
    // LwM2M 1.2 Core Appendix C, Table C.-2: date/time "as defined in Section 2.4.1 of
    // [RFC7049]", i.e. tag 1 and the epoch seconds: 1(1367491215)
    assert.equal(enc('time', 1367491215), 'C1 1A 51 82 42 8F');
    assert.equal(enc('time', -1), 'C1 20'); // before 1970
    assert.equal(enc('time', 2n ** 63n - 1n), 'C1 1B 7F FF FF FF FF FF FF FF');
    assert.equal(enc('float', 1.5), 'FA 3F C0 00 00'); // exactly a float32
    assert.equal(enc('float', 5), 'FA 40 A0 00 00'); // an integral float stays a float
    assert.equal(enc('float', 0.1), 'FB 3F B9 99 99 99 99 99 9A');
    assert.equal(enc('boolean', true), 'F5');
    assert.equal(enc('boolean', false), 'F4');
    assert.equal(enc('string', 'Open Mobile Alliance'), `74 ${utf8Hex('Open Mobile Alliance')}`);
    assert.equal(enc('opaque', Uint8Array.of(1, 2, 3)), '43 01 02 03');
    assert.equal(enc('objlnk', { objectId: 3, instanceId: 0 }), `63 ${utf8Hex('3:0')}`);
    assert.equal(enc('corelnk', '</3>'), `64 ${utf8Hex('</3>')}`);
  });

  test('decodes leniently where the meaning is clear', () => {
    assert.equal(dec('float', '05'), 5); // integer for a float
    assert.equal(dec('float', 'F9 3C 00'), 1); // half precision
    assert.equal(dec('integer', '1B 00 00 00 00 00 00 00 05'), 5); // non-shortest integer
    assert.equal(dec('integer', '1B 00 20 00 00 00 00 00 01'), 9007199254740993n);
    assert.equal(dec('integer', 'C2 42 01 00'), 256); // bignum tag
    assert.equal(dec('time', '1A 51 82 42 8F'), 1367491215); // plain integer seconds
    assert.equal(dec('time', 'C1 1A 51 82 42 8F'), 1367491215); // tag 1 epoch
    assert.equal(dec('time', 'C1 3B 7F FF FF FF FF FF FF FF'), -(2n ** 63n)); // tag 1 beyond what a Date holds
    assert.equal(dec('time', 'C1 FB 41 D4 60 90 A3 C8 00 00'), 1367491215); // tag 1 float seconds 1367491215.125
    assert.equal(dec('time', `C0 74 ${utf8Hex('2013-05-02T10:40:15Z')}`), 1367491215); // tag 0 date text
    assert.equal(dec('time', 'FB 41 D4 60 90 A3 C0 00 00'), 1367491215); // float seconds
  });

  test('items that do not fit the type are TYPE_MISMATCH', () => {
    const bad: [ResourceType, string][] = [
      ['integer', '61 31'],
      ['integer', 'FA 3F C0 00 00'],
      ['integer', '1B 80 00 00 00 00 00 00 00'], // 2^63
      ['unsigned', '20'],
      ['boolean', '01'],
      ['string', '41 00'],
      ['opaque', '61 00'],
      ['objlnk', `63 ${utf8Hex('3-0')}`],
      ['float', 'F5'],
      ['time', `C1 63 ${utf8Hex('abc')}`], // tag 1 holds a number
      ['integer', 'C1 01'], // a time is no integer
    ];
    for (const [type, h] of bad) assert.equal(codeOf(() => dec(type, h)), 'TYPE_MISMATCH', `${type} ${h}`);
  });

  test('containers and odd tags are refused before they are parsed', () => {
    assert.equal(codeOf(() => dec('integer', '82 01 02')), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => dec('integer', 'A1 01 02')), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => dec('integer', 'D9 D9 F7 01')), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => dec('integer', 'C1 C1 01')), 'TYPE_MISMATCH');
    const deep = new Uint8Array(200_000).fill(0x81);
    assert.equal(codeOf(() => cborCodec.decode(at('integer')[0], deep, ctx)), 'TYPE_MISMATCH');
  });

  test('truncated, empty and trailing bytes', () => {
    assert.equal(codeOf(() => dec('integer', '')), 'TRUNCATED');
    assert.equal(codeOf(() => dec('integer', '19 03')), 'TRUNCATED');
    assert.equal(codeOf(() => dec('string', '78 FF 41')), 'TRUNCATED');
    assert.equal(codeOf(() => dec('integer', 'C1')), 'TRUNCATED');
    assert.equal(codeOf(() => dec('integer', '01 02')), 'MALFORMED');
  });

  test('a resource the model does not know keeps the item\'s own type, flagged unknown', () => {
    const unknown = (h: string): unknown => cborCodec.decode(p('/3/0/999'), hex(h), ctx);
    assert.deepStrictEqual(unknown('05'), { ...resource(999, 'integer', 5), unknown: true });
    assert.deepStrictEqual(unknown('FB 3F B9 99 99 99 99 99 9A'), { ...resource(999, 'float', 0.1), unknown: true });
    assert.deepStrictEqual(unknown('61 78'), { ...resource(999, 'string', 'x'), unknown: true });
    assert.deepStrictEqual(unknown('42 01 02'), { ...resource(999, 'opaque', Uint8Array.of(1, 2)), unknown: true });
    assert.deepStrictEqual(unknown('F4'), { ...resource(999, 'boolean', false), unknown: true });
    assert.deepStrictEqual(unknown('1B FF FF FF FF FF FF FF FF'), { ...resource(999, 'unsigned', 2n ** 64n - 1n), unknown: true });
    assert.deepStrictEqual(unknown('C1 1A 51 82 42 8F'), { ...resource(999, 'time', 1367491215), unknown: true });
  });

  test('one value only', () => {
    assert.equal(codeOf(() => cborCodec.encode(p('/3/0'), instance(0, []), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => cborCodec.encode(p('/3/0/6'), multiResource(6, 'integer', { 0: 1 }), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => cborCodec.decode(p('/3/0'), hex('01'), ctx)), 'UNSUPPORTED');
    assert.deepStrictEqual(cborCodec.decode(p('/3/0/6/1'), hex('05'), ctx), resourceInstance(1, 'integer', 5));
  });

  test('property: single resources and resource instances of every type round-trip', () => {
    fc.assert(
      fc.property(treeArb({ levels: ['resource', 'resourceInstance'], nonFiniteFloats: true }), (t) => {
        const c = { model: t.provider, limits: DEFAULT_LIMITS };
        assert.deepStrictEqual(cborCodec.decode(t.path, cborCodec.encode(t.path, t.node, c), c), t.node);
      }),
      { numRuns: 1000 },
    );
  });

  test('random payloads give a node or a CodecError', () => {
    const paths = [...ALL_TYPES.map((t) => at(t)[0].toString()), '/3/0/999'].map(p);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.constantFrom(...paths), (bytes, path) => {
        try {
          cborCodec.decode(path, bytes, ctx);
        } catch (e) {
          assert.ok(e instanceof CodecError, String(e));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
