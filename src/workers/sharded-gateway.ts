/**
 * A gateway on several cores (config `workers`, shard-plan.ts): the main thread holds the
 * CoAP/UDP socket (datagram-front.ts) and one worker thread per shard runs a whole gateway
 * for the devices whose address and port hash to it (shard-worker.ts). Started in that
 * order: the socket first (a taken port is the one line naming coap.port, before any
 * worker runs), then every shard; a shard that fails to start stops the others and its
 * line is the start error. A shard that dies later is started again (its devices'
 * registrations stay in the shared store; their next Update or Register reaches the new one).
 */
import { Worker } from 'node:worker_threads';
import type { GatewayConfig } from '../config/schema.js';
import { StartError } from '../start-error.js';
import type { Logger } from '../log.js';
import { bindFailure } from '../transport/coap/coap-binding.js';
import { DatagramFront } from './datagram-front.js';
import { shardConfig } from './shard-plan.js';
import type { FromShard, ShardStart, ToShard } from './shard-messages.js';

/** The worker's file beside this one: .ts when running from src/ (under tsx), .js from dist/. */
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './shard-worker.ts' : './shard-worker.js', import.meta.url);
/** a shard that died is started again at most this often */
const RESTART_MS = 5000;

/**
 * Under tsx (the tests, bench --src) the worker registers tsx's loader before it imports
 * its TypeScript entry (a worker does not take --import from execArgv on Node 20).
 */
function tsWorker(workerData: ShardStart): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(ENTRY.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

interface Shard {
  k: number;
  worker: Worker;
  ports?: Record<string, number | null | undefined>;
  stopping: boolean;
  exited: Promise<void>;
}

export interface ShardedGatewayOptions {
  logger: Logger;
  configFile?: string;
}

export class ShardedGateway {
  private front: DatagramFront | undefined;
  private shards: Shard[] = [];
  private coapPort: number | undefined;
  private stopped = false;
  private readonly restartedAt: number[] = [];

  constructor(
    readonly config: GatewayConfig,
    readonly count: number,
    private readonly options: ShardedGatewayOptions,
  ) {}

  /** The front's CoAP port and shard 0's other ports (REST, DTLS, ...). */
  get ports(): Readonly<Record<string, number | null | undefined>> {
    return { ...this.shards[0]?.ports, coap: this.coapPort };
  }

  /** Datagrams the front forwarded to each shard, and sent for it. */
  get traffic(): { forwarded: readonly number[]; sent: readonly number[] } {
    return { forwarded: [...(this.front?.forwarded ?? [])], sent: [...(this.front?.sent ?? [])] };
  }

  async start(): Promise<void> {
    const c = this.config.coap;
    const log = this.options.logger;
    const front = new DatagramFront({ port: c.port, address: c.address, recvBufferSize: c.recvBufferSize, log });
    this.front = front;
    try {
      this.coapPort = (await front.open()).port;
    } catch (e) {
      const f = bindFailure(e, c);
      await front.close();
      throw f instanceof Error ? new StartError(f.message) : f;
    }
    try {
      this.shards = Array.from({ length: this.count }, (_, k) => this.spawn(k));
      await Promise.all(this.shards.map((s) => this.ready(s)));
    } catch (e) {
      await this.stop();
      throw e;
    }
    // by index, not by worker: a shard started again takes its place
    front.connect(this.shards.map((_, k) => (b: ArrayBuffer) => this.shards[k]?.worker.postMessage({ t: 'in', b } satisfies ToShard, [b])));
    log.info('LwM2M server listening', { transport: 'coap+udp', address: c.address, port: this.coapPort, shards: this.count });
  }

  private spawn(k: number): Shard {
    const data: ShardStart = {
      config: shardConfig(this.config, k, this.count),
      ...(this.options.configFile ? { configFile: this.options.configFile } : {}),
      shard: k,
      count: this.count,
      coapPort: this.coapPort!,
    };
    const worker = ENTRY.pathname.endsWith('.ts') ? tsWorker(data) : new Worker(ENTRY, { workerData: data });
    const shard: Shard = { k, worker, stopping: false, exited: new Promise((r) => worker.once('exit', () => r())) };
    worker.on('message', (m: FromShard) => {
      if (m.t !== 'out') return;
      if (m.b) this.front?.sendFrom(k, m.b);
      this.front?.acked(k, m.acked);
    });
    worker.on('error', (e) => this.options.logger.error('shard failed', { shard: k, error: e.stack ?? String(e) }));
    worker.once('exit', (code) => this.exited(shard, code));
    return shard;
  }

  private ready(s: Shard): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromShard): void => {
        if (m.t === 'ready') {
          s.ports = m.ports;
          done();
          resolve();
        } else if (m.t === 'failed') {
          done();
          reject(new StartError(m.message));
        }
      };
      const onExit = (): void => {
        done();
        reject(new StartError(`shard ${s.k} ended before it started`));
      };
      const done = (): void => {
        s.worker.off('message', onMessage);
        s.worker.off('exit', onExit);
      };
      s.worker.on('message', onMessage);
      s.worker.on('exit', onExit);
    });
  }

  private exited(s: Shard, code: number): void {
    if (s.stopping || this.stopped || s.ports === undefined) return;
    const log = this.options.logger;
    const last = this.restartedAt[s.k] ?? 0;
    const wait = Math.max(0, last + RESTART_MS - Date.now());
    log.error('shard ended, starting it again', { shard: s.k, code, inMs: wait });
    setTimeout(() => {
      if (this.stopped) return;
      this.restartedAt[s.k] = Date.now();
      const next = this.spawn(s.k);
      this.shards[s.k] = next;
      this.front?.restarted(s.k);
      this.ready(next).then(
        () => log.info('shard started again', { shard: s.k }),
        (e: unknown) => log.error('shard did not start again', { shard: s.k, error: String(e) }),
      );
    }, wait).unref();
  }

  /** Each shard shuts down within `graceMs` (gateway.shutdown), then the socket closes. */
  async shutdown(graceMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.shards.map((s) => this.stopShard(s, graceMs)));
    this.shards = [];
    await this.front?.close();
    this.front = undefined;
  }

  stop(): Promise<void> {
    return this.shutdown(this.config.shutdown?.graceSeconds !== undefined ? this.config.shutdown.graceSeconds * 1000 : 10_000);
  }

  private async stopShard(s: Shard, graceMs: number): Promise<void> {
    s.stopping = true;
    s.worker.postMessage({ t: 'stop', graceMs } satisfies ToShard);
    const late = setTimeout(() => void s.worker.terminate(), graceMs + 1000);
    await s.exited;
    clearTimeout(late);
  }
}
