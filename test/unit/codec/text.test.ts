import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, resourceInstance, type Value } from '../../../src/lwm2m/node.js';
import type { ResourceType } from '../../../src/lwm2m/model/types.js';
import { textCodec } from '../../../src/lwm2m/codec/text.js';
import { CodecError, ContentFormat, DEFAULT_LIMITS, type CodecErrorCode } from '../../../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { treeArb } from '../../helpers/node-arbitraries.js';
import { ALL_TYPES, ALL_TYPES_ID, ctxOf } from './spec-models.js';

const ctx = ctxOf();
const p = (s: string): LwM2mPath => LwM2mPath.parse(s);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
/** Path of the all-types test object's single resource of `type`. */
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
  return text(textCodec.encode(path, resource(rid, type, v), ctx));
}

function dec(type: ResourceType, s: string): Value {
  const [path] = at(type);
  const node = textCodec.decode(path, utf8(s), ctx);
  assert.equal(node.kind, 'resource');
  return (node as { value: Value }).value;
}

describe('text/plain', () => {
  test('serves content formats 0 and 1541', () => {
    assert.deepEqual([...textCodec.formats].sort(), [ContentFormat.TEXT, ContentFormat.OLD_TEXT].sort());
  });

  test('spec example: GET /3/0/0 answers "Open Mobile Alliance"', () => {
    const node = resource(0, 'string', 'Open Mobile Alliance');
    assert.equal(text(textCodec.encode(p('/3/0/0'), node, ctx)), 'Open Mobile Alliance');
    assert.deepStrictEqual(textCodec.decode(p('/3/0/0'), utf8('Open Mobile Alliance'), ctx), node);
    assert.deepStrictEqual(textCodec.decode(p('/3/0/13'), utf8('1367491215'), ctx), resource(13, 'time', 1367491215));
    const builtins = ctxOf(ModelRegistry.withBuiltins());
    assert.deepStrictEqual(textCodec.decode(p('/3/0/9'), utf8('100'), builtins), resource(9, 'integer', 100));
  });

  test('encodes every type', () => {
    assert.equal(enc('integer', -5), '-5');
    assert.equal(enc('integer', 2n ** 63n - 1n), '9223372036854775807');
    assert.equal(enc('unsigned', 2n ** 64n - 1n), '18446744073709551615');
    assert.equal(enc('float', 1.5), '1.5');
    assert.equal(enc('float', 3), '3');
    assert.equal(enc('float', -0), '-0.0');
    assert.equal(enc('float', NaN), 'NaN');
    assert.equal(enc('float', -Infinity), '-Infinity');
    assert.equal(enc('boolean', true), '1');
    assert.equal(enc('boolean', false), '0');
    assert.equal(enc('opaque', Uint8Array.of(1, 2, 3, 0xff)), 'AQID/w==');
    assert.equal(enc('time', 1700000000), '1700000000');
    assert.equal(enc('objlnk', { objectId: 3, instanceId: 0 }), '3:0');
    assert.equal(enc('corelnk', '</3/0>;ver=1.1'), '</3/0>;ver=1.1');
    assert.equal(enc('string', 'héllo ✓'), 'héllo ✓');
  });

  test('decodes leniently', () => {
    assert.equal(dec('integer', ' 42\n'), 42);
    assert.equal(dec('integer', '+7'), 7);
    assert.equal(dec('integer', '-9223372036854775808'), -(2n ** 63n));
    assert.equal(dec('integer', '9007199254740991'), Number.MAX_SAFE_INTEGER);
    assert.equal(dec('integer', '9007199254740992'), 9007199254740992n);
    assert.equal(dec('unsigned', '18446744073709551615'), 2n ** 64n - 1n);
    assert.equal(dec('float', '1e3'), 1000);
    assert.equal(dec('float', '-.5'), -0.5);
    assert.equal(dec('float', '7'), 7);
    assert.equal(dec('float', '12.'), 12);
    assert.equal(dec('float', '1733337483123.456'), 1733337483123.456);
    assert.ok(Object.is(dec('float', '-0.0'), -0));
    assert.ok(Number.isNaN(dec('float', 'nan')));
    assert.equal(dec('float', 'Infinity'), Infinity);
    assert.equal(dec('float', '-inf'), -Infinity);
    assert.equal(dec('boolean', 'true'), true);
    assert.equal(dec('boolean', 'FALSE'), false);
    assert.equal(dec('boolean', '1'), true);
    assert.deepStrictEqual(dec('opaque', 'AQID/w=='), Uint8Array.of(1, 2, 3, 0xff));
    assert.deepStrictEqual(dec('opaque', 'AQID_w'), Uint8Array.of(1, 2, 3, 0xff)); // base64url, no padding
    assert.deepStrictEqual(dec('opaque', ''), new Uint8Array(0));
    assert.deepStrictEqual(dec('objlnk', '65535:65535'), { objectId: 65535, instanceId: 65535 });
    assert.equal(dec('string', ' keep spaces '), ' keep spaces ');
  });

  test('text that does not fit the type is TYPE_MISMATCH', () => {
    const bad: [ResourceType, string][] = [
      ['integer', '12a'],
      ['integer', '1.5'],
      ['integer', '9223372036854775808'],
      ['integer', ''],
      ['unsigned', '-1'],
      ['unsigned', '18446744073709551616'],
      ['float', '1.2.3'],
      // a long run of digits with a bad end is refused like a short one (the pattern matches it one way only)
      ['float', '1'.repeat(20_000) + 'x'],
      ['float', '0x10'],
      ['boolean', '2'],
      ['boolean', 'yes'],
      ['opaque', 'AQ$D'],
      ['opaque', 'A'],
      ['objlnk', '3'],
      ['objlnk', '3:70000'],
      ['time', 'yesterday'],
    ];
    for (const [type, s] of bad) assert.equal(codeOf(() => dec(type, s)), 'TYPE_MISMATCH', `${type} "${s}"`);
  });

  test('a payload above limits.maxPayload is LIMIT_EXCEEDED', () => {
    assert.equal(codeOf(() => textCodec.decode(p('/3/0/0'), utf8('12345'), ctxOf(undefined, { maxPayload: 4 }))), 'LIMIT_EXCEEDED');
  });

  test('invalid UTF-8 is MALFORMED', () => {
    assert.equal(codeOf(() => textCodec.decode(p('/3/0/0'), Uint8Array.of(0x41, 0xc3, 0x28), ctx)), 'MALFORMED');
  });

  test('a resource the model does not know stays a string, flagged unknown', () => {
    assert.deepStrictEqual(textCodec.decode(p('/3/0/999'), utf8('42'), ctx), { ...resource(999, 'string', '42'), unknown: true });
    assert.deepStrictEqual(textCodec.decode(p('/40000/0/1/2'), utf8('x'), ctx), { ...resourceInstance(2, 'string', 'x'), unknown: true });
  });

  test('resource instances: /3/0/6/1', () => {
    assert.deepStrictEqual(textCodec.decode(p('/3/0/6/1'), utf8('5'), ctx), resourceInstance(1, 'integer', 5));
    assert.equal(text(textCodec.encode(p('/3/0/6/1'), resourceInstance(1, 'integer', 5), ctx)), '5');
  });

  test('one value only: objects, instances and multiple resources are UNSUPPORTED', () => {
    assert.equal(codeOf(() => textCodec.encode(p('/3'), object(3, []), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => textCodec.encode(p('/3/0'), instance(0, []), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => textCodec.encode(p('/3/0/6'), multiResource(6, 'integer', { 0: 1 }), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => textCodec.decode(p('/3/0'), utf8('1'), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => textCodec.decode(p('/3'), utf8('1'), ctx)), 'UNSUPPORTED');
  });

  test('node and path must agree', () => {
    assert.equal(codeOf(() => textCodec.encode(p('/3/0/9'), resource(10, 'integer', 1), ctx)), 'PATH_MISMATCH');
    assert.equal(codeOf(() => textCodec.encode(p('/3/0/6'), resourceInstance(6, 'integer', 1), ctx)), 'BAD_NESTING');
    assert.equal(codeOf(() => textCodec.encode(p('/3/0/9'), resource(9, 'integer', 'x'), ctx)), 'TYPE_MISMATCH');
  });

  test('property: single resources and resource instances of every type round-trip', () => {
    fc.assert(
      fc.property(treeArb({ levels: ['resource', 'resourceInstance'], nonFiniteFloats: true }), (t) => {
        const c = { model: t.provider, limits: DEFAULT_LIMITS };
        assert.deepStrictEqual(textCodec.decode(t.path, textCodec.encode(t.path, t.node, c), c), t.node);
      }),
      { numRuns: 1000 },
    );
  });

  test('random payloads give a node or a CodecError', () => {
    const paths = ['/3/0/0', '/3/0/9', '/3/0/13', '/3/0/6/0', ...ALL_TYPES.map((t) => at(t)[0].toString())].map(p);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string().map(utf8)), fc.constantFrom(...paths), (bytes, path) => {
        try {
          textCodec.decode(path, bytes, ctx);
        } catch (e) {
          assert.ok(e instanceof CodecError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
