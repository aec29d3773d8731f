import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toDownlink, OperationError } from '../../../src/lwm2m/server/operations/index.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, resource, resourceInstance } from '../../../src/lwm2m/node.js';
import type { OperationRequest } from '../../../src/lwm2m/server/types.js';
import { fakeCtx, reg } from './fixtures.js';

const c = fakeCtx();
const token = new Uint8Array([1, 2, 3, 4]);

function bad(version: string, req: OperationRequest, re?: RegExp): void {
  assert.throws(
    () => toDownlink(reg(version), req, c, token),
    (e: unknown) => e instanceof OperationError && e.code === 'BAD_REQUEST' && (!re || re.test(e.message)),
    JSON.stringify(req, (_k, v: unknown) => (v instanceof Map ? [...v] : typeof v === 'bigint' ? String(v) : v)),
  );
}

void test('paths: strings and LwM2mPath accepted, bad ones refused', () => {
  const a = toDownlink(reg('1.1'), { op: 'read', path: '3/0/1' }, c);
  const b = toDownlink(reg('1.1'), { op: 'read', path: LwM2mPath.of(3, 0, 1) }, c);
  assert.equal(a.path.toString(), '/3/0/1');
  assert.ok(a.path.equals(b.path));
  bad('1.1', { op: 'read', path: '/3/x' }, /invalid path segment/);
  bad('1.1', { op: 'read', path: '/3/0/1/2/3' });
  bad('1.1', { op: 'read', path: '/65535' });
  bad('1.1', { op: 'read', path: 42 as unknown as string });
  bad('1.1', { op: 'read', path: '/' }, /object/);
  bad('1.1', { op: 'observe', path: '' });
  bad('1.1', { op: 'nonsense' } as unknown as OperationRequest, /unknown operation/);
});

void test('rootPath of the registration travels with every request', () => {
  const r = reg('1.1', [], { rootPath: '/lwm2m' });
  for (const req of [
    { op: 'read', path: '/3/0' },
    { op: 'discover', path: '/3' },
    { op: 'delete', path: '/3303/1' },
    { op: 'execute', path: '/3/0/4' },
    { op: 'readComposite', paths: ['/3/0/9'] },
  ] as OperationRequest[]) {
    assert.equal(toDownlink(r, req, c).rootPath, '/lwm2m', req.op);
  }
});

void test('observe and cancel carry the token; read does not', () => {
  assert.deepEqual(toDownlink(reg('1.0'), { op: 'observe', path: '/3/0/9' }, c, token).token, token);
  const cancel = toDownlink(reg('1.0'), { op: 'cancelObserve', path: '/3/0/9' }, c, token);
  assert.deepEqual([cancel.op, cancel.path.toString(), cancel.token], ['cancelObserve', '/3/0/9', token]);
  assert.equal(toDownlink(reg('1.0'), { op: 'read', path: '/3/0/9' }, c, token).token, undefined);
  const oc = toDownlink(reg('1.1'), { op: 'observeComposite', paths: ['/3/0/9', '/3303/0'] }, c, token);
  assert.deepEqual([oc.op, oc.path.toString(), oc.token], ['observeComposite', '/', token]);
  assert.ok(oc.payload && oc.payload.length > 0, 'the path list is the body');
  const cc = toDownlink(reg('1.1'), { op: 'cancelObserveComposite', paths: ['/3/0/9', '/3303/0'] }, c, token);
  assert.deepEqual([cc.op, cc.token, cc.contentFormat], ['cancelObserveComposite', token, oc.contentFormat]);
  // an active cancel repeats the Accept of the observe (RFC 7641 3.6)
  const o = toDownlink(reg('1.1', [112]), { op: 'observe', path: '/3/0', format: 112 }, c, token);
  const oc2 = toDownlink(reg('1.1', [112]), { op: 'cancelObserve', path: '/3/0' }, c, token, 112);
  assert.deepEqual([o.accept, oc2.accept], [112, 112]);
  const occ = toDownlink(reg('1.1', [112]), { op: 'cancelObserveComposite', paths: ['/3/0/9'] }, c, token, 110);
  assert.equal(occ.accept, 110);
  bad('1.1', { op: 'observeComposite', paths: [] }, /at least one path/);
  bad('1.1', { op: 'readComposite', paths: ['/'] }, /object/);
});

void test('discover: Accept 40, depth only for 1.2', () => {
  const d = toDownlink(reg('1.2'), { op: 'discover', path: '/3', depth: 2 }, c);
  assert.deepEqual([d.op, d.accept, d.query], ['discover', 40, ['depth=2']]);
  assert.equal(toDownlink(reg('1.1'), { op: 'discover', path: '/3/0/7' }, c).query, undefined);
  bad('1.1', { op: 'discover', path: '/3', depth: 1 }, /1\.2/);
  bad('1.2', { op: 'discover', path: '/3', depth: 4 });
  bad('1.2', { op: 'discover', path: '/3', depth: 1.5 });
  bad('1.2', { op: 'discover', path: '/3/0/7/1' });
  bad('1.2', { op: 'discover', path: '/' });
});

