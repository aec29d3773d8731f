/**
 * The embedded MQTT broker: aedes (MQTT 3.1.1) behind a TCP listener and, optionally, a
 * WebSocket listener, with logins (one shared login and/or users with topic rights, see
 * broker-access.ts), the gateway's own output topics closed to clients, a maximum packet size
 * and a maximum number of connections. The broker itself owns no listener (it takes
 * streams); this class owns the listeners and every client socket, so stop() leaves
 * nothing open.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { silentLogger, type Logger } from '../../log.js';
import { FaceStartError } from '../face.js';
import { batchWrites } from './batched-writes.js';
import { BrokerAccess } from './broker-access.js';
import { usersProblem, type BrokerUser } from './broker-acl.js';
import { exactDedupe } from './exact-dedupe.js';
import { topicMatches } from './link-subscriptions.js';
import type { OutputTopics } from './output-topics.js';
import { limitPacketSize } from './packet-size-guard.js';

/** Default maximum packet size: 256 KiB. */
export const DEFAULT_MAX_PACKET_SIZE = 256 * 1024;
/** Default maximum number of client connections (TCP and WebSocket together). */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

export interface EmbeddedBrokerOptions {
  /** MQTT over TCP; 0 picks a free port */
  port: number;
  /** listen address for both listeners, default "0.0.0.0" */
  host?: string;
  /** MQTT over WebSocket (any path); null/undefined: off; 0 picks a free port */
  wsPort?: number | null;
  /** when set, clients may log in with these (each one that is set must match): every right but the gateway's output topics */
  username?: string | null;
  password?: string | null;
  /** logins with their own topic rights; when there are any, every client must log in */
  users?: readonly BrokerUser[];
  /** the topics only the gateway publishes to (asked on each client publish); none when absent */
  outputTopics?: () => OutputTopics;
  /** largest MQTT packet a client may send, bytes (default 256 KiB); a larger one closes the connection */
  maxPacketSize?: number;
  /** most client connections at once, TCP and WebSocket together (default 10,000; null: no limit) */
  maxConnections?: number | null;
  logger?: Logger;
}

/** A start failure meant for the operator: one line naming the config key to change. */
export class BrokerStartError extends FaceStartError {
  constructor(
    message: string,
    /** the config key at fault, e.g. "mqtt.embedded.port" */
    readonly key: string,
    /** the underlying errno code (EADDRINUSE...) when there is one */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'BrokerStartError';
  }
}

export { sameSecret } from './broker-access.js';

