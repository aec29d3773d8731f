/** Nodes to JSON and JSON to typed nodes, by the object model. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createNode, inputNode, linksJson, nodeJson, nodeResult, nodesJson } from '../../../src/northbound/rest/json.js';
import { ProblemError } from '../../../src/northbound/rest/errors.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource } from '../../../src/lwm2m/node.js';
import type { Registration } from '../../../src/lwm2m/server/types.js';

const ctx = { models: ModelRegistry.withBuiltins(), codecs: new CodecRegistry() };
const reg = { objects: new Map([[3, { version: '1.0', instances: [0] }]]) } as unknown as Registration;

describe('REST JSON values', () => {
  it('writes every type as JSON', () => {
    const node = instance(0, [
      resource(0, 'string', 'x'),
      resource(1, 'integer', 2n ** 62n),
      resource(2, 'integer', -5),
      resource(3, 'float', 1.5),
      resource(4, 'boolean', true),
      resource(5, 'opaque', new Uint8Array([1, 2, 255])),
      resource(6, 'objlnk', { objectId: 3, instanceId: 0 }),
      resource(7, 'time', 1_700_000_000),
      multiResource(8, 'integer', { 0: 1, 3: 4 }),
    ]);
    assert.deepEqual(nodeJson(node), { 0: 'x', 1: (2n ** 62n).toString(), 2: -5, 3: 1.5, 4: true, 5: 'AQL/', 6: '3:0', 7: 1_700_000_000, 8: { 0: 1, 3: 4 } });
    assert.deepEqual(nodeJson(object(3, [instance(0, [resource(9, 'integer', 87)])])), { 0: { 9: 87 } });
    assert.deepEqual(nodeResult('/3/0/9', resource(9, 'integer', 87)), { path: '/3/0/9', value: 87, type: 'integer' });
    assert.deepEqual(nodesJson(new Map([['/3/0/9', resource(9, 'integer', 87)], ['/3/0/1', null]])), { '/3/0/9': 87, '/3/0/1': null });
  });

  it('types JSON input by the model', () => {
    const tz = inputNode(ctx, reg, LwM2mPath.parse('/3/0/14'), '+01:00');
    assert.deepEqual(tz, { kind: 'resource', id: 14, type: 'string', value: '+01:00' });
    const big = inputNode(ctx, reg, LwM2mPath.parse('/3/0/13'), '1700000000');
    assert.equal(big.kind === 'resource' && big.type, 'time');
    const inst = inputNode(ctx, reg, LwM2mPath.parse('/3/0'), { 14: '+02:00', 13: 5 });
    assert.equal(inst.kind, 'instance');
    const link = inputNode(ctx, reg, LwM2mPath.parse('/1/0/22'), '3:0');
    assert.ok(link.kind === 'resource');
    assert.throws(() => inputNode(ctx, reg, LwM2mPath.parse('/3/0/9'), 'many'), (e: unknown) => e instanceof ProblemError && e.code === 'BAD_VALUE');
    assert.throws(() => inputNode(ctx, reg, LwM2mPath.parse('/3'), {}), (e: unknown) => e instanceof ProblemError && e.code === 'BAD_VALUE');
  });

  it('builds a Create instance with or without an id', () => {
    const n = createNode(ctx, reg, 3303, undefined, { 5700: '20.5' });
    assert.equal(n.id, undefined);
    assert.deepEqual(n.resources.get(5700), { kind: 'resource', id: 5700, type: 'float', value: 20.5 });
    assert.equal(createNode(ctx, reg, 3303, 4, {}).id, 4);
  });

  it('writes links with numeric attributes as numbers', () => {
    const links = [{ uri: '/3/0/9', attributes: new Map<string, string | true>([['pmin', '10'], ['dim', '2'], ['obs', true], ['rt', 'x']]) }];
    assert.deepEqual(linksJson(links), [{ path: '/3/0/9', attributes: { pmin: 10, dim: 2, obs: true, rt: 'x' } }]);
  });
});
