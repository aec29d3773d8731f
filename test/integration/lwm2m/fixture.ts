/**
 * The gateway's LwM2M server on a real CoAP/UDP transport (port 0, short timing), with
 * test clients that register against it; `stop()` closes everything it opened.
 */
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import type { LwM2mServerOptions, Registration, ServerEvents } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { CoapUdpTransport } from '../../../src/transport/coap/index.js';
import type { CoapUdpTransportOptions } from '../../../src/transport/coap/index.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import type { TestClientOptions } from '../../helpers/lwm2m-test-client.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';

export interface FixtureOptions {
  server?: Partial<LwM2mServerOptions>;
  transport?: Partial<Omit<CoapUdpTransportOptions, 'handler'>>;
}

export type ClientOptions = Omit<TestClientOptions, 'serverPort'>;

export class Fixture {
  readonly clients: Lwm2mTestClient[] = [];

  private constructor(
    readonly server: LwM2mServer,
    readonly transport: CoapUdpTransport,
    readonly port: number,
  ) {}

  static async start(o: FixtureOptions = {}): Promise<Fixture> {
    const server = new LwM2mServer({ models: ModelRegistry.withBuiltins(), requestTimeoutMs: 4000, ...o.server, store: o.server?.store ?? new MemoryStore() });
    const transport = new CoapUdpTransport({
      handler: server,
      port: 0,
      address: '127.0.0.1',
      timing: { ackTimeoutMs: 300, ackRandomFactor: 1, maxRetransmit: 3 },
      requestTimeoutMs: 4000,
      ...o.transport,
    });
    server.addTransport(transport);
    server.start();
    const { port } = await transport.start();
    return new Fixture(server, transport, port);
  }

  /** A started client (not registered). */
  async client(o: ClientOptions): Promise<Lwm2mTestClient> {
    const c = await new Lwm2mTestClient({ timing: { ackTimeoutMs: 200 }, ...o, serverPort: this.port }).start();
    this.clients.push(c);
    return c;
  }

  /** A client registered (2.01 received and the `registered` event seen). */
  async registered(o: ClientOptions): Promise<{ client: Lwm2mTestClient; registration: Registration }> {
    const c = await this.client(o);
    const seen = this.event('registered', (r) => r.endpoint === o.endpoint);
    const r = await c.register();
    if (r.code !== '2.01') throw new Error(`register answered ${r.code}`);
    const [registration] = await seen;
    return { client: c, registration };
  }

  /** The next event `name` whose arguments satisfy `pred`. */
  event<K extends keyof ServerEvents>(name: K, pred: (...args: ServerEvents[K]) => boolean = () => true, timeoutMs = 5000): Promise<ServerEvents[K]> {
    return new Promise((resolve, reject) => {
      const emitter = this.server as unknown as {
        on(n: string, f: (...a: unknown[]) => void): void;
        off(n: string, f: (...a: unknown[]) => void): void;
      };
      const timer = setTimeout(() => {
        emitter.off(name, listener);
        reject(new Error(`no ${String(name)} event in ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (...args: unknown[]): void => {
        if (!pred(...(args as ServerEvents[K]))) return;
        clearTimeout(timer);
        emitter.off(name, listener);
        resolve(args as ServerEvents[K]);
      };
      emitter.on(name, listener);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.stop()));
    await this.server.stop();
    await this.transport.stop();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
