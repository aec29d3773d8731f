/**
 * A sleeping queue-mode device: a request is answered 202 with a request id and a
 * Location; GET /api/requests/{id} follows it from queued to done once the device wakes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture, type JsonBody } from './fixture.js';
import { sleep } from '../lwm2m/fixture.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

async function poll(f: RestFixture, location: string, until: (b: JsonBody) => boolean): Promise<JsonBody> {
  for (let i = 0; i < 100; i++) {
    const r = await f.api('GET', location);
    assert.equal(r.status, 200);
    if (until(r.body)) return r.body;
    await sleep(20);
  }
  throw new Error(`${location} never reached the expected state`);
}

describe('REST queue mode', () => {
  let f: RestFixture;
  let dev: Lwm2mTestClient;

  before(async () => {
    f = await RestFixture.start({ server: { queue: { awakeTimeMs: 300, ttlMs: 60_000, maxPerDevice: 10 } } });
    const asleep = f.lwm2m.event('sleeping', (r) => r.endpoint === 'dev-q');
    ({ client: dev } = await f.registered({ endpoint: 'dev-q', queueMode: true }));
    dev.sleep();
    await asleep;
  });
  after(() => f.stop());

  it('shows the device sleeping', async () => {
    const r = await f.api('GET', '/api/devices/dev-q');
    assert.equal(r.body.queueMode, true);
    assert.equal(r.body.awake, false);
    const online = await f.api('GET', '/api/devices?online=false');
    assert.deepEqual(online.body.devices.map((d: { endpoint: string }) => d.endpoint), ['dev-q']);
  });

  it('queues a read and a write, which complete after the device wakes up', async () => {
    const read = await f.api('GET', '/api/devices/dev-q/3303/0/5700');
    assert.equal(read.status, 202, read.text);
    assert.equal(read.body.state, 'queued');
    assert.equal(read.body.operation, 'read');
    assert.deepEqual(read.body.paths, ['/3303/0/5700']);
    const location = read.headers.get('location');
    assert.equal(location, `/api/requests/${read.body.id}`);
    const write = await f.api('PUT', '/api/devices/dev-q/3/0/14', { body: { value: '+09:00' } });
    assert.equal(write.status, 202, write.text);

    const state = await f.api('GET', location!);
    assert.equal(state.body.state, 'queued');
    const pending = await f.api('GET', '/api/devices/dev-q/requests');
    assert.deepEqual(pending.body.requests.map((r: { id: string }) => r.id), [read.body.id, write.body.id]);
    assert.equal(dev.received.filter((q) => q.path === '/3303/0/5700').length, 0);

    await dev.wake();
    const done = await poll(f, location!, (b) => b.state === 'done' || b.state === 'failed');
    assert.equal(done.state, 'done');
    assert.equal(done.result.status, 200);
    assert.equal(done.result.body.value, 21.5);
    const wrote = await poll(f, write.headers.get('location')!, (b) => b.state === 'done' || b.state === 'failed');
    assert.equal(wrote.result.status, 204);
    assert.equal(dev.value('/3/0/14'), '+09:00');
    const after = await f.api('GET', '/api/devices/dev-q/requests');
    assert.deepEqual(after.body.requests, []);
  });

  it('answers at once while the device is awake', async () => {
    await dev.update();
    const r = await f.api('GET', '/api/devices/dev-q/3/0/9');
    assert.equal(r.status, 200);
    assert.equal(r.body.value, 87);
  });

  it('shows a request as sent while the woken device is still answering', async () => {
    const asleep = f.lwm2m.event('sleeping', (r) => r.endpoint === 'dev-q');
    dev.sleep();
    await asleep;
    const r = await f.api('GET', '/api/devices/dev-q/3/0/9');
    assert.equal(r.status, 202);
    // the device acknowledges at once and answers later (a separate response)
    dev.separateResponses(600);
    try {
      await dev.wake();
      const sent = await poll(f, r.headers.get('location')!, (b) => b.state !== 'queued');
      assert.equal(sent.state, 'sent');
      assert.equal(sent.result, undefined);
      const done = await poll(f, r.headers.get('location')!, (b) => b.state === 'done' || b.state === 'failed');
      assert.equal(done.state, 'done');
      assert.equal(done.result.body.value, 87);
    } finally {
      dev.separateResponses(undefined);
    }
  });

  it('turns a request into a queued one when the device falls asleep before answering', async () => {
    await dev.update();
    assert.equal(f.server.isAwake('dev-q'), true);
    // acknowledged at once, answered after the awake window (300 ms) has closed
    dev.separateResponses(900);
    try {
      const r = await f.api('GET', '/api/devices/dev-q/3/0/9');
      assert.equal(r.status, 202, r.text);
      const done = await poll(f, r.headers.get('location')!, (b) => b.state === 'done' || b.state === 'failed');
      assert.equal(done.state, 'done');
      assert.equal(done.result.body.value, 87);
    } finally {
      dev.separateResponses(undefined);
    }
  });

  it('answers 504 at once when a request to an awake device times out', async () => {
    await dev.update();
    dev.sleep();
    const r = await f.api('GET', '/api/devices/dev-q/3/0/9?timeout=0.2');
    assert.equal(r.status, 504, r.text);
    assert.equal(r.body.code, 'DEVICE_TIMEOUT');
    await dev.wake();
  });

  it('answers at once what cannot wait: a full queue (503), a request the core cannot build (400)', async () => {
    const asleep = f.lwm2m.event('sleeping', (r) => r.endpoint === 'dev-q');
    dev.sleep();
    await asleep;
    const queued: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await f.api('GET', `/api/devices/dev-q/3/0/${i}`);
      assert.equal(r.status, 202, r.text);
      queued.push(r.headers.get('location')!);
    }
    const full = await f.api('GET', '/api/devices/dev-q/3/0/11');
    assert.equal(full.status, 503, full.text);
    assert.equal(full.body.code, 'QUEUE_FULL');
    const bad = await f.api('GET', '/api/devices/dev-q/3/0/9?format=7777');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.code, 'BAD_REQUEST');
    await dev.wake();
    for (const location of queued) {
      const done = await poll(f, location, (b) => b.state === 'done' || b.state === 'failed');
      assert.ok([200, 404, 405].includes(done.result.status), JSON.stringify(done));
    }
  });

  it('reports a failed queued request with its problem', async () => {
    const asleep = f.lwm2m.event('sleeping', (r) => r.endpoint === 'dev-q');
    dev.sleep();
    await asleep;
    const r = await f.api('GET', '/api/devices/dev-q/3/7');
    assert.equal(r.status, 202);
    await dev.wake();
    const failed = await poll(f, r.headers.get('location')!, (b) => b.state === 'failed' || b.state === 'done');
    assert.equal(failed.state, 'failed');
    assert.equal(failed.result.status, 404);
    assert.equal(failed.result.body.code, 'DEVICE_PATH_NOT_FOUND');
  });
});
