/**
 * The stores the gateway can keep its server state in, by name. Each lives in a folder
 * of its own behind ServerStore (src/lwm2m/server/store.ts) and passes
 * test/helpers/store-contract.ts; adding one is a folder, an entry here and its name in
 * the `store.type` enum of src/config/schema.ts.
 */
import { join } from 'node:path';
import type { GatewayConfig } from '../config/schema.js';
import type { ServerStore } from '../lwm2m/server/store.js';
import { silentLogger } from '../log.js';
import type { Logger } from '../log.js';
import { MemoryStore } from './memory/memory-store.js';
import { FileStore } from './file/file-store.js';
import { DurableQueue } from './file/durable-queue.js';

export { FileStore, MemoryStore };

/** `store.type` of the config -> a new, empty store of that kind (the config schema lists the same names) */
export type StoreType = GatewayConfig['store']['type'];

export interface StoreContext {
  /** the data folder (config `data.dir`); a store keeps its files in a folder of its own below it */
  dataDir: string;
  logger?: Logger;
}

/** A store and how to close it (write what is pending, release its files). */
export interface OpenedStore {
  store: ServerStore;
  close(): Promise<void>;
}

export const STORES: Record<StoreType, (ctx: StoreContext) => OpenedStore> = {
  memory: () => ({ store: new MemoryStore(), close: () => Promise.resolve() }),
  file: (ctx) => {
    const store = FileStore.open({ dir: join(ctx.dataDir, 'store'), logger: ctx.logger ?? silentLogger });
    const r = store.replay;
    ctx.logger?.info('file store opened', { dir: join(ctx.dataDir, 'store'), registrations: store.size, records: r.records, ...(r.corrupt ? { corrupt: true } : {}) });
    return { store, close: () => store.close() };
  },
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
