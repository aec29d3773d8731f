/**
 * The message layer under LwM2M over real UDP: doubled and lost datagrams both ways,
 * separate responses from a slow client.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource } from '../../../src/lwm2m/node.js';
import type { Registration } from '../../../src/lwm2m/server/index.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import { Fixture, sleep } from './fixture.js';

describe('CoAP reliability under LwM2M', () => {
  let fx: Fixture;
  before(async () => {
    fx = await Fixture.start();
  });
  after(async () => {
    await fx.stop();
  });

  it('a doubled Register makes one registration', async () => {
    const c = await fx.client({ endpoint: 'rel-dup', version: '1.1' });
    const seen: Registration[] = [];
    const count = (r: Registration): void => {
      if (r.endpoint === 'rel-dup') seen.push(r);
    };
    fx.server.on('registered', count);
    try {
      const r = await c.register({ duplicate: true });
      assert.equal(r.code, '2.01');
      await sleep(300);
      assert.equal(seen.length, 1);
      assert.deepEqual(c.location, ['rd', seen[0]!.id]);
      assert.equal(fx.server.registrations().filter((x) => x.endpoint === 'rel-dup').length, 1);
    } finally {
      fx.server.off('registered', count);
    }
  });

  it('a lost answer to an Update: the client retransmits, the server answers once more without a second update', async () => {
    const { client } = await fx.registered({ endpoint: 'rel-upd', version: '1.1' });
    let updates = 0;
    const count = (r: Registration): void => {
      if (r.endpoint === 'rel-upd') updates++;
    };
    fx.server.on('updated', count);
    try {
      const before = client.retransmissions;
      client.loseNext(1); // the server's 2.04 is lost
      const r = await client.update({ lifetime: 150 });
      assert.equal(r.code, '2.04');
      assert.equal(client.lost, 1);
      assert.ok(client.retransmissions > before);
      await sleep(200);
      assert.equal(updates, 1);
    } finally {
      fx.server.off('updated', count);
    }
  });

  it('a lost request to the client is retransmitted by the server', async () => {
    const { client } = await fx.registered({ endpoint: 'rel-lost', version: '1.1' });
    const from = client.received.length;
    client.loseNext(1);
    const r = await fx.server.read('rel-lost', '/3/0/2', { format: CF.TEXT });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal(client.lost, 1);
    assert.equal(client.received.slice(from).filter((q) => q.path === '/3/0/2').length, 1);
  });

  it('a lost answer of the client: the server retransmits, the client replays its answer, the write is applied once', async () => {
    const { client } = await fx.registered({ endpoint: 'rel-replay', version: '1.1' });
    client.store.set('/3311/0/5851', 1);
    client.loseNextAnswers(1);
    const w = await fx.server.write('rel-replay', '/3311/0/5851', resource(5851, 'integer', 5), { format: CF.TEXT });
    assert.equal(w.code, '2.04', JSON.stringify(w));
    assert.equal(client.lost, 1);
    assert.equal(client.duplicatesReceived, 1);
    assert.equal(client.received.filter((q) => q.method === 'PUT').length, 1);
    assert.equal(client.value('/3311/0/5851'), 5);
  });

  it('takes separate responses from a slow client', async () => {
    const { client } = await fx.registered({ endpoint: 'rel-slow', version: '1.1' });
    client.separateResponses(150);
    const r = await fx.server.read('rel-slow', '/3/0/1', { format: CF.TEXT });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal((r.node as { value?: unknown }).value, 'TD-1');
    const w = await fx.server.write('rel-slow', '/3311/0/5851', resource(5851, 'integer', 8), { format: CF.TEXT });
    assert.equal(w.code, '2.04');
    assert.equal(client.value('/3311/0/5851'), 8);
    client.separateResponses(undefined);
  });
});
