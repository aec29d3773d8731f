/**
 * The behaviour every RegistrationStore must have; run it for each implementation
 * (in-memory now, persistent ones later) with a factory for an empty store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RegistrationStore } from '../../src/lwm2m/server/registration-store.js';
import type { Registration } from '../../src/lwm2m/server/types.js';

export function registration(id: string, endpoint: string, extra: Partial<Registration> = {}): Registration {
  return {
    id,
    endpoint,
    lifetime: 60,
    version: '1.1',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    contentFormats: [],
    objectLinks: [{ uri: '/3/0', attributes: new Map() }],
    objects: new Map([[3, { version: '1.0', instances: [0] }]]),
    peer: { transport: 'mem', key: `mem:${endpoint}`, address: '10.0.0.1', port: 5683 },
    registeredAt: 0,
    lastUpdateAt: 0,
    expiresAt: 60_000,
    extra: {},
    ...extra,
  };
}

export function registrationStoreContract(name: string, create: () => RegistrationStore | Promise<RegistrationStore>): void {
  void test(`${name}: add, get by id and by endpoint, all, size`, async () => {
    const store = await create();
    assert.equal(store.add(registration('r1', 'a')), undefined);
    assert.equal(store.add(registration('r2', 'b')), undefined);
    assert.equal(store.get('r1')?.endpoint, 'a');
    assert.equal(store.getByEndpoint('b')?.id, 'r2');
    assert.equal(store.get('nope'), undefined);
    assert.equal(store.getByEndpoint('nope'), undefined);
    assert.deepEqual(store.all().map((r) => r.id).sort(), ['r1', 'r2']);
    assert.equal(store.size, 2);
  });

  void test(`${name}: adding an endpoint again replaces and returns the old registration`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    const previous = store.add(registration('r2', 'a'));
    assert.equal(previous?.id, 'r1');
    assert.equal(store.get('r1'), undefined);
    assert.equal(store.getByEndpoint('a')?.id, 'r2');
    assert.equal(store.size, 1);
  });

  void test(`${name}: update returns the previous state; unknown ids and changed endpoints are not stored`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    const previous = store.update(registration('r1', 'a', { lifetime: 120 }));
    assert.equal(previous?.lifetime, 60);
    assert.equal(store.get('r1')?.lifetime, 120);
    assert.equal(store.update(registration('r9', 'z')), undefined);
    assert.equal(store.get('r9'), undefined);
    assert.equal(store.update(registration('r1', 'other')), undefined);
    assert.equal(store.getByEndpoint('other'), undefined);
    assert.equal(store.get('r1')?.endpoint, 'a');
  });

  void test(`${name}: remove returns what it removed; the endpoint is free again`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    assert.equal(store.remove('r1')?.id, 'r1');
    assert.equal(store.remove('r1'), undefined);
    assert.equal(store.getByEndpoint('a'), undefined);
    assert.equal(store.size, 0);
    assert.equal(store.add(registration('r2', 'a')), undefined);
  });
}
