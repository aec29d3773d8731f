/** Misspelled keys, values, objects, resources and placeholders get the nearest name. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings, type MappingError } from '../../../src/mapping/index.js';
import { editDistance, nearest } from '../../../src/mapping/suggest.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { ResourceModel } from '../../../src/lwm2m/model/types.js';
import { testModels } from './fixtures.js';

const models = testModels();

function oneError(text: string): MappingError {
  const { errors } = compileMappings([{ file: 'maps/t.yaml', text }], models);
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
  return errors[0]!;
}

const publish = (body: string): string => `targets:\n  - object: 3303\n    mqtt:\n      publish:\n${body}`;

test('edit distance: insert, delete, replace, swap of neighbours; bounded', () => {
  assert.equal(editDistance('endpoint', 'endpoint', 3), 0);
  assert.equal(editDistance('endpont', 'endpoint', 3), 1);
  assert.equal(editDistance('retian', 'retain', 3), 1, 'a swap counts one');
  assert.equal(editDistance('topik', 'topic', 3), 1);
  assert.equal(editDistance('abc', 'xyz', 3), 3);
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'stops past the bound');
  assert.equal(editDistance('a', 'abcdefgh', 2), 3);
});

test('nearest: within a distance growing with the length, first on a tie, none for long words', () => {
  assert.equal(nearest('endpont', ['objectId', 'endpoint', 'instanceId']), 'endpoint');
  assert.equal(nearest('Topic', ['topic', 'qos']), 'topic', 'case differs only');
  assert.equal(nearest('topic', ['topic']), undefined, 'the word itself is no suggestion');
  assert.equal(nearest('xyzzy', ['topic', 'qos']), undefined);
  assert.equal(nearest('qo', ['qos']), undefined, 'two letters are too short to guess');
  assert.equal(nearest('3330', ['3303', '3336']), '3303');
  assert.equal(nearest('3330', ['3303', '3336'], { unique: true }), undefined);
  assert.equal(nearest('e'.repeat(65), ['e'.repeat(64)]), undefined);
});

test('unknown keys: the nearest key allowed there', () => {
  assert.match(oneError(publish('        topic: "t/{endpoint}"\n        retian: true\n')).message, /: targets\[0\]\.mqtt\.publish\.retian: unknown field "retian" \(did you mean "retain"\?\)$/);
  assert.match(oneError('targets:\n  - object: 3303\n    obsreve: {}\n').detail, /unknown field "obsreve" \(did you mean "observe"\?\)/);
  assert.match(oneError('targets:\n  - object: 3303\n    mqtt:\n      publsh: {}\n').detail, /unknown field "publsh" \(did you mean "publish"\?\)/);
  // nothing near: no guess
  assert.equal(oneError('targets:\n  - object: 3303\n    colour: red\n').detail, 'unknown field "colour"');
});

test('enum values: the nearest allowed value', () => {
  const e = oneError(publish('        topic: "t/{endpoint}"\n        each: instnce\n'));
  assert.equal(e.field, 'targets[0].mqtt.publish.each');
  assert.match(e.detail, /must be one of "resource", "instance" \(did you mean "instance"\?\)/);
});

test('objects: the nearest name (or slug), the id when only one is near', () => {
  assert.match(oneError('targets:\n  - object: Temprature\n').detail, /unknown object "Temprature" \(did you mean "Temperature"\?\)/);
  assert.match(oneError('targets:\n  - object: light-contrl\n').detail, /unknown object "light-contrl" \(did you mean "Light Control"\?\)/);
  assert.match(oneError('targets:\n  - object: 3033\n').detail, /unknown object 3033 \(no model for it\) \(did you mean 3303 \(Temperature\)\?\)/);
  // 3330 is one edit from 3303 and from 3336: no guess
  assert.equal(oneError('targets:\n  - object: 3330\n').detail, 'unknown object 3330 (no model for it)');
  assert.match(oneError('devices:\n  objects: [Devce]\ntargets:\n  - object: 3303\n').detail, /did you mean "Device"\?/);
});

test('resources: the nearest name of the object, or id', () => {
  const byName = oneError('targets:\n  - object: 3303\n    observe:\n      resources: [Sensor Valeu]\n');
  assert.equal(byName.field, 'targets[0].observe.resources[0]');
  assert.match(byName.detail, /unknown resource "Sensor Valeu" in object 3303 \(Temperature\) \(did you mean "Sensor Value"\?\)/);
  assert.match(oneError('targets:\n  - object: 3303\n    observe:\n      resources: [min-measured-valu]\n').detail, /did you mean "Min Measured Value"\?/);
  assert.match(oneError('targets:\n  - object: 3303\n    observe:\n      resources: [5071]\n').detail, /unknown resource 5071 in object 3303 \(Temperature\) \(did you mean 5701 \(Sensor Units\)\?\)/);
});

test('placeholders: {endpont} is an unknown placeholder, not an unknown resource', () => {
  const text = publish('        topic: "t/{endpont}/{instanceId}"\n');
  const e = oneError(text);
  assert.equal(e.field, 'targets[0].mqtt.publish.topic');
  assert.equal(e.detail, 'bad template: unknown placeholder {endpont} (did you mean {endpoint}?)');
  assert.equal(e.column, text.split('\n')[4]!.indexOf('{endpont}') + 1);
  assert.equal(oneError(publish('        topic: "t/{endpoint}"\n        payload: "{sensor-valeu}"\n')).detail, 'bad template: unknown placeholder {sensor-valeu} (did you mean {sensor-value}?)');
  assert.equal(oneError(publish('        topic: "t/{endpoint}"\n        payload: "{Sensor Valeu}"\n')).detail, 'bad template: unknown placeholder {Sensor Valeu} (did you mean {Sensor Value}?)');
  assert.match(oneError(publish('        topic: "t/{endpoint}"\n        payload: "{zzzzzz}"\n')).detail, /unknown placeholder \{zzzzzz\}: neither a built-in name nor a resource of object 3303 \(Temperature\); built-in names are endpoint, /);
});

test('placeholders of command topics and REST paths', () => {
  const cmd = oneError('targets:\n  - object: 3303\n    mqtt:\n      commands:\n        topic: "c/{endpoint}/{instnceId}/reset"\n        execute: 5605\n');
  assert.equal(cmd.detail, 'bad template: placeholder {instnceId} cannot be used in a command topic (did you mean {instanceId}?)');
  const rest = oneError('targets:\n  - object: 3303\n    rest:\n      path: "/t/{endpont}"\n');
  assert.match(rest.detail, /bad path: unknown placeholder \{endpont\} \(did you mean \{endpoint\}\?\)/);
});

test('a placeholder naming two resources says so, with no guess', () => {
  const twice = new ModelRegistry();
  const level = (id: number): ResourceModel => ({ id, name: 'Level', operations: 'R', multiple: false, mandatory: false, type: 'integer', range: '', units: '' });
  twice.add({ id: 9000, name: 'Tank', version: '1.0', lwm2mVersion: '1.1', urn: 'urn:oma:lwm2m:x:9000', multiple: true, mandatory: false, resources: new Map([[1, level(1)], [2, level(2)]]) });
  const { errors } = compileMappings([{ file: 'maps/t.yaml', text: 'targets:\n  - object: 9000\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        payload: "{level}"\n' }], twice);
  assert.deepEqual(errors.map((e) => e.detail), ['bad template: unknown placeholder {level}: resource name "level" is ambiguous in object 9000; use the id']);
});
