/** Child processes of the benchmark: the fleet simulator over IPC, CPU time from /proc. */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetOptions } from './fleet/fleet.js';
import type { HandshakeLoadOptions } from './dtls/handshake-load.js';
import type { HandshakeCounters } from './dtls/handshake-runner.js';
import { Remote } from './fleet/ipc.js';
import type { FleetCounters } from './fleet/stats.js';
import { ROOT } from './gateway-process.js';

/** CPU seconds (user + system) a process has used so far (Linux); 0 elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12]: utime, stime in clock ticks (USER_HZ, 100 on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** UDP datagrams the kernel dropped so far for full receive buffers (Linux, whole machine). */
export function udpReceiveErrors(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    const k = names.indexOf('RcvbufErrors');
    return k > 0 ? Number(values[k]) : 0;
  } catch {
    return 0;
  }
}

/** CPU use of a process over a phase, as a fraction of one core. */
export class CpuMeter {
  private c0: number;
  private t0 = performance.now();

  constructor(private readonly pid: number | undefined) {
    this.c0 = cpuSeconds(pid);
  }

  /** fraction of one core since construction (or the last call) */
  read(): number {
    const c = cpuSeconds(this.pid);
    const t = performance.now();
    const f = (c - this.c0) / ((t - this.t0) / 1000);
    this.c0 = c;
    this.t0 = t;
    return Math.round(f * 100) / 100;
  }
}

/** A fleet simulator process. */
export class FleetProcess {
  private constructor(private readonly remote: Remote) {}

  get pid(): number | undefined {
    return this.remote.child.pid;
  }

  static start(): FleetProcess {
    const child = fork(join(ROOT, 'bench/fleet/main.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new FleetProcess(new Remote(child));
  }

  open(o: FleetOptions): Promise<{ sockets: number; clientsPerSocket: number; limit: string }> {
    return this.remote.call('open', o);
  }

  register(rate: number, window: number): Promise<FleetCounters> {
    return this.remote.call('register', { rate, window });
  }

  counters(): Promise<FleetCounters> {
    return this.remote.call('counters');
  }

  startNotifications(rate: number): Promise<void> {
    return this.remote.call('startNotifications', { rate });
  }

  /** Starts the DTLS handshake load (dtls/handshake-load.ts) in this process. */
  startHandshakes(o: HandshakeLoadOptions): Promise<void> {
    return this.remote.call('startHandshakes', o);
  }

  handshakeCounters(): Promise<HandshakeCounters> {
    return this.remote.call('handshakeCounters');
  }

  /** Stops the handshake load; its last counters. */
  stopHandshakes(): Promise<HandshakeCounters> {
    return this.remote.call('stopHandshakes');
  }

  /** `dropPending`: CON notifications not yet acknowledged are not sent again */
  stopNotifications(dropPending = true): Promise<void> {
    return this.remote.call('stopNotifications', { dropPending });
  }

  async close(): Promise<void> {
    const child = this.remote.child;
    if (child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.remote.call('close').catch(() => {});
    await gone;
    clearTimeout(t);
  }

  /** Waits until `check` holds for the counters (polled every 100 ms); false on timeout. */
  async waitFor(check: (c: FleetCounters) => boolean, timeoutMs: number): Promise<FleetCounters> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const c = await this.counters();
      if (check(c) || performance.now() > end) return c;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
