import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toDownlink, toResult, locationOf } from '../../../src/lwm2m/server/operations/index.js';
import { instance, resource } from '../../../src/lwm2m/node.js';
import type { DownlinkResponse } from '../../../src/lwm2m/transport.js';
import type { OperationRequest } from '../../../src/lwm2m/server/types.js';
import { fakeCtx, reg } from './fixtures.js';

const c = fakeCtx();
const r11 = reg('1.1', [110]);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function run(req: OperationRequest, res: DownlinkResponse, r = r11) {
  const dl = toDownlink(r, req, c, new Uint8Array([9]));
  return toResult(r, req, dl, res, c);
}

void test('4.xx and 5.xx: success false, code and diagnostic payload, no error', () => {
  const nf = run({ op: 'read', path: '/3/0/99' }, { code: '4.04', payload: new Uint8Array(0) });
  assert.deepEqual(nf, { code: '4.04', success: false });
  const ie = run({ op: 'write', path: '/3/0/14', node: resource(14, 'string', 'x') }, { code: '5.00', payload: text('disk full'), contentFormat: 0 });
  assert.equal(ie.success, false);
  assert.equal(ie.code, '5.00');
  assert.equal(ie.error, undefined);
  assert.equal(new TextDecoder().decode(ie.payload), 'disk full');
  const na = run({ op: 'execute', path: '/3/0/4' }, { code: '4.05', payload: new Uint8Array(0) });
  assert.deepEqual([na.success, na.code, na.payload], [false, '4.05', undefined]);
});

void test('2.04 / 2.02 / 2.01 are successes', () => {
  for (const [req, code] of [
    [{ op: 'write', path: '/3/0/14', node: resource(14, 'string', 'x') }, '2.04'],
    [{ op: 'writeAttributes', path: '/3/0/9', attributes: { pmin: 1 } }, '2.04'],
    [{ op: 'execute', path: '/3/0/4' }, '2.04'],
    [{ op: 'delete', path: '/3303/1' }, '2.02'],
    [{ op: 'writeComposite', nodes: new Map([['/3/0/14', resource(14, 'string', 'x')]]) }, '2.04'],
  ] as [OperationRequest, string][]) {
    const res = run(req, { code, payload: new Uint8Array(0) });
    assert.deepEqual(res, { code, success: true }, req.op);
  }
});

void test('an empty 2.05 is legal: no node, success', () => {
  const r = run({ op: 'read', path: '/3/0' }, { code: '2.05', payload: new Uint8Array(0) });
  assert.deepEqual(r, { code: '2.05', success: true });
  const o = run({ op: 'observe', path: '/3/0/9' }, { code: '2.05', payload: new Uint8Array(0), observe: 3 });
  assert.equal(o.success, true);
  assert.equal(o.node, undefined);
});

void test('a payload that does not decode: BAD_RESPONSE with the codec message, payload kept', () => {
  const payload = new Uint8Array([0xde, 0xad]);
  const r = run({ op: 'read', path: '/3/0' }, { code: '2.05', payload, contentFormat: 11542 });
  assert.equal(r.success, false);
  assert.equal(r.code, '2.05');
  assert.equal(r.error?.code, 'BAD_RESPONSE');
  assert.match(r.error?.message ?? '', /11542/);
  assert.deepEqual(r.payload, payload);
  const unknown = run({ op: 'read', path: '/3/0' }, { code: '2.05', payload, contentFormat: 4242 });
  assert.equal(unknown.error?.code, 'BAD_RESPONSE');
  assert.match(unknown.error?.message ?? '', /4242/);
  const comp = run({ op: 'readComposite', paths: ['/3/0/9'] }, { code: '2.05', payload, contentFormat: 110 });
  assert.equal(comp.error?.code, 'BAD_RESPONSE');
});

void test('create: location from Location-Path, without the alternate root', () => {
  const req: OperationRequest = { op: 'create', path: '/3303', instance: instance(undefined, [resource(5750, 'string', 'x')]) };
  const r = run(req, { code: '2.01', payload: new Uint8Array(0), location: ['3303', '1'] });
  assert.deepEqual(r, { code: '2.01', success: true, location: '/3303/1' });
  const alt = reg('1.1', [], { rootPath: '/lwm2m' });
  assert.equal(run(req, { code: '2.01', payload: new Uint8Array(0), location: ['lwm2m', '3303', '7'] }, alt).location, '/3303/7');
  const given: OperationRequest = { op: 'create', path: '/3303', instance: instance(4, []) };
  assert.equal(run(given, { code: '2.01', payload: new Uint8Array(0) }).location, '/3303/4');
  assert.equal(run(req, { code: '2.01', payload: new Uint8Array(0) }).location, undefined);
  assert.equal(locationOf(r11, ['x', 'y']), '/x/y');
  assert.equal(locationOf(r11, []), undefined);
});

void test('toResult never throws, even on nonsense', () => {
  const dl = toDownlink(r11, { op: 'read', path: '/3/0' }, c);
  const r = toResult(r11, { op: 'readComposite', paths: ['/bad'] }, dl, { code: '2.05', payload: text('[]'), contentFormat: 110 }, c);
  assert.equal(r.success, false);
  assert.equal(r.error?.code, 'BAD_RESPONSE');
  const r2 = toResult(r11, { op: 'read', path: '/3/0' }, dl, { code: '2.05', payload: undefined as unknown as Uint8Array }, c);
  assert.equal(r2.success, true);
});

void test('discover: the answer parsed as links with their attributes', () => {
  const body = '</3/0>;pmin=10, </3/0/7>;dim=2;gt=50;lt=42.2,</3/0/1>';
  const r = run({ op: 'discover', path: '/3/0' }, { code: '2.05', payload: text(body), contentFormat: 40 });
  assert.equal(r.success, true);
  assert.deepEqual(r.links?.map((l) => l.uri), ['/3/0', '/3/0/7', '/3/0/1']);
  assert.equal(r.links?.[0]?.attributes.get('pmin'), '10');
  assert.equal(r.links?.[1]?.attributes.get('dim'), '2');
  const empty = run({ op: 'discover', path: '/3/0' }, { code: '2.05', payload: new Uint8Array(0) });
  assert.deepEqual(empty.links, []);
  const bad = run({ op: 'discover', path: '/3/0' }, { code: '2.05', payload: text('<<<not links'), contentFormat: 40 });
  assert.deepEqual([bad.success, bad.error?.code], [false, 'BAD_RESPONSE']);
  assert.equal(new TextDecoder().decode(bad.payload), '<<<not links');
  const binary = run({ op: 'discover', path: '/3/0' }, { code: '2.05', payload: new Uint8Array([0xff, 0xfe]) });
  assert.equal(binary.error?.code, 'BAD_RESPONSE');
});
