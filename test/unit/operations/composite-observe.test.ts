/** Composite operations, notifications with history and Send, through the real codecs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSend, toDownlink, toResult } from '../../../src/lwm2m/server/operations/index.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, resource, type LwM2mNode, type TimestampedNodes } from '../../../src/lwm2m/node.js';
import type { OperationContext } from '../../../src/lwm2m/server/operations/index.js';
import type { OperationRequest } from '../../../src/lwm2m/server/types.js';
import { reg } from './fixtures.js';

const ctx: OperationContext = { codecs: new CodecRegistry(), models: ModelRegistry.withBuiltins() };
const cc = { model: ctx.models, limits: { maxPayload: 1 << 20, maxRecords: 1000, maxDepth: 16 } };
const token = new Uint8Array([0xab, 0xcd]);
/** SenML times below 2^28 are relative to now (RFC 8428 4.5.3): use absolute epoch seconds. */
const T = 1_700_000_000;

const temp = (v: number) => resource(5700, 'float', v);

void test('read-composite: the path list decodes back; the answer decodes per path', () => {
  for (const [version, ct] of [
    ['1.1', [110]],
    ['1.1', [112]],
    ['1.2', [322, 11544]],
    ['1.2', [320]],
  ] as [string, number[]][]) {
    const r = reg(version, ct);
    const req: OperationRequest = { op: 'readComposite', paths: ['/3/0/0', '/3303/0/5700', '/3/0/99'] };
    const dl = toDownlink(r, req, ctx);
    assert.ok(dl.payload && dl.contentFormat !== undefined && dl.accept !== undefined);
    const back = ctx.codecs.decodePaths(dl.contentFormat, dl.payload, cc);
    assert.ok(back.ok, back.ok ? '' : back.error.message);
    assert.deepEqual(back.value.map(String), ['/3/0/0', '/3303/0/5700', '/3/0/99']);
    // the client answers in the Accept format
    const answer = ctx.codecs.encodeNodes(
      dl.accept,
      new Map<string, LwM2mNode | null>([
        ['/3/0/0', resource(0, 'string', 'ACME')],
        ['/3303/0/5700', temp(20.5)],
        ['/3/0/99', null],
      ]),
      cc,
    );
    assert.ok(answer.ok);
    for (const cf of [dl.accept, undefined]) {
      const res = toResult(r, req, dl, { code: '2.05', payload: answer.value, ...(cf === undefined ? {} : { contentFormat: cf }) }, ctx);
      assert.equal(res.success, true, res.error?.message);
      assert.deepEqual(res.nodes?.get('/3/0/0'), resource(0, 'string', 'ACME'));
      assert.deepEqual(res.nodes?.get('/3303/0/5700'), temp(20.5));
      assert.equal(res.nodes?.get('/3/0/99') ?? null, null);
      assert.equal(res.contentFormat, dl.accept);
    }
  }
});

void test('write-composite: the values decode back as written', () => {
  const nodes = new Map<string, LwM2mNode | null>([
    ['/3/0/14', resource(14, 'string', '+01')],
    ['/3303/0/5750', resource(5750, 'string', 'room')],
  ]);
  for (const [version, ct, expected] of [
    ['1.1', [], 110],
    ['1.1', [112], 112],
    ['1.2', [11544], 11544],
  ] as [string, number[], number][]) {
    const dl = toDownlink(reg(version, ct), { op: 'writeComposite', nodes }, ctx);
    assert.equal(dl.contentFormat, expected);
    assert.ok(dl.payload);
    const back = ctx.codecs.decodeNodes(expected, dl.payload, [LwM2mPath.parse('/3/0/14'), LwM2mPath.parse('/3303/0/5750')], cc);
    assert.ok(back.ok, back.ok ? '' : back.error.message);
    assert.deepEqual(back.value, nodes);
  }
});

