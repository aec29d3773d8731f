import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import type { DownlinkRequest, Peer } from '../../../src/lwm2m/transport.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { compileMappings, type CompiledMappings } from '../../../src/mapping/index.js';
import { MqttNorthbound } from '../../../src/northbound/mqtt/index.js';
import { setupServer, type ServerSetup } from '../../helpers/server-setup.js';
import { memPeer, never, text, type MemoryTransport } from '../../helpers/memory-transport.js';
import { MemoryMqttLink } from '../../helpers/memory-mqtt-link.js';

const TEMPERATURE = `
targets:
  - object: 3303
    observe:
      resources: [5700]
      attributes: { pmin: 10, pmax: 60 }
    mqtt:
      publish:
        topic: "sites/{endpoint}/temperature/{instanceId}"
        payload: { value: "{value}" }
        retain: true
      commands:
        - topic: "sites/{endpoint}/temperature/{instanceId}/name/set"
          write: 5750
          response: "sites/{endpoint}/temperature/{instanceId}/name/result"
`;

const models = ModelRegistry.withBuiltins();

function mappings(files: Record<string, string>): CompiledMappings {
  const r = compileMappings(Object.entries(files).map(([file, t]) => ({ file, text: t })), models);
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return r.mappings;
}

/** A device answering every request; observations accepted with sequence 0. */
function device(mem: MemoryTransport, peer: Peer, seen: DownlinkRequest[], values: Record<string, string> = {}): void {
  mem.device(peer, (req) => {
    seen.push(req);
    const p = String(req.path);
    switch (req.op) {
      case 'read':
        return values[p] !== undefined ? { code: '2.05', payload: text(values[p]), contentFormat: ContentFormat.TEXT } : { code: '4.04', payload: new Uint8Array() };
      case 'observe':
        return { code: '2.05', payload: text(values[p] ?? '0'), contentFormat: ContentFormat.TEXT, observe: 0 };
      case 'execute':
      case 'write':
      case 'writePartial':
      case 'writeAttributes':
      case 'cancelObserve':
        return { code: '2.04', payload: new Uint8Array() };
      default:
        return { code: '4.05', payload: new Uint8Array() };
    }
  });
}

async function setup(files: Record<string, string> = {}): Promise<{ s: ServerSetup; link: MemoryMqttLink; nb: MqttNorthbound; m: CompiledMappings }> {
  const s = setupServer();
  const link = new MemoryMqttLink();
  const m = mappings(files);
  const nb = new MqttNorthbound({ server: s.server, models, link, mappings: m, topicPrefix: 'lwm2m' });
  await nb.start();
  // the start-up sweep of stale statuses ends after a quiet half second (nothing retained here)
  await tick();
  s.clock.advance(500);
  return { s, link, nb, m };
}

const json = (b: Buffer): Record<string, unknown> => JSON.parse(b.toString()) as Record<string, unknown>;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

void test('registration: retained online status with the details, register message on up/resp', async () => {
  const { s, link, nb } = await setup();
  assert.equal(json(link.retained.get('lwm2m/$gateway/status')!).status, 'online');
  const peer = memPeer(5001);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen);
  const reg = link.next((m) => m.topic === 'lwm2m/dev1/up/resp');
  await s.mem.register(peer, 'ep=dev1&lt=300&lwm2m=1.1&b=U', '</>;rt="oma.lwm2m",</1/0>,</3/0>,</3303/0>');
  const msg = json((await reg).payload);
  assert.deepEqual(msg, { msgType: 'register', data: { ep: 'dev1', lt: 300, lwm2m: '1.1', b: 'U', alternatePath: '/', objectList: ['/1/0', '/3/0', '/3303/0'] } });
  const status = json(link.retained.get('lwm2m/dev1/status')!);
  assert.equal(status.status, 'online');
  // the registration id is the device's secret: on no topic, in no message
  const regId = s.server.getRegistration('dev1')!.id;
  assert.equal('registrationId' in status, false);
  assert.deepEqual(link.published.filter((m) => m.topic.includes(regId) || m.payload.toString().includes(regId)), []);
  assert.equal(status.version, '1.1');
  assert.equal(status.lifetime, 300);
  assert.deepEqual(status.objects, ['/1/0', '/3/0', '/3303/0']);
  const dereg = link.next((m) => m.topic === 'lwm2m/dev1/status');
  const regs = s.server.registrations();
  await s.mem.deregister(peer, regs[0]!.id);
  assert.deepEqual([json((await dereg).payload).status, json((await dereg).payload).reason], ['offline', 'deregistered']);
  await nb.stop();
  assert.equal(json(link.retained.get('lwm2m/$gateway/status')!).status, 'offline');
  await s.server.stop();
});

