/**
 * Screenshots of the web console for docs/console.md: a gateway with the shipped mapping
 * files and simulated devices on UDP (awake, sleeping, several LwM2M versions), the fleet
 * and a device page with values read and a notified temperature plotted, and the firmware
 * page with a campaign over meters that implement object 5 (one of them asleep, so its
 * update waits), taken with Debian's headless Chromium. Run: npx tsx scripts/console-screenshots.ts [outdir]
 * (default docs/).
 */
import { resolve } from 'node:path';
import { ConsoleHarness, CHROMIUM_SKIP, until } from '../test/integration/console/harness.js';
import { FotaDevice, fotaStore } from '../test/helpers/lwm2m-test-client-fota.js';

const out = resolve(process.argv[2] ?? 'docs');
if (CHROMIUM_SKIP) {
  console.error(CHROMIUM_SKIP);
  process.exit(1);
}

const h = await ConsoleHarness.start({
  mappings: true,
  viewport: { width: 1280, height: 860 },
  configure: (c) => {
    c.lwm2m.queue = { ...c.lwm2m.queue, awakeTime: 1 };
  },
});
try {
  const names = ['boiler-room-7', 'cold-store-2', 'meter-0041', 'meter-0042', 'meter-0043', 'roof-weather', 'street-lamp-12', 'street-lamp-13', 'tank-level-3', 'vent-unit-5'];
  const versions = ['1.1', '1.0', '1.2'] as const;
  for (const [i, endpoint] of names.entries()) {
    const meter = endpoint.startsWith('meter-');
    const dev = await h.device({ endpoint, version: versions[i % 3]!, queueMode: i === 2 || i === 8, lifetime: 300 + i * 60, ...(meter ? { store: fotaStore() } : {}) });
    if (meter) new FotaDevice(dev, { nextVersion: '2.1.0' });
    if (i === 2 || i === 8) dev.sleep();
  }
  const dev = h.devices[0]!;
  await new Promise((r) => setTimeout(r, 1500)); // the sleepers' awake time runs out

  const fleet = await h.open();
  await fleet.locator('tr[data-endpoint="vent-unit-5"]').waitFor();
  await fleet.screenshot({ path: resolve(out, 'console-fleet.png') });
  await fleet.close();

  const page = await h.open('#/device/boiler-room-7');
  for (const p of ['/3303/0/5701', '/3303/0/5750', '/3311/0/5850', '/3311/0/5851', '/3311/0/5750']) {
    const row = page.locator(`li[data-path="${p}"]`);
    await row.getByRole('button', { name: 'Read', exact: true }).click();
    await row.locator('.value', { hasNotText: '\u2014' }).waitFor();
  }
  // observe the temperature: each notification lands on the page
  const temp = page.locator('li[data-path="/3303/0/5700"]');
  await temp.getByRole('button', { name: 'Observe' }).click();
  await until(() => dev.observations().some((o) => o.paths.includes('/3303/0/5700')), 'the observation');
  for (const v of [21.5, 21.75, 22.25, 22.0, 22.75, 23.5, 23.25, 24.0]) {
    await dev.set('/3303/0/5700', v);
    await page.locator('li[data-path="/3303/0/5700"] .value', { hasText: String(v) }).waitFor();
  }
  await page.locator('li[data-path="/3303/0/5700"] svg.plot').waitFor();
  // the objects this picture is about, open; the others closed
  await page.evaluate(() => {
    for (const d of document.querySelectorAll('details.object')) (d as HTMLDetailsElement).open = /\/(3303|3311)$/.test(d.querySelector('summary code')?.textContent ?? '');
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: resolve(out, 'console-device.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('li[data-path="/3303/0/5700"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(out, 'console-phone.png') });
  await page.close();

  // firmware: two images, a campaign over the meters (meter-0041 sleeps: its update waits for it), one scheduled for tonight
  h.gateway.config.firmware.publicUrl = h.base;
  const upload = async (q: string, size: number): Promise<string> => {
    const r = await fetch(`${h.base}/api/firmware?${q}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(size).map((_, i) => (i * 7) & 0xff) });
    return ((await r.json()) as { id: string }).id;
  };
  const meterImage = await upload('name=meter-fw&version=2.1.0&deviceType=TD-1', 184_320);
  const lampImage = await upload('name=lamp-controller&version=4.0.2&deviceType=SL-12&kind=software', 61_440);
  const lamps = await h.api('POST', '/api/campaigns', { body: { name: 'street lamps 4.0.2', imageId: lampImage, match: ['street-lamp-*'], window: { start: new Date(Date.now() + 6 * 3600_000).toISOString() } } });
  const fw = await h.open('#/firmware');
  await fw.locator(`li[data-campaign="${lamps.body.id}"]`).waitFor();
  await fw.locator('details.new-campaign summary').click();
  const form = fw.locator('form.campaign-form');
  await form.locator('input[name="name"]').fill('meters to 2.1.0');
  await form.locator('select[name="imageId"]').selectOption(meterImage);
  await form.locator('input[name="match"]').fill('meter-*');
  await form.locator('input[name="manufacturer"]').fill('Test Devices Ltd');
  await form.getByRole('button', { name: 'Start campaign' }).click();
  await fw.waitForURL(/campaign/);
  await fw.locator('tr[data-status="succeeded"]').nth(1).waitFor({ timeout: 30_000 });
  await fw.screenshot({ path: resolve(out, 'console-campaign.png'), fullPage: true });
  await fw.goto(`${h.base}/#/firmware`);
  await fw.locator('li[data-campaign] [data-count="succeeded"]').waitFor();
  await fw.locator('details.upload-card summary').click();
  await fw.screenshot({ path: resolve(out, 'console-firmware.png'), fullPage: true });
  await fw.close();
  console.log(`screenshots in ${out}: console-fleet.png, console-device.png, console-phone.png, console-firmware.png, console-campaign.png`);
} finally {
  await h.stop();
}
