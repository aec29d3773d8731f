/**
 * What a southbound binding (CoAP/UDP, DTLS, MQTT, HTTP) and the LwM2M core say to
 * each other. The core speaks in LwM2M operations with encoded payloads; the binding
 * turns them into its wire messages. Nothing here knows a socket.
 */
import type { LwM2mPath } from './path.js';

/** Where a message came from. `key` is unique per transport endpoint (e.g. "udp:127.0.0.1:56830"). */
export interface Peer {
  /** name of the transport that carried it: 'udp', 'dtls', 'mqtt', 'http' */
  transport: string;
  key: string;
  address: string;
  port: number;
  /** authenticated identity (DTLS PSK identity, certificate CN), if any */
  identity?: string;
}

/** CoAP-style response codes as text: "2.05", "4.04". Every binding maps to and from these. */
export type ResponseCode = string;

export type DownlinkOp =
  | 'read'
  | 'discover'
  | 'write' // replace (PUT)
  | 'writePartial' // partial update (POST on instance)
  | 'writeAttributes'
  | 'execute'
  | 'create'
  | 'delete'
  | 'readComposite'
  | 'writeComposite'
  | 'observe'
  | 'observeComposite'
  | 'cancelObserve' // active cancel: GET + Observe=1 with the observation's token
  | 'cancelObserveComposite'
  | 'bootstrapRead'
  | 'bootstrapDiscover'
  | 'bootstrapWrite'
  | 'bootstrapDelete'
  | 'bootstrapFinish';

/** A request from the server to a client. */
export interface DownlinkRequest {
  op: DownlinkOp;
  /** the target path; root for composite operations and bootstrap finish */
  path: LwM2mPath;
  /** alternate path prefix announced at registration, e.g. "/lwm2m"; undefined or "/" for none */
  rootPath?: string;
  /** query parameters as sent: "pmin=10", "depth=2", or valueless "pmin" */
  query?: string[];
  contentFormat?: number;
  accept?: number;
  payload?: Uint8Array;
  /** observe/cancel: the token the core chose for this observation */
  token?: Uint8Array;
}

export interface DownlinkResponse {
  code: ResponseCode;
  contentFormat?: number;
  payload: Uint8Array;
  /** Location-Path segments (create: the new instance) */
  location?: string[];
  /** Observe sequence number when the client accepted an observation */
  observe?: number;
}

export interface SendOptions {
  /** how long to wait for the response, ms (the binding applies its own retransmissions within it) */
  timeoutMs?: number;
}

/** The reason a downlink failed without a response. */
export type TransportErrorCode = 'TIMEOUT' | 'RESET' | 'STOPPED' | 'UNREACHABLE' | 'TOO_LARGE';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** A binding as the core sees it. */
export interface DeviceTransport {
  readonly name: string;
  send(peer: Peer, request: DownlinkRequest, options?: SendOptions): Promise<DownlinkResponse>;
  /** Forget per-peer state of an observation (passive cancel); later notifications with this token get a RST. */
  forgetObservation?(peer: Peer, token: Uint8Array): void;
}

export type UplinkMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'PATCH' | 'iPATCH';

/** A request from a client: Register, Update, De-register, Send, Bootstrap-Request... */
export interface UplinkRequest {
  method: UplinkMethod;
  /** Uri-Path segments, e.g. ["rd", "abc"] */
  uriPath: string[];
  /** Uri-Query values, e.g. ["ep=dev1", "lt=300", "Q"] */
  uriQuery: string[];
  contentFormat?: number;
  accept?: number;
  payload: Uint8Array;
}

export interface UplinkResponse {
  code: ResponseCode;
  /** seconds after which the client may retry (CoAP Max-Age of a 4.29 or 5.03) */
  maxAge?: number;
  location?: string[];
  contentFormat?: number;
  payload?: Uint8Array;
}

/** A notification for an observation the core started. */
export interface Notification {
  token: Uint8Array;
  code: ResponseCode;
  contentFormat?: number;
  payload: Uint8Array;
  observe?: number;
}

/** What the core offers a binding. */
export interface UplinkHandler {
  handleRequest(peer: Peer, request: UplinkRequest): Promise<UplinkResponse>;
  /** false: no such observation (the binding answers RST / cancels) */
  handleNotification(peer: Peer, notification: Notification): boolean;
}
