import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransportError } from '../../../src/lwm2m/transport.js';
import type { DownlinkResponse } from '../../../src/lwm2m/transport.js';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { instance, resource } from '../../../src/lwm2m/node.js';
import type { OperationResult } from '../../../src/lwm2m/server/index.js';
import { settle } from '../../helpers/fake-clock.js';
import { memPeer, never, text } from '../../helpers/memory-transport.js';
import { setupServer } from '../../helpers/server-setup.js';

const LINKS = '</>;rt="oma.lwm2m",</1/0>,</3/0>,</3303/0>';

const ok = (code: string, payload: Uint8Array = new Uint8Array(), contentFormat?: number): DownlinkResponse => ({
  code,
  payload,
  ...(contentFormat !== undefined ? { contentFormat } : {}),
});

void test('read: the downlink names the path; a text answer becomes a typed node', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a&lwm2m=1.1', LINKS);
  mem.device(peer, () => ok('2.05', text('85'), ContentFormat.TEXT));
  const r = await server.read('a', '/3/0/9');
  assert.equal(r.success, true);
  assert.equal(r.code, '2.05');
  assert.equal(r.node?.kind, 'resource');
  assert.equal(r.node?.kind === 'resource' ? r.node.value : undefined, 85);
  assert.equal(mem.sent.length, 1);
  assert.equal(mem.sent[0]?.request.op, 'read');
  assert.equal(mem.sent[0]?.request.path.toString(), '/3/0/9');
  assert.deepEqual(mem.sent[0]?.peer, peer);
  await server.stop();
});

void test('read: a TLV object-instance answer decodes with the model', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  // /3/0: resource 0 "Acme" (string), resource 9 = 85 (integer)
  const tlv = new Uint8Array([0xc4, 0x00, 0x41, 0x63, 0x6d, 0x65, 0xc1, 0x09, 0x55]);
  mem.device(peer, () => ok('2.05', tlv, ContentFormat.TLV));
  const r = await server.read('a', '/3/0');
  assert.equal(r.success, true, JSON.stringify(r.error));
  assert.equal(r.node?.kind, 'instance');
  if (r.node?.kind !== 'instance') return;
  const manufacturer = r.node.resources.get(0);
  const battery = r.node.resources.get(9);
  assert.equal(manufacturer?.kind === 'resource' ? manufacturer.value : undefined, 'Acme');
  assert.equal(battery?.kind === 'resource' ? battery.value : undefined, 85);
  await server.stop();
});

void test('a client error code is a result, not an exception', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  mem.device(peer, () => ok('4.04', text('no such resource')));
  const r = await server.read('a', '/3/0/77');
  assert.equal(r.success, false);
  assert.equal(r.code, '4.04');
  assert.equal(r.error, undefined);
  await server.stop();
});

void test('NOT_REGISTERED for an unknown endpoint; BAD_REQUEST for a request that cannot be built', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  assert.equal((await server.read('nobody', '/3/0')).error?.code, 'NOT_REGISTERED');
  assert.equal((await server.execute('a', '/3/0')).error?.code, 'BAD_REQUEST');
  assert.equal((await server.read('a', '/3/x')).error?.code, 'BAD_REQUEST');
  assert.equal(mem.sent.length, 0, 'nothing left for the device');
  await server.stop();
});

void test('timeout: a client that never answers gives TIMEOUT after the request timeout (fake clock)', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  mem.device(peer, () => never());
  const got: { result?: OperationResult } = {};
  const current = (): OperationResult | undefined => got.result;
  void server.read('a', '/3/0/9', { timeoutMs: 2_000 }).then((r) => (got.result = r));
  await settle();
  assert.equal(mem.sent[0]?.options?.timeoutMs, 2_000, 'the binding gets the timeout too');
  clock.advance(1_999);
  await settle();
  assert.equal(current(), undefined);
  clock.advance(1);
  await settle();
  assert.equal(current()?.success, false);
  assert.equal(current()?.error?.code, 'TIMEOUT');
  // the default timeout applies without one
  delete got.result;
  void server.read('a', '/3/0/9').then((r) => (got.result = r));
  await settle();
  assert.equal(mem.sent[1]?.options?.timeoutMs, 5_000);
  clock.advance(5_000);
  await settle();
  assert.equal(current()?.error?.code, 'TIMEOUT');
  await server.stop();
});

