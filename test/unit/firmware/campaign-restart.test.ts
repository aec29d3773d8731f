/**
 * A campaign of 1,000 in-process object 5 devices with a concurrency limit, killed
 * halfway and resumed by a new manager from what was on disk at that instant (the
 * campaign files are replaced by rename, so a copy of the folder is what a kill leaves).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirmwareManager } from '../../../src/firmware/index.js';
import { DEFAULT_FIRMWARE_CONFIG } from '../../../src/config/firmware-config.js';
import { silentLogger } from '../../../src/log.js';
import { FakeFleet } from '../../helpers/fota-fake-fleet.js';
import type { ManagerCore } from '../../../src/firmware/firmware-manager.js';

const N = 1000;
const CONCURRENCY = 25;

async function until(pred: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

void test('1,000 devices, concurrency 25, killed halfway: the restarted manager finishes the campaign', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fota-campaign-'));
  const fleet = new FakeFleet();
  for (let i = 0; i < N; i++) fleet.add(`dev-${String(i).padStart(4, '0')}`);
  fleet.add('other-1');
  const config = { ...DEFAULT_FIRMWARE_CONFIG, deviceTimeout: 30 };
  const first = new FirmwareManager({ core: fleet as unknown as ManagerCore, config, dir: join(root, 'a'), logger: silentLogger });
  let second: FirmwareManager | undefined;
  try {
    first.start();
    const image = await first.addImage({ name: 'fw', version: '2.0', deviceType: 'F-1' }, Buffer.alloc(2048, 1));
    let maxRunning = 0;
    first.on('campaign', (v) => (maxRunning = Math.max(maxRunning, v.totals.running)));
    const view = first.createCampaign({ name: 'all', imageId: image.id, match: ['dev-*'], concurrency: CONCURRENCY, retries: 0, method: 'push' });
    assert.equal(view.totals.devices, N);
    await until(() => (first.campaign(view.id)?.devices.filter((d) => d.status === 'succeeded').length ?? 0) >= N / 2);
    // the kill: what is on disk now is all the next process gets
    cpSync(join(root, 'a'), join(root, 'b'), { recursive: true, filter: (src) => !src.endsWith('.tmp') });
    await first.stop();
    const executesBefore = fleet.log.filter((l) => l.includes('execute')).length;

    second = new FirmwareManager({ core: fleet as unknown as ManagerCore, config, dir: join(root, 'b'), logger: silentLogger });
    second.on('campaign', (v) => (maxRunning = Math.max(maxRunning, v.totals.running)));
    second.start();
    const resumed = second.campaign(view.id);
    assert.ok(resumed, 'the campaign was read back');
    assert.ok(resumed.devices.some((d) => d.status === 'succeeded'), 'the first half is kept');
    await until(() => second!.campaign(view.id)?.status === 'finished');
    const r = second.campaign(view.id)!;
    assert.equal(r.devices.filter((d) => d.status === 'succeeded').length, N);
    for (const d of fleet.devices.values()) if (d.endpoint.startsWith('dev-')) assert.equal(d.version, '2.0', d.endpoint);
    assert.equal(fleet.devices.get('other-1')!.version, '1.0', 'a device the globs do not match is left alone');
    // each device was updated once: those done before the kill but not yet on disk were found on 2.0
    const executes = fleet.log.filter((l) => l.includes('execute')).length;
    assert.ok(executes <= N + CONCURRENCY, `${executes} executes (${executesBefore} before the kill)`);
    assert.ok(maxRunning <= CONCURRENCY, `at most ${CONCURRENCY} at once, saw ${maxRunning}`);
    await second.flush();
  } finally {
    await first.stop();
    await second?.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
