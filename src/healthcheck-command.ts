/**
 * `lwm2m-gateway healthcheck`: asks the running gateway's /readyz (the REST port of the
 * same config and environment) and exits 0 when it is ready, 1 otherwise. The container's
 * HEALTHCHECK runs it.
 */
import type { LoadedConfig } from './config/load.js';
import { isLoopback } from './config/exposure.js';

/** where the gateway of this config answers: its host unless that means every address */
export function readyzUrl(loaded: LoadedConfig): string {
  const { host, port } = loaded.config.rest;
  const h = host === null || host === '0.0.0.0' || host === '::' || isLoopback(host) ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}/readyz`;
}

export async function healthcheckCommand(loaded: LoadedConfig, timeoutMs = 4000): Promise<number> {
  if (!loaded.config.rest.enabled) {
    process.stderr.write('healthcheck: rest.enabled is false, so there is no /readyz to ask\n');
    return 1;
  }
  const url = readyzUrl(loaded);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.text()).slice(0, 2000);
    if (res.status === 200) return 0;
    process.stderr.write(`healthcheck: ${url} answered ${res.status}: ${body}\n`);
    return 1;
  } catch (e) {
    process.stderr.write(`healthcheck: ${url}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
