/**
 * A Redis store as the gateway opens it: the store, its router (given to the server), and
 * what ties them to the started server: the other instances' requests answered by it,
 * a device that moved here adopted, the other instances' registrations watched for expiry.
 */
import type { Logger } from '../../log.js';
import type { OpenedStore, SharingServer } from '../index.js';
import { RedisStore } from './redis-store.js';
import { RedisRouter } from './redis-router.js';

export function openRedisStore(config: { url: string; prefix: string }, logger: Logger, queueTtlMs?: number): OpenedStore {
  const store = new RedisStore({ url: config.url, prefix: config.prefix, logger });
  const router = new RedisRouter(store, { logger, ...(queueTtlMs !== undefined ? { queueTtlMs } : {}) });
  const attach = (server: SharingServer): Promise<void> => {
    store.onTakeOver((id) => {
      const reg = server.getRegistrationById(id);
      if (reg) server.adopt(reg);
    });
    // another instance's registrations expire here too, after their own instance had the time to
    store.onRemoteChange((records) => {
      for (const r of records) {
        const id = r.k === 'reg' && (r.op === 'add' || r.op === 'update') ? (r.v as { id?: unknown } | undefined)?.id : undefined;
        const reg = typeof id === 'string' ? server.getRegistrationById(id) : undefined;
        if (reg) server.watch(reg);
      }
    });
    return router.start((endpoint, req, opts) => server.requestHere(endpoint, req, opts));
  };
  const close = (): Promise<void> => {
    router.stop();
    return store.close();
  };
  return { store, router, attach, open: () => store.open(), close };
}
