/**
 * A shard's worker thread: a whole gateway (src/gateway.ts) on the config of its shard
 * (shard-plan.ts), its CoAP/UDP binding on the datagrams the front forwards
 * (forwarded-endpoint.ts). It reports `ready` with its ports, or `failed` with the one
 * line of a start error; on `stop` it shuts down gracefully and reports `stopped`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Gateway, StartError } from '../gateway.js';
import { createLogger, type Logger } from '../log.js';
import { ForwardedEndpoint } from './forwarded-endpoint.js';
import type { FromShard, ShardStart, ToShard } from './shard-messages.js';

/** Every line of this shard's log says which shard wrote it. */
function shardLogger(log: Logger, shard: number): Logger {
  const f = (fields?: Record<string, unknown>): Record<string, unknown> => ({ shard, ...fields });
  return {
    debug: (m, x) => log.debug(m, f(x)),
    info: (m, x) => log.info(m, f(x)),
    warn: (m, x) => log.warn(m, f(x)),
    error: (m, x) => log.error(m, f(x)),
  };
}

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('shard-worker.ts runs as a worker thread');
  const start = workerData as ShardStart;
  const say = (m: FromShard, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
  const c = start.config;
  const log = shardLogger(createLogger(c.log.level, undefined, c.log.format), start.shard);
  const endpoint = new ForwardedEndpoint((b, acked) => (b ? say({ t: 'out', b, acked }, [b]) : say({ t: 'out', acked })), start.coapPort);
  let gateway: Gateway | undefined;
  let starting: Promise<void> = Promise.resolve();
  port.on('message', (m: ToShard) => {
    if (m.t === 'in') endpoint.deliver(m.b);
    else if (m.t === 'stop') {
      void starting
        .catch(() => {})
        .then(() => gateway?.shutdown(m.graceMs))
        .catch((e: unknown) => log.error('shard stop failed', { error: String(e) }))
        .then(() => {
          say({ t: 'stopped' });
          port.close();
        });
    }
  });
  try {
    gateway = new Gateway(c, { logger: log, ...(start.configFile ? { configFile: start.configFile } : {}), coapEndpoint: endpoint });
    starting = gateway.start();
    await starting;
    say({ t: 'ready', ports: { ...gateway.ports } });
  } catch (e) {
    say({ t: 'failed', message: e instanceof StartError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}

void run();
