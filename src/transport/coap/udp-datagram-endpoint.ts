/**
 * The UDP socket under the CoAP message layer: binds (with the IPv4 fallback of
 * udp-listen.ts), grows the receive buffer, turns source addresses into peers and sends
 * datagrams. Knows nothing of CoAP.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Peer } from '../../lwm2m/transport.js';
import type { CoapLogger } from './context.js';
import type { DatagramEndpoint } from './datagram-endpoint.js';
import { bindListener, bindUdpSocket } from './udp-listen.js';
import { TRANSPORT_NAME, reachableUdpPeer, udpPeer, wireAddress } from './udp-peer.js';

export interface UdpEndpointOptions {
  /** default 5683; 0 picks a free port */
  port?: number;
  /** default '::' (IPv6 and IPv4); '0.0.0.0' or another IPv4 address listens on IPv4 only */
  address?: string;
  /** SO_RCVBUF in bytes (the kernel caps it); 0 keeps the system's default (default 4 MiB) */
  recvBufferSize?: number;
  log: CoapLogger;
}

const DEFAULT_RECV_BUFFER = 4 * 1024 * 1024;

export class UdpDatagramEndpoint implements DatagramEndpoint {
  readonly name = TRANSPORT_NAME;
  private socket: Socket | undefined;
  private family: 'udp4' | 'udp6' = 'udp6';
  private receive: (peer: Peer, datagram: Buffer) => void = () => {};
  private raw: ((datagram: Buffer, address: string, port: number) => void) | undefined;
  /** one callback for every send (no closure per datagram) */
  private readonly sent = (err: Error | null): void => {
    if (err) this.options.log.debug('coap: send failed', { error: String(err) });
  };

  constructor(private readonly options: UdpEndpointOptions) {}

  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  onDatagram(receive: (peer: Peer, datagram: Buffer) => void): void {
    this.receive = receive;
  }

  /** Datagrams with their source as the socket reports it, no Peer made (a front that only forwards them: src/workers/); instead of onDatagram. */
  onRawDatagram(receive: (datagram: Buffer, address: string, port: number) => void): void {
    this.raw = receive;
  }

  /** Binds the socket; a bind error is thrown as Node reports it (EADDRINUSE...). */
  async open(): Promise<{ port: number }> {
    if (this.socket) return { port: this.socket.address().port };
    const address = this.options.address ?? '::';
    const port = this.options.port ?? 5683;
    const log = this.options.log;
    // a machine without IPv6 still serves IPv4 when "::" (the default) was asked for
    const socket = await bindListener((type, a) => this.bind(type, a, port), address, log);
    this.socket = socket;
    const raw = this.raw;
    if (raw) socket.on('message', (buf: Buffer, rinfo: RemoteInfo) => raw(buf, rinfo.address, rinfo.port));
    else socket.on('message', (buf: Buffer, rinfo: RemoteInfo) => this.receive(udpPeer(rinfo.address, rinfo.port), buf));
    socket.on('error', (err) => log.warn('coap: socket error', { error: String(err) }));
    return { port: socket.address().port };
  }

  private async bind(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket> {
    const s = await bindUdpSocket(type, address, port);
    this.family = type;
    this.growReceiveBuffer(s);
    return s;
  }


  private growReceiveBuffer(s: Socket): void {
    const want = this.options.recvBufferSize ?? DEFAULT_RECV_BUFFER;
    if (!(want > 0)) return;
    try {
      if (s.getRecvBufferSize() < want) s.setRecvBufferSize(want);
    } catch (err) {
      this.options.log.warn('coap: could not set the socket receive buffer', { bytes: want, error: String(err) });
    }
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** The socket's receive buffer in bytes as the kernel reports it (while open). */
  receiveBufferSize(): number | undefined {
    return this.socket?.getRecvBufferSize();
  }

  address(): AddressInfo | undefined {
    try {
      return this.socket?.address();
    } catch {
      return undefined;
    }
  }

  peerFor(peer: Peer): Peer | undefined {
    return reachableUdpPeer(peer);
  }

  send(peer: Peer, datagram: Buffer): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.send(datagram, peer.port, wireAddress(peer.address, this.family), this.sent);
    } catch (err) {
      this.options.log.debug('coap: send failed', { peer: peer.key, error: String(err) });
    }
  }
}
