import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings, type MappingError } from '../../../src/mapping/index.js';
import { testModels } from './fixtures.js';

const models = testModels();

function errorsOf(text: string, file = 'maps/t.yaml'): MappingError[] {
  const { errors, mappings } = compileMappings([{ file, text }], models);
  if (errors.length) assert.equal(mappings.files.length, 0, 'a file with errors is left out');
  return errors;
}

/** 1-based line and column of the first occurrence of `needle` (plus `shift` characters). */
function at(text: string, needle: string, shift = 0): { line: number; column: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `test input lacks ${needle}`);
  const before = text.slice(0, i + shift);
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function expectOne(text: string, needle: string, field: string, re: RegExp, shift = 0): MappingError {
  const errors = errorsOf(text);
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
  const e = errors[0]!;
  const pos = at(text, needle, shift);
  assert.equal(e.file, 'maps/t.yaml');
  assert.equal(e.field, field);
  assert.match(e.detail, re);
  assert.deepEqual({ line: e.line, column: e.column }, pos, e.message);
  assert.equal(e.message, `maps/t.yaml:${pos.line}:${pos.column}: ${field}: ${e.detail}`);
  return e;
}

test('bad YAML names the line and column', () => {
  const text = 'targets:\n  - object: 3303\n    observe: { resources: [5700 }\n';
  const errors = errorsOf(text);
  assert.ok(errors.length >= 1);
  assert.equal(errors[0]!.file, 'maps/t.yaml');
  assert.equal(errors[0]!.line, 3);
  assert.match(errors[0]!.message, /^maps\/t\.yaml:3:\d+: YAML error/);
});

test('duplicate keys are YAML errors', () => {
  const text = 'targets:\n  - object: 3303\n    object: 3304\n';
  const errors = errorsOf(text);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 3);
});

test('unknown field points at the key', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "a/{endpoint}"\n        retian: true\n';
  expectOne(text, 'retian', 'targets[0].mqtt.publish.retian', /unknown field "retian"/);
});

test('unknown top-level field', () => {
  const text = 'target:\n  - object: 3303\n';
  const errors = errorsOf(text);
  const unknown = errors.find((e) => e.field === 'target');
  assert.ok(unknown);
  assert.equal(unknown.line, 1);
  assert.match(unknown.detail, /unknown field/);
  assert.ok(errors.some((e) => /missing field "targets"/.test(e.detail)));
});

test('wrong type names the field', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        - topic: "a/{endpoint}"\n          qos: 3\n';
  expectOne(text, 'qos: 3', 'targets[0].mqtt.publish[0].qos', /must be one of 0, 1, 2/, 5);
  const text2 = 'targets:\n  - object: 3303\n    instances: zero\n';
  expectOne(text2, 'zero', 'targets[0].instances', /must be array/);
});

test('one-or-list fields report the branch that fits the value', () => {
  const text = 'targets:\n  - object: 3303\n    observe:\n      - resources: [5700]\n        atributes: {}\n';
  expectOne(text, 'atributes', 'targets[0].observe[0].atributes', /unknown field/);
});

test('unknown object by id and by name', () => {
  expectOne('targets:\n  - object: 9999\n', '9999', 'targets[0].object', /unknown object 9999/);
  expectOne('targets:\n  - object: Thermometer\n', 'Thermometer', 'targets[0].object', /unknown object "Thermometer"/);
});

test('ambiguous object names ask for the id', () => {
  expectOne('targets:\n  - object: Location\n', 'Location', 'targets[0].object', /ambiguous \(6, 3336\)/);
});

test('unknown resource by id and by name', () => {
  const text = 'targets:\n  - object: 3303\n    observe:\n      resources: [5700, 5799]\n';
  expectOne(text, '5799', 'targets[0].observe.resources[1]', /unknown resource 5799 in object 3303/);
  const text2 = 'targets:\n  - object: Temperature\n    observe:\n      resources: [Sensor Valu]\n';
  expectOne(text2, 'Sensor Valu', 'targets[0].observe.resources[0]', /unknown resource "Sensor Valu"/);
});

test('unknown placeholder points into the template string', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "sites/{endpoint}/{instnceId}"\n';
  expectOne(text, '{instnceId}', 'targets[0].mqtt.publish.topic', /unknown placeholder \{instnceId\}/);
});

test('placeholder in a payload object, and unclosed braces', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        payload: { v: "{5700}", u: "{9999}" }\n';
  expectOne(text, '{9999}', 'targets[0].mqtt.publish.payload.u', /unknown placeholder \{9999\}/);
  const text2 = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: t/{endpoint\n';
  expectOne(text2, '{endpoint', 'targets[0].mqtt.publish.topic', /unclosed "\{"/);
});

test('resource placeholders in a per-instance output are refused', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}/{resourceId}"\n        each: instance\n';
  expectOne(text, '{resourceId}', 'targets[0].mqtt.publish.topic', /needs each: resource/);
});

