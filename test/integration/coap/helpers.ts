/**
 * Test helpers for the CoAP/UDP transport: a recording stand-in for the request handler, a raw UDP peer
 * speaking bytes built by hand or with the message encoder, and a transport starter.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import type { Notification, Peer } from '../../../src/lwm2m/transport.js';
import type { CoapRequest, CoapRequestHandler, CoapResponse } from '../../../src/transport/coap/coap-request.js';
import { CoapUdpTransport } from '../../../src/transport/coap/coap-udp-transport.js';
import type { CoapUdpTransportOptions } from '../../../src/transport/coap/coap-udp-transport.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import { encodeMessage, parseMessage } from '../../../src/transport/coap/message.js';
import { udpPeer } from '../../../src/transport/coap/udp-peer.js';

export class RecordingHandler implements CoapRequestHandler {
  readonly requests: { peer: Peer; request: CoapRequest }[] = [];
  readonly notifications: { peer: Peer; notification: Notification }[] = [];
  onRequest: (peer: Peer, request: CoapRequest) => Promise<CoapResponse> | CoapResponse = () => ({ code: '2.04' });
  onNotification: (peer: Peer, n: Notification) => boolean = () => true;
  private waiters: (() => void)[] = [];

  handleRequest(peer: Peer, request: CoapRequest): Promise<CoapResponse> {
    this.requests.push({ peer, request });
    this.wake();
    return Promise.resolve(this.onRequest(peer, request));
  }

  handleNotification(peer: Peer, notification: Notification): boolean {
    this.notifications.push({ peer, notification });
    this.wake();
    return this.onNotification(peer, notification);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `cond` holds, checked after each request or notification. */
  async until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      const left = end - Date.now();
      if (left <= 0) throw new Error('condition not met in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export async function startTransport(
  handler: CoapRequestHandler,
  options: Partial<CoapUdpTransportOptions> = {},
): Promise<{ transport: CoapUdpTransport; port: number }> {
  const transport = new CoapUdpTransport({ port: 0, address: '127.0.0.1', handler, ...options });
  const { port } = await transport.start();
  return { transport, port };
}

export interface Received {
  message: CoapMessage | undefined;
  raw: Buffer;
  at: number;
}

/** A UDP socket that sends hand-made datagrams and queues what comes back. */
export class RawPeer {
  private readonly inbox: Received[] = [];
  private waiter: (() => void) | undefined;
  private constructor(
    readonly socket: Socket,
    readonly address: string,
  ) {
    socket.on('message', (raw) => {
      const r = parseMessage(raw);
      this.inbox.push({ message: r.ok ? r.message : undefined, raw, at: Date.now() });
      this.waiter?.();
    });
  }

  static async open(address = '127.0.0.1'): Promise<RawPeer> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    return new RawPeer(socket, address);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The Peer the transport sees for this socket. */
  get peer(): Peer {
    return udpPeer(this.address, this.port);
  }

  send(to: number, data: CoapMessage | Buffer, host = this.address): void {
    const buf = Buffer.isBuffer(data) ? data : encodeMessage(data, 65000);
    this.socket.send(buf, to, host);
  }

  /** The next datagram, or a rejection after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<Received> {
    const end = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = end - Date.now();
      if (left <= 0) throw new Error('no datagram in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.inbox.shift()!;
  }

  async nextMessage(timeoutMs = 2000): Promise<CoapMessage> {
    const r = await this.next(timeoutMs);
    if (!r.message) throw new Error(`unparsable datagram ${r.raw.toString('hex')}`);
    return r.message;
  }

  /** Waits `ms` and returns everything that arrived meanwhile. */
  async collect(ms: number): Promise<Received[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.splice(0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
