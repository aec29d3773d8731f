/**
 * The web console in headless Chromium against a real gateway and simulated devices on
 * UDP: the fleet lists them; a read shows the device's value; a write changes the device;
 * an observation updates the page when the device notifies; an execute reaches the
 * device; a device that de-registers disappears; instances are created and deleted;
 * Send values and the gateway page show. Sleeping devices and tokens: console-access.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHROMIUM_SKIP, ConsoleHarness, until } from './harness.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

if (CHROMIUM_SKIP) console.log(`# skipping the console browser tests: ${CHROMIUM_SKIP}`);

describe('web console', { skip: CHROMIUM_SKIP }, () => {
  let h: ConsoleHarness;
  let a: Lwm2mTestClient;
  let b: Lwm2mTestClient;

  before(async () => {
    h = await ConsoleHarness.start();
    a = await h.device({ endpoint: 'console-a', version: '1.1' });
    b = await h.device({ endpoint: 'console-b', version: '1.0' });
  });
  after(() => h?.stop());

  it('is served at / with strict headers, its files from the gateway itself', async () => {
    const res = await fetch(`${h.base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'.*script-src 'self'/);
    const html = await res.text();
    assert.doesNotMatch(html, /https?:\/\//, 'no external asset');
    const js = await fetch(`${h.base}/console/console.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${h.base}/console/../package.json`)).status, 404);
  });

  it('lists the registered devices, and one that registers appears', async () => {
    const page = await h.open();
    await page.locator('tr[data-endpoint="console-a"]').waitFor();
    await page.locator('tr[data-endpoint="console-b"]').waitFor();
    assert.match(await page.locator('tr[data-endpoint="console-b"]').innerText(), /1\.0/);
    await h.device({ endpoint: 'console-c', version: '1.2' });
    await page.locator('tr[data-endpoint="console-c"]').waitFor();
    // the search narrows the list
    await page.fill('input[name="endpoint"]', 'console-c');
    await page.locator('tr[data-endpoint="console-a"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.close();
  });

  it('pages through the fleet, 50 devices a page', async () => {
    for (let i = 0; i < 52; i++) await h.device({ endpoint: `bulk-${String(i).padStart(2, '0')}` });
    const page = await h.open();
    await page.fill('input[name="endpoint"]', 'bulk-');
    await page.locator('.count', { hasText: '1-50 of 52 devices' }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 50);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.count', { hasText: '51-52 of 52 devices' }).waitFor();
    assert.deepEqual(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-endpoint'))), ['bulk-50', 'bulk-51']);
    assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.locator('tr[data-endpoint="bulk-00"]').waitFor();
    await page.close();
  });

  it("reads a resource and shows the device's value", async () => {
    const page = await h.open('#/device/console-a');
    const row = page.locator('li[data-path="/3/0/0"]');
    assert.match(await row.innerText(), /Manufacturer/);
    await row.getByRole('button', { name: 'Read', exact: true }).click();
    await row.locator('.value', { hasText: 'Test Devices Ltd' }).waitFor();
    // the answer as the device gave it, in the results
    await page.locator('.log li', { hasText: 'Read /3/0/0' }).waitFor();
    // the content format asked of the device: the instance as TLV (11542)
    await page.selectOption('select[name="format"]', 'tlv');
    await page.locator('details.instance:has(code:text-is("/3/0")) > .actions').getByRole('button', { name: 'Read' }).click();
    const tlv = page.locator('.log li.ok', { hasText: 'Read /3/0 as tlv' });
    await tlv.waitFor();
    assert.match(await tlv.innerText(), /"contentFormat": 11542/);
    assert.equal(a.received.filter((r) => r.path === '/3/0' && r.method === 'GET').at(-1)?.accept, 11542);
    await page.close();
  });

  it('writes a resource with an input of its type, and the device has the value', async () => {
    const page = await h.open('#/device/console-a');
    const row = page.locator('li[data-path="/3311/0/5851"]');
    await row.waitFor();
    assert.equal(await row.locator('input[type="number"]').count(), 1, 'an integer gets a number input');
    await row.locator('input[name="value"]').fill('73');
    await row.getByRole('button', { name: 'Write' }).click();
    await page.locator('.log li.ok', { hasText: 'Write /3311/0/5851' }).waitFor();
    const r = await h.api('GET', '/api/devices/console-a/3311/0/5851');
    assert.equal(r.body.value, 73);
    assert.equal(a.value('/3311/0/5851'), 73);
    // an instance at once: a partial update of two resources
    const actions = page.locator('details.instance:has(code:text-is("/3311/0")) > .actions');
    await actions.getByRole('button', { name: 'Write instance' }).click();
    await actions.locator('input[name="instanceValues"]').fill('{"5850": false, "5851": 12}');
    await actions.getByRole('button', { name: 'Write', exact: true }).click();
    await page.locator('.log li.ok', { hasText: 'Write /3311/0 (partial update)' }).waitFor();
    assert.equal(a.value('/3311/0/5850'), false);
    assert.equal(a.value('/3311/0/5851'), 12);
    assert.ok(a.received.some((q) => q.method === 'POST' && q.path === '/3311/0'), 'a partial update is a CoAP POST on the instance');
    await page.close();
  });

  it('observes a resource and shows each notification, with a plot', async () => {
    const page = await h.open('#/device/console-a');
    const row = page.locator('li[data-path="/3303/0/5700"]');
    await row.getByRole('button', { name: 'Observe' }).click();
    await row.getByRole('button', { name: 'Cancel observe' }).waitFor();
    await until(() => a.observations().some((o) => o.paths.includes('/3303/0/5700')), 'the observation on the device');
    await a.set('/3303/0/5700', 30.25);
    await row.locator('.value[data-source="notification"]', { hasText: '30.25' }).waitFor();
    await a.set('/3303/0/5700', 28.5);
    await row.locator('.value', { hasText: '28.5' }).waitFor();
    await row.locator('svg.plot polyline').waitFor();
    await row.getByRole('button', { name: 'Cancel observe' }).click();
    await row.getByRole('button', { name: 'Observe' }).waitFor();
    await until(() => !a.observations().some((o) => o.paths.includes('/3303/0/5700')), 'the cancellation on the device');
    await page.close();
  });

  it('writes the notification attributes given with an observation, and discovers them', async () => {
    const page = await h.open('#/device/console-a');
    const row = page.locator('li[data-path="/3311/0/5851"]');
    await row.getByRole('button', { name: 'attrs' }).click();
    await row.locator('input[name="pmin"]').fill('2');
    await row.locator('input[name="pmax"]').fill('60');
    await row.getByRole('button', { name: 'Observe' }).click();
    await row.getByRole('button', { name: 'Cancel observe' }).waitFor();
    assert.deepEqual(a.store.attributes.get('/3311/0/5851')?.slice().sort(), ['pmax=60', 'pmin=2']);
    await page.locator('details.instance:has(code:text-is("/3311/0")) > .actions').getByRole('button', { name: 'Discover' }).click();
    const found = page.locator('.log li.ok', { hasText: 'Discover /3311/0' });
    await found.waitFor();
    assert.match(await found.innerText(), /\/3311\/0\/5851/);
    await page.close();
  });

  it('creates an instance and deletes it, on the device', async () => {
    const page = await h.open('#/device/console-a');
    page.on('dialog', (d) => void d.accept());
    const obj = page.locator('details.object:has(> summary code:text-is("/3303"))');
    await obj.locator('> .actions').getByRole('button', { name: 'Create' }).click();
    await obj.locator('input[name="instanceId"]').fill('4');
    await obj.locator('input[name="values"]').fill('{"5750": "cellar"}');
    await obj.getByRole('button', { name: 'Create instance' }).click();
    await page.locator('.log li.ok', { hasText: 'Create /3303' }).waitFor();
    const inst = page.locator('details.instance:has(code:text-is("/3303/4"))');
    await inst.waitFor();
    assert.equal(a.value('/3303/4/5750'), 'cellar');
    await inst.locator('> .actions').getByRole('button', { name: 'Delete' }).click();
    await inst.waitFor({ state: 'detached' });
    await page.locator('.log li.ok', { hasText: 'Delete /3303/4' }).waitFor();
    assert.equal(a.value('/3303/4/5750'), undefined);
    await page.close();
  });

  it('shows values the device sends (LwM2M Send) as they arrive', async () => {
    const page = await h.open('#/device/console-a');
    const row = page.locator('li[data-path="/3303/0/5601"]');
    await row.waitFor();
    a.store.set('/3303/0/5601', 17.25);
    assert.equal((await a.send(['/3303/0/5601'])).code, '2.04');
    await row.locator('.value[data-source="send"]', { hasText: '17.25' }).waitFor();
    await page.close();
  });

  it('shows the gateway: device counts and its parts', async () => {
    const page = await h.open('#/gateway');
    await page.locator('.parts td', { hasText: 'binding.coap' }).waitFor();
    const total = await h.api('GET', '/api/gateway');
    await page.locator('.counts .card', { hasText: 'devices' }).locator('.big', { hasText: String(total.body.devices.total) }).waitFor();
    await page.locator('.mappings, p', { hasText: 'No mapping file is in force.' }).waitFor();
    await page.close();
  });

  it("lists the device's observations, whoever made them, and cancels one by id", async () => {
    const made = await h.api('POST', '/api/devices/console-a/3/0/9/observe');
    assert.equal(made.status, 200);
    const page = await h.open('#/device/console-a');
    const item = page.locator(`.observations li[data-observation="${made.body.observationId}"]`);
    await item.locator('code', { hasText: '/3/0/9' }).waitFor();
    await item.getByRole('button', { name: 'Cancel' }).click();
    await item.waitFor({ state: 'detached' });
    await until(() => !a.observations().some((o) => o.paths.includes('/3/0/9')), 'the cancellation on the device');
    await page.close();
  });

  it("traces the device's CoAP messages", async () => {
    const page = await h.open('#/device/console-a');
    await page.getByRole('button', { name: 'Trace messages (10 min)' }).click();
    await page.getByRole('button', { name: 'Stop trace' }).waitFor();
    await page.locator('li[data-path="/3/0/1"]').getByRole('button', { name: 'Read', exact: true }).click();
    await page.locator('.messages li.out', { hasText: '0.01' }).first().waitFor();
    await page.locator('.messages li.in', { hasText: '2.05' }).first().waitFor();
    await page.getByRole('button', { name: 'Stop trace' }).click();
    await page.getByRole('button', { name: 'Trace messages (10 min)' }).waitFor();
    assert.equal((await h.api('GET', '/api/devices/console-a/trace')).body.enabled, false);
    await page.close();
  });

  it('executes a resource with arguments, and the device receives it', async () => {
    const page = await h.open('#/device/console-a');
    const row = page.locator('li[data-path="/3303/0/5605"]');
    await row.locator('input[name="args"]').fill("0='now'");
    await row.getByRole('button', { name: 'Execute' }).click();
    await until(() => a.executed.some((e) => e.path === '/3303/0/5605'), 'the execute on the device');
    assert.equal(a.executed.find((e) => e.path === '/3303/0/5605')?.args, "0='now'");
    await page.locator('.log li.ok', { hasText: 'Execute /3303/0/5605' }).waitFor();
    await page.close();
  });

  it('shows errors as the device answered them', async () => {
    const page = await h.open('#/device/console-a');
    await page.fill('input[name="composite"]', '/3/0/0, /3303/0/5700');
    await page.getByRole('button', { name: 'Read-Composite' }).click();
    await page.locator('.log li', { hasText: 'Read-Composite' }).waitFor();
    // a resource the device does not have: its 4.04 as the API reports it
    const row = page.locator('li[data-path="/3/0/10"]');
    await row.getByRole('button', { name: 'Read', exact: true }).click();
    await page.locator('.log li.failed', { hasText: 'Read /3/0/10' }).waitFor();
    assert.match(await page.locator('.log li.failed').first().innerText(), /DEVICE_PATH_NOT_FOUND|4\.04/);
    await page.close();
  });

  it('drops a device that de-registers from the fleet, and says so on its page', async () => {
    const fleet = await h.open();
    await fleet.fill('input[name="endpoint"]', 'console-');
    await fleet.locator('tr[data-endpoint="console-b"]').waitFor();
    const device = await h.open('#/device/console-b');
    await device.locator('li[data-path="/3/0/0"]').waitFor();
    assert.equal((await b.deregister()).code, '2.02');
    await fleet.locator('tr[data-endpoint="console-b"]').waitFor({ state: 'detached' });
    await device.locator('.gone', { hasText: 'de-registered' }).waitFor();
    await fleet.close();
    await device.close();
  });

  it('fits a phone-sized screen', async () => {
    const page = await h.open('#/device/console-a');
    await page.setViewportSize({ width: 375, height: 740 });
    await page.locator('li[data-path="/3/0/0"]').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page is ${overflow} px wider than the screen`);
    // the fleet too: its table scrolls inside its box
    await page.goto(`${h.base}/#/`);
    await page.locator('tr[data-endpoint]').first().waitFor();
    const fleetOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(fleetOverflow <= 1, `the fleet is ${fleetOverflow} px wider than the screen`);
    await page.close();
  });
});
