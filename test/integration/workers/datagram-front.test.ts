/**
 * The sharded front on a real UDP socket: datagrams reach the shard of their source port
 * and replies leave from the front's port; a shard that handles nothing gets at most
 * maxPendingBatches batches, what comes for it meanwhile is dropped and counted (a flood
 * never piles up in memory), and it gets datagrams again once it says it handled them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { DatagramFront } from '../../../src/workers/datagram-front.js';
import { BatchWriter, readBatch } from '../../../src/workers/datagram-batch.js';
import { shardOf } from '../../../src/workers/shard-plan.js';
import { silentLogger } from '../../../src/log.js';

const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

async function client(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await turn();
  }
}

void test('each datagram reaches the shard of its source port; a reply leaves from the front to the device', async () => {
  const front = new DatagramFront({ port: 0, address: '127.0.0.1', log: silentLogger });
  const { port } = await front.open();
  const got: { shard: number; port: number; data: string }[][] = [[], []];
  front.connect([0, 1].map((k) => (b: ArrayBuffer) => readBatch(b, (_a, p, d) => got[k]!.push({ shard: k, port: p, data: d.toString() }))));
  const devices = await Promise.all(Array.from({ length: 8 }, () => client()));
  try {
    for (const d of devices) d.send(`from ${d.address().port}`, port, '127.0.0.1');
    await until('every datagram forwarded', () => got[0]!.length + got[1]!.length === devices.length);
    for (const d of devices) {
      const p = d.address().port;
      assert.deepEqual(got[shardOf('127.0.0.1', p, 2)]!.filter((g) => g.port === p).map((g) => g.data), [`from ${p}`]);
    }
    // shard 1 answers the first device: the answer comes from the front's port
    const d0 = devices[0]!;
    const answer = new Promise<{ data: string; from: number }>((r) => d0.once('message', (m, rinfo) => r({ data: m.toString(), from: rinfo.port })));
    const w = new BatchWriter();
    w.add('127.0.0.1', d0.address().port, Buffer.from('ack'));
    front.sendFrom(1, w.take());
    assert.deepEqual(await answer, { data: 'ack', from: port });
    assert.equal(front.sent[1], 1);
  } finally {
    for (const d of devices) d.close();
    await front.close();
  }
});

void test('a shard that handles nothing gets at most maxPendingBatches batches; the rest is dropped and counted until it acknowledges', async () => {
  const front = new DatagramFront({ port: 0, address: '127.0.0.1', log: silentLogger, maxPendingBatches: 2 });
  const { port } = await front.open();
  let posted = 0;
  let datagrams = 0;
  front.connect([(b: ArrayBuffer) => (posted++, readBatch(b, () => datagrams++))]);
  const flood = await client();
  try {
    for (let t = 0; t < 10; t++) {
      flood.send('x', port, '127.0.0.1');
      await until(`datagram ${t + 1} taken or dropped`, () => front.forwarded[0]! + front.dropped[0]! === t + 1);
      await turn();
    }
    assert.equal(posted, 2, 'two batches in flight at most');
    assert.equal(front.forwarded[0], datagrams);
    assert.equal(front.dropped[0], 10 - datagrams);
    assert.ok(front.dropped[0]! >= 8);
    // the shard handled both: datagrams flow again
    front.acked(0, 2);
    flood.send('y', port, '127.0.0.1');
    await until('a batch after the acknowledgement', () => posted === 3);
    front.restarted(0); // a shard started again holds nothing
    flood.send('z', port, '127.0.0.1');
    await until('a batch after a restart', () => posted === 4);
  } finally {
    flood.close();
    await front.close();
  }
});
