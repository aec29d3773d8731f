/**
 * IPv6 and a dual-stack server socket: clients on ::1 and 127.0.0.1, and a client whose
 * address changes from IPv4 to IPv6 (requests follow it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CF } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

describe('IPv6 and dual stack over CoAP/UDP', () => {
  let fx: Fixture;
  before(async () => {
    fx = await Fixture.start({ transport: { address: '::' } });
  });
  after(async () => {
    await fx.stop();
  });

  it('serves a client on ::1', async () => {
    const { client, registration } = await fx.registered({ endpoint: 'v6-1', version: '1.1', serverAddress: '::1' });
    assert.equal(registration.peer.address, '::1');
    assert.equal(registration.peer.port, client.port);
    const r = await fx.server.read('v6-1', '/3/0/0', { format: CF.TEXT });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal((r.node as { value?: unknown }).value, 'Test Devices Ltd');
  });

  it('follows a client from 127.0.0.1 to ::1', async () => {
    const { client, registration } = await fx.registered({ endpoint: 'v4-to-v6', version: '1.1', serverAddress: '127.0.0.1' });
    assert.ok(registration.peer.address.endsWith('127.0.0.1'), registration.peer.address);
    assert.equal((await fx.server.read('v4-to-v6', '/3/0/1', { format: CF.TEXT })).code, '2.05');
    const up = await client.rebind({ serverAddress: '::1' });
    assert.equal(up?.code, '2.04');
    assert.equal(fx.server.getRegistration('v4-to-v6')?.peer.address, '::1');
    const r = await fx.server.read('v4-to-v6', '/3/0/2', { format: CF.TEXT });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal((r.node as { value?: unknown }).value, 'SN-0001');
  });
});
