/**
 * The IPE against an external CSE (an EmbeddedCse the test runs, over real HTTP): a gateway
 * restart finds the device's resources and reuses them (no duplicates, commands still
 * reach the device); values produced while the CSE is down arrive, in order, once it is
 * back; de-registration with onDeregister "delete" removes the AE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gateway, StartError } from '../../../src/gateway.js';
import { EmbeddedCse } from '../../../src/onem2m-cse/index.js';
import type { OneM2mFace } from '../../../src/northbound/onem2m/onem2m-face.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { m2m } from '../../helpers/onem2m-http.js';
import { gatewayConfig, mappingDir, startGateway, until, waitFor } from './fixture.js';

const ALL = '/cse-in?fu=1&drt=2';

void test('a gateway restart reuses the resources it finds', async () => {
  const folder = mappingDir();
  const cse = new EmbeddedCse();
  await cse.start();
  try {
    let gateway = await startGateway(gatewayConfig(folder.dir, cse.url));
    let d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'sem-r' }).start();
    await d.register();
    await until(cse.url, '/cse-in/sem-r/3303/0/apptype/ipe-commands', (r) => r.rsc === 2000, 'the command subscription');
    await until(cse.url, '/cse-in/sem-r/3303/0/5700/la', (r) => r.rsc === 2000, 'the first value');
    await (gateway.face('onem2m') as OneM2mFace).outbox!.idle();
    const before = (await m2m(cse.url, 'GET', ALL)).body['m2m:uril'] as string[];
    const containerRi = (await m2m(cse.url, 'GET', '/cse-in/sem-r/3303/0/5700')).body['m2m:cnt'].ri;
    await d.stop();
    await gateway.stop();

    gateway = await startGateway(gatewayConfig(folder.dir, cse.url));
    d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'sem-r' }).start();
    try {
      await d.register();
      await until(cse.url, '/cse-in/sem-r/3303/0/5700', (r) => r.body?.['m2m:cnt']?.cni === 2, 'the initial value of the new registration');
      await (gateway.face('onem2m') as OneM2mFace).outbox!.idle();
      const after = (await m2m(cse.url, 'GET', ALL)).body['m2m:uril'] as string[];
      const withoutInstances = (l: string[]): string[] => l.filter((ri) => !ri.startsWith('cin')).sort();
      assert.deepEqual(withoutInstances(after), withoutInstances(before), 'no resource duplicated');
      assert.equal((await m2m(cse.url, 'GET', '/cse-in/sem-r/3303/0/5700')).body['m2m:cnt'].ri, containerRi);
      await m2m(cse.url, 'POST', '/cse-in/sem-r/3303/0/apptype', { ty: 4, body: { 'm2m:cin': { con: 'after-restart' } } });
      await waitFor(() => d.value('/3303/0/5750') === 'after-restart', 'a command through the reused subscription');
    } finally {
      await d.stop();
      await gateway.stop();
    }
  } finally {
    await cse.stop();
    folder.remove();
  }
});

void test('values produced while the CSE is down arrive once it is back, in order', async () => {
  const folder = mappingDir();
  const cse = new EmbeddedCse();
  const port = await cse.start();
  const config = gatewayConfig(folder.dir, cse.url, 'delete');
  const gateway = await startGateway(config);
  const d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'sem-down' }).start();
  const face = gateway.face('onem2m') as OneM2mFace;
  try {
    await d.register();
    await until(cse.url, '/cse-in/sem-down/3303/0/5700/la', (r) => r.rsc === 2000, 'the first value');
    await waitFor(() => d.observations().length > 0, 'the observation');
    await cse.stop();
    for (let i = 1; i <= 20; i++) await d.set('/3303/0/5700', i);
    await waitFor(() => !face.outbox!.reachable && face.stats().buffered > 0, 'requests held while the CSE is down');
    assert.equal(face.readiness()[0]!.ready, false);
    await cse.start(port);
    await until(cse.url, '/cse-in/sem-down/3303/0/5700/la', (r) => r.body?.['m2m:cin']?.con === '20', 'the last value', 15_000);
    await face.outbox!.idle();
    const values: string[] = [];
    for (let k = 0; k < 100; k++) {
      const ol = await m2m(cse.url, 'GET', '/cse-in/sem-down/3303/0/5700/ol');
      if (ol.rsc !== 2000) break;
      values.push(ol.body['m2m:cin'].con);
      await m2m(cse.url, 'DELETE', '/cse-in/sem-down/3303/0/5700/ol');
    }
    // the initial value (from the read, and the observe's first answer), then every notified one in order
    assert.deepEqual(values.slice(-20), Array.from({ length: 20 }, (_, i) => String(i + 1)));
    assert.ok(values.slice(0, -20).every((v) => v === '21.5'));
    assert.equal(face.stats().dropped, 0);
    assert.ok(face.readiness()[0]!.ready);
    await d.deregister();
    await until(cse.url, '/cse-in/sem-down', (r) => r.rsc === 4004, 'the AE deleted');
  } finally {
    await d.stop();
    await gateway.stop();
    await cse.stop();
    folder.remove();
  }
});

void test('an embedded CSE port in use is one StartError line naming onem2m.embedded.port', async () => {
  const blocker = new EmbeddedCse();
  const port = await blocker.start();
  const folder = mappingDir();
  const config = gatewayConfig(folder.dir, null);
  config.onem2m.embedded = { ...config.onem2m.embedded, port };
  const gateway = new Gateway(config);
  try {
    await assert.rejects(gateway.start(), (e: unknown) => e instanceof StartError && !e.message.includes('\n') && /onem2m\.embedded\.port/.test(e.message));
  } finally {
    await gateway.stop();
    await blocker.stop();
    folder.remove();
  }
});
