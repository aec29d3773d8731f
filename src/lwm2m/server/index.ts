/** The LwM2M server core: what the gateway and embedding applications use. */
export { LwM2mServer } from './server.js';
export type { LwM2mServerOptions } from './server.js';
export type { RequestOptions } from './core.js';
export type { QueuedRequest, RemovedRegistration, ServerStore, StoredObservation } from './store.js';
export { MemoryStore } from '../../store/memory/memory-store.js';
export type { LifetimePolicy } from './registration.js';
export { DEFAULT_LIFETIME, SUPPORTED_VERSIONS } from './registration.js';
export type { QueueOptions } from './queue.js';
export { DEFAULT_QUEUE } from './queue.js';
export type * from './types.js';
