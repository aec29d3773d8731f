/**
 * The behaviour every store's bootstrap part must have (`ServerStore.bootstrap`, the
 * configs, and `ServerStore.bootstrapSecurity`, the bootstrap credentials); run by
 * storeContract for each store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerStore } from '../../src/lwm2m/server/store.js';
import type { BootstrapConfig } from '../../src/lwm2m/bootstrap/config.js';
import { DEFAULT_CONFIG_KEY, configFor } from '../../src/lwm2m/bootstrap/store.js';
import { psk, securityStoreContract } from './security-store-contract.js';

export function bootstrapConfig(uri: string): BootstrapConfig {
  return {
    servers: [{ shortServerId: 1, uri, securityMode: 'nosec', lifetime: 300, binding: 'U', notificationStoring: true }],
    objects: {},
    delete: ['/0', '/1'],
    discover: false,
    readBack: false,
  };
}

export function bootstrapStoreContract(name: string, create: () => ServerStore | Promise<ServerStore>): void {
  void test(`${name}: bootstrap configs put, replaced, read back as stored, listed, removed`, async () => {
    const { bootstrap } = await create();
    const a = bootstrapConfig('coap://a:5683');
    const a2 = bootstrapConfig('coap://a2:5683');
    assert.equal(bootstrap.put('a', a), undefined);
    assert.equal(bootstrap.put('a', a2), a);
    assert.equal(bootstrap.get('a'), a2);
    assert.equal(bootstrap.get('b'), undefined);
    assert.equal(bootstrap.size, 1);
    assert.deepEqual(bootstrap.endpoints(), ['a']);
    assert.equal(bootstrap.remove('a'), a2);
    assert.equal(bootstrap.remove('a'), undefined);
    assert.equal(bootstrap.size, 0);
  });

  void test(`${name}: the default config applies to endpoints without their own`, async () => {
    const { bootstrap } = await create();
    const d = bootstrapConfig('coap://default:5683');
    const own = bootstrapConfig('coap://own:5683');
    assert.equal(configFor(bootstrap, 'x'), undefined);
    bootstrap.put(DEFAULT_CONFIG_KEY, d);
    bootstrap.put('own', own);
    assert.equal(configFor(bootstrap, 'x'), d);
    assert.equal(configFor(bootstrap, 'own'), own);
    assert.equal(bootstrap.get('x'), undefined, 'get is the endpoint\'s own config only');
    assert.deepEqual(bootstrap.endpoints().sort(), [DEFAULT_CONFIG_KEY, 'own']);
  });

  securityStoreContract(`${name} (bootstrap credentials)`, async () => {
    const s = await create();
    // the same store, its bootstrap credentials seen as `security`
    return Object.create(s, { security: { value: s.bootstrapSecurity } }) as ServerStore;
  });

  void test(`${name}: bootstrap credentials and server credentials are apart`, async () => {
    const store = await create();
    assert.ok(store.bootstrapSecurity.put(psk('dev', 'dev-bs', 'aa')).ok);
    assert.ok(store.security.put(psk('dev', 'dev-bs', 'bb')).ok, 'the same identity may name the endpoint in both');
    assert.deepEqual(store.bootstrapSecurity.pskFor(Buffer.from('dev-bs')), Buffer.from('aa', 'hex'));
    assert.deepEqual(store.security.pskFor(Buffer.from('dev-bs')), Buffer.from('bb', 'hex'));
    store.security.remove('dev');
    assert.equal(store.bootstrapSecurity.get('dev')?.endpoint, 'dev');
    assert.equal(store.security.get('dev'), undefined);
  });
}
