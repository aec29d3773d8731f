/**
 * The embedded MQTT broker: aedes (MQTT 3.1.1) behind a TCP listener and, optionally, a
 * WebSocket listener and their TLS twins (mqtts, wss; broker-listeners.ts), with logins (one shared login and/or users with topic rights, see
 * broker-access.ts), the gateway's own output topics closed to clients, a maximum packet size
 * and a maximum number of connections. The broker itself owns no listener (it takes
 * streams); this class owns the listeners and every client socket, so stop() leaves
 * nothing open.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as TcpServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import type { WebSocket, WebSocketServer } from 'ws';
import { silentLogger, type Logger } from '../../log.js';
import { BrokerAccess } from './broker-access.js';
import type { BrokerTopicRule } from '../face.js';
import { BrokerStartError, closeServer, createMqttServer, createWebSocketListener, listenOn, type BrokerTlsMaterial, type StreamListenerHooks } from './broker-listeners.js';
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
  /** MQTT over TLS (mqtts) and, with wssPort, over WebSocket TLS (wss); absent: off */
  tls?: (BrokerTlsMaterial & { port: number; wssPort?: number | null }) | null;
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
  /** a rule for topics the composition root gives to another part (the LwM2M/MQTT binding) */
  topicRule?: BrokerTopicRule;
  logger?: Logger;
}

export { BrokerStartError, type BrokerTlsMaterial } from './broker-listeners.js';
export { sameSecret } from './broker-access.js';

/** Where the broker listens: null for a listener that is off. */
export interface BrokerPorts {
  port: number;
  wsPort: number | null;
  tlsPort: number | null;
  wssPort: number | null;
}

export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private servers: (TcpServer | HttpServer)[] = [];
  private wsServers: WebSocketServer[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly webSockets = new Set<WebSocket>();
  private readonly log: Logger;
  private ports: BrokerPorts | undefined;
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
  get address(): BrokerPorts | undefined {
    return this.ports;
  }

  /** Starts aedes and the listeners; rejects with a {@link BrokerStartError} when a port is taken. */
  async start(): Promise<BrokerPorts> {
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
    const hooks: StreamListenerHooks = {
      admit: (socket) => this.admit(socket),
      handle: (stream: Duplex, req?: Parameters<Aedes['handle']>[1]): void => {
        const client = broker.handle(stream, req);
        exactDedupe(client);
        limitPacketSize(client, maxPacketSize, () => {
          this.oversizePackets++;
          this.log.debug('mqtt broker: packet over the maximum size, connection closed', { maxPacketSize });
        });
      },
      log: this.log,
    };
    const tls = this.options.tls ?? undefined;
    try {
      const port = await this.open(createMqttServer(hooks), 'TCP', this.options.port, host);
      const wsPort = this.options.wsPort == null ? null : await this.openWebSocket(hooks, undefined, this.options.wsPort, host);
      const tlsPort = tls ? await this.open(createMqttServer(hooks, tls), 'TLS', tls.port, host) : null;
      const wssPort = tls && tls.wssPort != null ? await this.openWebSocket(hooks, tls, tls.wssPort, host) : null;
      this.ports = { port, wsPort, tlsPort, wssPort };
      this.log.info('MQTT broker listening', {
        host,
        port,
        wsPort: wsPort ?? undefined,
        tlsPort: tlsPort ?? undefined,
        wssPort: wssPort ?? undefined,
        clientCertificates: tls ? tls.ca != null : undefined,
        auth: access.loginRequired ? 'login' : 'none',
        users: access.userCount,
        maxPacketSize,
      });
      return this.ports;
    } catch (e) {
      await this.closeAll();
      throw e;
    }
  }

  private open(server: TcpServer | HttpServer, what: Parameters<typeof listenOn>[1], port: number, host: string): Promise<number> {
    this.servers.push(server);
    return listenOn(server, what, port, host);
  }

  private openWebSocket(hooks: StreamListenerHooks, tls: BrokerTlsMaterial | undefined, port: number, host: string): Promise<number> {
    const { http, wss } = createWebSocketListener(hooks, this.webSockets, tls);
    this.wsServers.push(wss);
    return this.open(http, tls ? 'WebSocket TLS' : 'WebSocket', port, host);
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

  /** Closes the listeners; the clients connected stay until stop(). */
  stopAccepting(): void {
    for (const server of this.servers) if (server.listening) server.close();
  }

  /** Closes the listeners, every client connection and the broker. */
  async stop(): Promise<void> {
    await this.closeAll();
  }

  private async closeAll(): Promise<void> {
    const broker = this.broker;
    const servers = this.servers;
    const wsServers = this.wsServers;
    this.broker = undefined;
    this.servers = [];
    this.wsServers = [];
    this.ports = undefined;
    // stop accepting first, then close what is open
    const closing = servers.map(closeServer);
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const ws of this.webSockets) ws.terminate();
    await Promise.all(wsServers.map((wss) => new Promise<void>((resolve) => wss.close(() => resolve()))));
    for (const s of this.sockets) s.destroy();
    await Promise.all(closing);
    this.webSockets.clear();
    this.sockets.clear();
  }
}