void test('generic API: a read command gets the device value on up/resp with reqID, code and content', async () => {
  const { s, link, nb } = await setup();
  const peer = memPeer(5002);
  device(s.mem, peer, [], { '/3/0/0': 'ACME' });
  await s.mem.register(peer, 'ep=dev2&lt=300');
  const resp = link.next((m) => m.topic === 'lwm2m/dev2/up/resp' && json(m.payload).msgType === 'read');
  link.inject('lwm2m/dev2/dn/cmd', JSON.stringify({ reqID: 17, msgType: 'read', data: { path: '/3/0/0' } }));
  assert.deepEqual(json((await resp).payload), { reqID: 17, msgType: 'read', data: { reqPath: '/3/0/0', code: '2.05', codeMsg: 'content', content: [{ path: '/3/0/0', value: 'ACME' }] } });
  const nf = link.next((m) => m.topic === 'lwm2m/dev2/up/resp' && json(m.payload).reqID === 18);
  link.inject('lwm2m/dev2/dn', JSON.stringify({ reqID: 18, msgType: 'read', data: { path: '/3/0/9' } }));
  assert.deepEqual(json((await nf).payload).data, { reqPath: '/3/0/9', code: '4.04', codeMsg: 'not_found' });
  await nb.stop();
  await s.server.stop();
});

void test('registration id: a mapping file cannot put it on an MQTT topic or payload', () => {
  for (const field of ['topic: "r/{registrationId}"', 'topic: "r/{endpoint}", payload: "{registrationId}"']) {
    const r = compileMappings([{ file: 'rid.yaml', text: `targets:\n  - object: 3303\n    mqtt:\n      publish: { ${field} }\n` }], models);
    assert.equal(r.errors.length, 1, field);
    assert.match(r.errors[0]!.message, /registrationId.*secret/);
  }
});

void test('generic API: a command without reqID is refused on up/resp with an error, and never reaches the device', async () => {
  const { s, link, nb } = await setup();
  const peer = memPeer(5010);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen);
  await s.mem.register(peer, 'ep=noid&lt=300');
  const refused = link.next((m) => m.topic === 'lwm2m/noid/up/resp' && json(m.payload).msgType === 'execute');
  link.inject('lwm2m/noid/dn', JSON.stringify({ msgType: 'execute', data: { path: '/3/0/4' } }));
  const body = json((await refused).payload);
  assert.equal('reqID' in body, false);
  assert.deepEqual(body.data, { reqPath: '/3/0/4', code: '4.00', codeMsg: 'bad_request', error: 'reqID is missing (a number or a string, echoed in the response)' });
  // the same command with a reqID is executed: the refusal was for the missing reqID alone
  const done = link.next((m) => m.topic === 'lwm2m/noid/up/resp' && json(m.payload).reqID === 'x1');
  assert.deepEqual(seen.map((r) => r.op), []);
  link.inject('lwm2m/noid/dn', JSON.stringify({ reqID: 'x1', msgType: 'execute', data: { path: '/3/0/4' } }));
  assert.equal((json((await done).payload).data as Record<string, unknown>).code, '2.04');
  assert.deepEqual(seen.map((r) => `${r.op} ${String(r.path)}`), ['execute /3/0/4']);
  await nb.stop();
  await s.server.stop();
});

void test('generic API: a bad payload gets a 4.00 response, and the API keeps working', async () => {
  const { s, link, nb } = await setup();
  const peer = memPeer(5003);
  device(s.mem, peer, []);
  await s.mem.register(peer, 'ep=dev3&lt=300');
  const bad = link.next((m) => m.topic === 'lwm2m/dev3/up/resp' && json(m.payload).msgType !== 'register');
  link.inject('lwm2m/dev3/dn', '{"reqID": 5, "msgType": "write", "data": {"path": "/3/0/14"}}');
  assert.deepEqual(json((await bad).payload), { reqID: 5, msgType: 'write', data: { reqPath: '/3/0/14', code: '4.00', codeMsg: 'bad_request', error: '/3/0/14: no value' } });
  const garbage = link.next((m) => m.topic === 'lwm2m/dev3/up/resp' && json(m.payload).msgType === 'unknown');
  link.inject('lwm2m/dev3/dn', Buffer.from([0xff, 0x00, 0x7b]));
  assert.equal((json((await garbage).payload).data as Record<string, unknown>).code, '4.00');
  const exec = link.next((m) => m.topic === 'lwm2m/dev3/up/resp' && json(m.payload).reqID === 6);
  link.inject('lwm2m/dev3/dn', JSON.stringify({ reqID: 6, msgType: 'execute', data: { path: '/3/0/4' } }));
  assert.deepEqual(json((await exec).payload).data, { reqPath: '/3/0/4', code: '2.04', codeMsg: 'changed' });
  const unknownDevice = link.next((m) => m.topic === 'lwm2m/nobody/up/resp');
  link.inject('lwm2m/nobody/dn', JSON.stringify({ reqID: 7, msgType: 'read', data: { path: '/3/0/0' } }));
  const data = json((await unknownDevice).payload).data as Record<string, unknown>;
  assert.deepEqual([data.code, data.codeMsg], ['4.04', 'not_found']);
  await nb.stop();
  await s.server.stop();
});

