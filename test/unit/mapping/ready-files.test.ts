import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { instance, resource } from '../../../src/lwm2m/node.js';
import { loadMappingDir, validateMappings } from '../../../src/mapping/index.js';
import { notification, registration } from './fixtures.js';

const DIR = fileURLToPath(new URL('../../../mappings/', import.meta.url));
const models = ModelRegistry.withBuiltins();

test('every ready mapping file loads clean against the built-in models', () => {
  const r = loadMappingDir(DIR, models);
  assert.deepEqual(r.errors.map((e) => e.message), []);
  const names = r.mappings.files.map((f) => f.name);
  for (const want of ['device', 'connectivity-monitoring', 'firmware-update', 'location', 'temperature', 'humidity', 'pressure', 'illuminance', 'generic-sensor', 'light-control', 'power-control', 'accelerometer', 'push-button']) {
    assert.ok(names.includes(want), `mappings/${want}.yaml`);
  }
  const objects = new Set(r.mappings.files.flatMap((f) => f.targets.map((t) => t.objectId)));
  for (const id of [3, 4, 5, 6, 3300, 3301, 3303, 3304, 3311, 3312, 3313, 3323, 3347]) assert.ok(objects.has(id), `object ${id} is mapped`);
  assert.equal(validateMappings(DIR, models).ok, true);
});

test('every ready file points editors at the shipped schema', () => {
  for (const name of readdirSync(DIR).filter((n) => n.endsWith('.yaml'))) {
    const first = readFileSync(join(DIR, name), 'utf8').split('\n')[0];
    assert.equal(first, '# yaml-language-server: $schema=../schema/mapping.schema.json', name);
  }
});

test('the ready files observe on registration and publish, and their commands parse', () => {
  const { mappings } = loadMappingDir(DIR, models);
  const reg = registration('node-7', { 3: [0], 3303: [0], 3311: [0, 1], 5: [0] });
  const plan = mappings.mqtt.matchDevice(reg);
  const observed = plan.observations.flatMap((o) => o.paths);
  for (const p of ['/3/0/9', '/3303/0/5700', '/3311/1/5850', '/5/0/3']) assert.ok(observed.includes(p), p);

  const temp = mappings.mqtt.render(notification(reg, '/3303/0/5700', resource(5700, 'float', 21.5)));
  const byTopic = new Map(temp.map((m) => [m.topic, m.payload]));
  assert.equal(byTopic.get('devices/node-7/temperature/0/sensor-value'), '21.5');
  assert.equal(JSON.parse(byTopic.get('devices/node-7/temperature/0') as string).value, 21.5);

  const light = mappings.mqtt.render(notification(reg, '/3311/1', instance(1, [resource(5850, 'boolean', true), resource(5851, 'integer', 40)])));
  assert.equal(new Map(light.map((m) => [m.topic, m.payload])).get('devices/node-7/light/1/on-off'), 'on');

  const fw = mappings.mqtt.render(notification(reg, '/5/0/3', resource(3, 'integer', 2)));
  assert.deepEqual(fw.map((m) => [m.topic, m.payload]), [['devices/node-7/firmware/state', 'downloaded']]);

  const set = mappings.mqtt.parseCommand('devices/node-7/light/1/on-off/set', 'off');
  assert.ok(set?.ok);
  assert.equal(set.request.op, 'write');
  const reboot = mappings.mqtt.parseCommand('devices/node-7/device/reboot', '');
  assert.ok(reboot?.ok);
  assert.deepEqual(reboot.request, { op: 'execute', path: '/3/0/4' });
});

test('the ready files give friendly REST routes that do not clash', () => {
  const { mappings, errors } = loadMappingDir(DIR, models);
  assert.deepEqual(errors, []);
  const routes = new Map(mappings.restRoutes.map(({ route }) => [route.template, route]));
  for (const want of ['/devices/{endpoint}/device', '/devices/{endpoint}/temperature/{instanceId}', '/devices/{endpoint}/humidity/{instanceId}', '/devices/{endpoint}/light/{instanceId}', '/devices/{endpoint}/location']) {
    assert.ok(routes.has(want), want);
  }
  const temp = routes.get('/devices/{endpoint}/temperature/{instanceId}')!;
  assert.deepEqual(temp.match('/devices/node-7/temperature/1/sensor-value'), { endpoint: 'node-7', instanceId: 1, rest: 'sensor-value' });
  assert.deepEqual(temp.commands.get('reset-min-max'), { name: 'reset-min-max', op: 'execute', resourceId: 5605 });
  assert.equal(routes.get('/devices/{endpoint}/device')!.commands.get('reboot')?.resourceId, 4);
  // one request path goes to one route at most
  for (const path of ['/devices/n/device', '/devices/n/temperature/0', '/devices/n/light/2/on-off', '/devices/n/location/latitude']) {
    assert.equal(mappings.restRoutes.filter(({ route }) => route.match(path)).length, 1, path);
  }
});

test('every ready file has a oneM2M section on each target', () => {
  const { mappings } = loadMappingDir(DIR, models);
  for (const f of mappings.files) {
    for (const t of f.targets) assert.ok(t.onem2m?.mode, `${f.name}: object ${t.objectId}`);
  }
  const light = mappings.files.find((f) => f.name === 'light-control')!.targets[0]!.onem2m!;
  assert.equal(light.mode, 'flexContainer');
  assert.deepEqual(light.commands.map((c) => c.name), ['on-off', 'dimmer']);
});
