/**
 * The behaviour every ServerStore must have. Run it for each implementation with a
 * factory for an empty store: `storeContract('MemoryStore', () => new MemoryStore())`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../src/lwm2m/path.js';
import type { QueuedRequest, ServerStore, StoredObservation } from '../../src/lwm2m/server/store.js';
import type { Registration } from '../../src/lwm2m/server/types.js';
import { securityStoreContract } from './security-store-contract.js';
import { bootstrapStoreContract } from './bootstrap-store-contract.js';

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

/** An accepted observation of `paths` (several: composite) for registration `regId`, token from `tokenByte`. */
export function observation(id: string, regId: string, paths: string[], tokenByte: number, composite = paths.length > 1): StoredObservation {
  const parsed = paths.map((p) => LwM2mPath.parse(p));
  return {
    observation: {
      id,
      registrationId: regId,
      endpoint: `ep-${regId}`,
      paths: parsed,
      composite,
      token: new Uint8Array([tokenByte, 1, 2, 3, 4, 5, 6, 7]),
      format: 112,
      createdAt: 0,
    },
    request: composite ? { op: 'observeComposite', paths: parsed } : { op: 'observe', path: parsed[0]! },
    downlink: composite ? { op: 'observeComposite', path: LwM2mPath.ROOT, accept: 112 } : { op: 'observe', path: parsed[0]!, accept: 112 },
  };
}

export function queued(endpoint: string, n: number, expiresAt: number): QueuedRequest {
  return { endpoint, request: { op: 'read', path: `/3/0/${n}` }, queuedAt: 0, expiresAt };
}

const ids = (list: readonly StoredObservation[]): string[] => list.map((o) => o.observation.id);
const paths = (list: readonly QueuedRequest[]): string[] => list.map((q) => String((q.request as { path: string }).path));

