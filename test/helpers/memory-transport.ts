/**
 * An in-process binding for core tests: the server's downlinks are answered by scripted
 * fake devices (one handler per peer), and tests play the clients' side by calling
 * handleRequest / handleNotification through it. No sockets.
 */
import { TransportError } from '../../src/lwm2m/transport.js';
import type {
  DeviceTransport,
  DownlinkRequest,
  DownlinkResponse,
  Notification,
  Peer,
  SendOptions,
  UplinkHandler,
  UplinkMethod,
  UplinkResponse,
} from '../../src/lwm2m/transport.js';

export type DeviceHandler = (request: DownlinkRequest, peer: Peer) => DownlinkResponse | Promise<DownlinkResponse>;

export interface SentRecord {
  peer: Peer;
  request: DownlinkRequest;
  options: SendOptions | undefined;
}

export const MEMORY_TRANSPORT = 'mem';

export function memPeer(port: number, address = '10.0.0.1', identity?: string): Peer {
  return {
    transport: MEMORY_TRANSPORT,
    key: `${MEMORY_TRANSPORT}:${address}:${port}`,
    address,
    port,
    ...(identity !== undefined ? { identity } : {}),
  };
}

/** A promise that never settles: a device that does not answer. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export class MemoryTransport implements DeviceTransport {
  readonly name = MEMORY_TRANSPORT;
  readonly sent: SentRecord[] = [];
  readonly forgotten: { peer: Peer; token: Uint8Array }[] = [];
  private readonly devices = new Map<string, DeviceHandler>();
  /** answer for peers without a device: a rejection like an unreachable address */
  fallback: DeviceHandler = () => {
    throw new TransportError('UNREACHABLE', 'no device at this address');
  };

  constructor(private readonly handler: UplinkHandler) {}

  /** Scripts the device answering at `peer` (by key). */
  device(peer: Peer, handler: DeviceHandler): void {
    this.devices.set(peer.key, handler);
  }

  async send(peer: Peer, request: DownlinkRequest, options?: SendOptions): Promise<DownlinkResponse> {
    this.sent.push({ peer, request, options });
    const h = this.devices.get(peer.key) ?? this.fallback;
    return h(request, peer);
  }

  forgetObservation(peer: Peer, token: Uint8Array): void {
    this.forgotten.push({ peer, token });
  }

  /** A client request: `path` like "/rd?ep=x&lt=60" (query items split on '&'). */
  request(peer: Peer, method: UplinkMethod, path: string, payload?: string | Uint8Array, contentFormat?: number): Promise<UplinkResponse> {
    const [p, q] = path.split('?', 2);
    const uriPath = (p ?? '').split('/').filter((s) => s !== '');
    const uriQuery = q === undefined || q === '' ? [] : q.split('&');
    const body = typeof payload === 'string' ? text(payload) : (payload ?? new Uint8Array());
    return this.handler.handleRequest(peer, {
      method,
      uriPath,
      uriQuery,
      payload: body,
      ...(contentFormat !== undefined ? { contentFormat } : {}),
    });
  }

  /** Registers and returns the registration id (asserts 2.01). */
  async register(peer: Peer, query: string, links = '</>;rt="oma.lwm2m",</1/0>,</3/0>'): Promise<string> {
    const res = await this.request(peer, 'POST', `/rd?${query}`, links, 40);
    if (res.code !== '2.01' || !res.location) throw new Error(`register answered ${res.code}`);
    return res.location[1] ?? '';
  }

  notify(peer: Peer, n: Notification): boolean {
    return this.handler.handleNotification(peer, n);
  }
}
