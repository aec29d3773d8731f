/**
 * The `workers` key: how many cores serve CoAP/UDP devices. `auto` (the default) is the
 * number of cores when the config can be sharded (src/workers/shard-plan.ts says when),
 * else 1; a number asks for that many shards and is refused at start when the config
 * cannot be sharded.
 */
export type WorkersConfig = 'auto' | number;

export const DEFAULT_WORKERS: WorkersConfig = 'auto';

/** at most this many shards (a worker thread each) */
export const MAX_WORKERS = 64;

export const WORKERS_SCHEMA = {
  anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 1, maximum: MAX_WORKERS }],
} as const;
