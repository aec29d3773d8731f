/** A whole Gateway on a free UDP port, for tests that talk to it with third-party clients. */
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import type { Registration } from '../../../src/lwm2m/server/types.js';

export interface Started {
  gateway: Gateway;
  port: number;
  stop(): Promise<void>;
}

export async function startGateway(patch: (c: GatewayConfig) => void = () => {}): Promise<Started> {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap.port = 0;
  config.coap.address = '127.0.0.1';
  config.lwm2m.requestTimeout = 10;
  // the southbound alone: no broker, no HTTP, no mappings
  config.mqtt.enabled = false;
  config.rest.enabled = false;
  config.mappings.dir = null;
  patch(config);
  const gateway = new Gateway(config);
  await gateway.start();
  return { gateway, port: gateway.port!, stop: () => gateway.stop() };
}

/** Resolves with the next registration event of `endpoint` (or rejects after `ms`). */
export function nextEvent(
  gateway: Gateway,
  event: 'registered' | 'updated' | 'deregistered' | 'expired',
  endpoint: string,
  ms = 8000,
): Promise<Registration> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      gateway.server.off(event, on);
      reject(new Error(`no ${event} event for ${endpoint} within ${ms} ms`));
    }, ms);
    const on = (reg: Registration): void => {
      if (reg.endpoint !== endpoint) return;
      clearTimeout(timer);
      gateway.server.off(event, on);
      resolve(reg);
    };
    gateway.server.on(event, on);
  });
}
