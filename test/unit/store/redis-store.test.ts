/**
 * The Redis store against the real Redis (REDIS_URL, default 127.0.0.1:6379; skipped with
 * the reason when it does not answer): the store contracts, reading back what another
 * store wrote, several instances on one prefix, and writes kept across a lost connection.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisStore } from '../../../src/store/redis/redis-store.js';
import type { RedisStoreOptions } from '../../../src/store/redis/redis-store.js';
import type { Logger } from '../../../src/log.js';
import { observation, queued, registration, storeContract } from '../../helpers/store-contract.js';
import { psk } from '../../helpers/security-store-contract.js';
import { bootstrapConfig } from '../../helpers/bootstrap-store-contract.js';
import { REDIS_URL, deletePrefixes, redisMissing, testPrefix } from '../../helpers/redis-available.js';

const missing = await redisMissing();
const prefixes: string[] = [];
const open: RedisStore[] = [];

after(async () => {
  for (const s of open) await s.close();
  await deletePrefixes(prefixes);
});

async function openStore(prefix: string, extra: Partial<RedisStoreOptions> = {}): Promise<RedisStore> {
  if (!prefixes.includes(prefix)) prefixes.push(prefix);
  const s = new RedisStore({ url: REDIS_URL, prefix, ...extra });
  open.push(s);
  await s.open();
  return s;
}

async function until(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Kills the Redis connection named `name` (CLIENT KILL), as a network cut would. */
async function killConnection(admin: Redis, name: string): Promise<void> {
  const list = String(await admin.client('LIST'));
  const id = list.split('\n').find((l) => l.includes(`name=${name} `))?.match(/^id=(\d+)/)?.[1];
  assert.ok(id, `the connection ${name} is listed`);
  await admin.client('KILL', 'ID', id);
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (msg: string) => void lines.push(msg);
  return { lines, debug: at, info: at, warn: at, error: at };
}

