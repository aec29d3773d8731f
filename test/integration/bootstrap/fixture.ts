/** A Gateway with its Bootstrap Server on free UDP ports, and the bootstrap events it reports. */
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { Gateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/log.js';
import type { BootstrapEvent } from '../../../src/lwm2m/bootstrap/index.js';
import { parseBootstrapConfig } from '../../../src/lwm2m/bootstrap/index.js';
import { BootstrapTestClient } from '../../helpers/lwm2m-bootstrap-client.js';
import type { BootstrapClientOptions } from '../../helpers/lwm2m-bootstrap-client.js';

export interface BootstrapFixture {
  gateway: Gateway;
  /** the plain CoAP bootstrap port */
  port: number;
  events: BootstrapEvent[];
  /** stores a config (plain JSON as REST takes it) for `endpoint` ('' = the default) */
  configure(endpoint: string, raw: unknown): void;
  client(options: Omit<BootstrapClientOptions, 'serverPort'>): Promise<BootstrapTestClient>;
  /** resolves with the first `finished` or `failed` event of the endpoint from now on */
  ended(endpoint: string, ms?: number): Promise<BootstrapEvent>;
  stop(): Promise<void>;
}

export const PSK_HEX = '000102030405060708090a0b0c0d0e0f';

export const SERVER_CONFIG = {
  servers: [{ shortServerId: 1, uri: 'coaps://gw.example:5684', securityMode: 'psk', identity: 'dev-id', key: PSK_HEX, lifetime: 300, binding: 'U' }],
  // MQTT Server: Clean Session, Keep Alive, Client Identifier
  objects: { '/24/0': { 3: true, 5: 60, 6: 'dev-client' } },
};

export async function startBootstrap(patch: (c: GatewayConfig) => void = () => {}): Promise<BootstrapFixture> {
  const config = structuredClone(DEFAULT_CONFIG);
  config.coap.port = 0;
  config.coap.address = '127.0.0.1';
  config.mqtt.enabled = false;
  config.rest.enabled = false;
  config.mappings.dir = null;
  config.log.level = 'silent';
  config.store.type = 'memory'; // nothing of a test outlives it
  config.bootstrap = { ...config.bootstrap, enabled: true, port: 0, address: '127.0.0.1', requestTimeout: 2, sessionTimeout: 20 };
  patch(config);
  const logger = process.env.BOOTSTRAP_TEST_LOG ? createLogger('debug') : undefined;
  const gateway = new Gateway(config, logger ? { logger } : {});
  await gateway.start();
  const events: BootstrapEvent[] = [];
  gateway.bootstrap.on('bootstrap', (e) => events.push(e));
  const clients: BootstrapTestClient[] = [];
  const port = gateway.ports['bootstrap'] as number;
  return {
    gateway,
    port,
    events,
    configure(endpoint, raw) {
      const r = parseBootstrapConfig(raw);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      gateway.server.store.bootstrap.put(endpoint, r.config);
    },
    async client(options) {
      const c = await new BootstrapTestClient({ serverPort: port, ...options }).open();
      clients.push(c);
      return c;
    },
    ended(endpoint, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no end of a bootstrap session of ${endpoint}`)), ms);
        const on = (e: BootstrapEvent): void => {
          if (e.endpoint !== endpoint || (e.type !== 'finished' && e.type !== 'failed')) return;
          clearTimeout(timer);
          gateway.bootstrap.off('bootstrap', on);
          resolve(e);
        };
        gateway.bootstrap.on('bootstrap', on);
      });
    },
    async stop() {
      for (const c of clients) await c.close();
      await gateway.stop();
    },
  };
}
