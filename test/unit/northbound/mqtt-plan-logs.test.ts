/**
 * What the mapped topics log when requests of a device's plan do not succeed: expected
 * outcomes (4.04 for a resource the device lacks, a request cut short by de-registration)
 * at debug; a real failure once per mapping and device, with a count of repeats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { DownlinkRequest, DownlinkResponse, Peer } from '../../../src/lwm2m/transport.js';
import { createLogger } from '../../../src/log.js';
import { compileMappings, type CompiledMappings } from '../../../src/mapping/index.js';
import { MappedTopics } from '../../../src/northbound/mqtt/mapped.js';
import { setupServer } from '../../helpers/server-setup.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import { MemoryMqttLink } from '../../helpers/memory-mqtt-link.js';

const models = ModelRegistry.withBuiltins();
const LINKS = '</>;rt="oma.lwm2m",</3/0>,</3303/0>';

function mappings(files: Record<string, string>): CompiledMappings {
  const r = compileMappings(Object.entries(files).map(([file, t]) => ({ file, text: t })), models);
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return r.mappings;
}

const TEMPERATURE = `
targets:
  - object: Temperature
    observe: { resources: [Sensor Value, Sensor Units], attributes: { pmin: 1 } }
    mqtt: { publish: { topic: "t/{endpoint}/{resourceId}", payload: "{value}" } }
`;
const DEVICE = `
targets:
  - object: Device
    observe: { resources: [Battery Level, Manufacturer], attributes: { pmax: 60 } }
    mqtt: { publish: { topic: "d/{endpoint}/{resourceId}", payload: "{value}" } }
`;

type Answer = (req: DownlinkRequest) => DownlinkResponse | Promise<DownlinkResponse> | undefined;

/** A device with every resource, except what `answer` decides. */
function device(answer: Answer = () => undefined): (req: DownlinkRequest, peer: Peer) => DownlinkResponse | Promise<DownlinkResponse> {
  return (req) => {
    const own = answer(req);
    if (own) return own;
    if (req.op === 'observe') return { code: '2.05', payload: text('1'), contentFormat: ContentFormat.TEXT, observe: 0 };
    if (req.op === 'read') return { code: '2.05', payload: text('1'), contentFormat: ContentFormat.TEXT };
    return { code: '2.04', payload: new Uint8Array() };
  };
}

async function setup(files: Record<string, string>) {
  const s = setupServer();
  const lines: string[] = [];
  const logger = createLogger('debug', (l) => lines.push(l));
  const mapped = new MappedTopics({ server: s.server, link: new MemoryMqttLink(), logger, mappings: mappings(files) });
  mapped.start();
  const warnings = () => lines.filter((l) => / (WARN|ERROR) /.test(l));
  // the plan starts once the registration's answer has gone out
  const planned = async () => {
    await new Promise((r) => setImmediate(r));
    await mapped.settled();
  };
  const stop = async () => {
    mapped.stop();
    await s.server.stop();
  };
  return { ...s, mapped, lines, warnings, planned, stop };
}

const notFound = (path: string): Answer => (req) => (req.path.toString() === path ? { code: '4.04', payload: new Uint8Array() } : undefined);

void test('a device without a mapped resource: 4.04 to its Write-Attributes and Observe are debug, not WARN', async () => {
  const t = await setup({ 'temperature.yaml': TEMPERATURE });
  const peer = memPeer(7001);
  t.mem.device(peer, device(notFound('/3303/0/5701')));
  await t.mem.register(peer, 'ep=no-units&lt=600&lwm2m=1.1', LINKS);
  await t.planned();
  assert.deepEqual(t.warnings(), []);
  const debug = t.lines.filter((l) => l.includes('DEBUG') && l.includes('paths=/3303/0/5701'));
  assert.deepEqual(debug.map((l) => /op=(\w+)/.exec(l)?.[1]), ['writeAttributes', 'observe']);
  assert.ok(debug.every((l) => l.includes('code=4.04')));
  await t.stop();
});

void test('a device that de-registers while its plan runs: no WARN', async () => {
  const t = await setup({ 'temperature.yaml': TEMPERATURE, 'device.yaml': DEVICE });
  const peer = memPeer(7002);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  // the first request waits until the device has gone
  let first = true;
  t.mem.device(peer, device(() => {
    if (!first) return undefined;
    first = false;
    return held.then(() => ({ code: '2.04', payload: new Uint8Array() }));
  }));
  const id = await t.mem.register(peer, 'ep=leaving&lt=600&lwm2m=1.1', LINKS);
  await new Promise((r) => setImmediate(r));
  assert.equal((await t.mem.deregister(peer, id)).code, 'deleted');
  release();
  await t.planned();
  // and a device that registers and leaves at once
  const quick = memPeer(7003);
  t.mem.device(quick, device());
  const qid = await t.mem.register(quick, 'ep=brief&lt=600&lwm2m=1.1', LINKS);
  await t.mem.deregister(quick, qid);
  await t.planned();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(t.warnings(), []);
  await t.stop();
});

