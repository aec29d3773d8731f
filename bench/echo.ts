/**
 * The machine's limit: a raw UDP request/response echo between two Node processes, with
 * the message sizes of the gateway's traffic. The server (this file, forked with --serve)
 * answers each datagram with `responseSize` bytes; the client keeps `window` requests in
 * flight on each of `sockets` sockets and counts round trips for `seconds`.
 */
import { fork } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { percentiles, type Percentiles } from './stats.js';

export interface EchoResult {
  requestBytes: number;
  responseBytes: number;
  roundTripsPerSecond: number;
  latencyMs: Percentiles;
}

export interface EchoOptions {
  requestBytes: number;
  responseBytes: number;
  seconds: number;
  sockets?: number;
  window?: number;
}

/** Runs the server half in a child process and the client half here. */
export async function runEcho(o: EchoOptions): Promise<EchoResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(o.responseBytes)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
    });
    return await echoClient(port, o);
  } finally {
    child.kill('SIGTERM');
  }
}

export async function echoClient(port: number, o: EchoOptions): Promise<EchoResult> {
  const nSockets = o.sockets ?? 32;
  const window = o.window ?? 8;
  const req = Buffer.alloc(o.requestBytes, 0x61);
  const socks: Socket[] = [];
  const sentAt: number[][] = [];
  const samples: number[] = [];
  let count = 0;
  let measuring = false;
  let running = true;
  for (let i = 0; i < nSockets; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, `127.0.0.${2 + (i % 250)}`, () => r()));
    const queue: number[] = [];
    sentAt.push(queue);
    s.on('message', () => {
      const t0 = queue.shift();
      if (measuring) {
        count++;
        if (t0 !== undefined && (count & 15) === 0) samples.push(performance.now() - t0);
      }
      if (running) {
        queue.push(performance.now());
        s.send(req, port, '127.0.0.1');
      }
    });
    socks.push(s);
  }
  // fill the windows; a lost datagram shrinks a window, so top them up every 100 ms
  const fill = (): void => {
    socks.forEach((s, i) => {
      const q = sentAt[i]!;
      while (q.length < window) {
        q.push(performance.now());
        s.send(req, port, '127.0.0.1');
      }
      // entries older than 1 s were lost
      while (q.length > 0 && performance.now() - q[0]! > 1000) q.shift();
    });
  };
  fill();
  const topUp = setInterval(fill, 100);
  await new Promise((r) => setTimeout(r, 300)); // warm-up
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  measuring = false;
  running = false;
  clearInterval(topUp);
  const rate = count / elapsed;
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return { requestBytes: o.requestBytes, responseBytes: o.responseBytes, roundTripsPerSecond: rate, latencyMs: percentiles(samples) };
}

function serve(responseBytes: number): void {
  const res = Buffer.alloc(responseBytes, 0x62);
  const s = createSocket('udp4');
  s.on('message', (_m, rinfo) => s.send(res, rinfo.port, rinfo.address));
  s.bind(0, '127.0.0.1', () => process.send?.({ port: s.address().port }));
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

if (process.argv[2] === '--serve') serve(Number(process.argv[3] ?? 4));
