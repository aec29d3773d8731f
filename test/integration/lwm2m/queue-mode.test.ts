/**
 * Queue mode over real UDP: requests to a sleeping client wait at the server, in order,
 * and are delivered when it wakes up with an Update; nothing reaches it while asleep.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource } from '../../../src/lwm2m/node.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture, sleep } from './fixture.js';

const AWAKE_MS = 300;

describe('queue mode over CoAP/UDP', () => {
  let fx: Fixture;
  before(async () => {
    fx = await Fixture.start({ server: { queue: { awakeTimeMs: AWAKE_MS } } });
  });
  after(async () => {
    await fx.stop();
  });

  async function asleep(endpoint: string, version: '1.0' | '1.1'): Promise<Lwm2mTestClient> {
    const sleeping = fx.event('sleeping', (r) => r.endpoint === endpoint);
    const { client, registration } = await fx.registered({ endpoint, version, queueMode: true });
    assert.equal(registration.queueMode, true);
    client.sleep();
    await sleeping;
    assert.equal(fx.server.isAwake(endpoint), false);
    return client;
  }

  for (const version of ['1.0', '1.1'] as const) {
    it(`holds requests for a sleeping ${version} client and delivers them in order after its Update`, async () => {
      const ep = `queue-${version}`;
      const client = await asleep(ep, version);
      const seenBefore = client.received.length;
      const read = fx.server.read(ep, '/3/0/0', { format: CF.TEXT });
      const write = fx.server.write(ep, '/3311/0/5851', resource(5851, 'integer', 12), { format: CF.TEXT });
      const exec = fx.server.execute(ep, '/3303/0/5605');
      await sleep(AWAKE_MS);
      assert.equal(fx.server.queuedRequests(ep), 3);
      assert.equal(client.received.length, seenBefore, 'nothing was sent to the sleeping client');
      assert.equal(client.droppedWhileAsleep, 0);

      const awake = fx.event('awake', (r) => r.endpoint === ep);
      const up = await client.wake();
      assert.equal(up?.code, '2.04');
      await awake;
      const [r, w, x] = await Promise.all([read, write, exec]);
      assert.equal(r.code, '2.05', JSON.stringify(r));
      assert.equal((r.node as { value?: unknown }).value, 'Test Devices Ltd');
      assert.equal(w.code, '2.04');
      assert.equal(client.value('/3311/0/5851'), 12);
      assert.equal(x.code, '2.04');
      assert.deepEqual(
        client.received.slice(seenBefore).map((q) => `${q.method} ${q.path}`),
        ['GET /3/0/0', 'PUT /3311/0/5851', 'POST /3303/0/5605'],
      );
      assert.equal(fx.server.queuedRequests(ep), 0);
    });
  }

  it('a client that fell asleep unnoticed: the request that timed out, the next one waits for the wake-up', async () => {
    const ep = 'queue-unnoticed';
    const { client } = await fx.registered({ endpoint: ep, version: '1.1', queueMode: true });
    client.sleep(); // the server still counts it awake
    const first = await fx.server.read(ep, '/3/0/0', { format: CF.TEXT, timeoutMs: 1200 });
    assert.ok(client.droppedWhileAsleep > 0, 'the request reached the sleeping client and was ignored');
    assert.equal(first.error?.code, 'TIMEOUT', JSON.stringify(first));
    const dropped = client.droppedWhileAsleep;
    const second = fx.server.read(ep, '/3/0/1', { format: CF.TEXT });
    await sleep(AWAKE_MS);
    assert.equal(client.droppedWhileAsleep, dropped, 'nothing more was sent to the sleeping client');
    assert.equal(fx.server.queuedRequests(ep), 1);
    await client.wake();
    const r = await second;
    assert.equal(r.code, '2.05', JSON.stringify(r));
    assert.equal((r.node as { value?: unknown }).value, 'TD-1');
  });

  it('sends at once while the client is awake', async () => {
    const { client } = await fx.registered({ endpoint: 'queue-awake', version: '1.1', queueMode: true });
    const r = await fx.server.read('queue-awake', '/3/0/1', { format: CF.TEXT });
    assert.equal(r.code, '2.05');
    assert.equal(client.received.at(-1)?.path, '/3/0/1');
  });
});
