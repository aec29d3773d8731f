/**
 * The whole state of a Redis store read in one MULTI (the four hashes at one instant), as
 * the records that rebuild it: registrations, then observations in the order they were
 * added, queues, credentials, bootstrap credentials and configs. An entry that is not JSON is counted and skipped.
 */
import type { Redis } from 'ioredis';
import { HASH } from './mirror.js';
import type { MirrorRecord } from './mirror.js';

export interface Snapshot {
  records: MirrorRecord[];
  /** entries that could not be read */
  bad: number;
}

export async function readSnapshot(client: Redis, prefix: string): Promise<Snapshot> {
  const read = await client
    .multi()
    .hgetall(prefix + HASH.reg)
    .hgetall(prefix + HASH.obs)
    .hgetall(prefix + HASH.queue)
    .hgetall(prefix + HASH.sec)
    .hgetall(prefix + HASH.bsec)
    .hgetall(prefix + HASH.bscfg)
    .exec();
  const [regs, obs, queues, secs, bsecs, bscfgs] = (read ?? []).map(([e, v]) => {
    if (e) throw e;
    return v as Record<string, string>;
  });
  let bad = 0;
  const parse = (hash: Record<string, string> | undefined): [string, unknown][] =>
    Object.entries(hash ?? {}).flatMap(([key, text]): [string, unknown][] => {
      try {
        return [[key, JSON.parse(text)]];
      } catch {
        bad++;
        return [];
      }
    });
  const records: MirrorRecord[] = [];
  const wrapped = (k: MirrorRecord['k'], op: string, entries: [string, unknown][]): void => {
    for (const [key, value] of entries) {
      const w = (value ?? {}) as { o?: string; v?: unknown };
      records.push({ k, op, key, v: w.v, ...(typeof w.o === 'string' ? { o: w.o } : {}) });
    }
  };
  const seqOf = (e: [string, unknown]): number => Number((e[1] as { s?: unknown } | null)?.s) || 0;
  wrapped('reg', 'add', parse(regs));
  wrapped('obs', 'add', parse(obs).sort((x, y) => seqOf(x) - seqOf(y)));
  for (const [key, v] of parse(queues)) records.push({ k: 'queue', op: 'set', key, v });
  for (const [key, v] of parse(secs)) records.push({ k: 'sec', op: 'put', key, v });
  for (const [key, v] of parse(bsecs)) records.push({ k: 'bsec', op: 'put', key, v });
  for (const [key, v] of parse(bscfgs)) records.push({ k: 'bscfg', op: 'put', key, v });
  return { records, bad };
}