void test('write: replace is PUT-shaped on instance/resource/resource instance; partial on instance', () => {
  const w = toDownlink(reg('1.1'), { op: 'write', path: '/3/0/14', node: resource(14, 'string', '+01') }, c);
  assert.deepEqual([w.op, w.contentFormat], ['write', 0]);
  assert.ok(w.payload);
  const p = toDownlink(reg('1.1'), { op: 'write', path: '/3/0', node: instance(0, [resource(14, 'string', '+01')]), partial: true }, c);
  assert.equal(p.op, 'writePartial');
  const undefId = toDownlink(reg('1.0'), { op: 'write', path: '/3/0', node: instance(undefined, [resource(14, 'string', 'x')]) }, c);
  assert.equal(undefId.op, 'write');
  const multi = toDownlink(reg('1.1'), { op: 'write', path: '/2/0/2', node: multiResource(2, 'integer', { 1: 15 }), partial: true }, c);
  assert.equal(multi.op, 'writePartial');
  toDownlink(reg('1.1'), { op: 'write', path: '/3/0/7/1', node: resourceInstance(1, 'integer', 5) }, c);

  bad('1.1', { op: 'write', path: '/3', node: instance(0, []) }, /instance, resource or resource instance/);
  bad('1.1', { op: 'write', path: '/3/0', node: instance(1, []) }, /does not match/);
  bad('1.1', { op: 'write', path: '/3/0/14', node: resource(15, 'string', 'x') }, /does not match/);
  bad('1.1', { op: 'write', path: '/3/0/14', node: instance(0, []) }, /is a resource/);
  bad('1.1', { op: 'write', path: '/3/0/7/1', node: resourceInstance(2, 'integer', 5) }, /does not match/);
  bad('1.1', { op: 'write', path: '/3/0/7/1', node: resource(7, 'integer', 5) }, /resource instance/);
  bad('1.0', { op: 'write', path: '/3/0/7/1', node: resourceInstance(1, 'integer', 5) }, /1\.1/);
  bad('1.1', { op: 'write', path: '/3/0/14', node: resource(14, 'string', 'x'), partial: true }, /multiple resource/);
  bad('1.0', { op: 'write', path: '/2/0/2', node: multiResource(2, 'integer', { 1: 15 }), partial: true }, /1\.1/);
  bad('1.1', { op: 'write', path: '/3/0/7/1', node: resourceInstance(1, 'integer', 5), partial: true }, /partial/);
  bad('1.1', { op: 'write', path: '/3/0/14', node: undefined as unknown as ReturnType<typeof resource> }, /node/);
});

void test('create: POST on the object with an instance node', () => {
  const cr = toDownlink(reg('1.1'), { op: 'create', path: '/3303', instance: instance(undefined, [resource(5750, 'string', 'x')]) }, c);
  assert.deepEqual([cr.op, cr.path.toString(), cr.contentFormat], ['create', '/3303', 11542]);
  bad('1.1', { op: 'create', path: '/3303/1', instance: instance(1, []) }, /object path/);
  bad('1.1', { op: 'create', path: '/3303', instance: resource(1, 'string', 'x') as unknown as ReturnType<typeof instance> }, /instance node/);
  bad('1.1', { op: 'create', path: '/3303', instance: instance(undefined, []), format: 12345 }, /not supported/);
});

void test('delete: instance; resource instance only from 1.1', () => {
  assert.equal(toDownlink(reg('1.0'), { op: 'delete', path: '/3303/1' }, c).op, 'delete');
  assert.equal(toDownlink(reg('1.1'), { op: 'delete', path: '/3/0/7/1' }, c).path.toString(), '/3/0/7/1');
  bad('1.0', { op: 'delete', path: '/3/0/7/1' }, /1\.1/);
  bad('1.1', { op: 'delete', path: '/3303' });
  bad('1.1', { op: 'delete', path: '/3303/0/5700' });
  bad('1.1', { op: 'delete', path: '/' });
});

void test('write-composite: keys must be paths below an object', () => {
  bad('1.1', { op: 'writeComposite', nodes: new Map() }, /at least one/);
  bad('1.1', { op: 'writeComposite', nodes: new Map([['/3/x', resource(1, 'string', 'a')]]) });
  bad('1.1', { op: 'writeComposite', nodes: new Map([['/3', resource(1, 'string', 'a')]]) }, /instance, resource/);
});
