/**
 * REST reads round trip to devices: `concurrency` keep-alive HTTP clients each reading
 * `GET /api/devices/{endpoint}/{path}` in a loop over the endpoints, for `seconds`.
 */
import { Agent, request } from 'node:http';
import { percentiles, type Percentiles } from './stats.js';

export interface RestLoadResult {
  readsPerSecond: number;
  ok: number;
  failed: number;
  latencyMs: Percentiles;
}

export async function restReads(port: number, endpoints: readonly string[], path: string, seconds: number, concurrency = 64): Promise<RestLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let ok = 0;
  let failed = 0;
  let next = 0;
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const ep = endpoints[next++ % endpoints.length]!;
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port, path: `/api/devices/${encodeURIComponent(ep)}${path}`, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) {
            ok++;
            samples.push(performance.now() - t0);
          } else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { readsPerSecond: ok / elapsed, ok, failed, latencyMs: percentiles(samples) };
}
