/**
 * The `coaps` binding: LwM2M over CoAP over DTLS 1.2, configured by the `dtls` section (off
 * by default): pre-shared keys (TLS_PSK_WITH_AES_128_CCM_8, _CBC_SHA256) and, with a server
 * key, certificates or raw public keys (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, _CBC_SHA256).
 * The CoAP message layer runs on the DTLS endpoint; peers carry `transport: 'dtls'` and the
 * authenticated identity with its mode (PSK identity, raw public key, certificate CN).
 */
import type { GatewayConfig } from '../../config/schema.js';
import type { Binding, BindingContext, BindingStats, ListenAddress } from '../binding.js';
import { BindingStartError } from '../binding.js';
import { CoapMessageLayer } from '../coap/coap-message-layer.js';
import { Lwm2mOverCoap } from '../coap/uplink-map.js';
import { DtlsDatagramEndpoint } from './dtls-endpoint.js';
import type { PskLookup } from './session.js';
import { CredentialsError, loadServerCredentials } from './server-credentials.js';
import type { ServerCredentials } from './server-credentials.js';
import { SUITE_NAMES, isEcdheSuite } from './suite-negotiation.js';

type DtlsConfig = GatewayConfig['dtls'];

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
  /** why the server credentials could not be read: start() refuses with it */
  private failure: BindingStartError | undefined;

  constructor(
    private readonly config: DtlsConfig,
    private readonly psk: PskLookup | undefined,
    ctx: BindingContext,
  ) {
    let server: ServerCredentials | undefined;
    try {
      server = loadServerCredentials(config);
    } catch (e) {
      if (!(e instanceof CredentialsError)) throw e;
      this.failure = new BindingStartError(e.key, e.message);
    }
    const suites = config.cipherSuites.flatMap((name) => SUITE_NAMES[name] ?? []);
    if (!server && !this.failure && suites.every(isEcdheSuite)) {
      this.failure = new BindingStartError('dtls.privateKey', 'dtls.cipherSuites allows only ECDHE_ECDSA suites, which need dtls.privateKey');
    }
    const endpoint = new DtlsDatagramEndpoint({
      psk: (id) => this.lookup(id),
      ...(server ? { server } : {}),
      suites,
      port: config.port,
      address: config.address,
      log: ctx.logger,
      connectionIdLength: config.connectionIdLength,
      sessionCacheSize: config.sessionCacheSize,
      sessionLifetimeMs: config.sessionLifetimeSec * 1000,
    });
    this.transport = new CoapDtlsTransport(endpoint, new Lwm2mOverCoap(ctx.handler, ctx.downloads), ctx.config.coap.blockSize, ctx.logger);
  }

  async start(): Promise<ListenAddress> {
    if (this.failure) throw this.failure;
    this.lookup = this.psk ?? (() => undefined);
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

  stats(): BindingStats {
    const c = this.transport.dtls.counters;
    return { refused: { ...c.refused, ...this.transport.refusedDatagrams() }, handshakes: { completed: c.handshakesCompleted, failed: c.handshakesFailed } };
  }
}

/** The binding when `dtls.enabled`; its PSKs from the credentials store unless another lookup is given. */
export function dtlsBinding(ctx: BindingContext, psk?: PskLookup): Binding | undefined {
  const c = ctx.config.dtls;
  if (!c.enabled) return undefined;
  const credentials = ctx.credentials;
  return new DtlsBinding(c, psk ?? (credentials ? (id) => credentials.pskFor(id) : undefined), ctx);
}
