/**
 * Values through the real codecs: encoded by toDownlink (as a write), answered back by
 * a "client" in the same bytes, decoded by toResult. One run per version and format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toDownlink, toResult } from '../../../src/lwm2m/server/operations/index.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { instance, multiResource, resource, type LwM2mNode } from '../../../src/lwm2m/node.js';
import type { DownlinkResponse } from '../../../src/lwm2m/transport.js';
import type { OperationContext } from '../../../src/lwm2m/server/operations/index.js';
import type { OperationRequest, Registration } from '../../../src/lwm2m/server/types.js';
import { reg } from './fixtures.js';

const ctx: OperationContext = { codecs: new CodecRegistry(), models: ModelRegistry.withBuiltins() };

const device = instance(0, [
  resource(0, 'string', 'ACME'),
  multiResource(7, 'integer', { 0: 3800, 1: 5000 }),
  resource(13, 'time', 1_700_000_000),
  resource(14, 'string', '+02:00'),
]);

/** Writes `node` at `path`, then reads the same bytes back as the client's answer. */
function echo(r: Registration, path: string, node: LwM2mNode, withFormat = true, accept?: number) {
  const write = toDownlink(r, { op: 'write', path, node }, ctx);
  assert.ok(write.payload, 'a write carries a payload');
  const read: OperationRequest = accept === undefined ? { op: 'read', path } : { op: 'read', path, format: accept };
  const dl = toDownlink(r, read, ctx);
  const res: DownlinkResponse = { code: '2.05', payload: write.payload };
  if (withFormat && write.contentFormat !== undefined) res.contentFormat = write.contentFormat;
  return { format: write.contentFormat, result: toResult(r, read, dl, res, ctx) };
}

const cases: [string, number[], number][] = [
  ['1.0', [], 11542],
  ['1.1', [], 11542],
  ['1.1', [110], 110],
  ['1.1', [110, 112], 112],
  ['1.2', [110, 112], 112],
  ['1.2', [112, 11544], 11544],
];

for (const [version, ct, expected] of cases) {
  void test(`instance round trip, ${version} ct=[${ct.join(' ')}] -> ${expected}`, () => {
    const { format, result } = echo(reg(version, ct), '/3/0', device);
    assert.equal(format, expected);
    assert.equal(result.success, true, result.error?.message);
    assert.deepEqual(result.node, device);
    assert.equal(result.contentFormat, expected);
  });

  void test(`instance round trip without Content-Format (inferred), ${version} -> ${expected}`, () => {
    const { result } = echo(reg(version, ct), '/3/0', device, false);
    assert.equal(result.success, true, result.error?.message);
    assert.deepEqual(result.node, device);
    assert.equal(result.contentFormat, expected, 'the inferred format is reported');
  });

  void test(`multiple resource round trip, ${version} ct=[${ct.join(' ')}]`, () => {
    const node = multiResource(7, 'integer', { 0: 3800, 3: -12 });
    const { result } = echo(reg(version, ct), '/3/0/7', node);
    assert.equal(result.success, true, result.error?.message);
    assert.deepEqual(result.node, node);
  });
}

void test('single values: text, opaque, CBOR 60 per type and version', () => {
  const single: [string, number[], string, LwM2mNode, number][] = [
    ['1.0', [], '/3303/0/5700', resource(5700, 'float', 21.5), 0],
    ['1.1', [], '/3/0/13', resource(13, 'time', 1_700_000_123), 0],
    ['1.0', [], '/5/0/0', resource(0, 'opaque', new Uint8Array([0, 1, 254, 255])), 42],
    ['1.2', [60], '/3303/0/5700', resource(5700, 'float', -0.25), 60],
    ['1.2', [60], '/3/0/14', resource(14, 'string', 'héllo'), 60],
    ['1.2', [60], '/5/0/0', resource(0, 'opaque', new Uint8Array([7])), 42],
    ['1.1', [], '/3/0/7/1', { kind: 'resourceInstance', id: 1, type: 'integer', value: 42 }, 0],
  ];
  for (const [version, ct, path, node, expected] of single) {
    for (const withFormat of [true, false]) {
      // plain CBOR text looks like text: without Content-Format only the request's Accept tells
      const accept = !withFormat && expected === 60 ? 60 : undefined;
      const { format, result } = echo(reg(version, ct), path, node, withFormat, accept);
      assert.equal(format, expected, path);
      assert.equal(result.success, true, `${path}: ${result.error?.message}`);
      assert.deepEqual(result.node, node, `${path} withFormat=${withFormat}`);
    }
  }
});