export function storeContract(name: string, create: () => ServerStore | Promise<ServerStore>): void {
  securityStoreContract(name, create);
  bootstrapStoreContract(name, create);

  // ---- registrations ----

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

  void test(`${name}: what is read back is the object stored`, async () => {
    const store = await create();
    const reg = registration('r1', 'a');
    store.add(reg);
    assert.equal(store.get('r1'), reg);
    assert.equal(store.getByEndpoint('a'), reg);
    const obs = observation('o1', 'r1', ['/3/0/9'], 1);
    store.addObservation(obs);
    assert.equal(store.getObservation('o1'), obs);
    assert.equal(store.getObservationByToken(obs.observation.token), obs);
    const q = queued('a', 1, 10);
    store.queueRequest(q, 10);
    assert.equal(store.nextRequest('a'), q);
  });

  void test(`${name}: a new Register of the endpoint replaces the old registration and ends its observations`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    store.addObservation(observation('o2', 'r1', ['/3/0/7', '/3/0/8'], 2));
    store.queueRequest(queued('a', 1, 10), 10);
    const replaced = store.add(registration('r2', 'a'));
    assert.equal(replaced?.registration.id, 'r1');
    assert.deepEqual(ids(replaced?.observations ?? []), ['o1', 'o2']);
    assert.equal(store.get('r1'), undefined);
    assert.equal(store.getByEndpoint('a')?.id, 'r2');
    assert.equal(store.size, 1);
    assert.equal(store.getObservation('o1'), undefined);
    assert.equal(store.getObservationByToken(new Uint8Array([2, 1, 2, 3, 4, 5, 6, 7])), undefined);
    assert.deepEqual(ids(store.getObservations('r1')), []);
    assert.deepEqual(ids(store.getObservations('r2')), []);
    // the queue is the endpoint's: it outlives the registration
    assert.equal(store.queuedRequests('a'), 1);
  });

  void test(`${name}: update returns the previous state and keeps the observations; unknown ids and changed endpoints are not stored`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    const previous = store.update(registration('r1', 'a', { lifetime: 120 }));
    assert.equal(previous?.lifetime, 60);
    assert.equal(store.get('r1')?.lifetime, 120);
    assert.equal(store.getByEndpoint('a')?.lifetime, 120);
    assert.deepEqual(ids(store.getObservations('r1')), ['o1']);
    assert.equal(store.update(registration('r9', 'z')), undefined);
    assert.equal(store.get('r9'), undefined);
    assert.equal(store.update(registration('r1', 'other')), undefined);
    assert.equal(store.getByEndpoint('other'), undefined);
    assert.equal(store.get('r1')?.endpoint, 'a');
  });

  void test(`${name}: remove returns the registration with its observations; the endpoint is free again`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    store.add(registration('r2', 'b'));
    store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    store.addObservation(observation('o2', 'r2', ['/3/0/9'], 2));
    const removed = store.remove('r1');
    assert.equal(removed?.registration.id, 'r1');
    assert.deepEqual(ids(removed?.observations ?? []), ['o1']);
    assert.equal(store.remove('r1'), undefined);
    assert.equal(store.getByEndpoint('a'), undefined);
    assert.equal(store.getObservation('o1'), undefined);
    assert.equal(store.getObservationByToken(new Uint8Array([1, 1, 2, 3, 4, 5, 6, 7])), undefined);
    assert.deepEqual(ids(store.getObservations('r2')), ['o2']);
    assert.equal(store.size, 1);
    assert.deepEqual(ids(store.remove('r2')?.observations ?? []), ['o2']);
    assert.equal(store.add(registration('r3', 'a')), undefined);
  });

  // ---- observations ----

  void test(`${name}: observations by id, by token (any view of the same bytes) and by registration, oldest first`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    assert.equal(store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1)), undefined);
    assert.equal(store.addObservation(observation('o2', 'r1', ['/3/0'], 2)), undefined);
    assert.equal(store.addObservation(observation('o3', 'r1', ['/3/0/7', '/3/0/8'], 3)), undefined);
    assert.deepEqual(ids(store.getObservations('r1')), ['o1', 'o2', 'o3']);
    assert.equal(store.getObservation('o2')?.observation.paths[0]?.toString(), '/3/0');
    const wire = new Uint8Array([0xff, 3, 1, 2, 3, 4, 5, 6, 7]).subarray(1);
    const found = store.getObservationByToken(wire);
    assert.equal(found?.observation.id, 'o3');
    assert.equal(found?.request.op, 'observeComposite');
    assert.equal(found?.downlink.accept, 112);
    assert.equal(store.getObservationByToken(new Uint8Array([9, 9])), undefined);
    assert.deepEqual(ids(store.getObservations('nope')), []);
  });

  void test(`${name}: an observation of the same path set replaces the older one; another path set does not`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    store.addObservation(observation('o2', 'r1', ['/3/0/7', '/3/0/8'], 2));
    store.addObservation(observation('o3', 'r1', ['/3/0/7'], 3, true)); // composite of one path: another set than o1's kind
    assert.equal(store.addObservation(observation('o4', 'r1', ['/3/0/7'], 4)), undefined); // single /3/0/7: new
    const replaced = store.addObservation(observation('o5', 'r1', ['/3/0/9'], 5));
    assert.equal(replaced?.observation.id, 'o1');
    const replaced2 = store.addObservation(observation('o6', 'r1', ['/3/0/8', '/3/0/7'], 6)); // same set, other order
    assert.equal(replaced2?.observation.id, 'o2');
    assert.deepEqual(ids(store.getObservations('r1')), ['o3', 'o4', 'o5', 'o6']);
    assert.equal(store.getObservation('o1'), undefined);
    assert.equal(store.getObservationByToken(new Uint8Array([1, 1, 2, 3, 4, 5, 6, 7])), undefined);
    assert.equal(store.getObservationByToken(new Uint8Array([2, 1, 2, 3, 4, 5, 6, 7])), undefined);
    assert.equal(store.getObservationByToken(new Uint8Array([5, 1, 2, 3, 4, 5, 6, 7]))?.observation.id, 'o5');
  });

  void test(`${name}: observations are per registration; one of an unknown registration is not kept`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    store.add(registration('r2', 'b'));
    store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    assert.equal(store.addObservation(observation('o2', 'r2', ['/3/0/9'], 2)), undefined);
    assert.equal(store.addObservation(observation('o3', 'gone', ['/3/0/9'], 3)), undefined);
    assert.equal(store.getObservation('o3'), undefined);
    assert.deepEqual(ids(store.getObservations('gone')), []);
    assert.deepEqual(ids(store.getObservations('r1')), ['o1']);
    assert.deepEqual(ids(store.getObservations('r2')), ['o2']);
  });

  void test(`${name}: removeObservation returns what it removed and leaves the others`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    store.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    store.addObservation(observation('o2', 'r1', ['/3/0/8'], 2));
    assert.equal(store.removeObservation('o1')?.observation.id, 'o1');
    assert.equal(store.removeObservation('o1'), undefined);
    assert.equal(store.getObservationByToken(new Uint8Array([1, 1, 2, 3, 4, 5, 6, 7])), undefined);
    assert.deepEqual(ids(store.getObservations('r1')), ['o2']);
    store.removeObservation('o2');
    assert.deepEqual(ids(store.getObservations('r1')), []);
    assert.equal(store.get('r1')?.id, 'r1');
  });

  // ---- queued requests ----

  void test(`${name}: queued requests leave in order, per endpoint`, async () => {
    const store = await create();
    for (let i = 1; i <= 3; i++) assert.equal(store.queueRequest(queued('a', i, 100), 10), true);
    store.queueRequest(queued('b', 9, 100), 10);
    assert.equal(store.queuedRequests('a'), 3);
    assert.equal(store.queuedRequests('b'), 1);
    assert.equal(store.queuedRequests('c'), 0);
    assert.deepEqual([store.nextRequest('a'), store.nextRequest('a')].map((q) => (q?.request as { path: string }).path), ['/3/0/1', '/3/0/2']);
    assert.equal(store.queuedRequests('a'), 1);
    assert.equal((store.nextRequest('a')?.request as { path: string }).path, '/3/0/3');
    assert.equal(store.nextRequest('a'), undefined);
    assert.equal(store.queuedRequests('a'), 0);
    assert.equal(store.queuedRequests('b'), 1);
  });

  void test(`${name}: a queue holds at most the number asked, and takes more once one left`, async () => {
    const store = await create();
    for (let i = 1; i <= 3; i++) assert.equal(store.queueRequest(queued('a', i, 100), 3), true);
    assert.equal(store.queueRequest(queued('a', 4, 100), 3), false);
    assert.equal(store.queuedRequests('a'), 3);
    assert.equal(store.queueRequest(queued('b', 1, 100), 3), true);
    store.nextRequest('a');
    assert.equal(store.queueRequest(queued('a', 5, 100), 3), true);
    assert.deepEqual(paths(store.removeRequests('a')), ['/3/0/2', '/3/0/3', '/3/0/5']);
    assert.equal(store.queueRequest(queued('c', 1, 100), 0), false);
    assert.equal(store.queuedRequests('c'), 0);
  });

  void test(`${name}: requests whose time ran out leave by expireRequests, the others stay in order`, async () => {
    const store = await create();
    store.queueRequest(queued('a', 1, 50), 10);
    store.queueRequest(queued('a', 2, 100), 10);
    store.queueRequest(queued('a', 3, 60), 10);
    store.queueRequest(queued('a', 4, 200), 10);
    assert.deepEqual(paths(store.expireRequests('a', 49)), []);
    assert.deepEqual(paths(store.expireRequests('a', 60)), ['/3/0/1', '/3/0/3']);
    assert.equal(store.queuedRequests('a'), 2);
    assert.deepEqual(paths(store.expireRequests('b', 1000)), []);
    assert.deepEqual(paths(store.expireRequests('a', 1000)), ['/3/0/2', '/3/0/4']);
    assert.equal(store.queuedRequests('a'), 0);
    assert.equal(store.nextRequest('a'), undefined);
  });

  void test(`${name}: removeRequests empties the endpoint's queue and returns it in order`, async () => {
    const store = await create();
    store.add(registration('r1', 'a'));
    store.queueRequest(queued('a', 1, 100), 10);
    store.queueRequest(queued('a', 2, 100), 10);
    store.queueRequest(queued('b', 1, 100), 10);
    store.remove('r1');
    assert.equal(store.queuedRequests('a'), 2);
    assert.deepEqual(paths(store.removeRequests('a')), ['/3/0/1', '/3/0/2']);
    assert.deepEqual(paths(store.removeRequests('a')), []);
    assert.equal(store.queuedRequests('a'), 0);
    assert.equal(store.queuedRequests('b'), 1);
  });
}