function history(format: number, path: string | undefined, data: TimestampedNodes[]): Uint8Array {
  const r = ctx.codecs.encodeTimestamped(format, path === undefined ? undefined : LwM2mPath.parse(path), data, cc);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

void test('a notification with several timestamps: timestamped oldest first, node = latest values', () => {
  const r = reg('1.1', [110, 112]);
  for (const format of [110, 112]) {
    const req: OperationRequest = { op: 'observe', path: '/3303/0' };
    const dl = toDownlink(r, req, ctx, token);
    const payload = history(format, '/3303/0', [
      { time: T + 1000, nodes: new Map([['/3303/0', instance(0, [temp(20), resource(5701, 'string', 'Cel')])]]) },
      { time: T + 1010, nodes: new Map([['/3303/0', instance(0, [temp(21)])]]) },
    ]);
    for (const cf of [format, undefined]) {
      const res = toResult(r, req, dl, { code: '2.05', payload, observe: 5, ...(cf === undefined ? {} : { contentFormat: cf }) }, ctx);
      assert.equal(res.success, true, res.error?.message);
      assert.deepEqual(res.timestamped?.map((t) => t.time), [T + 1000, T + 1010]);
      // the latest value of each resource: 5700 from t=1010, 5701 only at t=1000
      assert.deepEqual(res.node, instance(0, [temp(21), resource(5701, 'string', 'Cel')]));
    }
  }
});

void test('a single-resource notification with history; and one without time has no timestamped', () => {
  const r = reg('1.1', [110]);
  const req: OperationRequest = { op: 'observe', path: '/3303/0/5700' };
  const dl = toDownlink(r, req, ctx, token);
  const payload = history(110, '/3303/0/5700', [
    { time: T + 50, nodes: new Map([['/3303/0/5700', temp(1)]]) },
    { time: T + 60, nodes: new Map([['/3303/0/5700', temp(2)]]) },
    { time: T + 70, nodes: new Map([['/3303/0/5700', temp(3)]]) },
  ]);
  const res = toResult(r, req, dl, { code: '2.05', payload, contentFormat: 110 }, ctx);
  assert.equal(res.timestamped?.length, 3);
  assert.deepEqual(res.node, temp(3));
  const plain = toResult(r, req, dl, { code: '2.05', payload: new TextEncoder().encode('22.5'), contentFormat: 0 }, ctx);
  assert.deepEqual([plain.node, plain.timestamped], [temp(22.5), undefined]);
  const noTime = history(112, '/3303/0/5700', [{ time: undefined, nodes: new Map([['/3303/0/5700', temp(4)]]) }]);
  const nt = toResult(r, req, dl, { code: '2.05', payload: noTime, contentFormat: 112 }, ctx);
  assert.deepEqual([nt.node, nt.timestamped], [temp(4), undefined]);
});

void test('observe-composite notification with history: nodes per path hold the latest values', () => {
  const r = reg('1.1', [112]);
  const req: OperationRequest = { op: 'observeComposite', paths: ['/3303/0/5700', '/3/0/14'] };
  const dl = toDownlink(r, req, ctx, token);
  assert.deepEqual(dl.token, token);
  const payload = history(112, undefined, [
    { time: T + 10, nodes: new Map<string, LwM2mNode>([['/3303/0/5700', temp(5)], ['/3/0/14', resource(14, 'string', 'A')]]) },
    { time: T + 20, nodes: new Map<string, LwM2mNode>([['/3303/0/5700', temp(6)]]) },
  ]);
  const res = toResult(r, req, dl, { code: '2.05', payload, contentFormat: 112 }, ctx);
  assert.equal(res.success, true, res.error?.message);
  assert.deepEqual(res.timestamped?.map((t) => t.time), [T + 10, T + 20]);
  assert.deepEqual(res.nodes?.get('/3303/0/5700'), temp(6));
  assert.deepEqual(res.nodes?.get('/3/0/14'), resource(14, 'string', 'A'));
});

void test('a notification outside the observed path is a BAD_RESPONSE', () => {
  const r = reg('1.1', [110]);
  const req: OperationRequest = { op: 'observe', path: '/3303/0/5700' };
  const dl = toDownlink(r, req, ctx, token);
  const payload = new TextEncoder().encode('[{"n":"/3/0/0","vs":"x"}]');
  const res = toResult(r, req, dl, { code: '2.05', payload, contentFormat: 110 }, ctx);
  assert.equal(res.success, false);
  assert.equal(res.error?.code, 'BAD_RESPONSE');
  assert.deepEqual(res.payload, payload);
});

void test('Send: SenML JSON / CBOR / LwM2M CBOR; other formats 4.15; garbage 4.00', () => {
  const r = reg('1.1', [110]);
  const data: TimestampedNodes[] = [
    { time: T + 100, nodes: new Map([['/3303/0/5700', temp(1)]]) },
    { time: T + 200, nodes: new Map([['/3303/0/5700', temp(2)]]) },
  ];
  for (const f of [110, 112]) {
    const payload = history(f, undefined, data);
    for (const cf of [f, undefined]) {
      const s = decodeSend(r, cf, payload, ctx);
      assert.ok(s.ok, s.ok ? '' : s.message);
      assert.deepEqual(s.data, data);
    }
  }
  const cbor = history(11544, undefined, [{ time: undefined, nodes: new Map([['/3303/0/5700', temp(7)]]) }]);
  const s = decodeSend(r, 11544, cbor, ctx);
  assert.ok(s.ok, s.ok ? '' : s.message);
  assert.deepEqual(s.data[0]?.nodes.get('/3303/0/5700'), temp(7));
  assert.deepEqual(decodeSend(r, 11542, new Uint8Array([0xc8, 0, 1, 1]), ctx), { ok: false, code: '4.15', message: 'send cannot use content format 11542' });
  assert.equal((decodeSend(r, 0, new TextEncoder().encode('1'), ctx) as { code: string }).code, '4.15');
  assert.equal((decodeSend(r, undefined, new Uint8Array([1, 2]), ctx) as { code: string }).code, '4.15');
  assert.equal((decodeSend(r, 110, new TextEncoder().encode('[{"n":'), ctx) as { code: string }).code, '4.00');
  assert.equal((decodeSend(r, 112, new Uint8Array(0), ctx) as { code: string }).code, '4.00');
});