void test('a value that does not fit its type is a BAD_REQUEST with the codec message', () => {
  for (const [version, path, node] of [
    ['1.1', '/3303/0/5700', resource(5700, 'float', 'warm')],
    ['1.0', '/3/0', instance(0, [resource(9, 'integer', 'full')])],
    ['1.2', '/3/0/9', resource(9, 'integer', 1.5)],
  ] as [string, string, LwM2mNode][]) {
    assert.throws(
      () => toDownlink(reg(version, [112]), { op: 'write', path, node }, ctx),
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'BAD_REQUEST' && /cannot encode/.test(e.message),
      path,
    );
  }
});

void test('a resource the model does not know is written with the node type', () => {
  const node = resource(9999, 'integer', 77);
  for (const ct of [[], [112]]) {
    const { result } = echo(reg('1.1', ct), '/3/0/9999', node);
    assert.equal(result.success, true, result.error?.message);
    const got = result.node as { value: unknown } | undefined;
    assert.ok(got, 'a node comes back');
    assert.equal(Number(got.value), 77);
  }
});

void test('create: TLV without instance id; with an id the client format; location from the answer', () => {
  const node = (id: number | undefined) => instance(id, [resource(5750, 'string', 'kitchen'), resource(5700, 'float', 1.5)]);
  for (const [version, ct, id, expected] of [
    ['1.0', [], undefined, 11542],
    ['1.1', [110], undefined, 11542],
    ['1.1', [110], 5, 110],
    ['1.1', [112], 5, 112],
    ['1.2', [11544], 5, 11544],
  ] as [string, number[], number | undefined, number][]) {
    const r = reg(version, ct);
    const req: OperationRequest = { op: 'create', path: '/3303', instance: node(id) };
    const dl = toDownlink(r, req, ctx);
    assert.equal(dl.contentFormat, expected, `${version} ${id}`);
    assert.ok(dl.payload);
    // what the client sees: an instance of 3303 with both resources
    const seen = ctx.codecs.decode(expected, dl.path, dl.payload, { model: ctx.models, limits: { maxPayload: 1e6, maxRecords: 1e3, maxDepth: 16 } });
    assert.ok(seen.ok && seen.value.kind === 'object', seen.ok ? '' : seen.error.message);
    const inst = [...seen.value.instances.values()][0];
    assert.deepEqual([...(inst?.resources.keys() ?? [])].sort(), [5700, 5750]);
    if (id !== undefined) assert.equal(inst?.id, id);
    const res = toResult(r, req, dl, { code: '2.01', payload: new Uint8Array(0), location: ['3303', String(id ?? 0)] }, ctx);
    assert.deepEqual([res.success, res.location], [true, `/3303/${id ?? 0}`]);
  }
  // an explicit format that cannot carry an instance without id
  assert.throws(() => toDownlink(reg('1.1', [110]), { op: 'create', path: '/3303', instance: node(undefined), format: 110 }, ctx), /cannot encode/);
});

void test('legacy content-format numbers and OMA JSON answers from 1.0 clients decode', () => {
  const r = reg('1.0');
  const write = toDownlink(r, { op: 'write', path: '/3/0', node: device }, ctx);
  const read: OperationRequest = { op: 'read', path: '/3/0' };
  const dl = toDownlink(r, read, ctx);
  assert.ok(write.payload);
  const legacy = toResult(r, read, dl, { code: '2.05', payload: write.payload, contentFormat: 1542 }, ctx);
  assert.equal(legacy.success, true, legacy.error?.message);
  assert.deepEqual(legacy.node, device);
  assert.equal(legacy.contentFormat, 1542);
  const json = ctx.codecs.encode(11543, dl.path, device, { model: ctx.models, limits: { maxPayload: 1e6, maxRecords: 1e3, maxDepth: 16 } });
  assert.ok(json.ok);
  for (const cf of [11543, 1543, undefined]) {
    const res = toResult(r, read, dl, { code: '2.05', payload: json.value, ...(cf === undefined ? {} : { contentFormat: cf }) }, ctx);
    assert.equal(res.success, true, `${cf}: ${res.error?.message}`);
    assert.deepEqual(res.node, device);
  }
  const text = toResult(r, { op: 'read', path: '/3/0/14' }, toDownlink(r, { op: 'read', path: '/3/0/14' }, ctx), {
    code: '2.05',
    payload: new TextEncoder().encode('+01'),
    contentFormat: 1541,
  }, ctx);
  assert.deepEqual(text.node, resource(14, 'string', '+01'));
});

void test('garbage without Content-Format: BAD_RESPONSE naming a codec error, payload kept', () => {
  const r = reg('1.1', [110]);
  const read: OperationRequest = { op: 'read', path: '/3/0' };
  const payload = new Uint8Array([0xff, 0xff, 0xff]);
  const res = toResult(r, read, toDownlink(r, read, ctx), { code: '2.05', payload }, ctx);
  assert.equal(res.success, false);
  assert.equal(res.error?.code, 'BAD_RESPONSE');
  assert.match(res.error?.message ?? '', /content format \d+: [A-Z_]+: /);
  assert.deepEqual(res.payload, payload);
});
