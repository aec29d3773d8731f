/** Compiling the `rest` section of a mapping target: routes, resources, commands, errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileRestSection } from '../../../src/northbound/rest/mapped.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { CompiledFile } from '../../../src/mapping/index.js';

const models = ModelRegistry.withBuiltins();
const file = { name: 'f', file: 'f.yaml', enabled: true, matches: () => true, targets: [] } as unknown as CompiledFile;
const compile = (section: Record<string, unknown>, objectId = 3303): ReturnType<typeof compileRestSection> => compileRestSection(section, file, objectId, undefined, models);

describe('mapped REST sections', () => {
  it('matches paths with {endpoint} and {instanceId}, and a trailing name', () => {
    const r = compile({ path: '/sites/{endpoint}/t/{instanceId}' });
    assert.deepEqual(r.match('/sites/a%20b/t/3'), { endpoint: 'a b', instanceId: 3, rest: undefined });
    assert.deepEqual(r.match('/sites/x/t/0/sensor-value'), { endpoint: 'x', instanceId: 0, rest: 'sensor-value' });
    assert.equal(r.match('/sites/x/t/zero'), undefined);
    assert.equal(r.match('/sites/x/t/0/a/b'), undefined);
    assert.equal(r.match('/other/x/t/0'), undefined);
    assert.equal(r.match('/sites/%E0%A4%A/t/0'), undefined);
    const single = compile({ path: '/d/{endpoint}' }, 3);
    assert.deepEqual(single.match('/d/ep'), { endpoint: 'ep', instanceId: 0, rest: undefined });
  });

  it('resolves resources by id, name and slug; defaults to the readable ones', () => {
    const r = compile({ path: '/s/{endpoint}', resources: [5700, 'Sensor Units', 'min-measured-value'] });
    assert.deepEqual(r.resources.map((x) => [x.id, x.slug]), [[5700, 'sensor-value'], [5701, 'sensor-units'], [5601, 'min-measured-value']]);
    const all = compile({ path: '/s/{endpoint}' });
    assert.ok(all.resources.every((x) => x.model.operations.includes('R')));
    assert.ok(!all.resources.some((x) => x.id === 5605));
  });

  it('compiles commands and checks their operations', () => {
    const r = compile({ path: '/s/{endpoint}', commands: { reset: { execute: 5605, args: '1' }, label: { write: 'Application Type' }, v: { read: 5700 } } });
    assert.deepEqual(r.commands.get('reset'), { name: 'reset', op: 'execute', resourceId: 5605, args: '1' });
    assert.equal(r.commands.get('label')?.resourceId, 5750);
    assert.throws(() => compile({ path: '/s/{endpoint}', commands: { x: { execute: 5700 } } }), /does not allow execute/);
    assert.throws(() => compile({ path: '/s/{endpoint}', commands: { x: { read: 5700, write: 5750 } } }), /exactly one/);
    assert.throws(() => compile({ path: '/s/{endpoint}', commands: { 'a b': { read: 5700 } } }), /URL segment/);
  });

  it('refuses bad sections with a message', () => {
    assert.throws(() => compile({}), /rest\.path/);
    assert.throws(() => compile({ path: 'sites/{endpoint}' }), /starting with/);
    assert.throws(() => compile({ path: '/api/x/{endpoint}' }), /\/api/);
    assert.throws(() => compile({ path: '/s/{instanceId}' }), /needs \{endpoint\}/);
    assert.throws(() => compile({ path: '/s/{endpoint}/{endpoint}' }), /twice/);
    assert.throws(() => compile({ path: '/s/x-{endpoint}' }), /whole segment/);
    assert.throws(() => compile({ path: '/s/{endpoint}', resources: ['nothing'] }), /no resource/);
    assert.throws(() => compile({ path: '/s/{endpoint}' }, 65000), /not known/);
  });
});
