/**
 * A oneM2M subscription of an application starts an LwM2M observation (TS-0014), over real
 * HTTP and real UDP: the IPE's watch subscription on a device's value container (net 3/4,
 * chty 23) announces the application's subscription; the device receives an Observe; its
 * notification becomes a contentInstance the application is notified of; deleting the last
 * subscription cancels the observation (not the first of two). A subscription made before
 * the gateway starts is found by discovery and observed too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../../src/gateway.js';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { m2m, NotificationReceiver, type ReceivedNotification } from '../../helpers/onem2m-http.js';
import { gatewayConfig, mappingDir, startGateway, until, waitFor } from './fixture.js';

const APP = { origin: 'Capp' };
const observes = (d: Lwm2mTestClient, path: string): boolean => d.observations().some((o) => o.paths.includes(path));
const newValue = (con: string) => (n: ReceivedNotification): boolean => n.body['m2m:sgn']?.nev?.net === 3 && n.body['m2m:sgn'].nev.rep?.['m2m:cin']?.con === con;

void test('an application subscription observes the resource; the last one deleted cancels it', async () => {
  const folder = mappingDir();
  const rx = new NotificationReceiver();
  const nu = await rx.start();
  const config = gatewayConfig(folder.dir, null);
  config.onem2m.embedded.allowed = { 'watch-1': ['Capp'] };
  let gateway: Gateway | undefined;
  let d: Lwm2mTestClient | undefined;
  try {
    gateway = await startGateway(config);
    const cse = gateway.embeddedCse!.url;
    d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'watch-1' }).start();
    await d.register();
    const watch = await until(cse, '/cse-in/watch-1/3303/0/5700/ipe-watch', (r) => r.rsc === 2000, 'the IPE watch subscription');
    assert.deepEqual(watch.body['m2m:sub'].enc, { net: [3, 4], chty: [23] }, 'only subscriptions created or deleted there');
    assert.equal(d.observations().length, 0, 'no mapping observes this device');

    const container = '/cse-in/watch-1/3303/0/5700';
    const sub = (rn: string): Promise<{ rsc: number }> => m2m(cse, 'POST', container, { ...APP, ty: 23, body: { 'm2m:sub': { rn, nu: [nu], enc: { net: [3] } } } });
    assert.equal((await sub('dashboard')).rsc, 2001);
    await waitFor(() => observes(d!, '/3303/0/5700'), 'the Observe on the device');
    await d.set('/3303/0/5700', 30.5);
    await rx.waitFor(newValue('30.5'), 10_000);

    assert.equal((await sub('second')).rsc, 2001, 'a second subscriber');
    assert.equal((await m2m(cse, 'DELETE', `${container}/dashboard`, APP)).rsc, 2002);
    await d.set('/3303/0/5700', 31);
    await rx.waitFor(newValue('31'), 10_000);
    assert.ok(observes(d, '/3303/0/5700'), 'still observed while a subscriber remains');

    assert.equal((await m2m(cse, 'DELETE', `${container}/second`, APP)).rsc, 2002);
    await waitFor(() => !observes(d!, '/3303/0/5700'), 'the cancel on the device');
    const ipe = gateway.face('onem2m') as unknown as { ipe: { appObservations(ep: string): { settled(): Promise<void>; observed(): string[] } } };
    await ipe.ipe.appObservations('watch-1')!.settled();
    assert.deepEqual(ipe.ipe.appObservations('watch-1')!.observed(), []);

    // a release 1 CSE (rss instead of net) announcing a subscription on the same holder
    const watchUrl = (await m2m(cse, 'GET', `${container}/ipe-watch`)).body['m2m:sub'].nu[0] as string;
    const r1 = async (rss: number): Promise<void> => {
      const body = { 'm2m:sgn': { nev: { rss, rep: { 'm2m:sub': { rn: 'legacy', nu: [nu] } } }, sur: '/id-in/sub1' } };
      const r = await fetch(watchUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-m2m-origin': '/id-in', 'x-m2m-ri': `r1-${rss}` }, body: JSON.stringify(body) });
      assert.equal(r.headers.get('x-m2m-rsc'), '2000');
      await r.arrayBuffer();
    };
    await r1(1);
    await waitFor(() => observes(d!, '/3303/0/5700'), 'the Observe for a release 1 child-created notification');
    await r1(2);
    await waitFor(() => !observes(d!, '/3303/0/5700'), 'the cancel for a release 1 child-deleted notification');
  } finally {
    await d?.stop();
    await gateway?.stop();
    await rx.stop();
    folder.remove();
  }
});

void test('a subscription existing before the gateway starts is observed on registration', async () => {
  const folder = mappingDir();
  const rx = new NotificationReceiver();
  const nu = await rx.start();
  const cse = new EmbeddedCse({ access: { allowed: { 'watch-r': ['Capp'] } } });
  await cse.start();
  const container = '/cse-in/watch-r/3303/0/5700';
  try {
    let gateway = await startGateway(gatewayConfig(folder.dir, cse.url));
    let d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'watch-r' }).start();
    await d.register();
    await until(cse.url, `${container}/ipe-watch`, (r) => r.rsc === 2000, 'the IPE watch subscription');
    await d.stop();
    await gateway.stop();

    // made while no gateway runs: nobody hears of it
    const s = await m2m(cse.url, 'POST', container, { ...APP, ty: 23, body: { 'm2m:sub': { rn: 'early', nu: [nu], enc: { net: [3] } } } });
    assert.equal(s.rsc, 2001);

    gateway = await startGateway(gatewayConfig(folder.dir, cse.url));
    d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'watch-r' }).start();
    try {
      await d.register();
      await waitFor(() => observes(d, '/3303/0/5700'), 'the Observe after the restart');
      await d.set('/3303/0/5700', 12.5);
      await rx.waitFor(newValue('12.5'), 10_000);
      assert.equal((await m2m(cse.url, 'DELETE', `${container}/early`, APP)).rsc, 2002);
      await waitFor(() => !observes(d, '/3303/0/5700'), 'the cancel on the device');
    } finally {
      await d.stop();
      await gateway.stop();
    }
  } finally {
    await cse.stop();
    await rx.stop();
    folder.remove();
  }
});
