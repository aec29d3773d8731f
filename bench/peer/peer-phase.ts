/**
 * The peer row: the same fleet's registrations and reads against lwm2m-node-lib's server
 * (node-lib-server.ts, a process of its own), so that the gateway's figures can be read as
 * a ratio to what a Node LwM2M server users would otherwise pick does on the same machine.
 * The reads are the peer's own `read()` calls in its process (it has no HTTP face), the
 * gateway's are REST reads (HTTP in front of the same CoAP GET): the ratio flatters the peer.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { freePort, ROOT } from '../gateway-process.js';
import { Remote } from '../fleet/ipc.js';
import { FleetProcess, cpuSeconds } from '../procs.js';
import type { PeerReads } from './node-lib-server.js';

export interface PeerFigures {
  server: string;
  devices: number;
  registered: number;
  registrationsPerSecond: number;
  registerFailures: number;
  peerCpuUsPerRegistration: number;
  reads: PeerReads | { skipped: string };
  /** peer / gateway */
  registrationRatio?: number;
  readRatio?: number;
}

export interface PeerPlan {
  devices: number;
  registerWindow: number;
  format: number;
  /** the registrations are counted as they are after this long (a Register the peer lost is retransmitted for 93 s) */
  registerTimeoutMs: number;
  readSeconds: number;
  concurrency: number;
  log(s: string): void;
}

export async function peerFigures(p: PeerPlan): Promise<PeerFigures> {
  const child = fork(join(ROOT, 'bench/peer/node-lib-server.ts'), [], { execArgv: ['--no-warnings', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const peer = new Remote(child);
  const fleet = FleetProcess.start();
  try {
    const port = await freePort('udp');
    const { version } = await peer.call<{ version: string }>('start', { port });
    await fleet.open({ host: '127.0.0.1', port, count: p.devices, format: p.format, valueMode: 'clock', conNotifications: true, lifetime: 86_400 });
    p.log(`peer lwm2m-node-lib: registering ${p.devices}...`);
    const cpu0 = cpuSeconds(child.pid);
    const registering = fleet.register(1e9, p.registerWindow).catch(() => undefined);
    const c = await Promise.race([registering, fleet.waitFor((x) => x.registered + x.registerFailures >= p.devices, p.registerTimeoutMs)]).then((x) => x ?? fleet.counters());
    const cpuP = cpuSeconds(child.pid) - cpu0;
    const perSecond = c.registerSpanMs > 0 ? (c.registered / c.registerSpanMs) * 1000 : 0;
    const registered = await peer.call<number>('registered');
    let reads: PeerFigures['reads'] = { skipped: 'no device registered' };
    if (registered > 0) {
      p.log(`peer lwm2m-node-lib: reads for ${p.readSeconds} s...`);
      const endpoints = Array.from({ length: Math.min(p.devices, 2000) }, (_, i) => `sim-${i}`);
      reads = await peer
        .call<PeerReads>('reads', { endpoints, path: '/3303/0/5700', seconds: p.readSeconds, concurrency: p.concurrency })
        .catch((e: unknown) => ({ skipped: `failed: ${e instanceof Error ? e.message : String(e)}` }));
    }
    return {
      server: `lwm2m-node-lib ${version}`,
      devices: p.devices,
      registered,
      registrationsPerSecond: perSecond,
      registerFailures: c.registerFailures,
      // the peer's CPU time over the phase (its retransmitted Registers included) per registration
      peerCpuUsPerRegistration: c.registered > 0 ? (cpuP / c.registered) * 1e6 : 0,
      reads,
    };
  } finally {
    await fleet.close().catch(() => {});
    const gone = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    if (child.connected) await peer.call('close').catch(() => {});
    await gone;
    clearTimeout(t);
  }
}
