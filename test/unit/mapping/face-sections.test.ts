/**
 * A compiled target: what every face shares (object, instances, observations) and one
 * section per face, each compiled by its own compiler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings, DevicePlan, type CompiledTarget, type PlannedOutput } from '../../../src/mapping/index.js';
import { resource } from '../../../src/lwm2m/node.js';
import { notification, registration, testModels } from './fixtures.js';

const models = testModels();

function targets(text: string): CompiledTarget[] {
  const { mappings, errors } = compileMappings([{ file: 'maps/m.yaml', text }], models);
  assert.deepEqual(errors.map((e) => e.message), []);
  return [...mappings.files[0]!.targets];
}

void test('a target without face sections holds only what every face shares', () => {
  const [t] = targets('targets:\n  - object: 3303\n    instances: [0]\n    observe: { resources: [5700], attributes: { pmin: 10 } }\n');
  assert.deepEqual(Object.keys(t!).sort(), ['instances', 'objectId', 'objectName', 'observe']);
  assert.deepEqual(t!.observe, [{ resources: [5700], attributes: { pmin: 10 }, composite: false }]);
});

void test('each face section is compiled into its own field: mqtt, rest, onem2m', () => {
  const [t] = targets(`
onem2m: { mode: transparent }
targets:
  - object: 3303
    observe: {}
    mqtt:
      publish: { topic: "t/{endpoint}/{instanceId}", payload: "{5700}" }
      commands: { topic: "c/{endpoint}/{instanceId}/reset", execute: 5605 }
    rest: { path: "/temp/{endpoint}/{instanceId}" }
    onem2m: { mode: semantic, mni: 5, commands: { reset: { execute: 5605 } } }
`);
  assert.equal(t!.mqtt?.publish.length, 1);
  assert.equal(t!.mqtt?.commands.length, 1);
  assert.equal(t!.rest?.template, '/temp/{endpoint}/{instanceId}');
  assert.equal(t!.onem2m?.mode, 'semantic');
  assert.equal(t!.onem2m?.mni, 5);
  assert.deepEqual(t!.onem2m?.commands, [{ name: 'reset', op: 'execute', resourceId: 5605 }]);
  const { mappings } = compileMappings([{ file: 'maps/m.yaml', text: 'onem2m: { mode: transparent }\ntargets: [{ object: 3303 }]\n' }], models);
  assert.equal(mappings.files[0]!.onem2m?.mode, 'transparent');
});

void test('a plan renders the outputs of whichever face section it is built with', () => {
  const { mappings } = compileMappings([{ file: 'maps/m.yaml', text: 'targets:\n  - object: 3303\n    observe: { resources: [5700] }\n' }], models);
  const seen: string[] = [];
  const output: PlannedOutput<string> = {
    objectId: 3303,
    mapping: 'm',
    names: [],
    emit: (g, out) => {
      for (const id of g.fresh ?? g.values.keys()) out.push(`${g.endpoint}/${g.instanceId}/${id}=${String(g.values.get(id))}`);
      seen.push(g.endpoint);
    },
  };
  const reg = registration('dev-1', { 3303: [0] });
  const plan = new DevicePlan<string>(reg, mappings.files, () => [output]);
  assert.deepEqual(plan.render(notification(reg, '/3303/0/5700', resource(5700, 'float', 21.5))), ['dev-1/0/5700=21.5']);
  assert.deepEqual(plan.observations.map((o) => o.paths), [['/3303/0/5700']]);
  assert.deepEqual(seen, ['dev-1']);
});
