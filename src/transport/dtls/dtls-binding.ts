/**
 * The `coaps` binding: LwM2M over CoAP over DTLS 1.2 with pre-shared keys, configured by
 * the `dtls` section (off by default); suites TLS_PSK_WITH_AES_128_CCM_8 and _CBC_SHA256. The CoAP message layer runs on the DTLS endpoint;
 * peers carry `transport: 'dtls'` and the authenticated PSK identity.
 */
import type { GatewayConfig } from '../../config/schema.js';
import type { Binding, BindingContext, ListenAddress } from '../binding.js';
import { BindingStartError } from '../binding.js';
import { CoapMessageLayer } from '../coap/coap-message-layer.js';
import { Lwm2mOverCoap } from '../coap/uplink-map.js';
import { DtlsDatagramEndpoint } from './dtls-endpoint.js';
import type { PskLookup } from './session.js';
import { MAX_IDENTITY } from './handshake-message.js';

type DtlsConfig = GatewayConfig['dtls'];

const MAX_KEY = 64;

function isHex(s: string): boolean {
  if (s.length === 0 || s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** A PskLookup over the `dtls.psk` list of the config; throws BindingStartError on a bad entry. */
export function configPskLookup(entries: DtlsConfig['psk']): PskLookup {
  const keys = new Map<string, Buffer>();
  entries.forEach((e, i) => {
    const id = Buffer.from(e.identity, 'utf8');
    if (id.length === 0 || id.length > MAX_IDENTITY) throw new BindingStartError(`dtls.psk.${i}.identity`, `dtls.psk entry ${i}: the identity must be 1 to ${MAX_IDENTITY} bytes`);
    if (!isHex(e.key) || e.key.length / 2 > MAX_KEY) throw new BindingStartError(`dtls.psk.${i}.key`, `dtls.psk entry ${i}: the key must be 1 to ${MAX_KEY} bytes in hex`);
    keys.set(id.toString('hex'), Buffer.from(e.key, 'hex'));
  });
  return (identity) => keys.get(identity.toString('hex'));
}

/** CoAP over DTLS: the CoAP message layer on DTLS sessions. */
export class CoapDtlsTransport extends CoapMessageLayer {
  constructor(readonly dtls: DtlsDatagramEndpoint, handler: ConstructorParameters<typeof CoapMessageLayer>[1]['handler'], blockSize?: number, logger?: BindingContext['logger']) {
    super(dtls, { handler, ...(blockSize !== undefined ? { blockSize } : {}), ...(logger ? { logger } : {}) });
  }

  async start(): Promise<{ port: number }> {
    const r = await this.dtls.open();
    this.resumeMessages();
    return r;
  }

  async stop(): Promise<void> {
    this.stopMessages();
    await this.dtls.close();
  }
}

class DtlsBinding implements Binding {
  readonly scheme = 'coaps';
  readonly transport: CoapDtlsTransport;
  private lookup: PskLookup = () => undefined;

  constructor(
    private readonly config: DtlsConfig,
    private readonly psk: PskLookup | undefined,
    ctx: BindingContext,
  ) {
    const endpoint = new DtlsDatagramEndpoint({ psk: (id) => this.lookup(id), port: config.port, address: config.address, log: ctx.logger });
    this.transport = new CoapDtlsTransport(endpoint, new Lwm2mOverCoap(ctx.handler), ctx.config.coap.blockSize, ctx.logger);
  }

  async start(): Promise<ListenAddress> {
    // a bad dtls.psk entry stops the start with its config key (BindingStartError)
    this.lookup = this.psk ?? configPskLookup(this.config.psk);
    try {
      const { port } = await this.transport.start();
      return { scheme: this.scheme, transport: 'coap+dtls', address: this.config.address, port };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException | undefined)?.code;
      if (typeof code !== 'string') throw e;
      const key = code === 'EADDRINUSE' || code === 'EACCES' ? 'dtls.port' : 'dtls.address';
      throw new BindingStartError(key, `UDP ${this.config.address} port ${this.config.port}: cannot listen for DTLS (${code}): check ${key}`);
    }
  }

  stop(): Promise<void> {
    return this.transport.stop();
  }
}

/** The binding when `dtls.enabled`; its PSKs from `dtls.psk` unless another lookup is given. */
export function dtlsBinding(ctx: BindingContext, psk?: PskLookup): Binding | undefined {
  const c = ctx.config.dtls;
  if (!c.enabled) return undefined;
  return new DtlsBinding(c, psk, ctx);
}
