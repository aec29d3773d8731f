import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Peer } from '../../../src/lwm2m/transport.js';
import type { LwM2mServerOptions } from '../../../src/lwm2m/server/index.js';
import { setupServer } from '../../helpers/server-setup.js';
import { memPeer, text } from '../../helpers/memory-transport.js';
import { ContentFormat } from '../../../src/lwm2m/codec/codec.js';
import { psk } from '../../helpers/security-store-contract.js';

/** a peer of a DTLS session authenticated as `identity` */
function dtlsPeer(port: number, identity: string): Peer {
  return { transport: 'dtls', key: `dtls:10.0.0.9:${port}`, address: '10.0.0.9', port, identity };
}

function setup(opts: Partial<LwM2mServerOptions> = {}): ReturnType<typeof setupServer> {
  const s = setupServer(opts);
  s.server.store.security.put(psk('dev1', 'id-dev1'));
  s.server.store.security.put(psk('dev2', 'id-dev2'));
  return s;
}

void test('Register of an endpoint with credentials: refused without DTLS, accepted over its own identity', async () => {
  const { server, mem } = setup();
  assert.equal((await mem.registerResult(memPeer(5001), 'ep=dev1')).code, 'forbidden');
  assert.equal(server.getRegistration('dev1'), undefined);
  assert.equal(server.refusals().credentials, 1);
  assert.equal((await mem.registerResult(dtlsPeer(6001, 'id-dev1'), 'ep=dev1')).code, 'created');
  assert.equal(server.getRegistration('dev1')?.peer.identity, 'id-dev1');
  // an endpoint without credentials still registers over plain UDP
  assert.equal((await mem.registerResult(memPeer(5002), 'ep=open')).code, 'created');
  await server.stop();
});

void test("Register over another endpoint's identity, or an identity the store does not know: refused", async () => {
  const { server, mem } = setup();
  assert.equal((await mem.registerResult(dtlsPeer(6001, 'id-dev2'), 'ep=dev1')).code, 'forbidden');
  assert.equal((await mem.registerResult(dtlsPeer(6002, 'id-dev2'), 'ep=open')).code, 'forbidden');
  assert.equal((await mem.registerResult(dtlsPeer(6003, 'unknown'), 'ep=unknown')).code, 'forbidden');
  assert.equal(server.store.size, 0);
  await server.stop();
});

void test('security.requireForKnown false: an endpoint with credentials may still register without them', async () => {
  const { server, mem } = setup({ security: { requireForKnown: false } });
  assert.equal((await mem.registerResult(memPeer(5001), 'ep=dev1')).code, 'created');
  // an identity of another endpoint stays refused
  assert.equal((await mem.registerResult(dtlsPeer(6001, 'id-dev1'), 'ep=dev2')).code, 'forbidden');
  await server.stop();
});

void test('security.requireDtls: every client without an authenticated identity is refused', async () => {
  const { server, mem } = setup({ security: { requireDtls: true } });
  assert.equal((await mem.registerResult(memPeer(5001), 'ep=open')).code, 'forbidden');
  assert.equal((await mem.registerResult(dtlsPeer(6001, 'id-dev1'), 'ep=dev1')).code, 'created');
  await server.stop();
});

void test('Update, De-register and Send over another security context are refused', async () => {
  const { server, mem } = setup();
  const own = dtlsPeer(6001, 'id-dev1');
  const id = await mem.register(own, 'ep=dev1');
  const other = dtlsPeer(6001, 'id-dev2');
  assert.equal((await mem.update(other, id)).code, 'forbidden');
  assert.equal((await mem.update(memPeer(6001, '10.0.0.9'), id)).code, 'forbidden');
  assert.equal((await mem.deregister(other, id)).code, 'forbidden');
  assert.equal((await mem.sendValues(other, '[{"n":"/3/0/0","vs":"x"}]', 110)).code, 'notFound');
  assert.equal((await mem.update(own, id)).code, 'changed');
  assert.equal((await mem.deregister(own, id)).code, 'deleted');
  await server.stop();
});

void test('credentials given or changed after the Register: the next Update of the old context is refused', async () => {
  const { server, mem } = setup();
  const plain = memPeer(5001);
  const id = await mem.register(plain, 'ep=later');
  assert.equal((await mem.update(plain, id)).code, 'changed');
  server.store.security.put(psk('later', 'id-later'));
  assert.equal((await mem.update(plain, id)).code, 'forbidden');
  const own = dtlsPeer(6001, 'id-dev1');
  const id1 = await mem.register(own, 'ep=dev1');
  server.store.security.put(psk('dev1', 'id-dev1-new'));
  assert.equal((await mem.update(own, id1)).code, 'forbidden');
  await server.stop();
});

void test('a notification over another identity is not taken, and does not end or move the observation', async () => {
  const { server, mem } = setup();
  const own = memPeer(5001, '10.0.0.1', 'id-dev1');
  await mem.register(own, 'ep=dev1', '</>;rt="oma.lwm2m",</3303/0>');
  const tokens: Uint8Array[] = [];
  mem.device(own, (req) => {
    if (req.token) tokens.push(req.token);
    return { code: '2.05', payload: text('20'), contentFormat: ContentFormat.TEXT, observe: 0 };
  });
  const notes: unknown[] = [];
  server.on('notification', (n) => notes.push(n));
  assert.equal((await server.observe('dev1', '/3303/0/5700')).success, true);
  const note = { token: tokens[0]!, code: '2.05', payload: text('21'), contentFormat: ContentFormat.TEXT, observe: 1 };
  assert.equal(mem.notify(memPeer(5001, '10.0.0.1', 'id-dev2'), note), false);
  assert.equal(mem.notify(memPeer(5001, '10.0.0.1'), note), false);
  assert.equal(notes.length, 0);
  assert.deepEqual(server.getRegistration('dev1')?.peer, own);
  assert.equal(server.observations('dev1').length, 1);
  assert.equal(mem.notify(own, { ...note, observe: 2 }), true);
  assert.equal(notes.length, 1);
  await server.stop();
});
