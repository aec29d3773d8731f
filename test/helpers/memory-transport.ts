/**
 * An in-process binding for core tests: the server's downlinks are answered by scripted
 * fake devices (one handler per peer), and tests play the clients' side by calling
 * typed uplinks (handleUplink) and notifications through it. No sockets.
 */
import { TransportError } from '../../src/lwm2m/transport.js';
import type {
  DeviceTransport,
  DownlinkRequest,
  DownlinkResponse,
  Notification,
  Peer,
  SendOptions,
  Uplink,
  UplinkHandler,
  UplinkResult,
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

  /** A typed request from the client at `peer`. */
  uplink(peer: Peer, u: Uplink): Promise<UplinkResult> {
    return this.handler.handleUplink(peer, u);
  }

  /** Register with parameters like "ep=x&lt=60" (items split on '&'). */
  registerResult(peer: Peer, params: string, links: string | Uint8Array = '</>;rt="oma.lwm2m",</1/0>,</3/0>', contentFormat?: number): Promise<UplinkResult> {
    return this.uplink(peer, { kind: 'register', params: items(params), links: bytes(links), ...cf(contentFormat) });
  }

  /** Registers and returns the registration id (asserts created). */
  async register(peer: Peer, params: string, links = '</>;rt="oma.lwm2m",</1/0>,</3/0>'): Promise<string> {
    const res = await this.registerResult(peer, params, links, 40);
    if (res.code !== 'created') throw new Error(`register answered ${res.code}`);
    return res.registrationId;
  }

  /** Update with parameters like "lt=60&Q" and an optional new object list. */
  update(peer: Peer, id: string, params = '', links: string | Uint8Array = '', contentFormat?: number): Promise<UplinkResult> {
    return this.uplink(peer, { kind: 'update', registrationId: id, params: items(params), links: bytes(links), ...cf(contentFormat) });
  }

  deregister(peer: Peer, id: string): Promise<UplinkResult> {
    return this.uplink(peer, { kind: 'deregister', registrationId: id });
  }

  /** Send (the client reports values). */
  sendValues(peer: Peer, payload: string | Uint8Array, contentFormat?: number): Promise<UplinkResult> {
    return this.uplink(peer, { kind: 'send', payload: bytes(payload), ...cf(contentFormat) });
  }

  notify(peer: Peer, n: Notification): boolean {
    return this.handler.handleNotification(peer, n);
  }
}

function items(params: string): string[] {
  return params === '' ? [] : params.split('&');
}

function bytes(b: string | Uint8Array): Uint8Array {
  return typeof b === 'string' ? text(b) : b;
}

function cf(contentFormat: number | undefined): { contentFormat?: number } {
  return contentFormat !== undefined ? { contentFormat } : {};
}
