/**
 * The real Redis the Redis store tests run against (REDIS_URL, default
 * redis://127.0.0.1:6379), whether it answers, and a unique key prefix per test that is
 * deleted afterwards.
 */
import { Redis } from 'ioredis';
import { deletePrefixes as deleteBelow, runPrefix } from '../../bench/redis-prefix.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** undefined when Redis answers PING; otherwise why the tests are skipped */
export async function redisMissing(): Promise<string | undefined> {
  const c = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  let error: string | undefined;
  c.on('error', (e: Error) => (error ??= e.message));
  try {
    await c.connect();
    await c.ping();
    return undefined;
  } catch (e) {
    return `no Redis at ${REDIS_URL} (${error ?? (e instanceof Error ? e.message : String(e))})`;
  } finally {
    c.disconnect();
  }
}

/** A fresh prefix for one test's keys. */
export function testPrefix(name: string): string {
  return runPrefix('test', name);
}

/** Deletes every key below the prefixes. */
export function deletePrefixes(prefixes: readonly string[]): Promise<void> {
  return deleteBelow(REDIS_URL, prefixes);
}