void test('transport errors map to TIMEOUT / TRANSPORT', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a', LINKS);
  const cases: [unknown, string][] = [
    [new TransportError('TIMEOUT', 'no ack'), 'TIMEOUT'],
    [new TransportError('RESET', 'rst'), 'TRANSPORT'],
    [new TransportError('UNREACHABLE', 'x'), 'TRANSPORT'],
    [new TransportError('TOO_LARGE', 'x'), 'TRANSPORT'],
    [new Error('boom'), 'TRANSPORT'],
  ];
  for (const [err, code] of cases) {
    mem.device(peer, () => {
      throw err;
    });
    const r = await server.read('a', '/3/0/9');
    assert.equal(r.success, false);
    assert.equal(r.error?.code, code, String(err));
  }
  await server.stop();
});

void test('requests in flight end with CANCELLED on de-register and on stop()', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a', LINKS);
  mem.device(peer, () => never());
  const pending = server.read('a', '/3/0/9');
  await settle();
  await mem.deregister(peer, id);
  const r = await pending;
  assert.equal(r.error?.code, 'CANCELLED');
  await mem.register(peer, 'ep=a', LINKS);
  const pending2 = server.read('a', '/3/0/9');
  await settle();
  await server.stop();
  assert.equal((await pending2).error?.code, 'CANCELLED');
  assert.equal((await server.read('a', '/3/0/9')).error?.code, 'CANCELLED');
});

void test('downlinks go to the latest address and carry the alternate path', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  const id = await mem.register(peer, 'ep=a&lwm2m=1.1', '</lwm2m>;rt="oma.lwm2m",</lwm2m/3/0>');
  const moved = memPeer(7007, '10.9.9.9');
  await mem.update(moved, id);
  mem.device(moved, () => ok('2.04'));
  const r = await server.execute('a', '/3/0/4');
  assert.equal(r.success, true);
  assert.deepEqual(mem.sent[0]?.peer, moved);
  assert.equal(mem.sent[0]?.request.rootPath, '/lwm2m');
  await server.stop();
});

void test('write, execute with arguments, create, delete, write-attributes, discover reach the device', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a&lwm2m=1.1', '</>;rt="oma.lwm2m";ct=11542,</1/0>,</3/0>,</3303/0>');
  mem.device(peer, (req) => {
    switch (req.op) {
      case 'create':
        return { code: '2.01', payload: new Uint8Array(), location: ['3303', '1'] };
      case 'discover':
        return ok('2.05', text('</3/0>,</3/0/9>;pmax=60'), ContentFormat.LINK);
      case 'delete':
        return ok('2.02');
      default:
        return ok('2.04');
    }
  });
  const w = await server.write('a', '/3/0/14', resource(14, 'string', '+02:00'));
  assert.equal(w.success, true);
  assert.equal(mem.sent.at(-1)?.request.op, 'write');
  assert.ok((mem.sent.at(-1)?.request.payload?.length ?? 0) > 0);
  const e = await server.execute('a', '/3/0/4', { args: "0='x',1" });
  assert.equal(e.success, true);
  assert.equal(new TextDecoder().decode(mem.sent.at(-1)?.request.payload), "0='x',1");
  const c = await server.create('a', '/3303', instance(undefined, [resource(5700, 'float', 21.5)]));
  assert.equal(c.success, true);
  assert.equal(c.location, '/3303/1');
  const d = await server.delete('a', '/3303/1');
  assert.equal(d.code, '2.02');
  const wa = await server.writeAttributes('a', '/3/0/9', { pmin: 10, pmax: null });
  assert.equal(wa.success, true);
  assert.deepEqual(mem.sent.at(-1)?.request.query?.slice().sort(), ['pmax', 'pmin=10']);
  const disc = await server.discover('a', '/3/0');
  assert.equal(disc.success, true);
  assert.deepEqual(disc.links?.map((l) => l.uri), ['/3/0', '/3/0/9']);
  await server.stop();
});

void test('read-composite and write-composite use the client SenML format', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a&lwm2m=1.1', '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>');
  mem.device(peer, (req) => {
    if (req.op === 'readComposite') {
      return ok('2.05', text(JSON.stringify([{ bn: '/3/0/', n: '9', v: 70 }, { bn: '/3303/0/', n: '5700', v: 19.5 }])), ContentFormat.SENML_JSON);
    }
    return ok('2.04');
  });
  const r = await server.readComposite('a', ['/3/0/9', '/3303/0/5700']);
  assert.equal(r.success, true, JSON.stringify(r.error));
  assert.equal(mem.sent[0]?.request.op, 'readComposite');
  assert.equal(mem.sent[0]?.request.contentFormat, ContentFormat.SENML_JSON);
  const battery = r.nodes?.get('/3/0/9');
  assert.equal(battery?.kind === 'resource' ? battery.value : undefined, 70);
  const w = await server.writeComposite('a', new Map([['/3/0/14', resource(14, 'string', '+02:00')]]));
  assert.equal(w.success, true, JSON.stringify(w.error));
  assert.equal(mem.sent[1]?.request.op, 'writeComposite');
  await server.stop();
});
