/**
 * Test helpers for the MQTT link tests: a private Mosquitto process (on a free port, with a
 * temp config; stopped and started again on the same port), the mosquitto_sub/pub clients,
 * free ports and polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';
export const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';

/** A skip reason when the Mosquitto broker binary is missing (false when present). */
export const noMosquitto: string | false = existsSync(MOSQUITTO)
  ? false
  : `${MOSQUITTO} is missing: install Debian's mosquitto (the CI script .ci/run does)`;
export const noMosquittoClients: string | false =
  existsSync(MOSQUITTO_SUB) && existsSync(MOSQUITTO_PUB) ? false : 'mosquitto_sub/mosquitto_pub are missing: install Debian\'s mosquitto-clients';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms until it holds; rejects after `ms` with `what` in the message. */
export async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface MosquittoOptions {
  /** keep sessions and queued messages across restarts (saved on SIGTERM) */
  persistence?: boolean;
  /** extra lines for the listener, e.g. TLS certfile/keyfile */
  listenerLines?: string[];
}

/** A private Mosquitto on 127.0.0.1:<port>; never the machine's own one. */
export class MosquittoProcess {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async create(options: MosquittoOptions = {}): Promise<MosquittoProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-mosq-'));
    const lines = [
      `listener ${port} 127.0.0.1`,
      ...(options.listenerLines ?? []),
      'allow_anonymous true',
      `log_dest file ${join(dir, 'mosquitto.log')}`,
      'log_type all',
    ];
    if (process.getuid?.() === 0) lines.push('user root');
    if (options.persistence) lines.push('persistence true', `persistence_location ${dir}/`);
    writeFileSync(join(dir, 'mosquitto.conf'), lines.join('\n') + '\n');
    const m = new MosquittoProcess(port, dir);
    await m.start();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.proc = proc;
    const end = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (proc.exitCode !== null || Date.now() > end) {
        this.proc = undefined;
        proc.kill('SIGKILL');
        throw new Error(`mosquitto did not start on port ${this.port}: ${stderr.trim()}`);
      }
      await sleep(20);
    }
  }

  /** Freezes the broker (SIGSTOP): its connections stay open and nothing is answered. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** Undoes pause() (SIGCONT). */
  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** SIGTERM, and wait for the process to exit. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    if (proc.exitCode !== null) return;
    proc.kill('SIGCONT'); // a paused broker would not act on SIGTERM
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A mosquitto_sub process printing "topic payload" lines (`-v`). It also subscribes to
 * `probeTopic`; start() resolves once a probe sent with `sendProbe` came back, so the
 * subscription is known to be in place.
 */
export class MosquittoSub {
  readonly lines: string[] = [];
  private constructor(
    private readonly proc: ChildProcess,
    private readonly probeTopic: string,
  ) {}

  static async start(args: string[], probeTopic: string, sendProbe: () => Promise<void>): Promise<MosquittoSub> {
    const proc = spawn(MOSQUITTO_SUB, ['-v', '-t', probeTopic, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sub = new MosquittoSub(proc, probeTopic);
    let partial = '';
    proc.stdout?.on('data', (d: Buffer) => {
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      sub.lines.push(...parts);
    });
    const end = Date.now() + 10_000;
    while (!sub.lines.some((l) => l.startsWith(probeTopic + ' '))) {
      if (proc.exitCode !== null || Date.now() > end) {
        await sub.stop();
        throw new Error('mosquitto_sub did not subscribe');
      }
      await sendProbe();
      await sleep(100);
    }
    return sub;
  }

  /** The received lines other than probes. */
  received(): string[] {
    return this.lines.filter((l) => !l.startsWith(this.probeTopic + ' '));
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill('SIGTERM');
    });
  }
}

/** Runs mosquitto_pub once; rejects on a non-zero exit. */
export function mosquittoPub(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(MOSQUITTO_PUB, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited ${code}: ${stderr.trim()}`))));
  });
}
