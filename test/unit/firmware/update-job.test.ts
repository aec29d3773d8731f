/** The update job's state machine against in-process object 5 devices (no sockets). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { UpdateJob, type UpdateJobOptions } from '../../../src/firmware/update-job.js';
import { FakeFleet } from '../../helpers/fota-fake-fleet.js';
import type { JobCore } from '../../../src/firmware/update-job.js';

const image = Buffer.alloc(5000, 7);
const sha = createHash('sha256').update(image).digest('hex');

function job(fleet: FakeFleet, endpoint: string, o: Partial<UpdateJobOptions> = {}): UpdateJob {
  return new UpdateJob(fleet as unknown as JobCore, {
    endpoint,
    image: { id: 'img', version: '2.0', size: image.length },
    bytes: () => Promise.resolve(image),
    pullUrls: {},
    deviceTimeoutMs: 2000,
    pushTimeoutMs: 1000,
    ...o,
  });
}

void test('push: write /5/0/0, state 2, execute, the device comes back with the new version', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { expectSha256: sha });
  const phases: string[] = [];
  const p = await job(fleet, 'd1', { onProgress: (x) => phases.push(x.phase) }).run();
  assert.equal(p.phase, 'succeeded', JSON.stringify(p));
  assert.equal(p.method, 'push');
  assert.equal(p.firmwareVersion, '2.0');
  assert.equal(p.bytes, image.length);
  assert.deepEqual([...new Set(phases)], ['checking', 'delivering', 'downloaded', 'updating', 'verifying', 'succeeded']);
  const ops = fleet.log.filter((l) => !l.includes('read'));
  assert.deepEqual(ops, ['d1 write /5/0/0', 'd1 execute /5/0/2']);
});

void test('pull: the Package URI of a scheme the device supports goes to /5/0/1', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { protocols: [2], expectSha256: sha });
  const asked: string[] = [];
  fleet.fetch = (url) => {
    asked.push(url);
    return Promise.resolve(image);
  };
  const p = await job(fleet, 'd1', { pullUrls: { coap: 'coap://gw/fw/t', http: 'http://gw/fw/t' } }).run();
  assert.equal(p.phase, 'succeeded');
  assert.equal(p.method, 'pull');
  assert.deepEqual(asked, ['http://gw/fw/t']);
});

void test('a pull-only device and no Package URI the gateway can give: NO_DELIVERY_METHOD', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { delivery: 0, protocols: [1] });
  const p = await job(fleet, 'd1', { pullUrls: { http: 'http://gw/fw/t' } }).run();
  assert.equal(p.phase, 'failed');
  assert.equal(p.error?.code, 'NO_DELIVERY_METHOD');
});

void test('a corrupted image: update result 5 is reported with its meaning, Update is never executed', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { expectSha256: 'f'.repeat(64) });
  const p = await job(fleet, 'd1').run();
  assert.equal(p.phase, 'failed');
  assert.equal(p.error?.code, 'UPDATE_RESULT');
  assert.equal(p.result, 5);
  assert.match(p.error!.message, /integrity check failure/);
  assert.ok(!fleet.log.some((l) => l.includes('execute')));
});

void test('a device that never comes back after Update: TIMEOUT in phase updating', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { neverComesBack: true });
  const p = await job(fleet, 'd1', { deviceTimeoutMs: 1000 }).run();
  assert.equal(p.phase, 'failed');
  assert.equal(p.error?.code, 'TIMEOUT');
  assert.match(p.error!.message, /updating/);
});

void test('an Update while the device still installs (a queue-mode device awake) is not its return', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { wakesDuringUpdate: true });
  const p = await job(fleet, 'd1').run();
  assert.equal(p.phase, 'succeeded', JSON.stringify(p));
  assert.equal(fleet.log.filter((l) => l === 'd1 read /3/0/3').length, 2, 'read once too early, then on the return');
});

void test('a device that comes back with another version: VERSION_MISMATCH', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { nextVersion: '1.9' });
  const p = await job(fleet, 'd1').run();
  assert.equal(p.error?.code, 'VERSION_MISMATCH');
});

void test('already on the version: succeeded at once; a filter that does not match: skipped', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { version: '2.0' });
  fleet.add('d2', { model: 'X' });
  assert.equal((await job(fleet, 'd1').run()).phase, 'succeeded');
  assert.equal((await job(fleet, 'd2', { filter: { model: 'F-1' } }).run()).phase, 'skipped');
  assert.deepEqual(fleet.log.filter((l) => l.startsWith('d2')), ['d2 read /3/0']);
});

void test('cancel in the middle of a download resets the device to idle', async () => {
  const fleet = new FakeFleet();
  fleet.add('d1', { protocols: [2] });
  fleet.fetch = () => new Promise(() => {}); // a download that never ends
  const j = job(fleet, 'd1', { pullUrls: { http: 'http://gw/fw/t' } });
  const run = j.run();
  while (j.progress.state !== 1) await new Promise((r) => setTimeout(r, 2));
  j.cancel();
  const p = await run;
  assert.equal(p.phase, 'cancelled');
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(fleet.devices.get('d1')!.state, 0);
});

void test('an unregistered device: NOT_REGISTERED', async () => {
  const p = await job(new FakeFleet(), 'nobody').run();
  assert.equal(p.error?.code, 'NOT_REGISTERED');
});
