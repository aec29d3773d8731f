import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import type { SendEvent } from '../../../src/lwm2m/server/index.js';
import { settle } from '../../helpers/fake-clock.js';
import { memPeer } from '../../helpers/memory-transport.js';
import { setupServer } from '../../helpers/server-setup.js';
import { psk } from '../../helpers/security-store-contract.js';

const LINKS = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>';
const SENML = JSON.stringify([
  { bn: '/3303/0/', n: '5700', v: 21.5, bt: 1_700_000_000 },
  { n: '5700', v: 22, t: 60 },
  { bn: '/3/0/', n: '9', v: 80, bt: 1_700_000_000 },
]);

void test('Send: 2.04, then a send event with the records grouped by time', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a&lwm2m=1.1', LINKS);
  const sends: SendEvent[] = [];
  server.on('send', (e) => sends.push(e));
  const res = await mem.sendValues(peer, SENML, ContentFormat.SENML_JSON);
  assert.equal(res.code, 'changed');
  assert.equal(sends.length, 0, 'the event follows the response');
  await settle();
  assert.equal(sends.length, 1);
  const e = sends[0]!;
  assert.equal(e.registration.endpoint, 'a');
  assert.equal(e.contentFormat, ContentFormat.SENML_JSON);
  assert.equal(e.receivedAt, clock.now());
  const times = e.data.map((d) => d.time);
  assert.deepEqual(times, [1_700_000_000, 1_700_000_060]);
  const first = e.data[0]!.nodes;
  const temp = first.get('/3303/0/5700');
  assert.equal(temp?.kind === 'resource' ? temp.value : undefined, 21.5);
  const battery = first.get('/3/0/9');
  assert.equal(battery?.kind === 'resource' ? battery.value : undefined, 80);
  await server.stop();
});

void test('Send: from an address no registration uses -> 4.04; undecodable -> 4.00; unknown format -> 4.15', async () => {
  const { server, mem } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a&lwm2m=1.1', LINKS);
  let sends = 0;
  server.on('send', () => sends++);
  assert.equal((await mem.sendValues(memPeer(6000), SENML, ContentFormat.SENML_JSON)).code, 'notFound');
  assert.equal((await mem.sendValues(peer, '[{"n":', ContentFormat.SENML_JSON)).code, 'badRequest');
  assert.equal((await mem.sendValues(peer, 'hello', ContentFormat.TEXT)).code, 'unsupportedContentFormat');
  await settle();
  assert.equal(sends, 0);
  await server.stop();
});

void test('Send: the sender is found by its authenticated identity after an address change', async () => {
  const { server, mem } = setupServer();
  server.store.security.put(psk('a', 'psk-a'));
  await mem.register(memPeer(5001, '10.0.0.1', 'psk-a'), 'ep=a&lwm2m=1.1', LINKS);
  const moved = memPeer(6001, '10.0.0.2', 'psk-a');
  assert.equal((await mem.sendValues(moved, SENML, ContentFormat.SENML_JSON)).code, 'changed');
  assert.deepEqual(server.getRegistration('a')?.peer, moved, 'the new address is recorded');
  await server.stop();
});

void test('Send wakes a queue-mode client', async () => {
  const { server, mem, clock } = setupServer();
  const peer = memPeer(5001);
  await mem.register(peer, 'ep=a&lwm2m=1.1&Q', LINKS);
  await clock.advanceAsync(10_000);
  assert.equal(server.isAwake('a'), false);
  await mem.sendValues(peer, SENML, ContentFormat.SENML_JSON);
  assert.equal(server.isAwake('a'), true);
  await server.stop();
});
