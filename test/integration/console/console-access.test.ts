/**
 * The web console in headless Chromium with a sleeping queue-mode device (its read is
 * queued and answered when it wakes) and with tokens (the page asks for one; a read token
 * sees no write control; a write token does, and the mapping files that apply).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHROMIUM_SKIP, ConsoleHarness } from './harness.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

if (CHROMIUM_SKIP) console.log(`# skipping the console browser tests: ${CHROMIUM_SKIP}`);

describe('web console and a sleeping device', { skip: CHROMIUM_SKIP }, () => {
  let h: ConsoleHarness;
  let sleeper: Lwm2mTestClient;

  before(async () => {
    h = await ConsoleHarness.start({ configure: (c) => (c.lwm2m.queue = { ...c.lwm2m.queue, awakeTime: 0.3 }) });
    sleeper = await h.device({ endpoint: 'sleeper-1', version: '1.1', queueMode: true });
    sleeper.sleep();
  });
  after(() => h?.stop());

  it('shows it sleeping, queues a read, and shows the answer once it wakes', async () => {
    const fleet = await h.open();
    await fleet.locator('tr[data-endpoint="sleeper-1"] .state', { hasText: 'sleeping' }).waitFor();
    const page = await h.open('#/device/sleeper-1');
    const row = page.locator('li[data-path="/3/0/9"]');
    await row.getByRole('button', { name: 'Read', exact: true }).click();
    await page.locator('.log li', { hasText: 'Read /3/0/9' }).filter({ hasText: 'queued' }).waitFor();
    assert.equal((await h.api('GET', '/api/devices/sleeper-1/requests')).body.requests.length, 1);
    await sleeper.wake();
    await page.locator('.log li.ok', { hasText: 'Read /3/0/9 (was queued)' }).waitFor();
    await row.locator('.value', { hasText: '87' }).waitFor();
    await fleet.close();
    await page.close();
  });
});

describe('web console with tokens', { skip: CHROMIUM_SKIP }, () => {
  let h: ConsoleHarness;

  before(async () => {
    h = await ConsoleHarness.start({ mappings: true, tokens: [{ token: 'console-write-token-1', scope: 'write' }, { token: 'console-read-token-22', scope: 'read' }] });
    await h.device({ endpoint: 'guarded-1' });
  });
  after(() => h?.stop());

  const signIn = async (token: string) => {
    const page = await h.open('#/device/guarded-1');
    await page.locator('input[name="token"]').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  };

  it('asks for a token, and refuses a wrong one', async () => {
    const page = await h.open();
    await page.locator('form.login input[name="token"]').waitFor();
    assert.equal(await page.locator('tr[data-endpoint]').count(), 0);
    await page.locator('input[name="token"]').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('form.login .error').waitFor();
    await page.close();
  });

  it('shows a read token no write control', async () => {
    const page = await signIn('console-read-token-22');
    const row = page.locator('li[data-path="/3/0/14"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Read', exact: true }).click();
    await row.locator('.value', { hasText: '+01:00' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Write' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Execute' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Observe' }).count(), 0);
    await page.locator('.who', { hasText: 'read only' }).waitFor();
    await page.close();
  });

  it("sets and removes a client's credentials on the Security page; the key never comes back", async () => {
    const page = await h.open('#/security');
    await page.locator('input[name="token"]').fill('console-write-token-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('input[name="endpoint"]').fill('sensor-psk-1');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator('.note', { hasText: 'No credentials' }).waitFor();
    await page.locator('input[name="identity"]').fill('sensor-psk-1-id');
    await page.locator('input[name="key"]').fill('00112233445566778899aabbccddeeff');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.note', { hasText: 'Saved.' }).waitFor();
    const stored = await h.api('GET', '/api/clients/sensor-psk-1/security', { token: 'console-write-token-1' });
    assert.deepEqual(stored.body, { endpoint: 'sensor-psk-1', mode: 'psk', identity: 'sensor-psk-1-id' });
    assert.doesNotMatch(await page.content(), /00112233445566778899aabbccddeeff(?!")/);
    await page.getByRole('button', { name: 'Remove credentials' }).click();
    await page.locator('.note', { hasText: 'Removed.' }).waitFor();
    assert.equal((await h.api('GET', '/api/clients/sensor-psk-1/security', { token: 'console-write-token-1' })).status, 404);
    await page.close();
  });

  it('keeps the default bootstrap config from the Bootstrap page, and says that the server does not listen', async () => {
    const page = await h.open('#/bootstrap');
    await page.locator('input[name="token"]').fill('console-write-token-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.note', { hasText: 'does not listen' }).waitFor();
    await page.locator('p', { hasText: 'No default config.' }).waitFor();
    const config = { servers: [{ shortServerId: 1, uri: 'coap://gw.example:5683', securityMode: 'nosec' }] };
    await page.locator('textarea[name="config"]').fill(JSON.stringify(config));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.note', { hasText: 'Saved.' }).waitFor();
    const stored = await h.api('GET', '/api/bootstrap-default', { token: 'console-read-token-22' });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.servers[0].uri, 'coap://gw.example:5683');
    // a config the server refuses: its problems, as the API gave them
    await page.locator('textarea[name="config"]').fill('{"servers": [{"shortServerId": 0}]}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.note', { hasText: 'bootstrap config is not valid' }).waitFor();
    await page.close();
  });

  it('shows a write token the write controls, and the mappings that apply', async () => {
    const page = await signIn('console-write-token-1');
    const row = page.locator('li[data-path="/3/0/14"]');
    await row.getByRole('button', { name: 'Write' }).waitFor();
    // the shipped mapping files that select this device, with its own routes
    const temperature = page.locator('.mappings > li', { hasText: 'temperature' });
    await temperature.waitFor();
    assert.match(await temperature.innerText(), /\/devices\/guarded-1\/temperature\/\{instanceId\}/);
    // the Gateway page: every file in force, and those that select a device
    await page.goto(`${h.base}/#/gateway`);
    await page.locator('.mappings li[data-mapping="temperature"]').waitFor();
    await page.fill('input[name="endpoint"]', 'guarded-1');
    await page.getByRole('button', { name: 'Show' }).click();
    const mine = page.locator('.for-device li[data-mapping="temperature"]');
    await mine.waitFor();
    assert.match(await mine.innerText(), /\/devices\/guarded-1\/temperature/);
    await page.close();
  });
});
