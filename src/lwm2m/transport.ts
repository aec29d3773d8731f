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
  /** authenticated identity (DTLS PSK identity, hex of a raw public key, certificate CN), if any */
  identity?: string;
  /** how `identity` was proven: the security mode whose stored credentials it must match */
  identityMode?: 'psk' | 'rpk' | 'x509';
}

/** Whether two peers carry the same authenticated identity (or both none). */
export function sameIdentity(a: Peer, b: Peer): boolean {
  return a.identity === b.identity && a.identityMode === b.identityMode;
}

/**
 * LwM2M response codes of downlinks and notifications as text: "2.05", "4.04" (LwM2M
 * numbers its codes like CoAP in every binding; MQTT sends 205). Bindings map theirs to these.
 */
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
  /** false: the binding carries no Observe (HTTP: the client reports with Send); undefined: it does */
  readonly supportsObserve?: boolean;
  send(peer: Peer, request: DownlinkRequest, options?: SendOptions): Promise<DownlinkResponse>;
  /** Forget per-peer state of an observation (passive cancel); later notifications with this token get a RST. */
  forgetObservation?(peer: Peer, token: Uint8Array): void;
  /**
   * An observation the server kept across a restart (a persistent store): from now on the
   * binding takes notifications with `request.token` as it would had it sent `request`
   * (the observe, with its path, root path and Accept) and seen it accepted.
   */
  restoreObservation?(peer: Peer, request: DownlinkRequest): void;
  /** Hands every message to and from `peer` to `sink` from now on; undefined: stop. Costs nothing for peers not traced. */
  tracePeer?(peer: Peer, sink: MessageTraceSink | undefined): void;
}

/**
 * One message to or from a traced device, as the binding saw it on the wire. Every text
 * field is bounded and made of what the binding decoded; the payload appears as a short
 * hex prefix only.
 */
export interface MessageTraceRecord {
  direction: 'in' | 'out';
  /** bytes of the datagram (DTLS: the plaintext) */
  size: number;
  /** CON, NON, ACK, RST; absent: not a well-formed message (`malformed` says why) */
  type?: string;
  /** "0.01" (GET), "2.05"... */
  code?: string;
  mid?: number;
  /** hex */
  token?: string;
  /** "Uri-Path=rd Content-Format=11543 ..." (values cut, at most a few options) */
  options?: string;
  payloadSize?: number;
  /** hex of the first bytes of the payload, "..." appended when cut */
  payloadHex?: string;
  malformed?: string;
}

export type MessageTraceSink = (record: MessageTraceRecord) => void;

/**
 * Register and Update parameters by their LwM2M names, as `name=value` text items
 * (`ep=dev1`, `lt=300`, `lwm2m=1.1`, `b=UQ`, `sms=...`, valueless `Q`), in the order
 * received. This is the notation of the LwM2M interfaces: CoAP and HTTP carry it as the
 * query as is; a binding with other fields (MQTT's CBOR keys) writes its values so. The
 * core checks them (a repeated name, a bad lifetime: badRequest).
 */
export type UplinkParams = readonly string[];

/** Register: the parameters and the object list (link format). */
export interface RegisterUplink {
  kind: 'register';
  params: UplinkParams;
  links: Uint8Array;
  contentFormat?: number;
}

/** Update of the registration the binding found by its id; `links` empty: no new object list. */
export interface UpdateUplink {
  kind: 'update';
  registrationId: string;
  params: UplinkParams;
  links: Uint8Array;
  contentFormat?: number;
}

export interface DeregisterUplink {
  kind: 'deregister';
  registrationId: string;
}

/** Send (LwM2M 1.1+): reported values, the sender known by its peer. */
export interface SendUplink {
  kind: 'send';
  payload: Uint8Array;
  contentFormat?: number;
}

/** Bootstrap-Request: the endpoint asks for its bootstrap configuration. */
export interface BootstrapRequestUplink {
  kind: 'bootstrapRequest';
  params: UplinkParams;
}

/** Bootstrap-Pack-Request (LwM2M 1.2): the whole bootstrap configuration in one answer. */
export interface BootstrapPackUplink {
  kind: 'bootstrapPack';
  params: UplinkParams;
  accept?: number;
}

/** A request from a client, typed. Notifications and responses to downlinks come separately. */
export type Uplink = RegisterUplink | UpdateUplink | DeregisterUplink | SendUplink | BootstrapRequestUplink | BootstrapPackUplink;

/** The outcomes the core gives an uplink; each binding has its own wire form for them. */
export type UplinkErrorCode =
  | 'badRequest'
  | 'forbidden'
  | 'notFound'
  | 'methodNotAllowed'
  | 'notAcceptable' // no answer in a format the client accepts (Bootstrap-Pack)
  | 'preconditionFailed' // unsupported LwM2M version
  | 'requestEntityTooLarge'
  | 'unsupportedContentFormat'
  | 'tooManyRequests'
  | 'internalServerError'
  | 'notImplemented'
  | 'serviceUnavailable';

export type UplinkResult =
  /** registered: the binding tells the client how to address its registration (CoAP: Location-Path) */
  | { code: 'created'; registrationId: string }
  | { code: 'changed' }
  | { code: 'deleted' }
  /** a body for the client (Bootstrap-Pack) */
  | { code: 'content'; contentFormat?: number; payload: Uint8Array }
  /** refused or failed; `retryAfter`: seconds before the client may try again (too many, full) */
  | { code: UplinkErrorCode; retryAfter?: number };

export type UplinkResultCode = UplinkResult['code'];

/**
 * LwM2M's numbers of the results (the codes of RFC 7252 12.1.2, which every LwM2M binding
 * uses: CoAP as its response code, the MQTT binding as 201, 404...), also how operators
 * know them in log lines.
 */
export const RESULT_NUMBERS: Readonly<Record<UplinkResultCode, string>> = {
  created: '2.01',
  deleted: '2.02',
  changed: '2.04',
  content: '2.05',
  badRequest: '4.00',
  forbidden: '4.03',
  notFound: '4.04',
  methodNotAllowed: '4.05',
  notAcceptable: '4.06',
  preconditionFailed: '4.12',
  requestEntityTooLarge: '4.13',
  unsupportedContentFormat: '4.15',
  tooManyRequests: '4.29',
  internalServerError: '5.00',
  notImplemented: '5.01',
  serviceUnavailable: '5.03',
};

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
  handleUplink(peer: Peer, uplink: Uplink): Promise<UplinkResult>;
  /** false: no such observation (the binding answers RST / cancels) */
  handleNotification(peer: Peer, notification: Notification): boolean;
}
