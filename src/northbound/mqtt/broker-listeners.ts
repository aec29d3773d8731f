/**
 * The embedded broker's listeners: MQTT over TCP, over WebSocket, and each over TLS
 * (mqtts, wss). A listener that cannot open fails with one line naming its config key.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { Logger } from '../../log.js';
import { FaceStartError } from '../face.js';
import { batchWrites } from './batched-writes.js';

/** The broker's certificate and key (PEM), and the CAs a client certificate must chain to (then one is required). */
export interface BrokerTlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer | null;
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

export type ListenerKind = 'TCP' | 'WebSocket' | 'TLS' | 'WebSocket TLS';

const KEYS: Record<ListenerKind, string> = {
  TCP: 'mqtt.embedded.port',
  WebSocket: 'mqtt.embedded.wsPort',
  TLS: 'mqtt.embedded.tls.port',
  'WebSocket TLS': 'mqtt.embedded.tls.wssPort',
};

const envOf = (key: string): string => 'LWM2MGW_' + key.split('.').map((k) => k.toUpperCase()).join('__');

export function listenError(e: NodeJS.ErrnoException, what: ListenerKind, host: string, port: number): Error {
  const key = KEYS[what];
  const where = `${what} ${host} port ${port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new BrokerStartError(`${where} is already in use: set another port with the config key ${key} (or ${envOf(key)})`, key, e.code);
    case 'EACCES':
      return new BrokerStartError(`${where}: permission denied: choose a port above 1023 with the config key ${key} (or ${envOf(key)})`, key, e.code);
    case 'EADDRNOTAVAIL':
      return new BrokerStartError(`${where}: no such local address: check the config key mqtt.embedded.host`, 'mqtt.embedded.host', e.code);
    default:
      return new BrokerStartError(`${where}: ${e.message}`, key, e.code);
  }
}

/** Listens; rejects with the operator's line for `what`. */
export function listenOn(server: TcpServer | HttpServer, what: ListenerKind, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(listenError(e as NodeJS.ErrnoException, what, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

function tlsOptions(tls: BrokerTlsMaterial): { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requestCert: boolean; rejectUnauthorized: boolean } {
  const withCa = tls.ca != null;
  return { cert: tls.cert, key: tls.key, ...(withCa ? { ca: tls.ca! } : {}), requestCert: withCa, rejectUnauthorized: withCa };
}

export interface StreamListenerHooks {
  /** tracks a new raw socket, or closes it (connection limit): false when closed */
  admit(socket: Socket): boolean;
  /** an MQTT stream to hand to the broker */
  handle(stream: Duplex, req?: IncomingMessage): void;
  log: Logger;
}

/** MQTT straight over TCP, or over TLS when `tls` is given (a client certificate is required when it has a CA). */
export function createMqttServer(hooks: StreamListenerHooks, tls?: BrokerTlsMaterial): TcpServer {
  if (!tls) {
    return createTcpServer((socket) => {
      socket.on('error', () => undefined);
      if (!hooks.admit(socket)) return;
      batchWrites(socket);
      hooks.handle(socket);
    });
  }
  const server = createTlsServer(tlsOptions(tls), (socket: TLSSocket) => {
    socket.on('error', () => undefined);
    if (socket.destroyed) return;
    batchWrites(socket);
    hooks.handle(socket);
  });
  trackRawSockets(server, hooks);
  server.on('tlsClientError', (e) => hooks.log.debug('mqtt broker: TLS handshake failed', { error: e.message }));
  return server;
}

function trackRawSockets(server: TcpServer | HttpServer, hooks: StreamListenerHooks): void {
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => undefined);
    hooks.admit(socket);
  });
}

/** MQTT over WebSocket (any path), over TLS (wss) when `tls` is given; `sockets` collects the open WebSockets. */
export function createWebSocketListener(hooks: StreamListenerHooks, sockets: Set<WebSocket>, tls?: BrokerTlsMaterial): { http: HttpServer; wss: WebSocketServer } {
  const refuse = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: upgrade required\n');
  };
  const http: HttpServer = tls ? createHttpsServer(tlsOptions(tls), refuse) : createHttpServer(refuse);
  trackRawSockets(http, hooks);
  if (tls) http.on('tlsClientError', (e: Error) => hooks.log.debug('mqtt broker: TLS handshake failed (WebSocket)', { error: e.message }));
  const wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : (protocols.values().next().value ?? false)) });
  wss.on('connection', (ws, req) => {
    sockets.add(ws);
    ws.once('close', () => sockets.delete(ws));
    const stream = createWebSocketStream(ws);
    stream.on('error', () => undefined);
    hooks.handle(stream, req);
  });
  wss.on('error', () => undefined);
  return { http, wss };
}
