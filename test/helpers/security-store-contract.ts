/**
 * The behaviour every store's credentials (`ServerStore.security`) must have; run by
 * storeContract for each store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerStore } from '../../src/lwm2m/server/store.js';
import type { SecurityInfo } from '../../src/lwm2m/server/security.js';

export function psk(endpoint: string, identity: string, keyHex = '0102030405060708'): SecurityInfo {
  return { endpoint, mode: 'psk', identity, key: Buffer.from(keyHex, 'hex') };
}

export function securityStoreContract(name: string, create: () => ServerStore | Promise<ServerStore>): void {
  void test(`${name}: credentials put, read back as stored, listed, removed`, async () => {
    const { security } = await create();
    const a = psk('a', 'id-a');
    const b: SecurityInfo = { endpoint: 'b', mode: 'rpk', publicKey: Buffer.from('3059301306', 'hex') };
    const c: SecurityInfo = { endpoint: 'c', mode: 'x509' };
    for (const e of [a, b, c]) assert.deepEqual(security.put(e), { ok: true, previous: undefined });
    assert.equal(security.get('a'), a);
    assert.equal(security.get('nope'), undefined);
    assert.equal(security.size, 3);
    assert.deepEqual(security.all().map((e) => e.endpoint).sort(), ['a', 'b', 'c']);
    assert.equal(security.remove('b'), b);
    assert.equal(security.remove('b'), undefined);
    assert.equal(security.size, 2);
  });

  void test(`${name}: the PSK by the identity's exact bytes; the endpoint by authenticated identity`, async () => {
    const { security } = await create();
    const a = psk('a', 'idé-a', 'aabbcc');
    security.put(a);
    security.put({ endpoint: 'b', mode: 'rpk', publicKey: Buffer.from('3059', 'hex') });
    security.put({ endpoint: 'c', mode: 'x509' });
    assert.deepEqual(security.pskFor(Buffer.from('idé-a', 'utf8')), Buffer.from('aabbcc', 'hex'));
    assert.equal(security.pskFor(Buffer.from('idé-a', 'latin1')), undefined);
    assert.equal(security.pskFor(Buffer.from('id-b')), undefined);
    assert.equal(security.pskFor(Buffer.alloc(0)), undefined);
    assert.equal(security.pskFor(Buffer.alloc(129, 0x61)), undefined);
    assert.equal(security.endpointOf('idé-a'), 'a');
    assert.equal(security.endpointOf('3059'), 'b');
    assert.equal(security.endpointOf('c'), 'c');
    assert.equal(security.endpointOf('a'), undefined);
  });

  void test(`${name}: a new entry of the endpoint replaces the old one and its identity`, async () => {
    const { security } = await create();
    const first = psk('a', 'old');
    security.put(first);
    const next = psk('a', 'new', 'ff');
    assert.deepEqual(security.put(next), { ok: true, previous: first });
    assert.equal(security.pskFor(Buffer.from('old')), undefined);
    assert.equal(security.endpointOf('old'), undefined);
    assert.deepEqual(security.pskFor(Buffer.from('new')), Buffer.from('ff', 'hex'));
    security.put({ endpoint: 'a', mode: 'x509' });
    assert.equal(security.pskFor(Buffer.from('new')), undefined);
    assert.equal(security.endpointOf('a'), 'a');
    assert.equal(security.size, 1);
  });

  void test(`${name}: an identity of another endpoint and out-of-bounds entries are refused, nothing stored`, async () => {
    const { security } = await create();
    security.put(psk('a', 'shared'));
    const bad: SecurityInfo[] = [
      psk('b', 'shared'),
      psk('', 'x'),
      psk('b', ''),
      psk('b', 'x'.repeat(129)),
      psk('b', 'line\nbreak'),
      { endpoint: 'b', mode: 'psk', identity: 'x', key: Buffer.alloc(0) },
      { endpoint: 'b', mode: 'psk', identity: 'x', key: Buffer.alloc(65) },
      { endpoint: 'b', mode: 'rpk', publicKey: Buffer.alloc(513) },
      { endpoint: 'b\u0000', mode: 'x509' },
      { endpoint: 'shared', mode: 'x509' },
    ];
    for (const e of bad) assert.equal(security.put(e).ok, false, JSON.stringify({ ...e, key: undefined }));
    assert.equal(security.size, 1);
    assert.equal(security.endpointOf('shared'), 'a');
    assert.equal(security.put(psk('b', 'x'.repeat(128), '11'.repeat(64))).ok, true);
  });

  void test(`${name}: credentials are independent of registrations`, async () => {
    const store = await create();
    store.security.put(psk('a', 'id-a'));
    assert.equal(store.size, 0);
    assert.equal(store.getByEndpoint('a'), undefined);
    assert.equal(store.security.get('a')?.mode, 'psk');
  });
}
