/**
 * Identities proven by a raw public key or a certificate: an RPK client registers only as
 * the endpoint whose stored key is its own, an X.509 client only as its CN and only when
 * that endpoint's credentials are `{ mode: 'x509' }`; an identity string of one mode never
 * stands for another mode's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Peer } from '../../../src/lwm2m/transport.js';
import { setupServer } from '../../helpers/server-setup.js';
import { psk } from '../../helpers/security-store-contract.js';

function peer(port: number, identity: string, identityMode: 'psk' | 'rpk' | 'x509'): Peer {
  return { transport: 'dtls', key: `dtls:10.0.0.9:${port}`, address: '10.0.0.9', port, identity, identityMode };
}

const KEY_A = Buffer.from('3059301306072a8648ce3d0201' + 'aa'.repeat(20), 'hex');
const KEY_B = Buffer.from('3059301306072a8648ce3d0201' + 'bb'.repeat(20), 'hex');

function setup(): ReturnType<typeof setupServer> {
  const s = setupServer();
  const sec = s.server.store.security;
  assert.ok(sec.put({ endpoint: 'rpk-a', mode: 'rpk', publicKey: KEY_A }).ok);
  assert.ok(sec.put({ endpoint: 'cert-x', mode: 'x509' }).ok);
  assert.ok(sec.put(psk('psk-p', 'cert-y')).ok);
  return s;
}

void test('raw public key: only the endpoint holding that key', async () => {
  const { server, mem } = setup();
  assert.equal((await mem.registerResult(peer(1, KEY_B.toString('hex'), 'rpk'), 'ep=rpk-a')).code, 'forbidden', 'another key');
  assert.equal((await mem.registerResult(peer(2, KEY_A.toString('hex'), 'rpk'), 'ep=cert-x')).code, 'forbidden', 'another endpoint');
  assert.equal((await mem.registerResult(peer(3, KEY_B.toString('hex'), 'rpk'), 'ep=free')).code, 'forbidden', 'a key not stored');
  assert.equal((await mem.registerResult(peer(4, KEY_A.toString('hex'), 'rpk'), 'ep=rpk-a')).code, 'created');
  assert.equal(server.getRegistration('rpk-a')?.peer.identityMode, 'rpk');
  await server.stop();
});

void test('certificate: its CN, and only as an endpoint whose credentials are x509', async () => {
  const { server, mem } = setup();
  assert.equal((await mem.registerResult(peer(1, 'cert-x', 'x509'), 'ep=rpk-a')).code, 'forbidden', 'CN of another endpoint');
  assert.equal((await mem.registerResult(peer(2, 'free', 'x509'), 'ep=free')).code, 'forbidden', 'no credentials stored');
  assert.equal((await mem.registerResult(peer(3, 'rpk-a', 'x509'), 'ep=rpk-a')).code, 'forbidden', 'the endpoint has an rpk entry');
  // a CN equal to another endpoint's PSK identity proves nothing about that endpoint
  assert.equal((await mem.registerResult(peer(4, 'cert-y', 'x509'), 'ep=psk-p')).code, 'forbidden');
  // and a PSK identity equal to an x509 endpoint's name proves nothing about it either
  assert.equal((await mem.registerResult(peer(5, 'cert-x', 'psk'), 'ep=cert-x')).code, 'forbidden');
  const reg = await mem.registerResult(peer(6, 'cert-x', 'x509'), 'ep=cert-x');
  assert.equal(reg.code, 'created');
  // an Update over the same identity string proven another way is another security context
  const id = server.getRegistration('cert-x')!.id;
  assert.equal((await mem.update(peer(6, 'cert-x', 'psk'), id)).code, 'forbidden');
  assert.equal((await mem.update(peer(6, 'cert-x', 'x509'), id)).code, 'changed');
  await server.stop();
});