void test('generic API: observe answers on up/resp, then notifications on up/notify carry its reqID and seqNum', async () => {
  const { s, link, nb } = await setup();
  const peer = memPeer(5004);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen, { '/3303/0/5700': '20' });
  await s.mem.register(peer, 'ep=dev4&lt=300', '</>;rt="oma.lwm2m",</3303/0>');
  const resp = link.next((m) => m.topic === 'lwm2m/dev4/up/resp' && json(m.payload).msgType === 'observe');
  link.inject('lwm2m/dev4/dn', JSON.stringify({ reqID: 'obs-1', msgType: 'observe', data: { path: '/3303/0/5700' } }));
  assert.deepEqual(json((await resp).payload).data, { reqPath: '/3303/0/5700', code: '2.05', codeMsg: 'content', content: [{ path: '/3303/0/5700', value: 20 }] });
  const token = seen.find((r) => r.op === 'observe')!.token!;
  const notify = link.next((m) => m.topic === 'lwm2m/dev4/up/notify');
  s.mem.notify(peer, { token, code: '2.05', payload: text('22.5'), contentFormat: ContentFormat.TEXT, observe: 7 });
  assert.deepEqual(json((await notify).payload), { reqID: 'obs-1', msgType: 'notify', seqNum: 7, data: { code: '2.05', codeMsg: 'content', reqPath: '/3303/0/5700', content: [{ path: '/3303/0/5700', value: 22.5 }] } });
  await nb.stop();
  await s.server.stop();
});

void test('mapped: registration starts the planned observation (attributes first); a notification is published as mapped', async () => {
  const { s, link, nb } = await setup({ 'temperature.yaml': TEMPERATURE });
  const peer = memPeer(5005);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen, { '/3303/0/5700': '19' });
  await s.mem.register(peer, 'ep=dev5&lt=300', '</>;rt="oma.lwm2m",</3/0>,</3303/0>');
  await tick();
  await nb.settled();
  assert.deepEqual(seen.map((r) => `${r.op} ${String(r.path)} ${(r.query ?? []).join('&')}`), ['writeAttributes /3303/0/5700 pmin=10&pmax=60', 'observe /3303/0/5700 ']);
  assert.deepEqual(link.filters(), ['lwm2m/+/dn/#', 'sites/+/temperature/+/name/set']);
  const token = seen[1]!.token!;
  const out = link.next((m) => m.topic === 'sites/dev5/temperature/0');
  s.mem.notify(peer, { token, code: '2.05', payload: text('23.25'), contentFormat: ContentFormat.TEXT, observe: 1 });
  const m = await out;
  assert.deepEqual(json(m.payload), { value: 23.25 });
  assert.equal(m.retain, true);
  await nb.stop();
  await s.server.stop();
});

void test('generic API: no up/notify is built when the link says nobody can receive it; mapped topics still go out', async () => {
  const { s, link, nb } = await setup({ 'temperature.yaml': TEMPERATURE });
  const asked: string[] = [];
  Object.assign(link, { hasSubscribers: (topic: string) => (asked.push(topic), !topic.endsWith('/up/notify')) });
  const peer = memPeer(5015);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen, { '/3303/0/5700': '19' });
  await s.mem.register(peer, 'ep=dev15&lt=300', '</>;rt="oma.lwm2m",</3/0>,</3303/0>');
  await tick();
  await nb.settled();
  const token = seen.find((r) => r.op === 'observe')!.token!;
  const out = link.next((m) => m.topic === 'sites/dev15/temperature/0');
  s.mem.notify(peer, { token, code: '2.05', payload: text('23.5'), contentFormat: ContentFormat.TEXT, observe: 1 });
  assert.deepEqual(json((await out).payload), { value: 23.5 });
  assert.ok(asked.includes('lwm2m/dev15/up/notify'));
  assert.equal(link.published.filter((m) => m.topic === 'lwm2m/dev15/up/notify').length, 0);
  await nb.stop();
  await s.server.stop();
});

