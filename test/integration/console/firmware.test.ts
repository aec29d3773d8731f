/**
 * The console's firmware pages in headless Chromium against a real gateway with simulated
 * object-5 devices on UDP (lwm2m-test-client-fota.ts): an image uploaded through the page;
 * a campaign on two devices started through the page, both seen reaching success there
 * (and over REST); one device updated from its page with its progress live, and a
 * software package installed there, and a failed one with the device's result; a campaign's
 * fields as the API takes them, paused, resumed, cancelled and deleted; an image in use
 * that cannot be deleted; a phone-sized screen; a read token that sees no write control.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { CHROMIUM_SKIP, ConsoleHarness } from './harness.js';
import { FotaDevice, fotaStore } from '../../helpers/lwm2m-test-client-fota.js';

if (CHROMIUM_SKIP) console.log(`# skipping the console browser tests: ${CHROMIUM_SKIP}`);

const image = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 31 + 7) & 0xff));
const sha = createHash('sha256').update(image).digest('hex');

/** Uploads `body` through the firmware page (the page is on #/firmware). */
async function uploadThroughPage(page: Page, file: string, body: Buffer, version: string): Promise<void> {
  const upload = page.locator('details.upload-card');
  if (!(await upload.evaluate((d) => (d as HTMLDetailsElement).open))) await upload.locator('summary').click();
  await upload.locator('input[type="file"]').setInputFiles({ name: file, mimeType: 'application/octet-stream', buffer: body });
  // the name comes from the file's
  assert.equal(await upload.locator('input[name="name"]').inputValue(), file.replace(/\.bin$/, ''));
  await upload.locator('input[name="version"]').fill(version);
  await upload.locator('input[name="deviceType"]').fill('TD-1');
  await upload.getByRole('button', { name: 'Upload' }).click();
}