function listenError(e: NodeJS.ErrnoException, what: 'TCP' | 'WebSocket', host: string, port: number): Error {
  const key = what === 'TCP' ? 'mqtt.embedded.port' : 'mqtt.embedded.wsPort';
  const env = what === 'TCP' ? 'LWM2MGW_MQTT__EMBEDDED__PORT' : 'LWM2MGW_MQTT__EMBEDDED__WSPORT';
  const where = `${what} ${host} port ${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new BrokerStartError(`${where} is already in use: set another port with the config key ${key} (or ${env})`, key, e.code);
    case 'EACCES':
      return new BrokerStartError(`${where}: permission denied: choose a port above 1023 with the config key ${key} (or ${env})`, key, e.code);
    case 'EADDRNOTAVAIL':
      return new BrokerStartError(`${where}: no such local address: check the config key mqtt.embedded.host`, 'mqtt.embedded.host', e.code);
    default:
      return new BrokerStartError(`${where}: ${e.message}`, key, e.code);
  }
}

function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private tcp: TcpServer | undefined;
  private http: HttpServer | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly webSockets = new Set<WebSocket>();
  private readonly log: Logger;
  private ports: { port: number; wsPort: number | null } | undefined;
  /** filters (QoS > 0) subscribed by persistent sessions: they may hold messages while offline */
  private readonly persistentFilters = new Set<string>();
  private refusedPublishes = 0;
  private oversizePackets = 0;
  private refusedConnections = 0;

  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.log = options.logger ?? silentLogger;
  }

  /** The aedes instance (after start), for in-process publish/subscribe. */
  get aedes(): Aedes | undefined {
    return this.broker;
  }

  /**
   * False only when no client and no in-process listener can receive a non-retained
   * message on `topic` now: no subscription of a connected client matches it, and no
   * persistent session (clean = false) ever subscribed to a filter that matches it (those
   * keep QoS 1 messages while offline). True when unsure (broker not running).
   */
  hasSubscribers(topic: string): boolean {
    const broker = this.broker;
    if (!broker || broker.closed) return true;
    const matcher = (broker as unknown as { mq?: { _matcher?: { match?: (t: string) => unknown[] } } }).mq?._matcher;
    if (typeof matcher?.match !== 'function') return true;
    if (matcher.match(topic).length > 0) return true;
    if (this.persistentFilters.size > 1000) return true; // too many to scan for every message
    for (const filter of this.persistentFilters) if (topicMatches(filter, topic)) return true;
    return false;
  }

  get running(): boolean {
    return this.broker !== undefined && !this.broker.closed;
  }

  /** The bound ports (after start). */
  get address(): { port: number; wsPort: number | null } | undefined {
    return this.ports;
  }

  /** Starts aedes and the listeners; rejects with a {@link BrokerStartError} when a port is taken. */
  async start(): Promise<{ port: number; wsPort: number | null }> {
    if (this.ports) return this.ports;
    const host = this.options.host ?? '0.0.0.0';
    const users = this.options.users ?? [];
    const problem = usersProblem(users);
    if (problem) throw new BrokerStartError(problem, 'mqtt.embedded.users');
    const maxPacketSize = this.options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    const access = new BrokerAccess({ ...this.options, logger: this.log, onRefusedPublish: () => this.refusedPublishes++ });
    const broker = await Aedes.createBroker(access.hooks());
    this.persistentFilters.clear(); // a new broker has an empty in-memory store
    broker.on('subscribe', (subs, client) => {
      if (client && !client.clean) for (const sub of subs) if (sub.qos > 0) this.persistentFilters.add(sub.topic);
    });
    broker.on('clientError', (client, e) => this.log.debug('mqtt broker: client error', { client: client.id, error: e.message }));
    broker.on('connectionError', (_client, e) => this.log.debug('mqtt broker: connection error', { error: e.message }));
    this.broker = broker;
    const handle = (stream: Duplex, req?: Parameters<Aedes['handle']>[1]): void => {
      const client = broker.handle(stream, req);
      exactDedupe(client);
      limitPacketSize(client, maxPacketSize, () => {
        this.oversizePackets++;
        this.log.debug('mqtt broker: packet over the maximum size, connection closed', { maxPacketSize });
      });
    };
    try {
      const tcp = createTcpServer((socket) => {
        socket.on('error', () => undefined);
        if (!this.admit(socket)) return;
        batchWrites(socket);
        handle(socket);
      });
      this.tcp = tcp;
      let port: number;
      try {
        port = await listen(tcp, this.options.port, host);
      } catch (e) {
        throw listenError(e as NodeJS.ErrnoException, 'TCP', host, this.options.port);
      }
      let wsPort: number | null = null;
      if (this.options.wsPort != null) {
        const http = createHttpServer((_req, res) => {
          res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: upgrade required\n');
        });
        http.on('connection', (socket) => {
          socket.on('error', () => undefined);
          this.admit(socket);
        });
        this.http = http;
        const wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.values().next().value ?? false) });
        wss.on('connection', (ws, req) => {
          this.webSockets.add(ws);
          ws.once('close', () => this.webSockets.delete(ws));
          const stream = createWebSocketStream(ws);
          stream.on('error', () => undefined);
          handle(stream, req);
        });
        wss.on('error', () => undefined);
        this.wss = wss;
        try {
          wsPort = await listen(http, this.options.wsPort, host);
        } catch (e) {
          throw listenError(e as NodeJS.ErrnoException, 'WebSocket', host, this.options.wsPort);
        }
      }
      this.ports = { port, wsPort };
      this.log.info('MQTT broker listening', { host, port, wsPort: wsPort ?? undefined, auth: access.loginRequired ? 'login' : 'none', users: access.userCount, maxPacketSize });
      return this.ports;
    } catch (e) {
      await this.closeAll();
      throw e;
    }
  }

  /** Counts since start: publishes (and wills) refused by the topic rights, connections closed for a packet too large or one too many. */
  stats(): { refusedPublishes: number; oversizePackets: number; refusedConnections: number } {
    return { refusedPublishes: this.refusedPublishes, oversizePackets: this.oversizePackets, refusedConnections: this.refusedConnections };
  }

  /** Tracks a new client socket, or closes it when the connection limit is reached. */
  private admit(socket: Socket): boolean {
    const max = this.options.maxConnections === undefined ? DEFAULT_MAX_CONNECTIONS : this.options.maxConnections;
    if (max !== null && this.sockets.size >= max) {
      this.refusedConnections++;
      if (this.refusedConnections === 1 || this.refusedConnections % 1000 === 0) {
        this.log.warn('mqtt broker: connection limit reached, connection closed', { maxConnections: max, refused: this.refusedConnections });
      }
      socket.destroy();
      return false;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return true;
  }

  /** Closes the listeners, every client connection and the broker. */
  async stop(): Promise<void> {
    await this.closeAll();
  }

  private async closeAll(): Promise<void> {
    const broker = this.broker;
    const tcp = this.tcp;
    const http = this.http;
    const wss = this.wss;
    this.broker = undefined;
    this.tcp = undefined;
    this.http = undefined;
    this.wss = undefined;
    this.ports = undefined;
    // stop accepting first, then close what is open
    const closing: Promise<void>[] = [];
    if (tcp) closing.push(closeServer(tcp));
    if (http) closing.push(closeServer(http));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (wss) {
      for (const ws of this.webSockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
    for (const s of this.sockets) s.destroy();
    await Promise.all(closing);
    this.webSockets.clear();
    this.sockets.clear();
  }
}