if (missing) {
  void test('RedisStore', { skip: missing }, () => undefined);
} else {
  storeContract('RedisStore', () => openStore(testPrefix('contract')));

  void test('RedisStore: a store opened on the prefix reads back everything written, in the shape written', async () => {
    const prefix = testPrefix('reopen');
    const a = await openStore(prefix);
    const extra = JSON.parse('{"$m":"x","__proto__":"y","pid":"7"}') as Record<string, string>;
    a.add(registration('r1', 'a', { extra }));
    a.add(registration('r2', 'b', { queueMode: true }));
    a.update(registration('r1', 'a', { extra, lifetime: 120 }));
    a.add(registration('r3', 'c'));
    a.remove('r3');
    a.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    a.addObservation(observation('o2', 'r1', ['/3/0/1', '/3303/0/5700'], 2));
    a.addObservation(observation('o3', 'r2', ['/3303/0'], 3));
    a.removeObservation('o3');
    a.queueRequest(queued('b', 1, 5000), 10);
    a.queueRequest(queued('b', 2, 6000), 10);
    a.nextRequest('b');
    a.security.put(psk('a', 'id-a', 'aabb'));
    a.security.put(psk('z', 'id-z'));
    a.security.remove('z');
    a.bootstrapSecurity.put(psk('a', 'bs-id-a', 'ccdd'));
    a.bootstrap.put('', bootstrapConfig('coap://default:5683'));
    a.bootstrap.put('a', bootstrapConfig('coaps://a:5684'));
    await a.drain();

    const b = await openStore(prefix);
    assert.deepEqual(b.bootstrapSecurity.pskFor(Buffer.from('bs-id-a')), Buffer.from('ccdd', 'hex'));
    assert.deepEqual(b.bootstrap.endpoints().sort(), ['', 'a']);
    assert.deepEqual(b.bootstrap.get('a'), a.bootstrap.get('a'));
    assert.deepEqual(b.all().map((r) => r.id).sort(), ['r1', 'r2']);
    assert.deepEqual(b.get('r1'), a.get('r1'));
    assert.equal(b.get('r1')?.lifetime, 120);
    assert.deepEqual(b.get('r1')?.extra, extra);
    assert.equal(b.getObservation('o3'), undefined);
    assert.deepEqual(b.getObservations('r1').map((o) => o.observation.id), ['o1', 'o2']);
    assert.deepEqual(b.getObservationByToken(new Uint8Array([2, 1, 2, 3, 4, 5, 6, 7])), a.getObservation('o2'));
    assert.equal(b.queuedRequests('b'), 1);
    assert.deepEqual(b.nextRequest('b'), queued('b', 2, 6000));
    assert.deepEqual(b.security.pskFor(Buffer.from('id-a')), Buffer.from('aabb', 'hex'));
    assert.equal(b.security.get('z'), undefined);
    assert.equal(b.ownerOf('r1'), a.instance);
  });

  void test('RedisStore: instances on one prefix see each other\'s changes (registrations, observations, queues, credentials)', async () => {
    const prefix = testPrefix('shared');
    const a = await openStore(prefix);
    const b = await openStore(prefix);
    const seen: string[] = [];
    b.onRemoteChange((records, from) => seen.push(`${from}:${records.length}`));
    a.add(registration('r1', 'a'));
    a.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    a.queueRequest(queued('a', 1, 5000), 10);
    a.security.put(psk('a', 'id-a'));
    await until('b sees a\'s changes', () => b.security.get('a') !== undefined);
    assert.equal(b.getByEndpoint('a')?.id, 'r1');
    assert.equal(b.ownerOf('r1'), a.instance);
    assert.equal(b.getObservationByToken(new Uint8Array([1, 1, 2, 3, 4, 5, 6, 7]))?.observation.id, 'o1');
    assert.equal(b.queuedRequests('a'), 1);
    assert.deepEqual(seen, [`${a.instance}:4`], 'one batch: the changes of one turn');

    // b takes the device over: a's mirror follows, the observation stays
    b.update(registration('r1', 'a', { lifetime: 300 }));
    b.nextRequest('a');
    await until('a sees b\'s update', () => a.get('r1')?.lifetime === 300);
    assert.equal(a.ownerOf('r1'), b.instance);
    assert.equal(a.queuedRequests('a'), 0);
    assert.deepEqual(a.getObservations('r1').map((o) => o.observation.id), ['o1']);
    b.remove('r1');
    await until('a sees the removal', () => a.size === 0);
    assert.equal(a.getObservation('o1'), undefined);
  });

  void test('RedisStore: a change message that is not ours is ignored, not applied, not fatal', async () => {
    const prefix = testPrefix('hostile');
    const log = recordingLogger();
    const a = await openStore(prefix, { logger: log });
    const pub = new Redis(REDIS_URL);
    try {
      await pub.publish(`${prefix}changes`, 'not json');
      await pub.publish(`${prefix}changes`, JSON.stringify({ from: 'x', records: [{ k: 'reg', op: 'add', v: { id: 1 } }, { k: 'zz', op: 'drop' }] }));
      await pub.publish(`${prefix}changes`, JSON.stringify({ from: 'x', records: [{ k: 'sec', op: 'remove', key: 'nobody' }] }));
      await until('the messages were read', () => log.lines.filter((l) => l.includes('could not be applied')).length === 2);
      assert.ok(log.lines.some((l) => l.includes('not JSON')));
      assert.equal(a.size, 0);
      assert.ok(a.reachable());
    } finally {
      pub.disconnect();
    }
  });

  void test('RedisStore: an instance whose change channel was cut reads the state again: what it missed arrives, what it had stays the same objects', async () => {
    const prefix = testPrefix('resync');
    const a = await openStore(prefix);
    const log = recordingLogger();
    const b = await openStore(prefix, { logger: log });
    a.add(registration('r1', 'a'));
    a.add(registration('r2', 'b'));
    a.addObservation(observation('o1', 'r1', ['/3/0/9'], 1));
    a.security.put(psk('a', 'id-a'));
    await until('b has a\'s state', () => b.security.get('a') !== undefined);
    const kept = b.get('r1');
    const admin = new Redis(REDIS_URL);
    try {
      await killConnection(admin, `lwm2m-gateway-sub:${b.instance}`);
      // published while b's subscriber is away: b never sees these messages
      a.remove('r2');
      a.queueRequest(queued('a', 1, 5000), 10);
      a.add(registration('r3', 'c'));
      a.security.remove('a');
      await a.drain();
      await until('b read the state again', () => log.lines.includes('redis store: state read again after the change channel was lost'), 10_000);
      assert.deepEqual(b.all().map((r) => r.id).sort(), ['r1', 'r3']);
      assert.equal(b.queuedRequests('a'), 1);
      assert.equal(b.security.get('a'), undefined);
      assert.equal(b.get('r1'), kept, 'an unchanged registration keeps its object');
      assert.deepEqual(b.getObservations('r1').map((o) => o.observation.id), ['o1']);
    } finally {
      admin.disconnect();
    }
  });

  void test('RedisStore: changes made while the connection is lost are sent when it is back', async () => {
    const prefix = testPrefix('reconnect');
    const log = recordingLogger();
    const a = await openStore(prefix, { logger: log });
    const admin = new Redis(REDIS_URL);
    try {
      await killConnection(admin, `lwm2m-gateway:${a.instance}`);
      await until('the store sees the connection lost', () => !a.reachable());
      for (let i = 0; i < 20; i++) a.add(registration(`r${i}`, `ep${i}`));
      await until('the connection is back', () => a.reachable(), 10_000);
      await a.drain();
      assert.equal(await admin.hlen(`${prefix}reg`), 20);
      assert.ok(log.lines.includes('redis connection lost: changes are kept until it is back'));
      assert.ok(log.lines.includes('redis connection back'));
    } finally {
      admin.disconnect();
    }
  });

  void test('RedisStore: beyond maxPending changes waiting for the connection the oldest are dropped, with a warning; the newest arrive', async () => {
    const prefix = testPrefix('bounded');
    const log = recordingLogger();
    const a = await openStore(prefix, { logger: log, maxPending: 5 });
    const admin = new Redis(REDIS_URL);
    try {
      await killConnection(admin, `lwm2m-gateway:${a.instance}`);
      await until('the store sees the connection lost', () => !a.reachable());
      for (let i = 0; i < 12; i++) a.security.put(psk(`ep${i}`, `id-${i}`));
      await until('the connection is back', () => a.reachable(), 10_000);
      await a.drain();
      assert.deepEqual((await admin.hkeys(`${prefix}sec`)).sort(), ['ep10', 'ep11', 'ep7', 'ep8', 'ep9']);
      assert.ok(log.lines.includes('redis store: too many changes waiting for the connection, the oldest are dropped'));
      assert.ok(log.lines.includes('redis store: changes were dropped while the connection was down'));
    } finally {
      admin.disconnect();
    }
  });
}
