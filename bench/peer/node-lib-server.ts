/**
 * lwm2m-node-lib's LwM2M server (npm `lwm2m-node-lib`, on node-coap 0.22) in a process of its
 * own, driven over IPC (fleet/ipc.ts) by bench/peer/peer-phase.ts: the peer the gateway's
 * registrations and reads are compared with. Its in-memory registry, its default handlers;
 * reads go through its `read()` (a CoAP GET through its own proxying server).
 */
import { createRequire } from 'node:module';
import { serve } from '../fleet/ipc.js';
import { percentiles, type Percentiles } from '../stats.js';

type Cb<T = unknown> = (err: Error | null | undefined, result?: T) => void;
interface Device {
  id: number;
  name: string;
}
interface NodeLibServer {
  start(config: unknown, cb: Cb<unknown>): void;
  stop(info: unknown, cb: Cb): void;
  listDevices(cb: Cb<Device[]>): void;
  read(deviceId: number, objectType: string, objectId: string, resourceId: string, cb: Cb<string>): void;
}

const require = createRequire(import.meta.url);
process.env.LOG_LEVEL = 'fatal';
/** the content formats of LwM2M 1.1 that node-coap 0.22 does not know (it throws on an unknown one) */
const FORMATS = [
  { name: 'application/vnd.oma.lwm2m+tlv', value: 11542 },
  { name: 'application/vnd.oma.lwm2m+json', value: 11543 },
  { name: 'application/senml+json', value: 110 },
  { name: 'application/senml+cbor', value: 112 },
];
let server: NodeLibServer | undefined;
let info: unknown;

export interface PeerReads {
  readsPerSecond: number;
  ok: number;
  failed: number;
  latencyMs: Percentiles;
  /** the first failure's message, when any */
  error?: string;
}

async function start(a: { port: number }): Promise<{ version: string }> {
  server = require('lwm2m-node-lib').server as NodeLibServer;
  info = await new Promise((resolve, reject) =>
    server!.start(
      { port: a.port, lifetimeCheckInterval: 3_600_000, udpWindow: 100, defaultType: 'Device', logLevel: 'FATAL', ipProtocol: 'udp4', serverProtocol: 'udp4', types: [], formats: FORMATS, writeFormat: 'text/plain' },
      (e, r) => (e ? reject(e) : resolve(r)),
    ),
  );
  return { version: (require('lwm2m-node-lib/package.json') as { version: string }).version };
}

async function registered(): Promise<number> {
  const list = await new Promise<Device[]>((resolve, reject) => server!.listDevices((e, r) => (e ? reject(e) : resolve(r ?? []))));
  return list.length;
}

/** `concurrency` loops reading `path` of the endpoints in turn for `seconds` (device ids looked up once, before). */
async function reads(a: { endpoints: string[]; path: string; seconds: number; concurrency: number }): Promise<PeerReads> {
  const s = server!;
  const list = await new Promise<Device[]>((resolve, reject) => s.listDevices((e, r) => (e ? reject(e) : resolve(r ?? []))));
  const byName = new Map(list.map((d) => [d.name, d.id]));
  const ids = a.endpoints.map((ep) => byName.get(ep)).filter((x): x is number => x !== undefined);
  if (ids.length === 0) throw new Error('none of the endpoints is registered');
  const [, o, i, r] = a.path.split('/');
  let ok = 0;
  let failed = 0;
  let error: string | undefined;
  let next = 0;
  const samples: number[] = [];
  const end = performance.now() + a.seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => {
        failed++;
        error ??= 'no answer within 10 s';
        resolve();
      }, 10_000);
      s.read(ids[next++ % ids.length]!, o!, i!, r!, (e) => {
        clearTimeout(timer);
        if (e) {
          failed++;
          error ??= e.message || e.name;
        } else {
          ok++;
          samples.push(performance.now() - t0);
        }
        resolve();
      });
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: a.concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { readsPerSecond: ok / elapsed, ok, failed, latencyMs: percentiles(samples), ...(error !== undefined ? { error } : {}) };
}

serve({
  start,
  registered,
  reads,
  close: async () => {
    if (server) await new Promise<void>((resolve) => server!.stop(info, () => resolve()));
    setImmediate(() => process.exit(0));
  },
});
