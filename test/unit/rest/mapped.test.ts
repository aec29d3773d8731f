/** The mapped REST routes as the REST side gets them from the mapping compiler: matching, resources, commands. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mappedRoutesOf, type MappedRoute } from '../../../src/northbound/rest/mapped.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { compileMappings } from '../../../src/mapping/index.js';

const models = ModelRegistry.withBuiltins();

function routesOf(files: Record<string, string>): MappedRoute[] {
  const { mappings, errors } = compileMappings(Object.entries(files).map(([file, text]) => ({ file, text })), models);
  assert.deepEqual(errors.map((e) => e.message), []);
  return mappedRoutesOf(mappings);
}

function routeOf(rest: string, object = 3303, extra = ''): MappedRoute {
  const routes = routesOf({ 'f.yaml': `${extra}targets:\n  - object: ${object}\n    rest: ${rest}\n` });
  assert.equal(routes.length, 1);
  return routes[0]!;
}

describe('mapped REST routes', () => {
  it('match paths with {endpoint} and {instanceId}, and a trailing name', () => {
    const r = routeOf('{ path: "/sites/{endpoint}/t/{instanceId}" }');
    assert.equal(r.mapping, 'f');
    assert.equal(r.file.name, 'f');
    assert.equal(r.template, '/sites/{endpoint}/t/{instanceId}');
    assert.deepEqual(r.match('/sites/a%20b/t/3'), { endpoint: 'a b', instanceId: 3, rest: undefined });
    assert.deepEqual(r.match('/sites/x/t/0/sensor-value'), { endpoint: 'x', instanceId: 0, rest: 'sensor-value' });
    assert.deepEqual(r.match('/sites/x/t/0/'), { endpoint: 'x', instanceId: 0, rest: undefined });
    assert.equal(r.match('/sites/x/t/zero'), undefined);
    assert.equal(r.match('/sites/x/t/0/a/b'), undefined);
    assert.equal(r.match('/other/x/t/0'), undefined);
    assert.equal(r.match('/sites/%E0%A4%A/t/0'), undefined);
    const single = routeOf('{ path: "/d/{endpoint}" }', 3);
    assert.deepEqual(single.match('/d/ep'), { endpoint: 'ep', instanceId: 0, rest: undefined });
  });

  it('take the only listed instance when the path has no {instanceId}', () => {
    const r = routesOf({ 'f.yaml': 'targets:\n  - object: 3303\n    instances: [2]\n    rest: { path: "/t/{endpoint}" }\n' })[0]!;
    assert.deepEqual(r.match('/t/ep'), { endpoint: 'ep', instanceId: 2, rest: undefined });
    assert.deepEqual(r.instances, [2]);
  });

  it('expand {objectId} and {objectSlug}, and put the file prefix first', () => {
    const r = routeOf('{ path: "/{objectSlug}/{objectId}/{instanceId}" }', 3303, 'rest: { prefix: "/sites/{endpoint}" }\n');
    assert.equal(r.template, '/sites/{endpoint}/temperature/3303/{instanceId}');
    assert.deepEqual(r.match('/sites/ep/temperature/3303/1'), { endpoint: 'ep', instanceId: 1, rest: undefined });
    assert.equal(r.match('/temperature/3303/1'), undefined);
  });

  it('resolve resources by id, name and slug; default to the readable ones', () => {
    const r = routeOf('{ path: "/s/{endpoint}", resources: [5700, "Sensor Units", min-measured-value, 5700] }');
    assert.deepEqual(r.resources.map((x) => [x.id, x.slug]), [[5700, 'sensor-value'], [5701, 'sensor-units'], [5601, 'min-measured-value']]);
    const all = routeOf('{ path: "/s/{endpoint}" }');
    assert.ok(all.resources.length > 3);
    assert.ok(all.resources.every((x) => x.model.operations.includes('R')));
    assert.ok(!all.resources.some((x) => x.id === 5605));
  });

  it('compile commands by name, with default execute arguments', () => {
    const r = routeOf('{ path: "/s/{endpoint}", commands: { reset: { execute: 5605, args: "1" }, label: { write: "Application Type" }, v: { read: sensor-value } } }');
    assert.deepEqual(r.commands.get('reset'), { name: 'reset', op: 'execute', resourceId: 5605, args: '1' });
    assert.deepEqual(r.commands.get('label'), { name: 'label', op: 'write', resourceId: 5750 });
    assert.deepEqual(r.commands.get('v'), { name: 'v', op: 'read', resourceId: 5700 });
  });

  it('come in file name order, then target order, from enabled files only', () => {
    const routes = routesOf({
      'b.yaml': 'targets:\n  - object: 3303\n    rest: { path: "/b/{endpoint}" }\n  - object: 3304\n    rest: { path: "/b2/{endpoint}" }\n',
      'a.yaml': 'targets:\n  - object: 3\n    rest: { path: "/a/{endpoint}" }\n',
      'c.yaml': 'enabled: false\ntargets:\n  - object: 3\n    rest: { path: "/a/{endpoint}" }\n',
    });
    assert.deepEqual(routes.map((r) => [r.mapping, r.template, r.objectId]), [['a', '/a/{endpoint}', 3], ['b', '/b/{endpoint}', 3303], ['b', '/b2/{endpoint}', 3304]]);
  });
});