void test('mapped: a command topic becomes a write, its result goes to the response topic with the correlation id', async () => {
  const { s, link, nb } = await setup({ 'temperature.yaml': TEMPERATURE });
  const peer = memPeer(5006);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen, { '/3303/0/5700': '19' });
  await s.mem.register(peer, 'ep=dev6&lt=300', '</>;rt="oma.lwm2m",</3303/0>');
  await tick();
  await nb.settled();
  const result = link.next((m) => m.topic === 'sites/dev6/temperature/0/name/result');
  link.inject('sites/dev6/temperature/0/name/set', JSON.stringify({ value: 'kitchen', correlationId: 'c-42' }));
  const r = json((await result).payload);
  assert.equal(r.correlationId, 'c-42');
  assert.equal(r.success, true);
  assert.equal(r.code, '2.04');
  const write = seen.find((x) => x.op === 'write')!;
  assert.equal(String(write.path), '/3303/0/5750');
  await nb.stop();
  await s.server.stop();
});

void test('mapped: hot reload re-plans connected devices (new observation started, old cancelled, subscriptions follow)', async () => {
  const { s, link, nb } = await setup({ 'temperature.yaml': TEMPERATURE });
  const peer = memPeer(5007);
  const seen: DownlinkRequest[] = [];
  device(s.mem, peer, seen, { '/3303/0/5700': '19', '/3/0/9': '80' });
  await s.mem.register(peer, 'ep=dev7&lt=300', '</>;rt="oma.lwm2m",</3/0>,</3303/0>');
  await tick();
  await nb.settled();
  seen.length = 0;
  const next = mappings({ 'battery.yaml': 'targets:\n  - object: 3\n    observe: { resources: [9] }\n    mqtt:\n      publish: { topic: "bat/{endpoint}" }\n' });
  nb.mappingsChanged(next);
  await nb.settled();
  assert.deepEqual(seen.map((r) => `${r.op} ${String(r.path)}`), ['cancelObserve /3303/0/5700', 'observe /3/0/9']);
  assert.deepEqual(link.filters(), ['lwm2m/+/dn/#']);
  const out = link.next((m) => m.topic === 'bat/dev7');
  s.mem.notify(peer, { token: seen[1]!.token!, code: '2.05', payload: text('79'), contentFormat: ContentFormat.TEXT, observe: 1 });
  assert.equal((await out).payload.toString(), '79');
  await nb.stop();
  await s.server.stop();
});

void test('a device that never answers delays no other device', async () => {
  const { s, link, nb } = await setup();
  const slow = memPeer(5008);
  const fast = memPeer(5009);
  s.mem.device(slow, () => never());
  device(s.mem, fast, [], { '/3/0/0': 'quick' });
  await s.mem.register(slow, 'ep=slow&lt=300');
  await s.mem.register(fast, 'ep=fast&lt=300');
  for (let i = 0; i < 5; i++) link.inject('lwm2m/slow/dn', JSON.stringify({ reqID: i, msgType: 'read', data: { path: '/3/0/0' } }));
  const resp = link.next((m) => m.topic === 'lwm2m/fast/up/resp' && json(m.payload).reqID === 1);
  link.inject('lwm2m/fast/dn', JSON.stringify({ reqID: 1, msgType: 'read', data: { path: '/3/0/0' } }));
  assert.equal(((json((await resp).payload).data as { content: { value: unknown }[] }).content[0]!).value, 'quick');
  assert.equal(link.json('lwm2m/slow/up/resp').filter((m) => (m as { msgType: string }).msgType === 'read').length, 0);
  await nb.stop();
  await s.server.stop();
});

void test('generic API: a notification that overtakes the observe response still carries the reqID', async () => {
  const { s, link, nb } = await setup();
  const peer = memPeer(5010);
  s.mem.device(peer, (req) => {
    if (req.op === 'observe') {
      s.mem.notify(peer, { token: req.token!, code: '2.05', payload: text('5'), contentFormat: ContentFormat.TEXT, observe: 1 });
      return { code: '2.05', payload: text('4'), contentFormat: ContentFormat.TEXT, observe: 0 };
    }
    return { code: '2.04', payload: new Uint8Array() };
  });
  await s.mem.register(peer, 'ep=race&lt=300');
  const notify = link.next((m) => m.topic === 'lwm2m/race/up/notify');
  link.inject('lwm2m/race/dn', JSON.stringify({ reqID: 77, msgType: 'observe', data: { path: '/3/0/9' } }));
  const n = json((await notify).payload);
  assert.equal(n.reqID, 77);
  assert.equal(n.seqNum, 1);
  await nb.stop();
  await s.server.stop();
});
