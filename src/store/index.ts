/**
 * The stores the gateway can keep its server state in, by name. Each lives in a folder
 * of its own behind ServerStore (src/lwm2m/server/store.ts) and passes
 * test/helpers/store-contract.ts; adding one is a folder, an entry here and its name in
 * the `store.type` enum of src/config/schema.ts.
 */
import type { GatewayConfig } from '../config/schema.js';
import type { ServerStore } from '../lwm2m/server/store.js';
import { MemoryStore } from './memory/memory-store.js';

export { MemoryStore };

/** `store.type` of the config -> a new, empty store of that kind (the config schema lists the same names) */
export type StoreType = GatewayConfig['store']['type'];

export const STORES: Record<StoreType, () => ServerStore> = {
  memory: () => new MemoryStore(),
};

export function createStore(type: StoreType): ServerStore {
  return STORES[type]();
}
