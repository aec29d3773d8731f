/**
 * The REST routes a fleet console needs beside the device API, over real HTTP and UDP:
 * the fleet filters of GET /api/devices (state, version, binding, queued, last seen),
 * the `state` of a registration, object models, the gateway summary and the mapping
 * files in force (all of them, and those that apply to one device).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture, type JsonBody } from './fixture.js';
import { compileMappings, type CompiledMappings } from '../../../src/mapping/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';

const endpoints = (r: { body: JsonBody }): string[] => r.body.devices.map((d: { endpoint: string }) => d.endpoint);

const SITES = `
description: temperatures of the sites
devices: { endpoint: "site-*" }
targets:
  - object: 3303
    observe: { resources: [5700], attributes: { pmin: 10 } }
    mqtt:
      publish: { topic: "sites/{endpoint}/temperature/{instanceId}", payload: "{5700}" }
    rest:
      path: "/sites/{endpoint}/temperature/{instanceId}"
  - object: 3342
    rest:
      path: "/sites/{endpoint}/switch/{instanceId}"
`;

function compile(text: string): CompiledMappings {
  const { mappings, errors } = compileMappings([{ file: 'sites.yaml', text }], ModelRegistry.withBuiltins());
  assert.deepEqual(errors, []);
  return mappings;
}

describe('REST routes for a fleet console', () => {
  let f: RestFixture;
  const mappings = compile(SITES);

  before(async () => {
    f = await RestFixture.start({
      server: { lifetime: { min: 1, max: 100_000, default: 300 }, expiryGraceMs: 120_000, queue: { awakeTimeMs: 300, ttlMs: 60_000, maxPerDevice: 10 } },
      northbound: { mappings: () => mappings, version: '9.9.9', readiness: () => [{ name: 'binding.coap', ready: true }, { name: 'mqtt.external', ready: false, detail: 'not connected' }] },
    });
    await f.registered({ endpoint: 'site-1', version: '1.1' });
    await f.registered({ endpoint: 'site-2', version: '1.0' });
    const { client: sleeper } = await f.registered({ endpoint: 'sleepy', version: '1.1', queueMode: true });
    sleeper.sleep();
    await f.registered({ endpoint: 'short', version: '1.2', lifetime: 1 });
    // the short one's lifetime runs out (the grace keeps it registered, offline), the sleeper's awake time too
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(f.server.isAwake('sleepy'), false);
    // a request queued for the sleeping device
    void f.api('GET', '/api/devices/sleepy/3/0/0?timeout=30');
    for (let i = 0; i < 100 && f.server.queuedRequests('sleepy') === 0; i++) await new Promise((r) => setTimeout(r, 20));
  });
  after(() => f.stop());

  it('gives each registration its state, and filters the fleet by state', async () => {
    const all = await f.api('GET', '/api/devices');
    const states = Object.fromEntries(all.body.devices.map((d: JsonBody) => [d.endpoint, d.state]));
    assert.equal(states['site-1'], 'online');
    assert.equal(states.short, 'offline');
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?state=offline')), ['short']);
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?state=online,offline')), ['short', 'site-1', 'site-2']);
    const one = await f.api('GET', '/api/devices/short');
    assert.equal(one.body.state, 'offline');
  });

  it('filters by version, binding, queued requests and last seen', async () => {
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?version=1.0')), ['site-2']);
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?version=1.1,1.2')), ['short', 'site-1', 'sleepy']);
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?binding=Q')), ['sleepy']);
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?binding=u&state=online')), ['site-1', 'site-2']);
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?queued=true')), ['sleepy']);
    assert.equal(endpoints(await f.api('GET', '/api/devices?queued=false')).length, 3);
    assert.equal(endpoints(await f.api('GET', '/api/devices?seenWithin=3600')).length, 4);
    assert.deepEqual(endpoints(await f.api('GET', '/api/devices?silentFor=3600')), []);
    const page = await f.api('GET', '/api/devices?version=1.1,1.2&limit=1');
    assert.equal(page.body.total, 3);
    assert.deepEqual(endpoints(await f.api('GET', `/api/devices?version=1.1,1.2&limit=1&cursor=${page.body.next}`)), ['site-1']);
  });

  it('refuses filter values it does not know (400 BAD_QUERY)', async () => {
    for (const q of ['state=asleep', 'version=2.0', 'binding=X', 'binding=UUUUUUUUU', 'queued=maybe', 'seenWithin=-1', 'silentFor=1e9', `state=${'x'.repeat(5000)}`]) {
      const r = await f.api('GET', `/api/devices?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.code, 'BAD_QUERY', q);
      assert.ok(r.text.length < 1000, q);
    }
  });

  it('serves object models, and the models of a device at its versions', async () => {
    const m = await f.api('GET', '/api/objects/3303');
    assert.equal(m.status, 200);
    assert.equal(m.body.name, 'Temperature');
    const value = m.body.resources.find((r: JsonBody) => r.id === 5700);
    assert.deepEqual({ name: value.name, type: value.type, operations: value.operations }, { name: 'Sensor Value', type: 'float', operations: 'R' });
    assert.equal((await f.api('GET', '/api/objects/65000')).status, 404);
    assert.equal((await f.api('GET', '/api/objects/x')).status, 400);
    const d = await f.api('GET', '/api/devices/site-1/model');
    assert.equal(d.status, 200);
    const ids = d.body.objects.map((o: JsonBody) => o.id);
    assert.ok(ids.includes(3) && ids.includes(3303), String(ids));
    const dev = d.body.objects.find((o: JsonBody) => o.id === 3);
    assert.equal(dev.model.name, 'Device');
    assert.ok(dev.model.resources.some((r: JsonBody) => r.id === 4 && r.operations === 'E'));
    assert.equal((await f.api('GET', '/api/devices/nobody/model')).status, 404);
  });

  it('summarises the gateway: counts by state, queued requests, parts, mapping files', async () => {
    const g = await f.api('GET', '/api/gateway');
    assert.equal(g.status, 200);
    assert.equal(g.body.version, '9.9.9');
    assert.deepEqual(g.body.devices, { total: 4, online: 2, sleeping: 1, offline: 1 });
    assert.equal(g.body.queuedRequests, 1);
    assert.equal(g.body.ready, false);
    assert.deepEqual(g.body.parts[1], { name: 'mqtt.external', ready: false, detail: 'not connected' });
    assert.equal(g.body.mappings, 1);
  });

  it('tells the caller its scope', async () => {
    assert.deepEqual((await f.api('GET', '/api/whoami')).body, { scope: 'write', tokens: false });
  });

  it('lists the mapping files in force and those that apply to a device', async () => {
    const all = await f.api('GET', '/api/mappings');
    assert.equal(all.status, 200);
    assert.equal(all.body.mappings.length, 1);
    const file = all.body.mappings[0];
    assert.equal(file.name, 'sites');
    assert.equal(file.description, 'temperatures of the sites');
    assert.deepEqual(file.targets.map((t: JsonBody) => t.objectId), [3303, 3342]);
    assert.deepEqual(file.targets[0].mqtt.publish, ['sites/+/temperature/+']);
    assert.deepEqual(file.targets[0].observe, [{ resources: [5700], composite: false, attributes: { pmin: 10 } }]);
    const mine = await f.api('GET', '/api/devices/site-1/mappings');
    assert.equal(mine.body.endpoint, 'site-1');
    // the device registered 3303 but not 3342: only that target applies, with its own route
    assert.deepEqual(mine.body.mappings[0].targets.map((t: JsonBody) => t.rest), ['/sites/site-1/temperature/{instanceId}']);
    const none = await f.api('GET', '/api/devices/sleepy/mappings');
    assert.deepEqual(none.body.mappings, []);
  });
});
