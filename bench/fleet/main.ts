/**
 * The fleet simulator as a process.
 *
 * Forked by the benchmark: answers calls over IPC (open, register, counters,
 * startNotifications, stopNotifications, memory, deregisterAll, close), and runs the DTLS
 * handshake load (startHandshakes, handshakeCounters, stopHandshakes; ../dtls/handshake-load.ts).
 *
 * Run by hand: simulated clients against a running gateway, counters every second.
 *
 *   npx tsx bench/fleet/main.ts --port 5683 --count 1000 --rate 500 --notify 200
 *
 *   --host H        gateway address (default 127.0.0.1)
 *   --port P        gateway CoAP port (default 5683)
 *   --count N       clients (default 100)
 *   --rate R        Registers per second (default 1000)
 *   --notify R      notifications per second over all observations (default 0)
 *   --format F      content format without Accept: 112 SenML CBOR, 110 SenML JSON, 11542 TLV
 *   --lifetime S    registration lifetime in seconds (default 300)
 *   --queue         queue mode (the client answers only for 10 s after it sent something)
 *   --con           confirmable notifications
 *   --prefix P      endpoint name prefix (default "sim-")
 */
import { parseArgs } from 'node:util';
import { Fleet, type FleetOptions } from './fleet.js';
import { serve } from './ipc.js';
import { HandshakeLoad, type HandshakeLoadOptions } from '../dtls/handshake-load.js';

let fleet: Fleet | undefined;
let handshakes: HandshakeLoad | undefined;

function current(): Fleet {
  if (!fleet) throw new Error('fleet not open');
  return fleet;
}

async function runByHand(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5683' },
      count: { type: 'string', default: '100' },
      rate: { type: 'string', default: '1000' },
      notify: { type: 'string', default: '0' },
      format: { type: 'string', default: '112' },
      lifetime: { type: 'string', default: '300' },
      queue: { type: 'boolean', default: false },
      con: { type: 'boolean', default: false },
      prefix: { type: 'string', default: 'sim-' },
    },
  });
  const f = new Fleet({
    host: v.host,
    port: Number(v.port),
    count: Number(v.count),
    format: Number(v.format),
    lifetime: Number(v.lifetime),
    queueMode: v.queue,
    conNotifications: v.con,
    prefix: v.prefix,
  });
  fleet = f;
  const opened = await f.open();
  process.stdout.write(`${opened.sockets} sockets, up to ${opened.clientsPerSocket} clients per socket (${opened.limit})\n`);
  const stop = (): void => {
    process.stdout.write('de-registering...\n');
    void f
      .deregisterAll()
      .then(() => f.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const t = setInterval(() => {
    const c = f.counters();
    process.stdout.write(
      `registered ${c.registered}/${c.clients} failed ${c.registerFailures} observations ${c.observations} requests ${c.requests} notifications ${c.notificationsSent} retransmissions ${c.retransmissions}\n`,
    );
  }, 1000);
  t.unref();
  await f.register(Number(v.rate));
  f.startNotifications(Number(v.notify));
}

if (process.send) {
  serve({
    open: async (o: FleetOptions) => {
      fleet = new Fleet(o);
      return fleet.open();
    },
    register: async (a: { rate: number; window?: number }) => {
      const f = current();
      f.stats.resetRegisterTiming();
      await f.register(a.rate, a.window);
      return f.counters();
    },
    counters: () => current().counters(),
    startNotifications: (a: { rate: number }) => current().startNotifications(a.rate),
    stopNotifications: (a: { dropPending?: boolean } | null) => current().stopNotifications(a?.dropPending ?? false),
    memory: () => process.memoryUsage(),
    deregisterAll: () => current().deregisterAll(),
    startHandshakes: async (o: HandshakeLoadOptions) => {
      await handshakes?.close();
      handshakes = await HandshakeLoad.open(o);
      handshakes.start();
    },
    handshakeCounters: () => {
      if (!handshakes) throw new Error('no handshake load running');
      return handshakes.counters();
    },
    stopHandshakes: async () => {
      const c = await handshakes?.close();
      handshakes = undefined;
      return c;
    },
    close: async () => {
      await handshakes?.close();
      await fleet?.close();
      fleet = undefined;
      setImmediate(() => process.exit(0));
    },
  });
  process.on('disconnect', () => process.exit(0));
} else {
  runByHand().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
