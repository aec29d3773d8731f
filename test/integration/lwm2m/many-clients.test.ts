/**
 * Many clients at once on one server socket: registrations, reads, writes and
 * notifications stay with their own client.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource } from '../../../src/lwm2m/node.js';
import type { NotificationEvent } from '../../../src/lwm2m/server/index.js';
import { CF, ObjectStore } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

const COUNT = 30;
const VERSIONS = ['1.0', '1.1', '1.2'] as const;

describe('many clients over CoAP/UDP', () => {
  let fx: Fixture;
  const clients: Lwm2mTestClient[] = [];

  before(async () => {
    fx = await Fixture.start();
    const made = await Promise.all(
      Array.from({ length: COUNT }, (_, k) => {
        const store = new ObjectStore();
        store.set('/3/0/2', `SN-${k}`);
        return fx.registered({ endpoint: `many-${k}`, version: VERSIONS[k % 3]!, store, queueMode: k % 4 === 0 });
      }),
    );
    clients.push(...made.map((m) => m.client));
  });
  after(async () => {
    await fx.stop();
  });

  it('registers every client once', () => {
    const regs = fx.server.registrations().filter((r) => r.endpoint.startsWith('many-'));
    assert.equal(regs.length, COUNT);
    assert.equal(new Set(regs.map((r) => r.peer.port)).size, COUNT);
  });

  it('reads and writes every client concurrently, each answer from its own client', async () => {
    const reads = await Promise.all(clients.map((_, k) => fx.server.read(`many-${k}`, '/3/0/2', { format: CF.TEXT })));
    reads.forEach((r, k) => {
      assert.equal(r.code, '2.05', `client ${k}: ${JSON.stringify(r.error)}`);
      assert.equal((r.node as { value?: unknown }).value, `SN-${k}`);
    });
    const writes = await Promise.all(
      clients.map((_, k) => fx.server.write(`many-${k}`, '/3311/0/5851', resource(5851, 'integer', 1000 + k), { format: CF.TEXT })),
    );
    writes.forEach((w, k) => assert.equal(w.code, '2.04', `client ${k}`));
    clients.forEach((c, k) => assert.equal(c.value('/3311/0/5851'), 1000 + k));
  });

  it('routes notifications to the right registration', { timeout: 15_000 }, async () => {
    const obs = await Promise.all(clients.map((_, k) => fx.server.observe(`many-${k}`, '/3303/0/5700', { format: CF.TEXT })));
    obs.forEach((o, k) => assert.equal(o.code, '2.05', `client ${k}`));
    const got = new Map<string, unknown>();
    let done = (): void => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    const listener = (e: NotificationEvent): void => {
      got.set(e.registration.endpoint, (e.node as { value?: unknown }).value);
      if (got.size === COUNT) done();
    };
    fx.server.on('notification', listener);
    try {
      await Promise.all(clients.map((c, k) => c.set('/3303/0/5700', k + 0.5)));
      await all;
    } finally {
      fx.server.off('notification', listener);
    }
    for (let k = 0; k < COUNT; k++) assert.equal(got.get(`many-${k}`), k + 0.5);
  });
});
