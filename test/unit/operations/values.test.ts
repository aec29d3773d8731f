import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperationError, toDownlink, toResult, valueNode, typedValue } from '../../../src/lwm2m/server/operations/index.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { instance, multiResource, resource } from '../../../src/lwm2m/node.js';
import type { OperationContext } from '../../../src/lwm2m/server/operations/index.js';
import { reg } from './fixtures.js';

const ctx: OperationContext = { codecs: new CodecRegistry(), models: ModelRegistry.withBuiltins() };
const r = reg('1.1', [110]);

void test('values typed by the model', () => {
  assert.deepEqual(valueNode(ctx, r, '/3303/0/5700', '21.5'), resource(5700, 'float', 21.5));
  assert.deepEqual(valueNode(ctx, r, '/3/0/14', '+02'), resource(14, 'string', '+02'));
  assert.deepEqual(valueNode(ctx, r, '/3/0/13', '2023-11-14T22:13:20Z'), resource(13, 'time', 1_700_000_000));
  assert.deepEqual(valueNode(ctx, r, '/3/0/13', 1_700_000_000), resource(13, 'time', 1_700_000_000));
  assert.deepEqual(valueNode(ctx, r, '/5/0/0', 'AAH+/w=='), resource(0, 'opaque', new Uint8Array([0, 1, 254, 255])));
  assert.deepEqual(valueNode(ctx, r, '/1/0/1', '300'), resource(1, 'integer', 300));
  assert.deepEqual(valueNode(ctx, r, '/1/0/1', '9223372036854775807'), resource(1, 'integer', 9223372036854775807n));
  assert.deepEqual(valueNode(ctx, r, '/1/0/6', 'true'), resource(6, 'boolean', true));
  assert.deepEqual(valueNode(ctx, r, '/3/0/7', { 0: 3800, 1: '5000' }), multiResource(7, 'integer', { 0: 3800, 1: 5000 }));
  assert.deepEqual(valueNode(ctx, r, '/3/0/7/1', 12), { kind: 'resourceInstance', id: 1, type: 'integer', value: 12 });
  assert.deepEqual(valueNode(ctx, r, '/3/0', { 14: '+01', 13: 5 }), instance(0, [resource(14, 'string', '+01'), resource(13, 'time', 5)]));
  assert.deepEqual(typedValue('objlnk', '3:0', 'x'), { objectId: 3, instanceId: 0 });
  assert.deepEqual(typedValue('unsigned', 5, 'x'), 5);
});

void test('resources the model does not know: typed from the JS value, flagged', () => {
  assert.deepEqual(valueNode(ctx, r, '/3/0/9999', 1.5), { ...resource(9999, 'float', 1.5), unknown: true });
  assert.deepEqual(valueNode(ctx, r, '/32769/0/1', 'x'), { ...resource(1, 'string', 'x'), unknown: true });
  assert.deepEqual(valueNode(ctx, r, '/32769/0/2', { 0: 1, 1: 2 }), { ...multiResource(2, 'integer', { 0: 1, 1: 2 }), unknown: true });
});

void test('values that do not fit: BAD_REQUEST naming the path', () => {
  const bad: [string, unknown][] = [
    ['/3303/0/5700', 'warm'],
    ['/3303/0/5700', Number.NaN],
    ['/1/0/1', 1.5],
    ['/1/0/1', '99999999999999999999'],
    ['/1/0/6', 'yes'],
    ['/3/0/14', 5],
    ['/3/0/4', 1],
    ['/3/0/7', 5],
    ['/3/0', 'x'],
    ['/3/0', { abc: 1 }],
    ['/3', { 0: {} }],
    ['/5/0/0', '***'],
    ['/3/0/13', 'not a date'],
    ['/3/0/99', undefined],
  ];
  for (const [p, v] of bad) {
    assert.throws(() => valueNode(ctx, r, p, v), (e: unknown) => e instanceof OperationError && e.message.startsWith(p), `${p} ${String(v)}`);
  }
  assert.throws(() => typedValue('unsigned', -1, '/x'), /out of range/);
  assert.throws(() => typedValue('objlnk', '3:x', '/x'), /objlnk/);
});

void test('a node built from values writes and reads back', () => {
  const node = valueNode(ctx, r, '/3/0', { 14: '+01', 7: { 0: 1, 1: 2 } });
  const dl = toDownlink(r, { op: 'write', path: '/3/0', node }, ctx);
  const res = toResult(r, { op: 'read', path: '/3/0' }, toDownlink(r, { op: 'read', path: '/3/0' }, ctx), { code: '2.05', payload: dl.payload ?? new Uint8Array(0), contentFormat: dl.contentFormat }, ctx);
  assert.deepEqual(res.node, node);
});