void test('a real failure: one WARN per mapping and device with the count of repeats; again only after a new registration', async () => {
  const t = await setup({ 'temperature.yaml': TEMPERATURE, 'device.yaml': DEVICE });
  const peer = memPeer(7004);
  // Write-Attributes and Observe refused on every temperature path; the device mapping works
  t.mem.device(peer, device((req) => (req.path.objectId !== 3303 ? undefined : { code: req.op === 'observe' ? '4.05' : '5.00', payload: new Uint8Array() })));
  await t.mem.register(peer, 'ep=broken&lt=600&lwm2m=1.1', LINKS);
  await t.planned();
  const warned = t.warnings();
  assert.equal(warned.length, 1, warned.join('\n'));
  assert.match(warned[0]!, /WARN {2}mqtt mapped topics: request of the plan failed endpoint=broken mapping=temperature op=writeAttributes paths=\/3303\/0\/5700 code=5\.00 repeats=3$/);
  // the next pass (a reload) tries the observations again, and fails the same way: debug only
  t.mapped.replace(mappings({ 'temperature.yaml': TEMPERATURE + '\n', 'device.yaml': DEVICE }));
  await t.planned();
  assert.equal(t.warnings().length, 1);
  assert.ok(t.lines.some((l) => l.includes('DEBUG') && l.includes('failed again') && l.includes('mapping=temperature')));
  // a new registration starts afresh (the memory went with the old one)
  await t.mem.register(peer, 'ep=broken&lt=600&lwm2m=1.1', LINKS);
  await t.planned();
  assert.equal(t.warnings().length, 2);
  await t.stop();
});

void test('a device over a binding without Observe: the planned observations are skipped with one DEBUG line (one read each for the first value), an Observe answers 4.05 at once', async () => {
  const t = await setup({ 'temperature.yaml': TEMPERATURE, 'device.yaml': DEVICE });
  (t.mem as { supportsObserve?: boolean }).supportsObserve = false;
  const peer = memPeer(7005);
  t.mem.device(peer, device());
  await t.mem.register(peer, 'ep=reports-by-send&lt=600&lwm2m=1.2', LINKS);
  await t.planned();
  const sent = (): string[] => t.mem.sent.map((s) => `${s.request.op} ${s.request.path.toString()}`).sort();
  assert.deepEqual(sent(), ['read /3/0/0', 'read /3/0/9', 'read /3303/0/5700', 'read /3303/0/5701'], 'no Write-Attributes, no Observe: a read each');
  assert.deepEqual(t.warnings(), []);
  const skipped = (): string[] => t.lines.filter((l) => l.includes('DEBUG') && l.includes('carries no Observe'));
  assert.equal(skipped().length, 1);
  assert.match(skipped()[0]!, /endpoint=reports-by-send observations=4/);
  // the next pass (a reload) says nothing more
  t.mapped.replace(mappings({ 'temperature.yaml': TEMPERATURE + '\n', 'device.yaml': DEVICE }));
  await t.planned();
  assert.equal(skipped().length, 1);
  assert.equal(sent().length, 4, 'read once per registration');
  assert.equal(t.server.supportsObserve('reports-by-send'), false);
  const r = await t.server.observe('reports-by-send', '/3303/0/5700');
  assert.deepEqual([r.success, r.code, r.error?.code], [false, '4.05', 'NOT_SUPPORTED']);
  const c = await t.server.observeComposite('reports-by-send', ['/3303/0/5700', '/3/0/9']);
  assert.equal(c.error?.code, 'NOT_SUPPORTED');
  assert.equal(sent().length, 4, 'nothing sent to the device');
  // a read goes out as ever
  assert.equal((await t.server.read('reports-by-send', '/3/0/9')).code, '2.05');
  await t.stop();
});

void test('a binding that says nothing of Observe carries it', async () => {
  const t = await setup({});
  const peer = memPeer(7006);
  t.mem.device(peer, device());
  await t.mem.register(peer, 'ep=observable&lt=600&lwm2m=1.1', LINKS);
  assert.equal(t.server.supportsObserve('observable'), true);
  assert.equal(t.server.supportsObserve('nobody'), false, 'no registration: nothing to observe');
  assert.equal((await t.server.observe('observable', '/3303/0/5700')).code, '2.05');
  await t.stop();
});
