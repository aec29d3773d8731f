import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, resource, resourceInstance } from '../../../src/lwm2m/node.js';
import { opaqueCodec } from '../../../src/lwm2m/codec/opaque.js';
import { CodecError, ContentFormat, DEFAULT_LIMITS, type CodecErrorCode } from '../../../src/lwm2m/codec/codec.js';
import { treeArb } from '../../helpers/node-arbitraries.js';
import { ctxOf, model, specRegistry } from './spec-models.js';

const p = (s: string): LwM2mPath => LwM2mPath.parse(s);
// Firmware Update (5): 0 Package is opaque, 1 Package URI a string
const registry = specRegistry();
registry.add(model(5, [[0, 'opaque'], [1, 'string'], [3, 'integer']]));
const ctx = ctxOf(registry);

function codeOf(fn: () => unknown): CodecErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
}

describe('opaque', () => {
  test('serves content formats 42 and 1544', () => {
    assert.deepEqual([...opaqueCodec.formats].sort(), [ContentFormat.OPAQUE, ContentFormat.OLD_OPAQUE].sort());
  });

  test('the bytes are the payload, both ways', () => {
    const image = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff);
    const node = resource(0, 'opaque', image);
    assert.deepStrictEqual(opaqueCodec.encode(p('/5/0/0'), node, ctx), image);
    assert.deepStrictEqual(opaqueCodec.decode(p('/5/0/0'), image, ctx), node);
    assert.deepStrictEqual(opaqueCodec.decode(p('/5/0/0'), new Uint8Array(0), ctx), resource(0, 'opaque', new Uint8Array(0)));
  });

  test('a decoded value is a plain copy, not a view on the payload or a Buffer', () => {
    const payload = Buffer.from([1, 2, 3]);
    const node = opaqueCodec.decode(p('/5/0/0'), payload, ctx) as { value: Uint8Array };
    payload[0] = 9;
    assert.deepStrictEqual(node.value, Uint8Array.of(1, 2, 3));
    assert.equal(Object.getPrototypeOf(node.value), Uint8Array.prototype);
  });

  test('resource instances', () => {
    registry.add(model(40001, [[2, 'opaque', true]]));
    const multi = ctxOf(registry);
    assert.deepStrictEqual(opaqueCodec.decode(p('/40001/0/2/7'), Uint8Array.of(1), multi), resourceInstance(7, 'opaque', Uint8Array.of(1)));
    assert.deepStrictEqual(opaqueCodec.encode(p('/40001/0/2/7'), resourceInstance(7, 'opaque', Uint8Array.of(1)), multi), Uint8Array.of(1));
  });

  test('a resource the model does not know is kept, flagged unknown', () => {
    assert.deepStrictEqual(opaqueCodec.decode(p('/5/0/99'), Uint8Array.of(1, 2), ctx), { ...resource(99, 'opaque', Uint8Array.of(1, 2)), unknown: true });
  });

  test('a resource the model types otherwise is TYPE_MISMATCH', () => {
    assert.equal(codeOf(() => opaqueCodec.decode(p('/5/0/1'), Uint8Array.of(0x61), ctx)), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => opaqueCodec.encode(p('/5/0/1'), resource(1, 'string', 'coap://x'), ctx)), 'TYPE_MISMATCH');
    assert.equal(codeOf(() => opaqueCodec.encode(p('/5/0/0'), resource(0, 'opaque', 'not bytes'), ctx)), 'TYPE_MISMATCH');
  });

  test('one value only: instances and multiple resources are UNSUPPORTED', () => {
    assert.equal(codeOf(() => opaqueCodec.encode(p('/5/0'), instance(0, []), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => opaqueCodec.encode(p('/5/0/0'), multiResource(0, 'opaque', {}), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => opaqueCodec.decode(p('/5/0'), Uint8Array.of(1), ctx)), 'UNSUPPORTED');
    assert.equal(codeOf(() => opaqueCodec.encode(p('/5/0/0'), resource(1, 'opaque', Uint8Array.of(1)), ctx)), 'PATH_MISMATCH');
  });

  test('property: opaque resources and resource instances round-trip', () => {
    fc.assert(
      fc.property(treeArb({ levels: ['resource', 'resourceInstance'], types: ['opaque'], maxOpaqueLength: 2000 }), (t) => {
        const c = { model: t.provider, limits: DEFAULT_LIMITS };
        assert.deepStrictEqual(opaqueCodec.decode(t.path, opaqueCodec.encode(t.path, t.node, c), c), t.node);
      }),
      { numRuns: 300 },
    );
  });
});
