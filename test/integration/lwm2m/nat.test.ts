/**
 * NAT rebinding: the client's source port changes (new socket) and it sends an Update;
 * requests and observations follow it to the new address.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

describe('NAT address change over CoAP/UDP', () => {
  let fx: Fixture;
  let client: Lwm2mTestClient;
  const ep = 'nat-1';

  before(async () => {
    fx = await Fixture.start();
    ({ client } = await fx.registered({ endpoint: ep, version: '1.1' }));
  });
  after(async () => {
    await fx.stop();
  });

  it('sends requests to the address of the latest Update', async () => {
    const oldPort = client.port;
    const updated = fx.event('updated', (r) => r.endpoint === ep);
    const up = await client.rebind();
    assert.equal(up?.code, '2.04');
    assert.notEqual(client.port, oldPort);
    const [reg, previous] = await updated;
    assert.equal(previous.peer.port, oldPort);
    assert.equal(reg.peer.port, client.port);
    assert.equal(fx.server.getRegistration(ep)?.peer.port, client.port);

    // the old socket is closed: an answer proves the request went to the new port
    const r = await fx.server.read(ep, '/3/0/0', { format: CF.TEXT });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal((r.node as { value?: unknown }).value, 'Test Devices Ltd');
  });

  it('accepts notifications of an observation made before the move', async () => {
    const { client: moving } = await fx.registered({ endpoint: 'nat-obs', version: '1.1' });
    const obs = await fx.server.observe('nat-obs', '/3303/0/5700');
    assert.equal(obs.code, '2.05');
    await moving.rebind();
    const next = fx.event('notification', (e) => e.observation.id === obs.observationId, 2000);
    await moving.set('/3303/0/5700', 25.5);
    const [n] = await next;
    assert.equal((n.node as { value?: unknown }).value, 25.5);
    assert.equal(moving.observations().length, 1, 'the client still holds the observation (no RST)');
  });

  it('reports the move as addressChanged with the old and the new address', async () => {
    const { client: mover } = await fx.registered({ endpoint: 'nat-event', version: '1.1' });
    const oldPort = mover.port;
    const changed = fx.event('addressChanged', (r) => r.endpoint === 'nat-event');
    assert.equal((await mover.rebind())?.code, '2.04');
    const [reg, previous, cause] = await changed;
    assert.equal(previous.port, oldPort);
    assert.equal(reg.peer.port, mover.port);
    assert.notEqual(reg.peer.port, oldPort);
    assert.equal(cause, 'update');
  });

  it('follows the client again after a second move', async () => {
    await client.rebind();
    const r = await fx.server.read(ep, '/3/0/1', { format: CF.TEXT });
    assert.equal(r.code, '2.05');
    assert.equal(fx.server.getRegistration(ep)?.peer.port, client.port);
  });
});
