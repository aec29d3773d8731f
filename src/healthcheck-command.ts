/**
 * `lwm2m-gateway healthcheck`: asks the running gateway's /readyz (the REST port of the
 * same config and environment) and exits 0 when it is ready, 1 otherwise. The container's
 * HEALTHCHECK runs it.
 */
import { get as httpsGet } from 'node:https';
import type { LoadedConfig } from './config/load.js';
import { isLoopback } from './config/exposure.js';

/** where the gateway of this config answers: its host unless that means every address */
export function readyzUrl(loaded: LoadedConfig): string {
  const { host, port, tls } = loaded.config.rest;
  const h = host === null || host === '0.0.0.0' || host === '::' || isLoopback(host) ? '127.0.0.1' : host;
  return `${tls?.cert && tls.key ? 'https' : 'http'}://${h.includes(':') ? `[${h}]` : h}:${port}/readyz`;
}

export async function healthcheckCommand(loaded: LoadedConfig, timeoutMs = 4000): Promise<number> {
  if (!loaded.config.rest.enabled) {
    process.stderr.write('healthcheck: rest.enabled is false, so there is no /readyz to ask\n');
    return 1;
  }
  const url = readyzUrl(loaded);
  try {
    const res = url.startsWith('https:') ? await askOwnHttps(url, timeoutMs) : await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(async (r) => ({ status: r.status, body: await r.text() }));
    if (res.status === 200) return 0;
    process.stderr.write(`healthcheck: ${url} answered ${res.status}: ${res.body.slice(0, 2000)}\n`);
    return 1;
  } catch (e) {
    process.stderr.write(`healthcheck: ${url}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/**
 * GET over HTTPS from this host's own gateway: the certificate is not checked (it names
 * the public host, not the address asked here), only the status is read.
 */
function askOwnHttps(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 2000) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
