import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { ValueContext } from '../../../src/lwm2m/server/index.js';
import type { OperationRequest } from '../../../src/lwm2m/server/types.js';
import { parseCommand, type ParsedCommand } from '../../../src/northbound/mqtt/generic-commands.js';

const ctx: ValueContext = { models: ModelRegistry.withBuiltins() };
const noReg = (): undefined => undefined;

function ok(body: unknown): ParsedCommand {
  const r = parseCommand(JSON.stringify(body), ctx, noReg);
  if (!r.ok) assert.fail(`refused: ${r.failed.error}`);
  return r.command;
}

function failed(payload: string | object): { reqID: unknown; msgType: string | undefined; reqPath: string | undefined; error: string } {
  const r = parseCommand(typeof payload === 'string' ? payload : JSON.stringify(payload), ctx, noReg);
  if (r.ok) assert.fail('accepted');
  return r.failed;
}

const pathOf = (req: OperationRequest): string => ('path' in req ? String(req.path) : '');

void test('read, discover, observe, cancel-observe, delete: a path', () => {
  const read = ok({ reqID: 1, msgType: 'read', data: { path: '/3/0/1' } });
  assert.deepEqual([read.reqID, read.msgType, read.reqPath, read.request.op, pathOf(read.request)], [1, 'read', '/3/0/1', 'read', '/3/0/1']);
  assert.equal(ok({ reqID: '2', msgType: 'discover', data: { path: '/3/0' } }).request.op, 'discover');
  assert.equal(ok({ reqID: 3, msgType: 'observe', data: { path: '/3303/0/5700' } }).request.op, 'observe');
  assert.equal(ok({ reqID: 4, msgType: 'cancel-observe', data: { path: '/3303/0/5700' } }).request.op, 'cancelObserve');
  const del = ok({ reqID: 5, msgType: 'delete', data: { path: '3303/1' } });
  assert.deepEqual([del.request.op, pathOf(del.request), del.reqPath], ['delete', '/3303/1', '3303/1']);
});

void test('write: a single value typed by the model (the command type is not needed)', () => {
  const w = ok({ reqID: 7, msgType: 'write', data: { path: '/3/0/14', type: 'String', value: '+02:00' } });
  assert.equal(w.request.op, 'write');
  if (w.request.op !== 'write') return;
  assert.deepEqual(w.request.node, { kind: 'resource', id: 14, type: 'string', value: '+02:00' });
  const n = ok({ reqID: 8, msgType: 'write', data: { path: '/3/0/13', value: 1700000000 } });
  if (n.request.op !== 'write') return;
  assert.equal(n.request.node.kind === 'resource' && n.request.node.type, 'time');
});

void test('write: a resource the model does not know takes the type the command names', () => {
  const w = ok({ reqID: 9, msgType: 'write', data: { path: '/31024/11/1', type: 'Integer', value: '42' } });
  if (w.request.op !== 'write') return assert.fail();
  assert.equal(w.request.node.kind, 'resource');
  assert.equal(w.request.node.kind === 'resource' && w.request.node.value, 42);
  assert.equal(w.request.node.kind === 'resource' && w.request.node.type, 'integer');
});

void test('write with basePath and content: a partial update of the instance', () => {
  const w = ok({
    reqID: 3,
    msgType: 'write',
    data: {
      basePath: '/3311/0/',
      content: [
        { path: '5850', type: 'Boolean', value: false },
        { path: '5851', type: 'Integer', value: 70 },
      ],
    },
  });
  if (w.request.op !== 'write') return assert.fail();
  assert.equal(String(w.request.path), '/3311/0');
  assert.equal(w.request.partial, true);
  assert.equal(w.reqPath, '/3311/0/');
  const node = w.request.node;
  assert.equal(node.kind, 'instance');
  if (node.kind !== 'instance') return;
  assert.deepEqual([...node.resources.keys()], [5850, 5851]);
});

void test('write-attr: numbers (or numeric strings) for pmin, pmax, gt, lt, st', () => {
  const w = ok({ reqID: 4, msgType: 'write-attr', data: { path: '/3303/0/5700', pmin: '10', pmax: 60, st: 0.5 } });
  assert.deepEqual(w.request, { op: 'writeAttributes', path: w.request.op === 'writeAttributes' ? w.request.path : '', attributes: { pmin: 10, pmax: 60, st: 0.5 } });
  assert.match(failed({ reqID: 4, msgType: 'write-attr', data: { path: '/3303/0/5700' } }).error, /at least one/);
  assert.match(failed({ reqID: 4, msgType: 'write-attr', data: { path: '/3303/0/5700', pmin: 'soon' } }).error, /pmin must be a number/);
});

