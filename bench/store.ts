/**
 * Store micro-benchmark: mutations per second of the memory and the file store, for the
 * mutations the core makes (Register, Update, an accepted observation, De-register), with
 * a turn of the event loop every `--turn` mutations (1: one datagram per turn, as under a
 * light load; the file store writes once per turn). Prints one line per store and turn.
 *
 *   npm run bench:store -- --registrations 20000 --turn 1,32
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LwM2mPath } from '../src/lwm2m/path.js';
import type { ServerStore, StoredObservation } from '../src/lwm2m/server/store.js';
import type { Registration } from '../src/lwm2m/server/types.js';
import { FileStore, MemoryStore } from '../src/store/index.js';

const { values: args } = parseArgs({
  options: {
    registrations: { type: 'string', default: '20000' },
    turn: { type: 'string', default: '1,32' },
  },
});

function registration(i: number, now: number): Registration {
  return {
    id: `r${i.toString(36)}x${now.toString(36)}`,
    endpoint: `bench-device-${i}`,
    lifetime: 300,
    version: '1.1',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    contentFormats: [],
    objectLinks: ['/1/0', '/3/0', '/3303/0', '/3303/1'].map((uri) => ({ uri, attributes: new Map() })),
    objects: new Map([
      [1, { version: '1.0', instances: [0] }],
      [3, { version: '1.0', instances: [0] }],
      [3303, { version: '1.0', instances: [0, 1] }],
    ]),
    peer: { transport: 'udp', key: `udp:127.0.0.1:${20000 + (i % 40000)}`, address: '127.0.0.1', port: 20000 + (i % 40000) },
    registeredAt: now,
    lastUpdateAt: now,
    expiresAt: now + 300_000,
    extra: {},
  };
}

function observation(reg: Registration, i: number): StoredObservation {
  const path = LwM2mPath.parse('/3303/0/5700');
  const token = new Uint8Array(8);
  new DataView(token.buffer).setUint32(0, i);
  return {
    observation: { id: `o${i}`, registrationId: reg.id, endpoint: reg.endpoint, paths: [path], composite: false, token, format: 112, createdAt: reg.registeredAt },
    request: { op: 'observe', path },
    downlink: { op: 'observe', path, accept: 112 },
  };
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** mutations per second over `n` devices: register, observe, update, de-register each */
async function run(store: ServerStore, n: number, turn: number): Promise<number> {
  const now = Date.now();
  const regs = Array.from({ length: n }, (_, i) => registration(i, now));
  let ops = 0;
  const t0 = performance.now();
  const step = async (): Promise<void> => {
    if (++ops % turn === 0) await nextTurn();
  };
  for (const r of regs) {
    store.add(r);
    await step();
  }
  for (let i = 0; i < n; i++) {
    store.addObservation(observation(regs[i]!, i));
    await step();
  }
  for (const r of regs) {
    store.update({ ...r, lastUpdateAt: now + 1, expiresAt: now + 300_001 });
    await step();
  }
  for (const r of regs) {
    store.remove(r.id);
    await step();
  }
  await nextTurn();
  return ops / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const n = Math.max(1, Number(args.registrations));
  const turns = args.turn.split(',').map((t) => Math.max(1, Number(t)));
  for (const turn of turns) {
    const mem = await run(new MemoryStore(), n, turn);
    const dir = mkdtempSync(join(tmpdir(), 'lwm2m-bench-store-'));
    try {
      const file = FileStore.open({ dir });
      const fileRate = await run(file, n, turn);
      await file.close();
      const line = (name: string, rate: number): string => `${name.padEnd(7)} ${n} devices, ${turn} mutation(s) a turn: ${Math.round(rate).toLocaleString('en')} mutations/s`;
      process.stdout.write(`${line('memory', mem)}\n${line('file', fileRate)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

void main();
