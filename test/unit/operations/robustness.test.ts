/** toResult never throws; toDownlink throws only OperationError, whatever comes in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OperationError, toDownlink, toResult, decodeSend } from '../../../src/lwm2m/server/operations/index.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { instance, resource } from '../../../src/lwm2m/node.js';
import type { OperationContext } from '../../../src/lwm2m/server/operations/index.js';
import type { OperationRequest } from '../../../src/lwm2m/server/types.js';
import { reg } from './fixtures.js';

const ctx: OperationContext = { codecs: new CodecRegistry(), models: ModelRegistry.withBuiltins() };
const FORMATS = [undefined, 0, 40, 42, 60, 110, 112, 320, 322, 11542, 11543, 11544, 1542, 7];

const requests: OperationRequest[] = [
  { op: 'read', path: '/3/0' },
  { op: 'read', path: '/3/0/7' },
  { op: 'read', path: '/3303/0/5700' },
  { op: 'observe', path: '/3303/0' },
  { op: 'observe', path: '/3/0/13' },
  { op: 'discover', path: '/3' },
  { op: 'create', path: '/3303', instance: instance(undefined, [resource(5750, 'string', 'x')]) },
  { op: 'readComposite', paths: ['/3/0/0', '/3303/0'] },
  { op: 'observeComposite', paths: ['/3303/0/5700'] },
  { op: 'write', path: '/3/0/14', node: resource(14, 'string', 'x') },
  { op: 'execute', path: '/3/0/4' },
];

void test('toResult never throws on random answers', () => {
  const r = reg('1.2', [110, 112, 11544]);
  const downlinks = requests.map((q) => toDownlink(r, q, ctx, new Uint8Array([1])));
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.json().map((j) => new TextEncoder().encode(j)),
    fc.constantFrom(
      new TextEncoder().encode('[{"bn":"/3303/0/","n":"5700","v":1,"t":-5},{"n":"5700","v":2}]'),
      new Uint8Array([0xa1, 0x19, 0x0c, 0xe7, 0xa1, 0x00, 0xa0]),
      new Uint8Array([0x9f, 0xff]),
    ),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: requests.length - 1 }),
      fc.constantFrom('2.05', '2.04', '2.01', '4.04', '5.00', '2.31', 'x'),
      fc.constantFrom(...FORMATS),
      payload,
      (i, code, cf, bytes) => {
        const res = toResult(r, requests[i] as OperationRequest, downlinks[i] as never, { code, payload: bytes, ...(cf === undefined ? {} : { contentFormat: cf }) }, ctx);
        assert.equal(typeof res.success, 'boolean');
        if (!code.startsWith('2.')) assert.equal(res.success, false);
        if (res.error) assert.equal(res.error.code, 'BAD_RESPONSE');
      },
    ),
    { numRuns: 3000 },
  );
});

void test('toDownlink throws only OperationError on random requests', () => {
  const path = fc.oneof(fc.string({ maxLength: 12 }), fc.array(fc.integer({ min: -2, max: 70000 }), { maxLength: 5 }).map((a) => a.join('/')));
  const req = fc.oneof(
    fc.record({ op: fc.constantFrom('read', 'observe', 'discover', 'delete', 'cancelObserve'), path, format: fc.constantFrom(...FORMATS) }),
    fc.record({ op: fc.constant('execute'), path, args: fc.string({ maxLength: 12 }) }),
    fc.record({
      op: fc.constant('writeAttributes'),
      path,
      attributes: fc.dictionary(fc.constantFrom('pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'edge', 'bogus'), fc.oneof(fc.double(), fc.constant(null), fc.integer())),
    }),
    fc.record({ op: fc.constant('write'), path, node: fc.constant(resource(14, 'string', 'x')), partial: fc.boolean(), format: fc.constantFrom(...FORMATS) }),
    fc.record({ op: fc.constantFrom('readComposite', 'observeComposite'), paths: fc.array(path, { maxLength: 3 }), format: fc.constantFrom(...FORMATS) }),
  );
  fc.assert(
    fc.property(fc.constantFrom('1.0', '1.1', '1.2'), req, (version, q) => {
      const clean = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as unknown as OperationRequest;
      try {
        const dl = toDownlink(reg(version, [110, 112]), clean, ctx, new Uint8Array([1]));
        assert.equal(dl.op.length > 0, true);
      } catch (e) {
        assert.ok(e instanceof OperationError, `unexpected ${String(e)}`);
      }
    }),
    { numRuns: 3000 },
  );
});

void test('decodeSend answers 4.00 or 4.15 to anything it cannot use', () => {
  fc.assert(
    fc.property(fc.constantFrom(...FORMATS), fc.uint8Array({ maxLength: 64 }), (cf, bytes) => {
      const s = decodeSend(reg('1.1'), cf, bytes, ctx);
      if (!s.ok) assert.ok(s.code === '4.00' || s.code === '4.15');
    }),
    { numRuns: 2000 },
  );
});
