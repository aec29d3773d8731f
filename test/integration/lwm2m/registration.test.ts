/**
 * Register, Update and De-register over real UDP with LwM2M 1.0, 1.1 and 1.2 clients.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CF, ObjectStore, STANDARD_OBJECTS } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

describe('registration over CoAP/UDP', () => {
  let fx: Fixture;
  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await fx.stop();
  });

  it('registers a 1.0 client in queue mode (b=UQ)', async () => {
    const { client, registration: reg } = await fx.registered({ endpoint: 'reg-10', version: '1.0', queueMode: true, lifetime: 120 });
    assert.deepEqual(client.registerQuery(), ['ep=reg-10', 'lt=120', 'lwm2m=1.0', 'b=UQ']);
    assert.equal(reg.version, '1.0');
    assert.equal(reg.queueMode, true);
    assert.equal(reg.lifetime, 120);
    assert.equal(reg.rootPath, '/');
    assert.deepEqual(client.location, ['rd', reg.id]);
    assert.equal(reg.peer.port, client.port);
    assert.deepEqual(reg.objects.get(3)?.instances, [0]);
    assert.deepEqual(reg.objects.get(3303)?.instances, [0]);
    assert.equal(fx.server.getRegistration('reg-10')?.id, reg.id);
  });

  it('registers a 1.1 client with Q and a ct list', async () => {
    const { registration: reg } = await fx.registered({
      endpoint: 'reg-11',
      version: '1.1',
      queueMode: true,
      contentFormats: [CF.SENML_CBOR],
    });
    assert.equal(reg.version, '1.1');
    assert.equal(reg.queueMode, true);
    assert.equal(reg.binding, 'U');
    assert.deepEqual(reg.contentFormats, [CF.SENML_CBOR]);
  });

  it('registers a 1.2 client with an alternate path, several formats, object versions and pid', async () => {
    const store = new ObjectStore([...STANDARD_OBJECTS.filter((d) => d.id !== 3303), { ...STANDARD_OBJECTS.find((d) => d.id === 3303)!, version: '1.1' }]);
    const { client, registration: reg } = await fx.registered({
      endpoint: 'reg-12',
      version: '1.2',
      rootPath: '/lwm2m',
      contentFormats: [CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR],
      extraQuery: ['pid=42'],
      store,
    });
    assert.ok(client.objectLinks().includes('</lwm2m/3303>;ver=1.1'), client.objectLinks());
    assert.equal(reg.version, '1.2');
    assert.equal(reg.queueMode, false);
    assert.equal(reg.rootPath, '/lwm2m');
    assert.deepEqual([...reg.contentFormats].sort((a, b) => a - b), [110, 112, 11544]);
    assert.equal(reg.objects.get(3303)?.version, '1.1');
    assert.deepEqual(reg.objects.get(3303)?.instances, [0]);
    assert.equal(reg.objects.get(3)?.version, '1.0');
    assert.equal(reg.extra.pid, '42');
  });

  it('updates lifetime and object list, and refuses an unknown registration id', async () => {
    const { client, registration: reg } = await fx.registered({ endpoint: 'reg-upd', version: '1.1', lifetime: 100 });
    const updated = fx.event('updated', (r) => r.endpoint === 'reg-upd');
    assert.equal((await client.update({ lifetime: 200 })).code, '2.04');
    const [now, previous] = await updated;
    assert.equal(previous.lifetime, 100);
    assert.equal(now.lifetime, 200);
    assert.equal(now.id, reg.id);

    client.store.addInstance(3303, 1, { 5700: 5, 5701: 'Cel' });
    const again = fx.event('updated', (r) => r.endpoint === 'reg-upd');
    assert.equal((await client.update({ objects: true })).code, '2.04');
    const [withObjects] = await again;
    assert.deepEqual(withObjects.objects.get(3303)?.instances, [0, 1]);

    const refresh = fx.event('updated', (r) => r.endpoint === 'reg-upd');
    assert.equal((await client.update()).code, '2.04');
    const [refreshed] = await refresh;
    assert.ok(refreshed.expiresAt >= now.expiresAt);

    const r = await client.request('POST', ['rd', 'no-such-id']);
    assert.equal(r.code, '4.04');
  });

  it('de-registers, after which Update answers 4.04', async () => {
    const { client, registration: reg } = await fx.registered({ endpoint: 'reg-del', version: '1.2' });
    const gone = fx.event('deregistered', (r) => r.id === reg.id);
    assert.equal((await client.deregister()).code, '2.02');
    await gone;
    assert.equal(fx.server.getRegistration('reg-del'), undefined);
    assert.equal((await client.update()).code, '4.04');
  });

  it('a new Register of the same endpoint replaces the old registration', async () => {
    const { client, registration: first } = await fx.registered({ endpoint: 'reg-again', version: '1.1' });
    const second = fx.event('registered', (r) => r.endpoint === 'reg-again');
    assert.equal((await client.register()).code, '2.01');
    const [reg] = await second;
    assert.notEqual(reg.id, first.id);
    assert.equal(fx.server.getRegistrationById(first.id), undefined);
    assert.equal(fx.server.getRegistration('reg-again')?.id, reg.id);
  });

  it('takes a large object list in Block1 blocks', async () => {
    const store = new ObjectStore();
    for (let i = 1; i < 100; i++) store.addInstance(3303, i, { 5700: i, 5701: 'Cel' });
    const { client, registration } = await fx.registered({ endpoint: 'reg-big', version: '1.1', uplinkBlockSize: 128, store });
    assert.ok(client.objectLinks().length > 1000);
    assert.ok(client.uplinkBlocks > 8, `${client.uplinkBlocks} blocks`);
    assert.equal(registration.objects.get(3303)?.instances.length, 100);
  });

  it('expires a registration whose lifetime ran out, and takes a new Register', async () => {
    const { client, registration } = await fx.registered({ endpoint: 'reg-exp', version: '1.1', lifetime: 1 });
    const [expired] = await fx.event('expired', (r) => r.id === registration.id, 4000);
    assert.equal(expired.endpoint, 'reg-exp');
    assert.equal(fx.server.getRegistration('reg-exp'), undefined);
    assert.equal((await client.update()).code, '4.04');
    assert.equal((await client.register()).code, '2.01');
  });

  it('refuses bad registrations with the right codes', async () => {
    const c = await fx.client({ endpoint: 'reg-bad', version: '1.1' });
    assert.equal((await c.register({ query: ['lt=60', 'lwm2m=1.1'] })).code, '4.00'); // no ep
    assert.equal((await c.register({ query: ['ep=reg-bad', 'lwm2m=9.9'] })).code, '4.12');
    assert.equal((await c.register({ query: ['ep=reg-bad', 'lt=abc'] })).code, '4.00');
    assert.equal((await c.register({ payload: '' })).code, '4.00'); // empty object list
    assert.equal((await c.register({ payload: '<<<not link format' })).code, '4.00');
    assert.equal(fx.server.getRegistration('reg-bad'), undefined);
  });
});
