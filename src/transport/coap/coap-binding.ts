/**
 * The `coap` binding: LwM2M over CoAP on UDP, configured by the `coap` section, with the
 * operator's line for each way the socket can fail to bind.
 */
import type { GatewayConfig } from '../../config/schema.js';
import type { Binding, BindingContext, BindingStats, ListenAddress } from '../binding.js';
import { BindingStartError } from '../binding.js';
import { CoapUdpTransport } from './coap-udp-transport.js';

type CoapConfig = GatewayConfig['coap'];

/** One line naming the config key for a bind failure; the error itself when it is no socket error. */
export function bindFailure(e: unknown, c: Pick<CoapConfig, 'address' | 'port'>): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return e;
  const where = `UDP ${c.address} port ${c.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new BindingStartError('coap.port', `${where} is already in use: set another port with the config key coap.port (or LWM2MGW_COAP__PORT)`);
    case 'EACCES':
      return new BindingStartError('coap.port', `${where}: permission denied: choose a port above 1023 with coap.port`);
    case 'EADDRNOTAVAIL':
      return new BindingStartError('coap.address', `${where}: no such local address: check coap.address`);
    // a name or a malformed address: dgram looks it up (getaddrinfo) and fails
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EINVAL':
      return new BindingStartError('coap.address', `${where}: not an IP address of this host (${code}): check coap.address (or LWM2MGW_COAP__ADDRESS)`);
    default:
      return new BindingStartError('coap.address', `${where}: cannot listen (${code}): check coap.address and coap.port`);
  }
}

class CoapBinding implements Binding {
  readonly scheme = 'coap';
  readonly transport: CoapUdpTransport;

  constructor(
    private readonly config: CoapConfig,
    ctx: BindingContext,
  ) {
    this.transport = new CoapUdpTransport({
      handler: ctx.handler,
      port: config.port,
      address: config.address,
      blockSize: config.blockSize,
      recvBufferSize: config.recvBufferSize,
      logger: ctx.logger,
      ...(ctx.downloads ? { downloads: ctx.downloads } : {}),
      ...(ctx.coapEndpoint ? { endpoint: ctx.coapEndpoint } : {}),
    });
  }

  async start(): Promise<ListenAddress> {
    try {
      const { port } = await this.transport.start();
      return { scheme: this.scheme, transport: 'coap+udp', address: this.config.address, port };
    } catch (e) {
      throw bindFailure(e, this.config);
    }
  }

  stop(): Promise<void> {
    return this.transport.stop();
  }

  stats(): BindingStats {
    return { refused: this.transport.refusedDatagrams() };
  }
}

export function coapBinding(ctx: BindingContext): Binding {
  return new CoapBinding(ctx.config.coap, ctx);
}
