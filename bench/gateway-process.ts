/**
 * The gateway as a separate process for the benchmark and the demo: free ports, a config
 * file in a temporary folder, start-up timed until every face answers (CoAP ping, MQTT and
 * REST ports), RSS read from /proc, and a clean stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;

/** Gateways started here: killed when this process exits, however it exits. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A port nobody listens on now (UDP or TCP, on `host`). */
export function freePort(kind: 'udp' | 'tcp', host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (kind === 'udp') {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, host, () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    } else {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, host, () => {
        const a = s.address();
        const port = typeof a === 'object' && a ? a.port : 0;
        s.close(() => resolve(port));
      });
    }
  });
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** True when a CoAP endpoint answers an empty CON (ping) within `ms`. */
export function coapPing(port: number, host = '127.0.0.1', ms = 200): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const done = (ok: boolean): void => {
      clearTimeout(t);
      s.close();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), ms);
    s.once('message', (m) => done(m.length >= 4 && (m[0]! & 0x30) === 0x30));
    s.once('error', () => done(false));
    s.send(Buffer.from([0x40, 0x00, 0x12, 0x34]), port, host);
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** True when dist/ holds a build at least as new as every file in src/. */
export function distFresh(): boolean {
  const main = join(ROOT, 'dist/main.js');
  return existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'src'));
}

/** Which northbound faces this build of the gateway starts (read from its composition root). */
export function wiredFaces(entry: 'dist' | 'src'): { mqtt: boolean; rest: boolean } {
  const file = join(ROOT, entry === 'dist' ? 'dist/gateway.js' : 'src/gateway.ts');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  // the faces are wired through the face list northbound/faces (or directly from their folders)
  const all = /northbound\/(compose|faces)/.test(text);
  return { mqtt: all || /northbound\/mqtt/.test(text), rest: all || /northbound\/rest/.test(text) };
}

export interface GatewayRun {
  proc: ChildProcess;
  /** ms from spawn until every enabled face answered */
  readyMs: number;
  coapPort: number;
  mqttPort: number | undefined;
  restPort: number | undefined;
  stderr: () => string;
}

export interface StartOptions {
  configFile: string;
  coapPort: number;
  mqttPort?: number;
  restPort?: number;
  entry: 'dist' | 'src';
  /** extra node flags (e.g. --cpu-prof) */
  nodeFlags?: string[];
  cwd?: string;
  /** give up after this long (default 30 s) */
  timeoutMs?: number;
  /** inherit stdout/stderr instead of capturing them */
  inheritOutput?: boolean;
  /** in a process group of its own: a terminal's Ctrl-C reaches the caller only, which stops it */
  ownProcessGroup?: boolean;
}

/** Starts the gateway and waits until CoAP, and MQTT and REST when given, answer. */
export async function startGateway(o: StartOptions): Promise<GatewayRun> {
  const main = o.entry === 'dist' ? [join(ROOT, 'dist/main.js')] : ['--import', 'tsx', join(ROOT, 'src/main.ts')];
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(o.nodeFlags ?? []), ...main, '--config', o.configFile], {
    cwd: o.cwd ?? ROOT,
    stdio: o.inheritOutput ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    detached: o.ownProcessGroup === true,
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  proc.stdout?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  let exited: string | undefined;
  proc.once('exit', (code, signal) => (exited = `gateway exited (${signal ?? code}): ${err.trim()}`));
  const deadline = t0 + (o.timeoutMs ?? 30_000);
  const waitFor = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    while (!(await check())) {
      if (exited) throw new Error(exited);
      if (performance.now() > deadline) throw new Error(`gateway not ready (${what}) after ${o.timeoutMs ?? 30_000} ms: ${err.trim()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  await waitFor(() => coapPing(o.coapPort, '127.0.0.1', 50), 'CoAP');
  if (o.mqttPort !== undefined) await waitFor(() => tcpOpen(o.mqttPort!), 'MQTT');
  if (o.restPort !== undefined) await waitFor(() => tcpOpen(o.restPort!), 'REST');
  return { proc, readyMs: performance.now() - t0, coapPort: o.coapPort, mqttPort: o.mqttPort, restPort: o.restPort, stderr: () => err };
}

/** Resident set size of a process in bytes (Linux /proc); undefined elsewhere. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL after `ms`; resolves when the process is gone. */
export function stopProcess(proc: ChildProcess, ms = 5000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), ms);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
