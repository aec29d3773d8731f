import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableQueue } from '../../../src/store/file/durable-queue.js';
import { asLinkMessage, type LinkMessage } from '../../../src/northbound/mqtt/link-message.js';

const dirs: string[] = [];
const queues: DurableQueue<LinkMessage>[] = [];
after(async () => {
  for (const q of queues) await q.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lwm2m-journal-'));
  dirs.push(d);
  return d;
}

function open(dir: string): DurableQueue<LinkMessage> {
  const q = DurableQueue.open({ dir, check: asLinkMessage });
  queues.push(q);
  return q;
}

/** the folder as a killed process leaves it (its files copied now, nothing closed) */
function crashCopy(dir: string): string {
  const copy = tempDir();
  for (const f of readdirSync(dir)) writeFileSync(join(copy, f), readFileSync(join(dir, f)));
  return copy;
}

const msg = (n: number, extra: Partial<LinkMessage> = {}): LinkMessage => ({ topic: `t/${n}`, payload: Buffer.from(`p${n}`), qos: 1, retain: false, ...extra });
const topics = (list: LinkMessage[]): string[] => list.map((m) => m.topic);

test('DurableQueue: items accepted and not done come back after a crash, oldest first, as they were', async () => {
  const dir = tempDir();
  const q = open(dir);
  const items = [msg(1), msg(2, { retain: true, properties: { correlationData: Buffer.from('c'), userProperties: { a: 'b' } } }), msg(3, { qos: 0 })];
  for (const m of items) q.accepted(m);
  await Promise.resolve();
  q.done(items[0]!);
  await new Promise((r) => setImmediate(r));
  const again = open(crashCopy(dir));
  assert.deepStrictEqual(again.restored(), items.slice(1));
  assert.deepEqual(again.restored(), [], 'handed back once');
});

test('DurableQueue: an item done in the turn it was accepted is never written', async () => {
  const dir = tempDir();
  const q = open(dir);
  const logOf = (): number => statSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.log'))!)).size;
  for (let i = 0; i < 100; i++) {
    const m = msg(i);
    q.accepted(m);
    q.done(m);
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(logOf(), 0);
  assert.deepEqual(open(crashCopy(dir)).restored(), []);
});

test('DurableQueue: delivered out of order, the mark is the oldest pending (at least once); a graceful close keeps what is pending', async () => {
  const dir = tempDir();
  const q = open(dir);
  const items = [1, 2, 3, 4].map((n) => msg(n));
  for (const m of items) q.accepted(m);
  await Promise.resolve();
  q.done(items[0]!);
  q.done(items[2]!); // ahead of 2
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(topics(open(crashCopy(dir)).restored()), ['t/2', 't/3', 't/4']);
  q.done(items[1]!);
  await q.close();
  assert.deepEqual(topics(open(dir).restored()), ['t/4']);
});

test('DurableQueue: a stored item that is not a message stops the replay there, nothing thrown', async () => {
  const dir = tempDir();
  const q = open(dir);
  q.accepted(msg(1));
  await q.close();
  const log = join(dir, readdirSync(dir).find((f) => f.endsWith('.log'))!);
  appendFileSync(log, JSON.stringify({ k: 'item', op: 'add', key: '7', v: { topic: 5, payload: { $B: 'AA==' }, qos: 1, retain: false } }) + '\n');
  appendFileSync(log, JSON.stringify({ k: 'item', op: 'add', key: '8', v: { topic: 't/8', payload: { $B: 'AA==' }, qos: 1, retain: false } }) + '\n');
  const again = open(dir);
  assert.equal(again.replay.corrupt?.reason, 'record not applicable');
  assert.deepEqual(topics(again.restored()), ['t/1']);
});
