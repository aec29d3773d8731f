/** The Bootstrap Server's own time limits on a fake clock: a session that runs too long fails; stop() fails what runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../helpers/fake-clock.js';
import { BootstrapServer, parseBootstrapConfig, type BootstrapEvent } from '../../../src/lwm2m/bootstrap/index.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import type { DeviceTransport, DownlinkRequest, Peer } from '../../../src/lwm2m/transport.js';

const peer: Peer = { transport: 'mem', key: 'mem:1', address: '192.0.2.1', port: 5000 };

/** A client that answers the first `answered` requests 2.02/2.04 and then never again. */
function transport(answered: number, sent: DownlinkRequest[]): DeviceTransport {
  return {
    name: 'mem',
    send: (_p, req) => {
      sent.push(req);
      if (sent.length > answered) return new Promise(() => {});
      return Promise.resolve({ code: req.op === 'bootstrapDelete' ? '2.02' : '2.04', payload: new Uint8Array(0) });
    },
  };
}

function setup(answered: number): { bs: BootstrapServer; clock: FakeClock; events: BootstrapEvent[]; sent: DownlinkRequest[] } {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const r = parseBootstrapConfig({ servers: [{ shortServerId: 1, uri: 'coap://gw.example', securityMode: 'nosec' }] });
  assert.ok(r.ok);
  store.bootstrap.put('dev', r.config);
  const bs = new BootstrapServer({ store, models: ModelRegistry.withBuiltins(), codecs: new CodecRegistry(), clock, sessionTimeoutMs: 60_000, requestTimeoutMs: 1_000_000 });
  const sent: DownlinkRequest[] = [];
  bs.addTransport(transport(answered, sent));
  const events: BootstrapEvent[] = [];
  bs.on('bootstrap', (e) => events.push(e));
  return { bs, clock, events, sent };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

void test('a session still running after bootstrap.sessionTimeout fails, and sends nothing more', async () => {
  const { bs, clock, events, sent } = setup(3);
  assert.equal((await bs.handleUplink(peer, { kind: 'bootstrapRequest', params: ['ep=dev'] })).code, 'changed');
  await turn();
  await turn();
  assert.equal(sent.length, 4, 'Delete /0, Delete /1, Write /0/1, Write /1/0 (never answered)');
  assert.equal(bs.isRunning('dev'), true);
  clock.advance(60_000);
  const last = events.at(-1)!;
  assert.equal(last.type, 'failed');
  assert.equal(last.reason, 'not finished within 60 s');
  assert.equal(bs.isRunning('dev'), false);
  assert.equal(bs.sessions('dev')[0]!.state, 'failed');
});

void test('stop() fails the running sessions; requests after it get 5.03', async () => {
  const { bs, events } = setup(0);
  await bs.handleUplink(peer, { kind: 'bootstrapRequest', params: ['ep=dev'] });
  await turn();
  bs.stop();
  assert.equal(events.at(-1)?.reason, 'the gateway is stopping');
  assert.equal((await bs.handleUplink(peer, { kind: 'bootstrapRequest', params: ['ep=dev'] })).code, 'serviceUnavailable');
  bs.start();
  assert.equal((await bs.handleUplink(peer, { kind: 'bootstrapRequest', params: ['ep=dev'] })).code, 'changed');
  bs.stop();
});

void test('an uplink other than bootstrap gets 4.04; at most maxSessions at once (5.03)', async () => {
  const { bs } = setup(0);
  assert.equal((await bs.handleUplink(peer, { kind: 'send', payload: new Uint8Array(0) })).code, 'notFound');
  const small = new BootstrapServer({ store: bs.store, models: ModelRegistry.withBuiltins(), codecs: new CodecRegistry(), clock: new FakeClock(), maxSessions: 1 });
  small.addTransport(transport(0, []));
  const r = parseBootstrapConfig({ servers: [] });
  assert.ok(r.ok);
  bs.store.bootstrap.put('other', r.config);
  assert.equal((await small.handleUplink(peer, { kind: 'bootstrapRequest', params: ['ep=dev'] })).code, 'changed');
  assert.equal((await small.handleUplink(peer, { kind: 'bootstrapRequest', params: ['ep=other'] })).code, 'serviceUnavailable');
  assert.equal((await small.handleUplink(peer, { kind: 'bootstrapRequest', params: ['ep=dev'] })).code, 'changed', 'the same endpoint replaces its own');
  small.stop();
});
