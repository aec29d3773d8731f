/**
 * A run's own key prefix on a shared Redis (bench and tests with the Redis store), and
 * deleting every key below it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A fresh prefix: `lwm2m-<what>:<name>:<random>:`. */
export function runPrefix(what: string, name: string): string {
  return `lwm2m-${what}:${name}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key below the prefixes (SCAN, never KEYS: the Redis may be shared). */
export async function deletePrefixes(url: string, prefixes: readonly string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    for (const p of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await c.scan(cursor, 'MATCH', `${p.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
        if (keys.length > 0) await c.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    c.disconnect();
  }
}
