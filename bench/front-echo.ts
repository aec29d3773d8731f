/**
 * The ceiling of the sharded gateway's main thread (config workers, src/workers/): the
 * raw UDP echo of echo.ts, answered through the front (datagram-front.ts) and N shard
 * workers that send each datagram back as they got it. The round trips per second and the
 * main thread's busy time per round trip (its event loop utilization: the receive, the
 * batch to the shard, the batch back and the send) say how many datagrams per second the
 * front can carry for any number of shards: what bounds the shards design on a machine
 * with enough cores.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { echoClient, type EchoOptions, type EchoResult } from './echo.js';

export interface FrontEchoResult extends EchoResult {
  shards: number;
  /** the front thread's busy time per datagram forwarded and answered, us */
  frontUsPerRoundTrip: number;
  /** what the front alone could carry at 100% busy: 1e6 / frontUsPerRoundTrip */
  frontCeilingPerSecond: number;
}

export async function runFrontEcho(o: EchoOptions & { shards: number }): Promise<FrontEchoResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-front', String(o.shards)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`front echo server exited (${code})`)));
    });
    child.send('start');
    const r = await echoClient(port, o);
    const report = new Promise<{ activeMs: number; forwarded: number }>((resolve) => child.once('message', (m) => resolve(m as { activeMs: number; forwarded: number })));
    child.send('report');
    const { activeMs, forwarded } = await report;
    const us = forwarded > 0 ? (activeMs * 1000) / forwarded : 0;
    return { ...r, shards: o.shards, frontUsPerRoundTrip: us, frontCeilingPerSecond: us > 0 ? 1e6 / us : 0 };
  } finally {
    child.kill('SIGTERM');
  }
}

/** each shard: every batch it gets goes back as the batch to send (the same datagrams to the same peers) */
const ECHO_SHARD = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { if (m.t === 'in') parentPort.postMessage({ t: 'out', b: m.b, acked: 1 }, [m.b]); });`;

async function serveFront(shards: number): Promise<void> {
  const { DatagramFront } = await import('../src/workers/datagram-front.js');
  const { silentLogger } = await import('../src/log.js');
  const front = new DatagramFront({ port: 0, address: '127.0.0.1', log: silentLogger });
  const { port } = await front.open();
  const workers = Array.from({ length: shards }, () => new Worker(ECHO_SHARD, { eval: true }));
  workers.forEach((w, k) =>
    w.on('message', (m: { t: string; b: ArrayBuffer; acked: number }) => {
      front.sendFrom(k, m.b);
      front.acked(k, m.acked);
    }),
  );
  front.connect(workers.map((w) => (b: ArrayBuffer) => w.postMessage({ t: 'in', b }, [b])));
  let from = performance.eventLoopUtilization();
  let before = 0;
  process.on('message', (m) => {
    if (m === 'start') {
      from = performance.eventLoopUtilization();
      before = front.forwarded.reduce((a, b) => a + b, 0);
    } else if (m === 'report') {
      const elu = performance.eventLoopUtilization(from);
      process.send?.({ activeMs: elu.active, forwarded: front.forwarded.reduce((a, b) => a + b, 0) - before });
    }
  });
  process.send?.({ port });
  const end = (): void => process.exit(0);
  process.on('disconnect', end);
  process.on('SIGTERM', end);
}

if (process.argv[2] === '--serve-front') void serveFront(Number(process.argv[3] ?? 2));
