/**
 * The embedded MQTT broker: aedes (MQTT 3.1.1) behind a TCP listener and, optionally, a
 * WebSocket listener, with optional username/password authentication. The broker itself owns
 * no listener (it takes streams); this class owns the listeners and every client socket, so
 * stop() leaves nothing open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { silentLogger, type Logger } from '../../log.js';
import { batchWrites } from './batched-writes.js';
import { exactDedupe } from './exact-dedupe.js';
import { topicMatches } from './link-subscriptions.js';

export interface EmbeddedBrokerOptions {
  /** MQTT over TCP; 0 picks a free port */
  port: number;
  /** listen address for both listeners, default "0.0.0.0" */
  host?: string;
  /** MQTT over WebSocket (any path); null/undefined: off; 0 picks a free port */
  wsPort?: number | null;
  /** when set, clients must log in with these (each one that is set must match) */
  username?: string | null;
  password?: string | null;
  logger?: Logger;
}

/** A start failure meant for the operator: one line naming the config key to change. */
export class BrokerStartError extends Error {
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

/** aedes' return code for a refused login (CONNACK 4: bad user name or password). */
const BAD_USERNAME_OR_PASSWORD = 4;

function digest(s: string | Buffer): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares two secrets in time independent of where they differ (and of their lengths). */
export function sameSecret(given: string | Buffer | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

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
    const { username, password } = this.options;
    const auth = username != null || password != null;
    const broker = await Aedes.createBroker({
      authenticate: (_client, user, pass, done) => {
        if (!auth) return done(null, true);
        // evaluate both, so the time taken does not tell which one was wrong
        const okUser = username == null || sameSecret(user, username);
        const okPass = password == null || sameSecret(pass, password);
        if (okUser && okPass) return done(null, true);
        const err = new Error('bad user name or password') as AuthenticateError;
        (err as { returnCode: number }).returnCode = BAD_USERNAME_OR_PASSWORD;
        done(err, null);
      },
    });
    this.persistentFilters.clear(); // a new broker has an empty in-memory store
    broker.on('subscribe', (subs, client) => {
      if (client && !client.clean) for (const sub of subs) if (sub.qos > 0) this.persistentFilters.add(sub.topic);
    });
    broker.on('clientError', (client, e) => this.log.debug('mqtt broker: client error', { client: client.id, error: e.message }));
    broker.on('connectionError', (_client, e) => this.log.debug('mqtt broker: connection error', { error: e.message }));
    this.broker = broker;
    try {
      const tcp = createTcpServer((socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
        batchWrites(socket);
        exactDedupe(broker.handle(socket));
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
          this.sockets.add(socket);
          socket.once('close', () => this.sockets.delete(socket));
        });
        this.http = http;
        const wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.values().next().value ?? false) });
        wss.on('connection', (ws, req) => {
          this.webSockets.add(ws);
          ws.once('close', () => this.webSockets.delete(ws));
          const stream = createWebSocketStream(ws);
          stream.on('error', () => undefined);
          exactDedupe(broker.handle(stream, req));
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
      this.log.info('MQTT broker listening', { host, port, wsPort: wsPort ?? undefined, auth: auth ? 'login' : 'none' });
      return this.ports;
    } catch (e) {
      await this.closeAll();
      throw e;
    }
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