test('bad transforms: shape from the schema, fit from the model', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        transform: { round: 1.5 }\n';
  expectOne(text, '1.5', 'targets[0].mqtt.publish.transform.round', /must be integer/);
  const text2 = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        transform: { rnd: 1 }\n';
  expectOne(text2, 'rnd', 'targets[0].mqtt.publish.transform.rnd', /unknown field/);
  const text3 = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        transforms:\n          Sensor Units: { scale: 2 }\n';
  expectOne(text3, '{ scale', "targets[0].mqtt.publish.transforms.Sensor Units", /scale, offset and round apply to numbers; this resource is string/);
  const text4 = 'targets:\n  - object: 3311\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        resources: [Dimmer]\n        transform: { boolean: { true: on, false: off } }\n';
  expectOne(text4, '{ boolean', 'targets[0].mqtt.publish.transform', /boolean labels apply to boolean resources/);
  const text5 = 'targets:\n  - object: 3311\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        transform: { boolean: { true: on } }\n';
  expectOne(text5, '{ true', 'targets[0].mqtt.publish.transform.boolean', /missing field "false"/);
});

test('command errors: no operation, not writable, wildcard, partial level', () => {
  const base = 'targets:\n  - object: 3303\n    mqtt:\n      commands:\n';
  expectOne(base + '        - topic: "c/{endpoint}"\n', '- topic', 'targets[0].mqtt.commands[0]', /needs one of write, execute/, 2);
  expectOne(base + '        - topic: "c/{endpoint}"\n          write: 5700\n', '5700', 'targets[0].mqtt.commands[0].write', /does not allow write/);
  expectOne(base + '        - topic: "c/+/{endpoint}"\n          read: 5700\n', '"c/', 'targets[0].mqtt.commands[0].topic', /wildcards/);
  expectOne(base + '        - topic: "c/x{endpoint}"\n          read: 5700\n', '{endpoint}', 'targets[0].mqtt.commands[0].topic', /whole topic level/);
  expectOne(base + '        - topic: "c/{instanceId}"\n          read: 5700\n', '"c/', 'targets[0].mqtt.commands[0].topic', /needs \{endpoint\}/);
  expectOne(base + '        - topic: "c/{endpoint}/{value}"\n          read: 5700\n', '{value}', 'targets[0].mqtt.commands[0].topic', /cannot be used in a command topic/);
});

test('device selector errors', () => {
  expectOne('devices:\n  endpointPattern: "a("\ntargets:\n  - object: 3\n', '"a("', 'devices.endpointPattern', /bad regular expression/);
  expectOne('devices:\n  objects: [3, Nothing]\ntargets:\n  - object: 3\n', 'Nothing', 'devices.objects[1]', /unknown object/);
});

test('observe attribute rules', () => {
  const text = 'targets:\n  - object: 3303\n    observe:\n      attributes: { pmin: 60, pmax: 10 }\n';
  expectOne(text, '60', 'targets[0].observe.attributes.pmin', /pmin must not exceed pmax/);
  const text2 = 'targets:\n  - object: 3303\n    observe:\n      attributes: { lt: 10, gt: 20, st: 5 }\n';
  expectOne(text2, '10', 'targets[0].observe.attributes.lt', /lt \+ 2 \* st/);
  const text3 = 'targets:\n  - object: 3303\n    observe:\n      resources: [5605]\n';
  expectOne(text3, '[5605]', 'targets[0].observe.resources', /not readable/);
});

test('an empty file and a file that is not a mapping', () => {
  const errors = errorsOf('# nothing\n');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /^maps\/t\.yaml:1:1: the file is empty/);
  const e2 = errorsOf('- 1\n- 2\n');
  assert.ok(e2.length >= 1);
  assert.match(e2[0]!.detail, /must be object/);
});

test('every error of a file is reported, in one load', () => {
  const text = 'targets:\n  - object: 9999\n  - object: 3303\n    observe:\n      resources: [1]\n';
  const errors = errorsOf(text);
  assert.deepEqual(errors.map((e) => e.field), ['targets[0].object', 'targets[1].observe.resources[0]']);
});

test('a broken file does not stop the others from loading', () => {
  const { mappings, errors } = compileMappings(
    [
      { file: 'a.yaml', text: 'targets:\n  - object: 9999\n' },
      { file: 'b.yaml', text: 'targets:\n  - object: 3303\n' },
    ],
    models,
  );
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.file, 'a.yaml');
  assert.deepEqual(mappings.files.map((f) => f.name), ['b']);
});

test('{registrationId} is not a placeholder: the registration id is a secret of the device', () => {
  const text = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}/{registrationId}"\n';
  expectOne(text, '{registrationId}', 'targets[0].mqtt.publish.topic', /^bad template: placeholder \{registrationId\} is not available: the registration id is a secret of the device/);
  const text2 = 'targets:\n  - object: 3303\n    mqtt:\n      publish:\n        topic: "t/{endpoint}"\n        payload: { reg: "{registrationId}" }\n';
  expectOne(text2, '{registrationId}', 'targets[0].mqtt.publish.payload.reg', /is not available/);
  const text3 = 'targets:\n  - object: 3303\n    mqtt:\n      commands:\n        topic: "c/{endpoint}/reset"\n        execute: 5605\n        response: "r/{registrationId}"\n';
  expectOne(text3, '{registrationId}', 'targets[0].mqtt.commands.response', /is not available/);
});
