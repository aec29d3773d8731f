/**
 * The shards rows (config `workers`): the deployment that can be sharded (the Redis store,
 * the external broker) run once on one shard and once on one shard per core, the same
 * fleet and notification steps each time (external-broker-phase.ts), so that the ratio
 * shows what the other cores pay. The gateway's CPU is the whole process's (every thread).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { externalBrokerFigures, type ExternalBrokerFigures, type ExternalBrokerOptions } from './external-broker-phase.js';
import { runPrefix, deletePrefixes } from './redis-prefix.js';
import type { Skipped } from './report.js';
import { runFrontEcho, type FrontEchoResult } from './front-echo.js';

export interface WorkersRun {
  workers: number;
  figures: ExternalBrokerFigures | Skipped;
}

export interface WorkersFigures {
  cores: number;
  runs: WorkersRun[];
  /** the raw echo through the front and one echo shard per core: what the main thread can carry (front-echo.ts) */
  front?: FrontEchoResult | Skipped;
}

export type WorkersOptions = Omit<ExternalBrokerOptions, 'storeLine' | 'workers' | 'dir' | 'topicRoot'> & { redisUrl: string; tmp: string; counts?: number[]; echoSeconds: number };

export async function workersFigures(o: WorkersOptions): Promise<WorkersFigures> {
  const cores = availableParallelism();
  const counts = o.counts ?? [1, Math.max(2, cores)];
  const runs: WorkersRun[] = [];
  for (const n of counts) {
    const prefix = runPrefix('bench', `${process.pid}-w${n}`);
    o.log(`workers ${n}: the Redis store, the external broker...`);
    try {
      const figures = await externalBrokerFigures({
        ...o,
        storeLine: `store: { type: redis }\nredis: { url: ${JSON.stringify(o.redisUrl)}, prefix: ${JSON.stringify(prefix)} }`,
        workers: n,
        dir: join(o.tmp, `workers-${n}`),
        topicRoot: `bench-${process.pid}-w${n}`,
      }).catch((e: unknown): Skipped => ({ skipped: `failed: ${e instanceof Error ? e.message : String(e)}` }));
      runs.push({ workers: n, figures });
    } finally {
      await deletePrefixes(o.redisUrl, [prefix]).catch(() => {});
    }
  }
  o.log('workers: the raw echo through the front...');
  const front = await runFrontEcho({ requestBytes: 45, responseBytes: 45, seconds: o.echoSeconds, shards: Math.max(2, cores) }).catch(
    (e: unknown): Skipped => ({ skipped: `failed: ${e instanceof Error ? e.message : String(e)}` }),
  );
  return { cores, runs, front };
}
