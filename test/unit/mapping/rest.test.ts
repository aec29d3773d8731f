/** The `rest` sections of mapping files: schema and compiler errors with file, line, column and field; clashing routes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMappings, type MappingError } from '../../../src/mapping/index.js';
import { routeOverlap, type RouteSegment } from '../../../src/mapping/rest/routes.js';
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
  const lines = text.slice(0, i + shift).split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function expectOne(text: string, needle: string, field: string, re: RegExp, shift = 0): MappingError {
  const errors = errorsOf(text);
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
  const e = errors[0]!;
  const pos = at(text, needle, shift);
  assert.equal(e.field, field);
  assert.match(e.detail, re);
  assert.deepEqual({ line: e.line, column: e.column }, pos, e.message);
  assert.equal(e.message, `maps/t.yaml:${pos.line}:${pos.column}: ${field}: ${e.detail}`);
  return e;
}

const target = (rest: string, object = 3303, head = ''): string => `${head}targets:\n  - object: ${object}\n    rest:\n${rest}`;

test('a good section compiles', () => {
  const text = target('      path: "/sites/{endpoint}/temperature/{instanceId}"\n      resources: [5700, Sensor Units]\n      commands:\n        reset: { execute: 5605 }\n        label: { write: Application Type, description: "the label" }\n');
  const { errors, mappings } = compileMappings([{ file: 't.yaml', text }], models);
  assert.deepEqual(errors, []);
  assert.equal(mappings.restRoutes.length, 1);
  assert.equal(mappings.restRoutes[0]!.route.template, '/sites/{endpoint}/temperature/{instanceId}');
});

test('bad path placeholders point into the template', () => {
  let text = target('      path: "/sites/{endpoint}/t/{instance}"\n');
  expectOne(text, '{instance}', 'targets[0].rest.path', /unknown placeholder \{instance\} \(did you mean \{instanceId\}\?\)/);
  text = target('      path: "/sites/{endpoint}/t/{value}"\n');
  expectOne(text, '{value}', 'targets[0].rest.path', /unknown placeholder \{value\}/);
  text = target('      path: "/sites/x-{endpoint}"\n');
  expectOne(text, '{endpoint}', 'targets[0].rest.path', /must fill a whole segment/);
  text = target('      path: "/sites/{endpoint}/{endpoint}"\n');
  expectOne(text, '{endpoint}"', 'targets[0].rest.path', /\{endpoint\} appears twice/);
  text = target('      path: "/sites//{endpoint}"\n');
  expectOne(text, '//', 'targets[0].rest.path', /empty segment/, 1);
  text = target('      path: "/sites/{endpoint}/t?x=1"\n');
  expectOne(text, '?x', 'targets[0].rest.path', /"\?" cannot appear/);
});

test('a path needs {endpoint}, must not shadow /api, and names its instance when several are listed', () => {
  let text = target('      path: "/sites/{instanceId}"\n');
  expectOne(text, '"/sites', 'targets[0].rest.path', /needs \{endpoint\}/);
  text = target('      path: "/api/x/{endpoint}"\n');
  expectOne(text, '"/api', 'targets[0].rest.path', /must not start with \/api/);
  // a leading placeholder would match /api/... too
  text = target('      path: "/{endpoint}/temperature"\n');
  expectOne(text, '"/{endpoint}', 'targets[0].rest.path', /must start with a fixed segment, not \{endpoint\}/);
  text = 'targets:\n  - object: 3303\n    instances: [0, 1]\n    rest: { path: "/t/{endpoint}" }\n';
  expectOne(text, '"/t/', 'targets[0].rest.path', /lists several instances/);
});

test('the schema refuses a path that does not start with "/", a missing path and unknown fields', () => {
  let text = target('      path: "sites/{endpoint}"\n');
  expectOne(text, '"sites', 'targets[0].rest.path', /must match pattern/);
  text = target('      resources: [5700]\n');
  expectOne(text, 'resources', 'targets[0].rest', /missing field "path"/);
  text = target('      path: "/t/{endpoint}"\n      paht: "/x"\n');
  expectOne(text, 'paht', 'targets[0].rest.paht', /unknown field "paht"/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        reset: { exec: 5605 }\n');
  expectOne(text, 'exec', 'targets[0].rest.commands.reset.exec', /unknown field "exec"/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        reset: { execute: 5605, args: 1 }\n');
  expectOne(text, '1 }', 'targets[0].rest.commands.reset.args', /must be string/);
  text = 'rest: { prefx: "/a" }\ntargets:\n  - object: 3303\n';
  expectOne(text, 'prefx', 'rest.prefx', /unknown field/);
});

test('unknown resources by id and by name, against the models', () => {
  let text = target('      path: "/t/{endpoint}"\n      resources: [5700, Nothing]\n');
  expectOne(text, 'Nothing', 'targets[0].rest.resources[1]', /unknown resource "Nothing" in object 3303/);
  text = target('      path: "/t/{endpoint}"\n      resources: [5605]\n');
  expectOne(text, '5605', 'targets[0].rest.resources[0]', /not readable/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        reset: { execute: 9999 }\n');
  expectOne(text, '9999', 'targets[0].rest.commands.reset.execute', /unknown resource 9999/);
});

test('commands: one operation the resource allows, a name that is a path segment, args for execute only', () => {
  let text = target('      path: "/t/{endpoint}"\n      commands:\n        x: { execute: 5700 }\n');
  expectOne(text, '5700', 'targets[0].rest.commands.x.execute', /does not allow execute/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        x: { write: Sensor Value }\n');
  expectOne(text, 'Sensor Value', 'targets[0].rest.commands.x.write', /does not allow write/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        x: { read: 5700, write: 5750 }\n');
  expectOne(text, '{ read', 'targets[0].rest.commands.x', /only one of write, read/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        x: {}\n');
  expectOne(text, 'x: {}', 'targets[0].rest.commands.x', /needs one of execute, write, read/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        "a b": { read: 5700 }\n');
  expectOne(text, '"a b"', 'targets[0].rest.commands.a b', /not a path segment/);
  text = target('      path: "/t/{endpoint}"\n      commands:\n        v: { read: 5700, args: "x" }\n');
  expectOne(text, 'args', 'targets[0].rest.commands.v.args', /args are for execute/);
});

test('the file prefix: its own errors once, and placeholders counted with the path', () => {
  let text = target('      path: "/t/{instanceId}"\n', 3303, 'rest: { prefix: "/s/{site}" }\n');
  expectOne(text, '{site}', 'rest.prefix', /unknown placeholder \{site\}/);
  text = target('      path: "/t/{endpoint}"\n', 3303, 'rest: { prefix: "/s/{endpoint}" }\n');
  expectOne(text, '{endpoint}"\n', 'targets[0].rest.path', /\{endpoint\} appears twice/);
  text = target('      path: "/t/{instanceId}"\n', 3303, 'rest: { prefix: "/api" }\n');
  const errors = errorsOf(text);
  assert.deepEqual(errors.map((e) => e.field), ['targets[0].rest.path', 'targets[0].rest.path']);
  assert.match(errors[0]!.detail, /needs \{endpoint\} \(with the file's rest\.prefix\)/);
  assert.match(errors[1]!.detail, /must not start with \/api/);
  text = target('      path: "/t/{instanceId}"\n', 3303, 'rest: { prefix: "/s/{endpoint}" }\n');
  assert.deepEqual(errorsOf(text), []);
});

test('routes that clash in one file or across files fail the load, naming both', () => {
  const one = 'targets:\n  - object: 3303\n    rest: { path: "/s/{endpoint}/t" }\n  - object: 3304\n    rest: { path: "/s/{endpoint}/t/" }\n';
  const e = expectOne(one, '"/s/{endpoint}/t/"', 'targets[1].rest.path', /clashes with "\/s\/\{endpoint\}\/t" \(targets\[0\]\.rest\.path\): both match \/s\/\{endpoint\}\/t$/);
  assert.ok(e);
  // /s/x/device is both a's resource or command "device" and b's route
  const a = { file: 'maps/a.yaml', text: 'targets:\n  - object: 3303\n    rest: { path: "/s/{endpoint}" }\n' };
  const b = { file: 'maps/b.yaml', text: 'targets:\n  - object: 3\n    rest: { path: "/s/{endpoint}/device" }\n' };
  const r = compileMappings([b, a], models);
  assert.equal(r.errors.length, 1, r.errors.map((x) => x.message).join('\n'));
  assert.equal(r.errors[0]!.file, 'maps/b.yaml');
  assert.equal(r.errors[0]!.line, 3);
  assert.match(r.errors[0]!.detail, /clashes with "\/s\/\{endpoint\}" \(maps\/a\.yaml targets\[0\]\.rest\.path\): both match \/s\/\{endpoint\}\/device/);
  assert.deepEqual(r.mappings.files.map((f) => f.name), ['a']);
  // a disabled file is checked on its own only
  const off = { file: 'maps/c.yaml', text: 'enabled: false\n' + a.text };
  assert.deepEqual(compileMappings([a, off], models).errors, []);
  // routes that differ in a literal segment, or where {instanceId} meets a word, do not clash
  const c = { file: 'maps/c.yaml', text: 'targets:\n  - object: 3\n    rest: { path: "/s/{endpoint}/device/x" }\n  - object: 3304\n    rest: { path: "/s/{endpoint}/{instanceId}" }\n' };
  const d = { file: 'maps/d.yaml', text: 'targets:\n  - object: 3303\n    rest: { path: "/s/{endpoint}/temperature/{instanceId}" }\n' };
  assert.deepEqual(compileMappings([c, d], models).errors, []);
});

test('routeOverlap: segments that some request path matches in both routes', () => {
  const lit = (literal: string): RouteSegment => ({ literal });
  const ep: RouteSegment = { capture: 'endpoint' };
  const inst: RouteSegment = { capture: 'instanceId' };
  assert.equal(routeOverlap([lit('a'), ep], [lit('a'), ep]), '/a/{endpoint}');
  assert.equal(routeOverlap([lit('a'), ep], [ep, lit('b')]), '/a/b');
  assert.equal(routeOverlap([lit('a'), inst], [lit('a'), lit('b')]), undefined);
  assert.equal(routeOverlap([lit('a'), inst], [lit('a'), lit('12')]), '/a/12');
  assert.equal(routeOverlap([ep, inst], [ep, ep]), '/{endpoint}/0');
  assert.equal(routeOverlap([lit('a'), ep], [lit('a'), ep, lit('x')]), '/a/{endpoint}/x');
  assert.equal(routeOverlap([lit('a'), ep], [lit('a'), ep, lit('x'), lit('y')]), undefined);
  assert.equal(routeOverlap([lit('a'), ep], [lit('b'), ep, lit('x')]), undefined);
});