void test('execute: a resource path and optional args', () => {
  assert.deepEqual(ok({ reqID: 5, msgType: 'execute', data: { path: '/3/0/4' } }).request.op, 'execute');
  const e = ok({ reqID: 5, msgType: 'execute', data: { path: '/3/0/4', args: "0='x'" } });
  assert.equal(e.request.op === 'execute' && e.request.args, "0='x'");
  assert.match(failed({ reqID: 5, msgType: 'execute', data: { path: '/3/0' } }).error, /too short/);
});

void test('create: basePath of an object; the instance id is given by the paths or left to the client', () => {
  const c = ok({ reqID: 6, msgType: 'create', data: { basePath: '/3303', content: [{ path: '5750', type: 'String', value: 'porch' }] } });
  if (c.request.op !== 'create') return assert.fail();
  assert.equal(String(c.request.path), '/3303');
  assert.equal(c.request.instance.id, undefined);
  assert.deepEqual([...c.request.instance.resources.keys()], [5750]);
  const d = ok({ reqID: 6, msgType: 'create', data: { basePath: '/3303', content: [{ path: '/3303/4/5750', value: 'attic' }] } });
  if (d.request.op !== 'create') return assert.fail();
  assert.equal(d.request.instance.id, 4);
  assert.match(failed({ reqID: 6, msgType: 'create', data: { basePath: '/3303/0', content: [] } }).error, /must be an object/);
});

void test('bad commands: the error names the problem, and reqID / msgType / path are kept for the response', () => {
  assert.match(failed('not json').error, /not JSON/);
  assert.match(failed('[1,2]').error, /JSON object/);
  assert.match(failed({ reqID: 1, data: { path: '/3' } }).error, /msgType is missing/);
  const unknown = failed({ reqID: 1, msgType: 'reboot', data: { path: '/3/0/4' } });
  assert.match(unknown.error, /unknown msgType "reboot"/);
  assert.deepEqual([unknown.reqID, unknown.msgType, unknown.reqPath], [1, 'reboot', '/3/0/4']);
  assert.match(failed({ reqID: 1, msgType: 'read' }).error, /data must be a JSON object/);
  assert.match(failed({ reqID: 1, msgType: 'read', data: {} }).error, /data.path is missing/);
  assert.match(failed({ reqID: 1, msgType: 'read', data: { path: '/3/x' } }).error, /data.path/);
  assert.match(failed({ reqID: 1, msgType: 'write', data: { path: '/3/0/14' } }).error, /no value/);
  assert.match(failed({ reqID: 1, msgType: 'write', data: { path: '/3/0/9', value: 'many' } }).error, /not an integer/);
  assert.match(failed({ reqID: 1, msgType: 'write', data: { basePath: '/3/0', content: [{ path: '/4/0/1', value: 1 }] } }).error, /\/3\/0\/4\/0\/1|path/);
});

void test('a command without a usable reqID is refused (the response could not be matched), msgType kept for the answer', () => {
  const missing = failed({ msgType: 'execute', data: { path: '/3/0/4' } });
  assert.match(missing.error, /reqID is missing/);
  assert.deepEqual([missing.reqID, missing.msgType, missing.reqPath], [undefined, 'execute', '/3/0/4']);
  for (const reqID of ['null', 'true', '{}', '[1]', '""', JSON.stringify('x'.repeat(257)), '1e400']) {
    const f = failed(`{"reqID": ${reqID}, "msgType": "read", "data": {"path": "/3/0/0"}}`);
    assert.match(f.error, /reqID/, reqID);
    assert.equal(f.reqID, undefined);
  }
  assert.equal(ok({ reqID: 0, msgType: 'read', data: { path: '/3/0/0' } }).reqID, 0);
  assert.equal(ok({ reqID: 'x'.repeat(256), msgType: 'read', data: { path: '/3/0/0' } }).reqID, 'x'.repeat(256));
  // nothing of outside length is echoed: a long msgType is not repeated
  const long = failed({ reqID: 1, msgType: 'r'.repeat(10_000), data: { path: '/3/0/0' } });
  assert.equal(long.msgType, undefined);
  assert.ok(long.error.length < 200);
});

void test('property: any payload is answered, never thrown', () => {
  const json = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ reqID: fc.jsonValue(), msgType: fc.constantFrom('read', 'write', 'write-attr', 'execute', 'create', 'delete', 'observe', 'cancel-observe', 'discover', 'x'), data: fc.jsonValue() }).map((v) => JSON.stringify(v)),
    fc.string(),
  );
  fc.assert(
    fc.property(json, (payload) => {
      const r = parseCommand(payload, ctx, noReg);
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) assert.doesNotMatch(r.failed.error, /^unexpected/);
    }),
    { seed: 11, numRuns: 3000 },
  );
});
