/** A server on a fake clock with a memory transport, for core tests. */
import { LwM2mServer } from '../../src/lwm2m/server/index.js';
import type { LwM2mServerOptions } from '../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../src/lwm2m/model/registry.js';
import { FakeClock } from './fake-clock.js';
import { MemoryTransport } from './memory-transport.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';

export interface ServerSetup {
  server: LwM2mServer;
  mem: MemoryTransport;
  clock: FakeClock;
}

let builtins: ModelRegistry | undefined;

export function setupServer(opts: Partial<LwM2mServerOptions> = {}): ServerSetup {
  const clock = new FakeClock();
  builtins ??= ModelRegistry.withBuiltins();
  const server = new LwM2mServer({
    models: builtins,
    clock,
    lifetime: { min: 10, max: 100_000, default: 86_400 },
    requestTimeoutMs: 5_000,
    queue: { ttlMs: 60_000, maxPerDevice: 3, awakeTimeMs: 10_000 },
    ...opts,
    store: opts.store ?? new MemoryStore(),
  });
  const mem = new MemoryTransport(server);
  server.addTransport(mem);
  server.start();
  return { server, mem, clock };
}
