/**
 * A whole gateway with the oneM2M face on port 0, mapping files written to a temporary
 * folder, and helpers to read the CSE as an application would (admin originator).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { m2m, type M2mResponse } from '../../helpers/onem2m-http.js';

export const MAPPINGS: Record<string, string> = {
  'semantic.yaml': `
devices: { endpoint: "sem-*" }
targets:
  - object: 3303
    observe: { resources: [5700] }
    onem2m:
      mode: semantic
      mni: 100
      commands:
        reset: { execute: 5605 }
        apptype: { write: 5750 }
`,
  'transparent.yaml': `
devices: { endpoint: "tr-*" }
onem2m: { mode: transparent }
targets:
  - object: 3303
    observe: { resources: [5700] }
`,
  'send.yaml': `
devices: { endpoint: "send-*" }
targets:
  - object: 3303
    onem2m: { mode: semantic }
`,
  'watch.yaml': `
devices: { endpoint: "watch-*" }
targets:
  - object: 3303
    onem2m: { mode: semantic }
`,
  'flex.yaml': `
devices: { endpoint: "flex-*" }
targets:
  - object: 3311
    observe: {}
    onem2m:
      mode: flexContainer
      specialization: "cod:light"
      attributes: { onOff: 5850, dimmer: 5851 }
      commands:
        power: { write: 5850 }
`,
};

export function gatewayConfig(dir: string, cseUrl: string | null, onDeregister: 'offline' | 'delete' = 'offline'): GatewayConfig {
  const c = structuredClone(DEFAULT_CONFIG);
  c.coap = { ...c.coap, port: 0, address: '127.0.0.1' };
  c.mqtt.enabled = false;
  c.rest.enabled = false;
  c.store = { type: 'memory' };
  c.mappings = { dir, watch: false };
  c.onem2m = { ...c.onem2m, enabled: true, cse: { ...c.onem2m.cse, url: cseUrl }, notify: { host: '127.0.0.1', port: 0 }, embedded: { ...c.onem2m.embedded, port: 0, allowed: { 'sem-1': ['Cdashboard'] } }, retry: { min: 0.05, max: 0.2 }, onDeregister };
  return c;
}

export function mappingDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-onem2m-'));
  for (const [name, text] of Object.entries(MAPPINGS)) writeFileSync(join(dir, name), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startGateway(config: GatewayConfig): Promise<Gateway> {
  const g = new Gateway(config);
  await g.start();
  return g;
}

/** Polls `path` on the CSE (as the admin) until `pred` holds for the answer. */
export async function until(base: string, path: string, pred: (r: M2mResponse) => boolean, what: string, ms = 10_000): Promise<M2mResponse> {
  const deadline = Date.now() + ms;
  let last: M2mResponse | undefined;
  while (Date.now() < deadline) {
    last = await m2m(base, 'GET', path, { origin: 'CAdmin' });
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: last answer ${last?.rsc} ${JSON.stringify(last?.body)?.slice(0, 300)}`);
}

export async function waitFor(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