describe('web console: firmware', { skip: CHROMIUM_SKIP }, () => {
  let h: ConsoleHarness;
  const fota: FotaDevice[] = [];
  let imageId = '';

  const fotaDevice = async (endpoint: string): Promise<FotaDevice> => {
    const d = new FotaDevice(await h.device({ endpoint, store: fotaStore() }), { expectSha256: sha, nextVersion: '2.0' });
    fota.push(d);
    return d;
  };

  before(async () => {
    h = await ConsoleHarness.start();
    // devices pull over HTTP from the REST port (method auto) or get the image pushed
    h.gateway.config.firmware.publicUrl = h.base;
    for (const endpoint of ['fw-a', 'fw-b', 'solo-1']) await fotaDevice(endpoint);
  });
  after(() => h?.stop());

  it('uploads an image through the page and lists it with its size and SHA-256', async () => {
    const page = await h.open('#/firmware');
    await page.locator('.images', { hasText: 'No image yet.' }).waitFor();
    await uploadThroughPage(page, 'td1-firmware.bin', image, '2.0');
    const row = page.locator('tr[data-image]', { hasText: sha });
    await row.waitFor();
    assert.match(await row.innerText(), /td1-firmware\s+2\.0\s+TD-1\s+firmware\s+5\.9 KiB/);
    await page.locator('.upload-card [role="status"]', { hasText: `SHA-256 ${sha}` }).waitFor();
    const listed = await h.api('GET', '/api/firmware');
    assert.equal(listed.body.images.length, 1);
    const m = listed.body.images[0];
    assert.deepEqual([m.name, m.version, m.deviceType, m.kind, m.size, m.sha256], ['td1-firmware', '2.0', 'TD-1', 'firmware', image.length, sha]);
    imageId = m.id;
    assert.equal(await row.getAttribute('data-image'), imageId);
    await page.close();
  });

  it('starts a campaign on two devices through the page and shows both reach success', async () => {
    assert.ok(imageId, 'the image of the upload test');
    // a second tab on the list: its totals follow the campaign events
    const list = await h.open('#/firmware');
    await list.locator('text=No campaign.').waitFor();
    const page = await h.open('#/firmware');
    const form = page.locator('form.campaign-form');
    await form.waitFor(); // open by itself: an image and no campaign yet
    await form.locator('input[name="name"]').fill('TD-1 to 2.0');
    await form.locator('select[name="imageId"]').selectOption(imageId);
    await form.locator('input[name="match"]').fill('fw-*');
    await form.locator('[data-matched="2"]').waitFor();
    await form.locator('input[name="concurrency"]').fill('2');
    await form.getByRole('button', { name: 'Start campaign' }).click();
    await page.waitForURL(/#\/firmware\/campaign\/[0-9a-f]+$/);
    const id = decodeURIComponent(page.url().split('/').pop()!);
    for (const ep of ['fw-a', 'fw-b']) await page.locator(`tr[data-endpoint="${ep}"][data-status="succeeded"]`).waitFor({ timeout: 20_000 });
    await page.locator('h1 [data-phase="finished"]').waitFor();
    assert.match(await page.locator('.totals').innerText(), /2 of 2 ended:\s+2 succeeded/);
    assert.match(await page.locator('tr[data-endpoint="fw-a"]').innerText(), /fw-a\s+succeeded\s+succeeded\s/);
    // the list in the other tab, without a reload
    const item = list.locator(`li[data-campaign="${id}"]`);
    await item.locator('[data-phase="finished"]').waitFor();
    assert.match(await item.locator('.totals').innerText(), /2 of 2 ended:\s+2 succeeded/);
    // over REST, and on the devices
    const c = await h.api('GET', `/api/campaigns/${id}`);
    assert.equal(c.body.status, 'finished');
    assert.equal(c.body.spec.concurrency, 2);
    assert.deepEqual(c.body.devices.map((d: { endpoint: string; status: string }) => [d.endpoint, d.status]).sort(), [['fw-a', 'succeeded'], ['fw-b', 'succeeded']]);
    assert.deepEqual([fota[0]!.client.value('/3/0/3'), fota[1]!.client.value('/3/0/3'), fota[2]!.client.value('/3/0/3')], ['2.0', '2.0', '1.0.0'], 'solo-1 was not in the campaign');
    await list.close();
    await page.close();
  });

  it("updates one device from its page and follows the update's progress live", async () => {
    const page = await h.open('#/device/solo-1');
    const panel = page.locator('.device-firmware');
    await panel.locator('text=No update of this device is known.').waitFor();
    await panel.locator('select[name="fw-image"]').selectOption(imageId);
    await panel.locator('select[name="fw-method"]').selectOption('push');
    await panel.getByRole('button', { name: 'Start update' }).click();
    // no polling on the page: only the fota events move it from the 202's phase to the end
    await panel.locator('[data-phase="succeeded"]').waitFor({ timeout: 20_000 });
    const text = await panel.innerText();
    assert.match(text, /push/);
    assert.match(text, /5\.9 KiB of 5\.9 KiB/);
    assert.match(text, /Version\s+2\.0/);
    const job = await h.api('GET', '/api/devices/solo-1/firmware');
    assert.deepEqual([job.body.phase, job.body.method, job.body.bytes], ['succeeded', 'push', image.length]);
    assert.equal(fota[2]!.client.value('/3/0/3'), '2.0');
    await page.close();
  });

  it("shows a failed update with the device's Update Result", async () => {
    const bad = new FotaDevice(await h.device({ endpoint: 'bad-1', store: fotaStore() }), { expectSha256: 'f'.repeat(64), nextVersion: '2.0' });
    const page = await h.open('#/device/bad-1');
    const panel = page.locator('.device-firmware');
    await panel.locator('select[name="fw-image"]').selectOption(imageId);
    await panel.locator('select[name="fw-method"]').selectOption('push');
    await panel.getByRole('button', { name: 'Start update' }).click();
    await panel.locator('[data-phase="failed"]').waitFor({ timeout: 20_000 });
    const job = (await h.api('GET', '/api/devices/bad-1/firmware')).body;
    assert.equal(job.result, 5, 'integrity check failure');
    const text = await panel.innerText();
    assert.ok(text.includes(`${job.resultText} (5)`), text);
    assert.ok(text.includes(job.error.code), text);
    assert.equal(bad.client.value('/3/0/3'), '1.0.0');
    await page.close();
  });

  it('installs a software package (object 9) from the device page, and activates it', async () => {
    const up = await fetch(`${h.base}/api/firmware?name=agent&version=2.0&deviceType=TD-1&kind=software`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(image) });
    const software = ((await up.json()) as { id: string }).id;
    const page = await h.open('#/device/solo-1');
    const panel = page.locator('.device-firmware');
    await panel.locator('[data-phase="succeeded"]').waitFor(); // the last update, read at load
    await panel.locator('select[name="fw-image"]').selectOption(software);
    // a software image takes an instance and activation too
    assert.equal(await panel.locator('input[name="fw-instance"]').inputValue(), '0');
    assert.equal(await panel.locator('input[name="fw-activate"]').isChecked(), true);
    await panel.locator('select[name="fw-method"]').selectOption('push');
    await panel.getByRole('button', { name: 'Start update' }).click();
    await panel.locator('.job-head', { hasText: 'agent 2.0' }).locator('[data-phase="succeeded"]').waitFor({ timeout: 20_000 });
    const job = await h.api('GET', '/api/devices/solo-1/firmware');
    assert.deepEqual([job.body.imageId, job.body.phase, job.body.method], [software, 'succeeded', 'push']);
    assert.deepEqual([fota[2]!.client.value('/9/0/1'), fota[2]!.client.value('/9/0/12')], ['2.0', true]);
    assert.equal((await h.api('DELETE', `/api/firmware/${software}`)).status, 204);
    await page.close();
  });

  it('sends every campaign field as the API takes it; pauses, resumes, cancels and deletes it; an image in use stays', async () => {
    const page = await h.open('#/firmware');
    page.on('dialog', (d) => void d.accept());
    await page.locator('details.new-campaign summary').click();
    const form = page.locator('form.campaign-form');
    const year = new Date().getFullYear() + 1;
    const fields: [string, string][] = [
      ['name', 'later'],
      ['endpoints', 'fw-a, fw-b\nsolo-1'],
      ['manufacturer', 'Test Devices Ltd'],
      ['firmwareVersion', '1.0.0'],
      ['concurrency', '3'],
      ['deviceTimeout', '120'],
      ['retries', '1'],
      ['backoff', '5'],
      ['windowStart', `${year}-01-01T10:00`],
      ['windowEnd', `${year}-01-01T12:30`],
      ['failureThreshold', '50'],
      ['minFinished', '2'],
    ];
    for (const [k, v] of fields) await form.locator(`[name="${k}"]`).fill(v);
    await form.locator('select[name="imageId"]').selectOption(imageId);
    await form.locator('select[name="method"]').selectOption('push');
    await form.getByRole('button', { name: 'Start campaign' }).click();
    await page.waitForURL(/#\/firmware\/campaign\/[0-9a-f]+$/);
    const id = decodeURIComponent(page.url().split('/').pop()!);
    await page.locator('h1 [data-phase="scheduled"]').waitFor();
    const c = (await h.api('GET', `/api/campaigns/${id}`)).body;
    assert.deepEqual(c.spec, {
      method: 'push',
      concurrency: 3,
      deviceTimeout: 120,
      retries: 1,
      backoff: 5,
      failureThreshold: 0.5,
      minFinished: 2,
      filter: { manufacturer: 'Test Devices Ltd', firmwareVersion: '1.0.0' },
      window: { start: new Date(`${year}-01-01T10:00`).toISOString(), end: new Date(`${year}-01-01T12:30`).toISOString() },
    });
    assert.deepEqual(c.devices.map((d: { endpoint: string }) => d.endpoint), ['fw-a', 'fw-b', 'solo-1']);

    // the image of an active campaign cannot be deleted: the page says why
    await page.goto(`${h.base}/#/firmware`);
    await page.locator(`tr[data-image="${imageId}"]`).getByRole('button', { name: 'Delete' }).click();
    await page.locator('.images [role="alert"]', { hasText: 'FIRMWARE_CONFLICT' }).waitFor();
    assert.ok((await h.api('GET', '/api/firmware')).body.images.some((m: { id: string }) => m.id === imageId), 'the image is still there');

    await page.goto(`${h.base}/#/firmware/campaign/${id}`);
    const status = async (s: string): Promise<void> => {
      await page.locator(`h1 [data-phase="${s}"]`).waitFor();
      assert.equal((await h.api('GET', `/api/campaigns/${id}`)).body.status, s);
    };
    await page.getByRole('button', { name: 'Pause' }).click();
    await status('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await status('scheduled'); // its window has not opened yet
    await page.getByRole('button', { name: 'Cancel' }).click();
    await status('cancelled');
    await page.locator('tr[data-endpoint="solo-1"][data-status="cancelled"]').waitFor();
    assert.equal(await page.locator('tr[data-status="cancelled"]').count(), 3);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/#\/firmware$/);
    assert.equal((await h.api('GET', `/api/campaigns/${id}`)).status, 404);
    await page.close();
  });

  it('fits a phone-sized screen', async () => {
    const page = await h.browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.setViewportSize({ width: 390, height: 844 });
    const wide = (): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth);
    await page.goto(`${h.base}/#/firmware`);
    await page.locator('li[data-campaign]').first().waitFor();
    await page.locator('details.new-campaign summary').click();
    assert.ok((await wide()) <= 390, `the firmware page is ${await wide()} px wide`);
    // the form's fields are one below the other and usable
    await page.locator('form.campaign-form input[name="match"]').fill('fw-*');
    await page.locator('form.campaign-form [data-matched="2"]').waitFor();
    await page.locator('li[data-campaign] a').first().click();
    await page.locator('table.campaign-devices').waitFor();
    assert.ok((await wide()) <= 390, `the campaign page is ${await wide()} px wide`);
    await page.goto(`${h.base}/#/device/solo-1`);
    await page.locator('.device-firmware [data-phase]').waitFor();
    assert.ok((await wide()) <= 390, `the device page is ${await wide()} px wide`);
    await page.close();
  });
});

describe('web console: firmware with a read token', { skip: CHROMIUM_SKIP }, () => {
  const WRITE = 'firmware-write-token-1';
  let h: ConsoleHarness;
  let campaignId = '';

  before(async () => {
    h = await ConsoleHarness.start({ tokens: [{ token: WRITE, scope: 'write' }, { token: 'firmware-read-token-2', scope: 'read' }] });
    await h.device({ endpoint: 'ro-1', store: fotaStore() });
    const up = await fetch(`${h.base}/api/firmware?name=fw&version=3.0&deviceType=TD-1`, { method: 'POST', headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(image) });
    assert.equal(up.status, 201);
    const imageId = ((await up.json()) as { id: string }).id;
    // a campaign that waits for its window
    const c = await h.api('POST', '/api/campaigns', { token: WRITE, body: { name: 'next year', imageId, endpoints: ['ro-1'], window: { start: new Date(Date.now() + 365 * 86_400_000).toISOString() } } });
    assert.equal(c.status, 201);
    campaignId = c.body.id;
  });
  after(() => h?.stop());

  const signIn = async (hash: string, token: string): Promise<Page> => {
    const page = await h.open(hash);
    await page.locator('input[name="token"]').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  };

  it('shows images and campaigns but no upload, delete, campaign or update control', async () => {
    const page = await signIn('#/firmware', 'firmware-read-token-2');
    await page.locator('tr[data-image]').waitFor();
    await page.locator(`li[data-campaign="${campaignId}"] [data-phase="scheduled"]`).waitFor();
    for (const name of ['Delete', 'Pause', 'Cancel', 'Upload']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    assert.equal(await page.locator('details.upload-card, details.new-campaign, input[type="file"]').count(), 0);
    await page.locator(`li[data-campaign="${campaignId}"] a`).click();
    await page.locator('table.campaign-devices tr[data-endpoint="ro-1"]').waitFor();
    assert.equal(await page.getByRole('button').filter({ hasText: /Pause|Resume|Cancel|Delete/ }).count(), 0);
    await page.goto(`${h.base}/#/device/ro-1`);
    await page.locator('.device-firmware').waitFor();
    assert.equal(await page.locator('.device-firmware select, .device-firmware button').count(), 0);
    await page.close();
  });

  it('a write token has them', async () => {
    const page = await signIn('#/firmware', WRITE);
    await page.locator('details.upload-card').waitFor();
    await page.locator(`li[data-campaign="${campaignId}"]`).getByRole('button', { name: 'Pause' }).waitFor();
    await page.goto(`${h.base}/#/device/ro-1`);
    await page.locator('.device-firmware select[name="fw-image"]').waitFor();
    await page.close();
  });
});
