/**
 * The device AEs' <accessControlPolicy> (onem2m.accessControl), over real HTTP and real UDP
 * against a CSE that grants nothing else (no allow-list): an application the config lists
 * reads a device's values, subscribes (the device is observed) and posts a command; one not
 * listed gets 4103 for each. Across restarts the policy is found and reused (one, not two),
 * its rules follow the config, and containers made before the policy existed get it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../../src/gateway.js';
import type { GatewayConfig } from '../../../src/config/schema.js';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { m2m, NotificationReceiver } from '../../helpers/onem2m-http.js';
import { gatewayConfig, mappingDir, startGateway, until, waitFor } from './fixture.js';

const APP = { origin: 'Capp' };
const OTHER = { origin: 'Cother' };
const observes = (d: Lwm2mTestClient, path: string): boolean => d.observations().some((o) => o.paths.includes(path));

function withAccess(config: GatewayConfig, originators: string[]): GatewayConfig {
  config.onem2m.accessControl = { ...config.onem2m.accessControl, originators };
  return config;
}

void test('a listed application reads, subscribes and commands; another gets 4103', async () => {
  const folder = mappingDir();
  const rx = new NotificationReceiver();
  const nu = await rx.start();
  const cse = new EmbeddedCse({});
  await cse.start();
  let gateway: Gateway | undefined;
  const devices: Lwm2mTestClient[] = [];
  try {
    gateway = await startGateway(withAccess(gatewayConfig(folder.dir, cse.url), ['Capp']));
    const watch = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'watch-a' }).start();
    const sem = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'sem-a' }).start();
    devices.push(watch, sem);
    await watch.register();
    await sem.register();
    const value = '/cse-in/watch-a/3303/0/5700';
    await until(cse.url, `${value}/la`, (r) => r.rsc === 2000, 'the first value');
    await until(cse.url, '/cse-in/sem-a/3303/0/apptype/ipe-commands', (r) => r.rsc === 2000, 'the command subscription');

    const acp = (await m2m(cse.url, 'GET', '/cse-in/watch-a/ipe-acp', { origin: 'CAdmin' })).body['m2m:acp'];
    assert.deepEqual(acp.pv.acr, [
      { acor: ['Cwatch-a', 'CLwm2mIpe'], acop: 63 },
      { acor: ['Capp'], acop: 35 },
    ], 'the device and the IPE everything; the application retrieve, create, discover');
    assert.deepEqual(acp.pvs.acr, [{ acor: ['Cwatch-a', 'CLwm2mIpe'], acop: 63 }]);
    assert.deepEqual((await m2m(cse.url, 'GET', '/cse-in/watch-a', { origin: 'CAdmin' })).body['m2m:ae'].acpi, [acp.ri]);

    // read
    assert.equal((await m2m(cse.url, 'GET', `${value}/la`, APP)).rsc, 2000);
    assert.equal((await m2m(cse.url, 'GET', '/cse-in/watch-a', APP)).rsc, 2000);
    assert.equal((await m2m(cse.url, 'GET', `${value}/la`, OTHER)).rsc, 4103);
    const found = await m2m(cse.url, 'GET', '/cse-in?fu=1&lbl=lwm2m:device', APP);
    assert.ok(found.body['m2m:uril'].includes('cse-in/watch-a'), 'discovery finds the device AE');
    assert.deepEqual((await m2m(cse.url, 'GET', '/cse-in?fu=1&lbl=lwm2m:device', OTHER)).body['m2m:uril'], []);

    // subscribe: the device is observed
    const sub = (o: { origin: string }, rn: string): Promise<{ rsc: number }> => m2m(cse.url, 'POST', value, { ...o, ty: 23, body: { 'm2m:sub': { rn, nu: [nu], enc: { net: [3] } } } });
    assert.equal((await sub(OTHER, 'other')).rsc, 4103);
    assert.equal((await sub(APP, 'dashboard')).rsc, 2001);
    await waitFor(() => observes(watch, '/3303/0/5700'), 'the Observe on the device');

    // command
    const cmd = (o: { origin: string }, con: string): Promise<{ rsc: number }> => m2m(cse.url, 'POST', '/cse-in/sem-a/3303/0/apptype', { ...o, ty: 4, body: { 'm2m:cin': { con } } });
    assert.equal((await cmd(OTHER, 'hall')).rsc, 4103);
    assert.equal((await cmd(APP, 'kitchen')).rsc, 2001);
    await waitFor(() => sem.value('/3303/0/5750') === 'kitchen', 'the write on the device');
    const result = await until(cse.url, '/cse-in/sem-a/3303/0/apptype-result/la', (r) => r.rsc === 2000, 'the result');
    assert.equal(JSON.parse(result.body['m2m:cin'].con).success, true);
    assert.equal((await m2m(cse.url, 'GET', '/cse-in/sem-a/3303/0/apptype-result/la', APP)).rsc, 2000);

    // what the operations leave out: no delete of the device's resources, no update of the policy
    assert.equal((await m2m(cse.url, 'DELETE', value, APP)).rsc, 4103);
    assert.equal((await m2m(cse.url, 'DELETE', '/cse-in/watch-a', APP)).rsc, 4103);
    assert.equal((await m2m(cse.url, 'PUT', '/cse-in/watch-a/ipe-acp', { ...APP, body: { 'm2m:acp': { pv: { acr: [{ acor: ['Capp'], acop: 63 }] } } } })).rsc, 4103);
    // its own subscription stays the application's to delete; the observation ends
    assert.equal((await m2m(cse.url, 'DELETE', `${value}/dashboard`, APP)).rsc, 2002);
    await waitFor(() => !observes(watch, '/3303/0/5700'), 'the cancel on the device');
  } finally {
    for (const d of devices) await d.stop();
    await gateway?.stop();
    await cse.stop();
    await rx.stop();
    folder.remove();
  }
});

void test('restarts reuse the one policy, follow the configured originators, and put it on containers made before', async () => {
  const folder = mappingDir();
  const cse = new EmbeddedCse({});
  await cse.start();
  const value = '/cse-in/watch-b/3303/0/5700';
  const run = async (originators: string[], check: () => Promise<void>): Promise<void> => {
    const gateway = await startGateway(withAccess(gatewayConfig(folder.dir, cse.url), originators));
    const d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'watch-b' }).start();
    try {
      await d.register();
      await check();
    } finally {
      await d.stop();
      await gateway.stop();
    }
  };
  const policies = async (): Promise<string[]> => (await m2m(cse.url, 'GET', '/cse-in/watch-b?fu=1&ty=1', { origin: 'CAdmin' })).body['m2m:uril'];
  const grantedTo = (r: { rsc: number; body: { 'm2m:acp'?: { pv: { acr: { acor: string[] }[] } } } }, who: string): boolean =>
    r.rsc === 2000 && (r.body['m2m:acp']?.pv.acr.some((a) => a.acor.includes(who)) ?? false);
  try {
    // none configured: no policy, as before
    await run([], async () => {
      await until(cse.url, `${value}/la`, (r) => r.rsc === 2000, 'the first value');
      assert.deepEqual(await policies(), []);
      assert.equal((await m2m(cse.url, 'GET', `${value}/la`, APP)).rsc, 4103);
    });
    // configured: the policy is made, and the containers found get it
    await run(['Capp'], async () => {
      await until(cse.url, '/cse-in/watch-b/ipe-acp', (r) => grantedTo(r, 'Capp'), 'the policy');
      await until(cse.url, value, (r) => r.rsc === 2000 && Array.isArray(r.body['m2m:cnt'].acpi), 'the found container\'s acpi');
      assert.equal((await m2m(cse.url, 'GET', `${value}/la`, APP)).rsc, 2000);
    });
    // another list: the same policy, its rules changed
    await run(['Cnew'], async () => {
      await until(cse.url, '/cse-in/watch-b/ipe-acp', (r) => grantedTo(r, 'Cnew') && !grantedTo(r, 'Capp'), 'the updated policy');
      assert.deepEqual(await policies(), ['cse-in/watch-b/ipe-acp'], 'one policy, not two');
      assert.equal((await m2m(cse.url, 'GET', `${value}/la`, APP)).rsc, 4103);
      assert.equal((await m2m(cse.url, 'GET', `${value}/la`, { origin: 'Cnew' })).rsc, 2000);
    });
    // the list emptied: the applications lose their rights, the device keeps its own
    await run([], async () => {
      await until(cse.url, '/cse-in/watch-b/ipe-acp', (r) => r.rsc === 2000 && !grantedTo(r, 'Cnew'), 'the emptied policy');
      assert.equal((await m2m(cse.url, 'GET', `${value}/la`, { origin: 'Cnew' })).rsc, 4103);
      assert.equal((await m2m(cse.url, 'GET', `${value}/la`, { origin: 'Cwatch-b' })).rsc, 2000);
    });
  } finally {
    await cse.stop();
    folder.remove();
  }
});
