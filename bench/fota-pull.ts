/**
 * Firmware pull under load: the gateway as a separate process serves one image to many
 * simulated object 5 devices at once (a campaign with concurrency = devices), over HTTP
 * (`/api/fw/<token>`, default) or CoAP Block2 (--coap). Prints the wall time from the
 * campaign's start to its end and the gateway's CPU over that time.
 *
 *   npm run bench:fota                         # 100 devices, a 1 MB image, HTTP pull
 *   npm run bench:fota -- --devices 10 --size 100000 --coap
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { ROOT, distFresh, freePort, startGateway, stopProcess } from './gateway-process.js';
import { CpuMeter } from './procs.js';
import { Lwm2mTestClient } from '../test/helpers/lwm2m-test-client.js';
import { FotaDevice, fotaStore } from '../test/helpers/lwm2m-test-client-fota.js';

/** What one pull run measured (a row of `npm run bench`). */
export interface FotaPullFigures {
  devices: number;
  imageBytes: number;
  over: 'HTTP' | 'CoAP Block2';
  succeeded: number;
  failed: number;
  wallS: number;
  /** the gateway process's CPU over the wall time, in cores */
  gatewayCpu: number;
  /** image bytes served per second */
  bytesPerSecond: number;
}

export interface FotaPullOptions {
  devices: number;
  size: number;
  coap: boolean;
  entry: 'dist' | 'src';
}

/** Starts a gateway process of its own, registers `devices` object 5 clients, runs one campaign with concurrency = devices and measures it. */
export async function fotaPull(o: FotaPullOptions): Promise<FotaPullFigures> {
  const N = o.devices;
  const SIZE = o.size;
  const tmp = mkdtempSync(join(tmpdir(), 'lwm2m-fota-bench-'));
  const coapPort = await freePort('udp');
  const restPort = await freePort('tcp');
  const file = join(tmp, 'gateway.yaml');
  writeFileSync(
    file,
    [
      `coap: { port: ${coapPort}, address: 127.0.0.1 }`,
      `lwm2m: { requestTimeout: 60, limits: { registerRatePerAddress: 0 } }`,
      `mappings: { dir: null }`,
      `mqtt: { enabled: false }`,
      `rest: { enabled: true, port: ${restPort}, host: 127.0.0.1 }`,
      `log: { level: warn }`,
      `store: { type: memory }`,
      `data: { dir: ${JSON.stringify(join(tmp, 'data'))} }`,
      `firmware: { publicUrl: "http://127.0.0.1:${restPort}", coapUrl: ${o.coap ? `"coap://127.0.0.1:${coapPort}"` : 'null'}, maxImageBytes: ${Math.max(SIZE, 1)} }`,
      '',
    ].join('\n'),
  );
  const gw = await startGateway({ configFile: file, entry: o.entry, coapPort, restPort, cwd: ROOT });
  const clients: Lwm2mTestClient[] = [];
  try {
    const base = `http://127.0.0.1:${restPort}`;
    const image = Buffer.alloc(SIZE, 0x5a);
    const sha = createHash('sha256').update(image).digest('hex');
    const up = await fetch(`${base}/api/firmware?name=bench&version=2.0&deviceType=bench`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(image) });
    const imageId = ((await up.json()) as { id: string }).id;
    for (let i = 0; i < N; i++) {
      const c = await new Lwm2mTestClient({ serverPort: coapPort, endpoint: `fota-${i}`, store: fotaStore({ protocols: [o.coap ? 0 : 2], delivery: 0 }), timing: { responseTimeoutMs: 60_000 } }).start();
      clients.push(c);
      new FotaDevice(c, { expectSha256: sha, nextVersion: '2.0' });
      const r = await c.register();
      if (r.code !== '2.01') throw new Error(`register answered ${r.code}`);
    }
    const cpu = new CpuMeter(gw.proc.pid);
    const t0 = performance.now();
    const created = await fetch(`${base}/api/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', imageId, match: ['fota-*'], concurrency: N, retries: 0 }) });
    const id = ((await created.json()) as { id: string }).id;
    let status = 'running';
    let totals: Record<string, number> = {};
    while (status === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      const v = (await (await fetch(`${base}/api/campaigns`)).json()) as { campaigns: { id: string; status: string; totals: Record<string, number> }[] };
      const c = v.campaigns.find((x) => x.id === id)!;
      status = c.status;
      totals = c.totals;
    }
    const wallS = (performance.now() - t0) / 1000;
    return {
      devices: N,
      imageBytes: SIZE,
      over: o.coap ? 'CoAP Block2' : 'HTTP',
      succeeded: totals.succeeded ?? 0,
      failed: totals.failed ?? 0,
      wallS,
      gatewayCpu: cpu.read(),
      bytesPerSecond: (totals.bytes ?? 0) / wallS,
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await stopProcess(gw.proc);
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      devices: { type: 'string', default: '100' },
      size: { type: 'string', default: String(1024 * 1024) },
      coap: { type: 'boolean', default: false },
      src: { type: 'boolean', default: false },
    },
  });
  const f = await fotaPull({ devices: Number(args.devices), size: Number(args.size), coap: args.coap, entry: !args.src && distFresh() ? 'dist' : 'src' });
  const rows = [
    ['devices', String(f.devices)],
    ['image', `${(f.imageBytes / 1024 / 1024).toFixed(2)} MB over ${f.over}`],
    ['succeeded / failed', `${f.succeeded} / ${f.failed}`],
    ['wall time', `${f.wallS.toFixed(2)} s`],
    ['gateway CPU', `${f.gatewayCpu} of a core (${(f.gatewayCpu * f.wallS).toFixed(2)} CPU s)`],
    ['served', `${(f.bytesPerSecond * 8e-6).toFixed(1)} Mbit/s`],
  ];
  console.log(`\nfirmware pull: ${f.devices} devices at once`);
  for (const [k, v] of rows) console.log(`  ${k!.padEnd(20)} ${v}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
