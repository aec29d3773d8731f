/**
 * The stores the gateway can keep its server state in, by name. Each lives in a folder
 * of its own behind ServerStore (src/lwm2m/server/store.ts) and passes
 * test/helpers/store-contract.ts; adding one is a folder, an entry here and its name in
 * the `store.type` enum of src/config/schema.ts.
 */
import { join } from 'node:path';
import type { GatewayConfig } from '../config/schema.js';
import type { ServerStore } from '../lwm2m/server/store.js';
import type { DeviceRouter } from '../lwm2m/server/router.js';
import type { RequestOptions } from '../lwm2m/server/core.js';
import type { OperationRequest, OperationResult, Registration } from '../lwm2m/server/types.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import { MemoryStore } from './memory/memory-store.js';
import { FileStore } from './file/file-store.js';
import { DurableQueue } from './file/durable-queue.js';
import { RedisStore } from './redis/redis-store.js';
import { openRedisStore } from './redis/open.js';

export { FileStore, MemoryStore, RedisStore };

/** `store.type` of the config -> a new, empty store of that kind (the config schema lists the same names) */
export type StoreType = GatewayConfig['store']['type'];

export interface StoreContext {
  /** the data folder (config `data.dir`); a store keeps its files in a folder of its own below it */
  dataDir: string;
  logger?: Logger;
  /** the Redis store's server and key prefix (config `redis`) */
  redis?: GatewayConfig['redis'];
  /** how long a request may wait for a sleeping device, ms (lwm2m.queue.ttl): a shared store waits as long for another instance */
  queueTtlMs?: number;
}

/** A store and how to close it (write what is pending, release its files). */
export interface OpenedStore {
  store: ServerStore;
  /** Connects and loads what the store holds, when that takes a round trip (a remote store); before the server starts. */
  open?(): Promise<void>;
  close(): Promise<void>;
  /** a store shared by several instances: hands requests to the instance that talks to the device (given to the server) */
  router?: DeviceRouter;
  /** a shared store: answers the other instances' requests and hands over devices that moved here, once the server is started */
  attach?(server: SharingServer): Promise<void>;
}

/** What a shared store needs of the server. */
export interface SharingServer {
  requestHere(endpoint: string, req: OperationRequest, opts: RequestOptions): Promise<OperationResult>;
  getRegistrationById(id: string): Registration | undefined;
  adopt(reg: Registration): void;
  watch(reg: Registration): boolean;
}

export const STORES: Record<StoreType, (ctx: StoreContext) => OpenedStore> = {
  memory: () => ({ store: new MemoryStore(), close: () => Promise.resolve() }),
  file: (ctx) => {
    const store = FileStore.open({ dir: join(ctx.dataDir, 'store'), logger: ctx.logger ?? silentLogger });
    const r = store.replay;
    ctx.logger?.info('file store opened', { dir: join(ctx.dataDir, 'store'), registrations: store.size, records: r.records, ...(r.corrupt ? { corrupt: true } : {}) });
    return { store, close: () => store.close() };
  },
  redis: (ctx) => openRedisStore(ctx.redis ?? { url: 'redis://127.0.0.1:6379', prefix: 'lwm2m:' }, ctx.logger ?? silentLogger, ctx.queueTtlMs),
};

/** Opens the store `type` names (a file store reads its folder: may throw on a folder it cannot use). */
export function createStore(type: StoreType, ctx: StoreContext = { dataDir: 'data' }): OpenedStore {
  return STORES[type](ctx);
}

/**
 * Journals (durable FIFOs, e.g. the MQTT outbound buffer) in folders of their own under
 * the data folder; a name is ours (a constant), never from outside.
 */
export function journalsUnder(dataDir: string, logger: Logger): <T extends object>(name: string, check: (value: unknown) => T) => DurableQueue<T> {
  return (name, check) => DurableQueue.open({ dir: join(dataDir, name), check, logger });
}
