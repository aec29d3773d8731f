/** Friendly routes from the `rest` sections of mapping files (a test set and the shipped files), over HTTP and UDP. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestFixture } from './fixture.js';
import { compileMappings, MappingStore, type CompiledMappings } from '../../../src/mapping/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

const SITES = `
devices: { endpoint: "site-*" }
targets:
  - object: 3303
    rest:
      path: "/sites/{endpoint}/temperature/{instanceId}"
      resources: [5700, "Sensor Units", application-type]
      commands:
        reset: { execute: 5605 }
        label: { write: "Application Type" }
  - object: 3
    rest:
      path: "/sites/{endpoint}/device"
      resources: [0, 9]
      commands:
        reboot: { execute: 4 }
`;

function compile(text: string): CompiledMappings {
  const { mappings, errors } = compileMappings([{ file: 'sites.yaml', text }], ModelRegistry.withBuiltins());
  assert.deepEqual(errors, []);
  return mappings;
}

describe('REST mapped endpoints', () => {
  let f: RestFixture;
  let dev: Lwm2mTestClient;
  let current = compile(SITES);

  before(async () => {
    f = await RestFixture.start({ northbound: { mappings: () => current } });
    ({ client: dev } = await f.registered({ endpoint: 'site-7' }));
    await f.registered({ endpoint: 'elsewhere' });
  });
  after(() => f.stop());

  it('answers the mapped payload of an instance', async () => {
    const r = await f.api('GET', '/sites/site-7/temperature/0');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, {
      endpoint: 'site-7',
      mapping: 'sites',
      objectId: 3303,
      instanceId: 0,
      values: { 'sensor-value': 21.5, 'sensor-units': 'Cel', 'application-type': 'room' },
    });
    const d = await f.api('GET', '/sites/site-7/device');
    assert.deepEqual(d.body.values, { manufacturer: 'Test Devices Ltd', 'battery-level': 87 });
  });

  it('reads one resource by its slug', async () => {
    const r = await f.api('GET', '/sites/site-7/temperature/0/sensor-value');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.value, 21.5);
    assert.equal(r.body.resource, 'sensor-value');
  });

  it('runs the mapped commands and partial writes', async () => {
    const x = await f.api('POST', '/sites/site-7/temperature/0/reset');
    assert.equal(x.status, 204, x.text);
    assert.deepEqual(dev.executed.at(-1), { path: '/3303/0/5605', args: '' });
    const w = await f.api('POST', '/sites/site-7/temperature/0/label', { body: { value: 'hall' } });
    assert.equal(w.status, 204, w.text);
    assert.equal(dev.value('/3303/0/5750'), 'hall');
    const p = await f.api('PATCH', '/sites/site-7/temperature/0', { body: { 'application-type': 'cellar' } });
    assert.equal(p.status, 204, p.text);
    assert.equal(dev.value('/3303/0/5750'), 'cellar');
    const ro = await f.api('PATCH', '/sites/site-7/temperature/0', { body: { 'sensor-value': 3 } });
    assert.equal(ro.status, 400);
    const reboot = await f.api('POST', '/sites/site-7/device/reboot');
    assert.equal(reboot.status, 204, reboot.text);
  });

  it('answers 404 for a device the mapping does not select, and for unknown names', async () => {
    assert.equal((await f.api('GET', '/sites/elsewhere/temperature/0')).body.code, 'DEVICE_NOT_FOUND');
    assert.equal((await f.api('GET', '/sites/nobody/temperature/0')).status, 404);
    assert.equal((await f.api('GET', '/sites/site-7/temperature/0/nothing')).body.code, 'NOT_FOUND');
    assert.equal((await f.api('DELETE', '/sites/site-7/temperature/0')).status, 405);
    // a command read with GET, a resource written with POST: 405 with what is allowed
    const getCommand = await f.api('GET', '/sites/site-7/temperature/0/reset');
    assert.equal(getCommand.status, 405);
    assert.equal(getCommand.headers.get('allow'), 'POST');
    const postResource = await f.api('POST', '/sites/site-7/temperature/0/sensor-value');
    assert.equal(postResource.status, 405);
    assert.equal(postResource.headers.get('allow'), 'GET');
    const missing = await f.api('GET', '/sites/site-7/temperature/4');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'DEVICE_PATH_NOT_FOUND');
  });

  it('never sees a section that would shadow the generic API: the mapping load refuses it', () => {
    const text = SITES + '  - object: 3311\n    rest:\n      path: "/api/lamps/{endpoint}"\n';
    const { errors, mappings } = compileMappings([{ file: 'sites.yaml', text }], ModelRegistry.withBuiltins());
    const line = text.split('\n').findIndex((l) => l.includes('/api/lamps')) + 1;
    assert.deepEqual(errors.map((e) => e.message), [`sites.yaml:${line}:13: targets[2].rest.path: bad path: a route must not start with /api, the generic device API`]);
    assert.equal(mappings.restRoutes.length, 0);
  });

  it('follows a mapping reload', async () => {
    current = compile(SITES.replace('/sites/{endpoint}/temperature/{instanceId}', '/t/{endpoint}/{instanceId}'));
    assert.equal((await f.api('GET', '/sites/site-7/temperature/0')).status, 404);
    const r = await f.api('GET', '/t/site-7/0');
    assert.equal(r.status, 200);
    assert.equal(r.body.values['sensor-value'], 21.5);
  });
});

describe('REST mapped endpoints of the shipped mapping files', () => {
  const shipped = fileURLToPath(new URL('../../../mappings/', import.meta.url));
  let dir: string;
  let store: MappingStore;
  let f: RestFixture;
  let dev: Lwm2mTestClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rest-mapped-'));
    cpSync(shipped, dir, { recursive: true });
    store = new MappingStore({ dir, models: ModelRegistry.withBuiltins() });
    store.load();
    f = await RestFixture.start({ northbound: { mappings: () => store.current } });
    ({ client: dev } = await f.registered({ endpoint: 'node-1' }));
  });
  after(async () => {
    store.stop();
    await f.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the temperature route of mappings/temperature.yaml', async () => {
    const r = await f.api('GET', '/devices/node-1/temperature/0');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.mapping, 'temperature');
    assert.equal(r.body.objectId, 3303);
    assert.equal(r.body.values['sensor-value'], 21.5);
    assert.equal(r.body.values['sensor-units'], 'Cel');
    assert.equal(r.body.values['min-measured-value'], 18.25);
    const one = await f.api('GET', '/devices/node-1/temperature/0/max-measured-value');
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.value, 24.75);
    const reset = await f.api('POST', '/devices/node-1/temperature/0/reset-min-max');
    assert.equal(reset.status, 204, reset.text);
    assert.deepEqual(dev.executed.at(-1), { path: '/3303/0/5605', args: '' });
  });

  it('keeps the last good routes when a reload finds a broken rest section', async () => {
    const file = join(dir, 'temperature.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('path: "/devices/{endpoint}/temperature/{instanceId}"', 'path: "/devices/{endpoint}/temperature/{instance}"'));
    const outcome = store.reload();
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.errors.some((e) => e.file === file && e.field === 'targets[0].rest.path' && /\{instance\}/.test(e.detail)));
    const r = await f.api('GET', '/devices/node-1/temperature/0');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.values['sensor-value'], 21.5);
  });
});
