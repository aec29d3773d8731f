/**
 * The oneM2M IPE over real HTTP against the gateway's embedded CSE, devices over real UDP:
 * each mapping mode lays out the device's AE and resources (semantic containers,
 * transparent SenML contentInstances, flexContainer attributes), values follow
 * notifications, command contentInstances reach the device as execute / write with the
 * result written back, and de-registration labels the AE offline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../../src/gateway.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { m2m } from '../../helpers/onem2m-http.js';
import { gatewayConfig, mappingDir, startGateway, until, waitFor } from './fixture.js';

describe('oneM2M IPE against the embedded CSE', () => {
  const folder = mappingDir();
  let gateway: Gateway;
  let cse = '';
  const devices: Lwm2mTestClient[] = [];
  const device = async (endpoint: string): Promise<Lwm2mTestClient> => {
    const d = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint }).start();
    devices.push(d);
    assert.equal((await d.register()).code, '2.01');
    return d;
  };

  before(async () => {
    gateway = await startGateway(gatewayConfig(folder.dir, null));
    assert.ok(gateway.embeddedCse, 'the embedded CSE runs when no external CSE is configured');
    cse = gateway.embeddedCse.url;
  });
  after(async () => {
    for (const d of devices) await d.stop();
    await gateway.stop();
    folder.remove();
  });

  it('registers the IPE AE', async () => {
    const ipe = await until(cse, '/cse-in/lwm2m-ipe', (r) => r.rsc === 2000, 'the IPE AE');
    assert.equal(ipe.body['m2m:ae'].aei, 'CLwm2mIpe');
    assert.match(ipe.body['m2m:ae'].poa[0], /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('semantic: containers object/instance/resource, values on registration and notification, commands back', async () => {
    const d = await device('sem-1');
    const ae = await until(cse, '/cse-in/sem-1', (r) => r.rsc === 2000, 'the device AE');
    assert.equal(ae.body['m2m:ae'].aei, 'Csem-1');
    assert.ok(ae.body['m2m:ae'].lbl.includes('online'));
    assert.ok(ae.body['m2m:ae'].lbl.includes('Iwked-Technology:LWM2M'), 'the interworking labels');
    assert.match(ae.body['m2m:ae'].api, /^N/);
    const first = await until(cse, '/cse-in/sem-1/3303/0/5700/la', (r) => r.rsc === 2000, 'the initial value');
    assert.equal(first.body['m2m:cin'].con, '21.5');
    assert.equal(first.body['m2m:cin'].cnf, 'text/plain:0');
    // the resources of the instance reach the CSE one request after another: wait for this one too
    const units = await until(cse, '/cse-in/sem-1/3303/0/5701/la', (r) => r.rsc === 2000, 'the units value');
    assert.equal(units.body['m2m:cin'].con, 'Cel', 'the whole instance was read');
    assert.equal((await m2m(cse, 'GET', '/cse-in/sem-1/3303/0/5700', { origin: 'CAdmin' })).body['m2m:cnt'].mni, 100);
    await waitFor(() => d.observations().length > 0, 'the observation');
    await d.set('/3303/0/5700', 23.25);
    await until(cse, '/cse-in/sem-1/3303/0/5700/la', (r) => r.body?.['m2m:cin']?.con === '23.25', 'the notified value');

    const stranger = await m2m(cse, 'POST', '/cse-in/sem-1/3303/0/reset', { origin: 'Cstranger', ty: 4, body: { 'm2m:cin': { con: '' } } });
    assert.equal(stranger.rsc, 4103, 'only the originators allowed for the device AE command it');
    const exec = await m2m(cse, 'POST', '/cse-in/sem-1/3303/0/reset', { origin: 'Cdashboard', ty: 4, body: { 'm2m:cin': { con: '' } } });
    assert.equal(exec.rsc, 2001);
    await waitFor(() => d.executed.some((e) => e.path === '/3303/0/5605'), 'the execute on the device');
    const res = await until(cse, '/cse-in/sem-1/3303/0/reset-result/la', (r) => r.rsc === 2000, 'the execute result');
    assert.deepEqual(JSON.parse(res.body['m2m:cin'].con), { operation: 'execute', path: '/3303/0/5605', success: true, code: '2.04' });

    await m2m(cse, 'POST', '/cse-in/sem-1/3303/0/apptype', { origin: 'CAdmin', ty: 4, body: { 'm2m:cin': { con: 'kitchen' } } });
    await waitFor(() => d.value('/3303/0/5750') === 'kitchen', 'the write on the device');
    const wres = await until(cse, '/cse-in/sem-1/3303/0/apptype-result/la', (r) => r.rsc === 2000, 'the write result');
    assert.equal(JSON.parse(wres.body['m2m:cin'].con).success, true);

    const poa = (await m2m(cse, 'GET', '/cse-in/lwm2m-ipe')).body['m2m:ae'].poa[0] as string;
    const forged = { 'm2m:sgn': { nev: { net: 3, rep: { 'm2m:cin': { con: 'forged' } } }, sur: '/id-in/x' } };
    const route = `/cmd/${Buffer.from('sem-1').toString('base64url')}/3303/0/apptype`;
    for (const path of [route, `/AAAAAAAAAAAAAAAAAAAAAA${route}`]) {
      const r = await fetch(poa + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-m2m-origin': '/id-in', 'x-m2m-ri': 'f1' }, body: JSON.stringify(forged) });
      assert.deepEqual([r.status, r.headers.get('x-m2m-rsc')], [404, '4004'], 'a notification without the listener key is refused');
      await r.arrayBuffer();
    }
    assert.equal(d.value('/3303/0/5750'), 'kitchen');

    assert.equal((await d.deregister()).code, '2.02');
    await until(cse, '/cse-in/sem-1', (r) => r.body?.['m2m:ae']?.lbl?.includes('offline'), 'the AE labelled offline');
  });

  it('values a device Sends (/dp) arrive like notifications', async () => {
    const d = await device('send-1');
    await until(cse, '/cse-in/send-1/3303/0/5700/la', (r) => r.body?.['m2m:cin']?.con === '21.5', 'the initial value');
    assert.equal(d.observations().length, 0, 'nothing observed: the value comes by Send');
    await d.set('/3303/0/5700', 42);
    assert.equal((await d.send(['/3303/0/5700'])).code, '2.04');
    await until(cse, '/cse-in/send-1/3303/0/5700/la', (r) => r.body?.['m2m:cin']?.con === '42', 'the sent value');
  });

  it('transparent: the instance values as a SenML JSON contentInstance', async () => {
    const d = await device('tr-1');
    const la = await until(cse, '/cse-in/tr-1/3303/0/la', (r) => r.rsc === 2000, 'the transparent instance');
    assert.equal(la.body['m2m:cin'].cnf, 'application/senml+json:0');
    assert.deepEqual(la.body['m2m:cin'].lbl, ['LWM2M-Object-Encapsulation'], 'TS-0014 clause 7.2 label');
    const recs = JSON.parse(la.body['m2m:cin'].con) as { bn?: string; n: string; v?: number; vs?: string }[];
    assert.equal(recs[0]!.bn, '/3303/0/');
    assert.equal(recs.find((r) => r.n === '5700')?.v, 21.5);
    assert.equal(recs.find((r) => r.n === '5701')?.vs, 'Cel');
    const cnt = await m2m(cse, 'GET', '/cse-in/tr-1/3303/0', { origin: 'CAdmin' });
    assert.ok(cnt.body['m2m:cnt'].lbl.includes('lwm2m:format:senml+json'));
    await waitFor(() => d.observations().length > 0, 'the observation');
    await d.set('/3303/0/5700', 30);
    const next = await until(cse, '/cse-in/tr-1/3303/0/la', (r) => (r.body?.['m2m:cin']?.con ?? '').includes('"v":30'), 'the notified record');
    assert.equal(JSON.parse(next.body['m2m:cin'].con).length, 1, 'a notification carries the notified resource');
  });

  it('flexContainer: custom attributes follow the device; a write command through a command container', async () => {
    const d = await device('flex-1');
    const f = await until(cse, '/cse-in/flex-1/3311-0', (r) => r.body?.['cod:light']?.onOff === true, 'the flexContainer');
    const flex = f.body['cod:light'];
    assert.deepEqual([flex.ty, flex.dimmer, flex.cnd, flex.r5750], [28, 40, 'org.openmobilealliance.lwm2m.3311', 'desk lamp']);
    await waitFor(() => d.observations().length > 0, 'the observation');
    await d.set('/3311/0/5851', 75);
    await until(cse, '/cse-in/flex-1/3311-0', (r) => r.body?.['cod:light']?.dimmer === 75, 'the notified attribute');
    await m2m(cse, 'POST', '/cse-in/flex-1/3311-0/power', { origin: 'CAdmin', ty: 4, body: { 'm2m:cin': { con: 'false' } } });
    await waitFor(() => d.value('/3311/0/5850') === false, 'the write on the device');
    const found = await m2m(cse, 'GET', '/cse-in?fu=1&ty=28', { origin: 'CAdmin' });
    assert.deepEqual(found.body['m2m:uril'], ['cse-in/flex-1/3311-0']);
  });
});
