/**
 * Block-wise transfers over real UDP (RFC 7959): a large read served in Block2 blocks,
 * a large notification (block 0 in the notification, the rest fetched), and a firmware
 * package written in Block1 blocks, with the client asking for smaller blocks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resource } from '../../../src/lwm2m/node.js';
import type { ObjectInstanceNode } from '../../../src/lwm2m/node.js';
import { CF } from '../../helpers/lwm2m-test-client.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { Fixture } from './fixture.js';

const LONG = Array.from({ length: 300 }, (_, k) => `line ${k};`).join(' '); // about 2.8 KB

describe('block-wise transfers over CoAP/UDP', () => {
  let fx: Fixture;
  let small: Lwm2mTestClient;
  let big: Lwm2mTestClient;

  before(async () => {
    fx = await Fixture.start();
    ({ client: small } = await fx.registered({ endpoint: 'blk-64', version: '1.1', blockSize: 64 }));
    ({ client: big } = await fx.registered({ endpoint: 'blk-1024', version: '1.1', blockSize: 1024 }));
  });
  after(async () => {
    await fx.stop();
  });

  it('reads an instance larger than the client block size (Block2, 64-byte blocks)', async () => {
    const from = small.received.length;
    const r = await fx.server.read('blk-64', '/3/0', { format: CF.SENML_JSON });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    const inst = r.node as ObjectInstanceNode;
    assert.equal(inst.kind, 'instance');
    const serial = inst.resources.get(2);
    assert.equal(serial?.kind === 'resource' ? serial.value : undefined, 'SN-0001');
    const gets = small.received.slice(from).filter((q) => q.method === 'GET' && q.path === '/3/0');
    assert.ok(gets.length > 3, `${gets.length} block requests`);
    assert.deepEqual(
      gets.slice(1).map((q) => q.block2?.num),
      gets.slice(1).map((_, k) => k + 1),
    );
  });

  it('reads a 2.8 KB string resource in 1024-byte blocks', async () => {
    big.store.set('/3/0/17', LONG);
    const r = await fx.server.read('blk-1024', '/3/0/17', { format: CF.TEXT });
    assert.equal(r.code, '2.05', JSON.stringify(r.error));
    assert.equal((r.node as { value?: unknown }).value, LONG);
    assert.equal(big.received.filter((q) => q.path === '/3/0/17').length, 3);
  });

  it('gets a large notification whole (block 0 notified, the rest fetched)', async () => {
    big.store.set('/3/0/17', 'short');
    const o = await fx.server.observe('blk-1024', '/3/0/17', { format: CF.TEXT });
    assert.equal(o.code, '2.05', JSON.stringify(o.error));
    const next = fx.event('notification', (e) => e.observation.id === o.observationId);
    const from = big.received.length;
    await big.set('/3/0/17', LONG);
    const [n] = await next;
    assert.equal((n.node as { value?: unknown }).value, LONG);
    const follow = big.received.slice(from).filter((q) => q.path === '/3/0/17');
    assert.ok(follow.length >= 2 && follow.every((q) => q.block2 !== undefined && q.observe === undefined));
  });

  it('writes a 5000-byte firmware package in Block1 blocks, shrunk to the client block size', async () => {
    const pkg = new Uint8Array(5000);
    for (let k = 0; k < pkg.length; k++) pkg[k] = (k * 31 + 7) & 0xff;
    const from = small.received.length;
    const w = await fx.server.write('blk-64', '/5/0/0', resource(0, 'opaque', pkg), { format: CF.OPAQUE });
    assert.equal(w.code, '2.04', JSON.stringify(w));
    assert.deepEqual(small.value('/5/0/0'), pkg);
    const puts = small.received.slice(from).filter((q) => q.method === 'PUT' && q.path === '/5/0/0');
    assert.ok(puts.length > 5, `${puts.length} blocks`);
    assert.ok(puts.slice(1).every((q) => q.block1?.szx === 2), 'blocks of 64 bytes after the first answer');
    assert.equal(puts.at(-1)?.block1?.more, false);
  });

  it('writes 3000 bytes to a client that takes 1024-byte blocks', async () => {
    const pkg = new Uint8Array(3000).fill(0x5a);
    const w = await fx.server.write('blk-1024', '/5/0/0', resource(0, 'opaque', pkg), { format: CF.OPAQUE });
    assert.equal(w.code, '2.04', JSON.stringify(w));
    assert.deepEqual(big.value('/5/0/0'), pkg);
  });
});
