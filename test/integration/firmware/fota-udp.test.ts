/** Firmware updates of simulated object 5 devices over real UDP, driven through REST. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FotaFixture } from './fixture.js';
import { RestFixture, collectEvents } from '../rest/fixture.js';

const image = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 31) % 251));
const sha = createHash('sha256').update(image).digest('hex');

describe('firmware update over real UDP', () => {
  let f: FotaFixture;
  let imageId: string;
  before(async () => {
    f = await FotaFixture.start({ server: { queue: { awakeTimeMs: 400 } } });
    imageId = (await f.upload('2.0.0', image)).id;
  });
  after(() => f.stop());

  it('push: the image goes block-wise to /5/0/0, Update runs, the device comes back on 2.0.0', async () => {
    const d = await f.device('push-1', { expectSha256: sha, nextVersion: '2.0.0', delivery: 1 });
    const r = await f.api('POST', '/api/devices/push-1/firmware', { imageId });
    assert.equal(r.status, 202);
    const end = await f.finished('push-1');
    assert.equal(end.phase, 'succeeded', JSON.stringify(end));
    assert.equal(end.method, 'push');
    assert.equal(end.firmwareVersion, '2.0.0');
    assert.ok(d.client.received.filter((x) => x.path === '/5/0/0').length > 10, 'Block1 blocks');
    assert.equal(d.client.value('/3/0/3'), '2.0.0');
  });

  it('pull over HTTP with a lost link halfway: the download resumes with Range and If-Range', async () => {
    const d = await f.device('pull-1', { expectSha256: sha, nextVersion: '2.0.0', protocols: [2], delivery: 0, dropAfterBytes: 15_000 });
    assert.equal((await f.api('POST', '/api/devices/pull-1/firmware', { imageId })).status, 202);
    const end = await f.finished('pull-1');
    assert.equal(end.phase, 'succeeded', JSON.stringify(end));
    assert.equal(end.method, 'pull');
    assert.deepEqual(d.downloads, [
      { range: null, status: 200 },
      { range: 'bytes=15000-', status: 206 },
    ]);
    assert.equal(end.bytes, image.length);
  });

  it('pull over CoAP with Block2 from the gateway, resumed from the next block after a lost link', async () => {
    const d = await f.device('coap-1', { expectSha256: sha, nextVersion: '2.0.0', protocols: [0], delivery: 0, dropAfterBytes: 10_000 });
    assert.equal((await f.api('POST', '/api/devices/coap-1/firmware', { imageId })).status, 202);
    const end = await f.finished('coap-1');
    assert.equal(end.phase, 'succeeded', JSON.stringify(end));
    assert.equal(end.method, 'pull');
    assert.equal(d.blocks.length, Math.ceil(image.length / 256));
    assert.deepEqual(d.blocks, d.blocks.map((_, i) => i), 'every block once, in order');
    const uri = d.client.received.find((x) => x.path === '/5/0/1' && x.method === 'PUT');
    assert.match(uri!.payload.toString(), /^coap:\/\/127\.0\.0\.1:\d+\/fw\/[A-Za-z0-9_-]{32}$/);
  });

  it('a corrupted image: update result 5 (integrity check failure), Update never executed', async () => {
    const d = await f.device('bad-1', { expectSha256: 'ab'.repeat(32), nextVersion: '2.0.0' });
    await f.api('POST', '/api/devices/bad-1/firmware', { imageId, method: 'push' });
    const end = await f.finished('bad-1');
    assert.equal(end.phase, 'failed');
    assert.equal(end.result, 5);
    assert.match(end.error.message, /integrity check failure/);
    assert.equal(d.client.executed.length, 0);
  });

  it('a queue-mode device that sleeps between steps gets each step when it wakes', async () => {
    const d = await f.device('sleepy-1', { expectSha256: sha, nextVersion: '2.0.0', delivery: 1 }, { queueMode: true });
    d.client.sleep();
    await new Promise((r) => setTimeout(r, 500)); // the gateway's awake window ends
    assert.equal((await f.api('POST', '/api/devices/sleepy-1/firmware', { imageId })).status, 202);
    let queued = 0;
    let ended: { phase: string } | undefined;
    const deadline = Date.now() + 20_000;
    while (!ended && Date.now() < deadline) {
      queued = Math.max(queued, f.lwm2m.server.queuedRequests('sleepy-1'));
      if (d.client.asleep) await d.client.wake();
      await new Promise((r) => setTimeout(r, 250));
      if (d.state !== 3) d.client.sleep();
      await new Promise((r) => setTimeout(r, 300));
      const j = (await f.api('GET', '/api/devices/sleepy-1/firmware')).body;
      if (['succeeded', 'failed'].includes(j.phase)) ended = j;
    }
    assert.equal(ended?.phase, 'succeeded', JSON.stringify(ended));
    assert.ok(queued > 0, 'requests waited for the device to wake');
  });

  it('a device that never comes back after Update: the job times out', async () => {
    f.config.deviceTimeout = 4;
    try {
      await f.device('gone-1', { nextVersion: '2.0.0', neverComesBack: true, delivery: 1 });
      await f.api('POST', '/api/devices/gone-1/firmware', { imageId });
      const end = await f.finished('gone-1');
      assert.equal(end.phase, 'failed');
      assert.equal(end.error.code, 'TIMEOUT');
      assert.match(end.error.message, /updating/);
    } finally {
      f.config.deviceTimeout = 20;
    }
  });

  it('a campaign over UDP: concurrency, totals by REST, a failed device among succeeded ones', async () => {
    for (let i = 0; i < 3; i++) await f.device(`camp-${i}`, { expectSha256: i === 1 ? '00'.repeat(32) : sha, nextVersion: '2.0.0', delivery: 1 });
    const events = collectEvents(`${f.base}/api/events?events=campaign,fota`, (e) => e.some((x) => x.event === 'campaign' && x.data.status === 'finished'), { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 100)); // the stream is open
    const c = await f.api('POST', '/api/campaigns', { name: 'camp', imageId, match: ['camp-*'], concurrency: 2, retries: 0 });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.totals.devices, 3);
    let r = await f.api('GET', `/api/campaigns/${c.body.id}`);
    const end = Date.now() + 15_000;
    while (r.body.status === 'running' && Date.now() < end) {
      assert.ok(r.body.totals.running <= 2);
      await new Promise((res) => setTimeout(res, 50));
      r = await f.api('GET', `/api/campaigns/${c.body.id}`);
    }
    assert.equal(r.body.status, 'finished');
    assert.equal(r.body.totals.succeeded, 2);
    assert.equal(r.body.totals.failed, 1);
    const bad = r.body.devices.find((x: { endpoint: string }) => x.endpoint === 'camp-1');
    assert.equal(bad.error.code, 'UPDATE_RESULT');
    const seen = await events;
    assert.ok(seen.some((e) => e.event === 'fota' && e.data.endpoint === 'camp-0' && e.data.phase === 'succeeded' && e.data.campaignId === c.body.id));
    assert.equal(seen.at(-1)!.data.totals.succeeded, 2);
  });

  it('software (object 9): push the package, Install, Activate; installed again over another version it uninstalls first', async () => {
    const sw = (await f.upload('3.1.0', image, 'software')).id;
    const d = await f.device('sw-1', { expectSha256: sha, nextVersion: '3.1.0' });
    assert.equal((await f.api('POST', '/api/devices/sw-1/firmware', { imageId: sw, method: 'push' })).status, 202);
    const end = await f.finished('sw-1');
    assert.equal(end.phase, 'succeeded', JSON.stringify(end));
    assert.equal(end.state, 4);
    assert.equal(end.firmwareVersion, '3.1.0');
    assert.equal(d.client.value('/9/0/12'), true, 'activated');
    const other = (await f.upload('3.2.0', image, 'software')).id;
    d.b.nextVersion = '3.2.0';
    await f.api('POST', '/api/devices/sw-1/firmware', { imageId: other, method: 'push', activate: false });
    const again = await f.finished('sw-1');
    assert.equal(again.phase, 'succeeded', JSON.stringify(again));
    assert.ok(d.client.received.some((x) => x.method === 'POST' && x.path === '/9/0/6'), 'uninstalled first');
    assert.equal(d.client.value('/9/0/12'), false);
  });

  it('software with a corrupted package: update result 53 with its meaning', async () => {
    const sw = f.firmware.images.list().find((m) => m.kind === 'software')!.id;
    await f.device('sw-bad', { expectSha256: '11'.repeat(32), nextVersion: '3.1.0' });
    await f.api('POST', '/api/devices/sw-bad/firmware', { imageId: sw, method: 'push' });
    const end = await f.finished('sw-bad');
    assert.equal(end.phase, 'failed');
    assert.equal(end.result, 53);
    assert.match(end.error.message, /integrity/);
  });

  it('a campaign by attributes skips devices that do not match; its window, pause, resume, cancel and delete by REST', async () => {
    await f.device('attr-1', { nextVersion: '2.0.0', delivery: 1 });
    const skip = await f.api('POST', '/api/campaigns', { name: 'attr', imageId, endpoints: ['attr-1'], filter: { manufacturer: 'Someone Else' } });
    let r = await f.api('GET', `/api/campaigns/${skip.body.id}`);
    for (const end = Date.now() + 5000; r.body.status === 'running' && Date.now() < end; r = await f.api('GET', `/api/campaigns/${skip.body.id}`)) await new Promise((res) => setTimeout(res, 20));
    assert.equal(r.body.devices[0].status, 'skipped');
    const later = await f.api('POST', '/api/campaigns', { name: 'later', imageId, endpoints: ['attr-1'], window: { start: new Date(Date.now() + 3_600_000).toISOString() } });
    assert.equal(later.body.status, 'scheduled');
    const id = later.body.id as string;
    assert.equal((await f.api('DELETE', `/api/campaigns/${id}`)).status, 409);
    assert.equal((await f.api('POST', `/api/campaigns/${id}/pause`)).body.status, 'paused');
    assert.equal((await f.api('POST', `/api/campaigns/${id}/pause`)).status, 200);
    assert.equal((await f.api('POST', `/api/campaigns/${id}/resume`)).body.status, 'scheduled');
    assert.equal((await f.api('POST', `/api/campaigns/${id}/cancel`)).body.status, 'cancelled');
    assert.equal((await f.api('POST', `/api/campaigns/${id}/resume`)).status, 409);
    assert.equal((await f.api('DELETE', `/api/campaigns/${id}`)).status, 204);
    assert.equal((await f.api('GET', `/api/campaigns/${id}`)).status, 404);
    assert.equal((await f.api('POST', '/api/campaigns', { name: 'x', imageId: 'f'.repeat(32), endpoints: ['attr-1'] })).status, 404);
    assert.equal((await f.api('POST', '/api/campaigns', { name: 'x', imageId })).status, 400);
  });

  it('the download route refuses an unknown token, and an image in use cannot be deleted', async () => {
    const r = await fetch(`${f.base}/api/fw/${'x'.repeat(32)}`);
    assert.equal(r.status, 404);
    assert.equal((await f.api('DELETE', `/api/firmware/${'0'.repeat(32)}`)).status, 404);
    const list = await f.api('GET', '/api/firmware');
    assert.equal(list.body.images[0].sha256, sha);
  });
});

describe('firmware updates off', () => {
  it('the routes answer FIRMWARE_OFF, the download route 404', async () => {
    const f = await RestFixture.start();
    try {
      const r = await f.api('GET', '/api/firmware');
      assert.equal(r.status, 404);
      assert.equal(r.body.type, 'urn:lwm2m-gateway:problem:FIRMWARE_OFF');
      assert.equal((await f.api('POST', '/api/campaigns', { body: {} })).status, 404);
      assert.equal((await f.api('GET', `/api/fw/${'a'.repeat(32)}`)).status, 404);
    } finally {
      await f.stop();
    }
  });
});
