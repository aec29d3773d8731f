/**
 * The core's public types: registrations, typed operation requests and results, events.
 * Shared by registration.ts / server.ts (registration, queue, events) and
 * operations/ / observations.ts (encoding requests, decoding results and notifications).
 */
import type { LwM2mPath } from '../path.js';
import type { LwM2mNode, ObjectInstanceNode, TimestampedNodes } from '../node.js';
import type { Link } from '../codec/link-format.js';
import type { Peer } from '../transport.js';

/** One registered client, as the server keeps it. Immutable: an Update makes a new object. */
export interface Registration {
  /** registration id, the `<id>` of Location-Path `rd/<id>` */
  id: string;
  endpoint: string;
  /** seconds */
  lifetime: number;
  /** LwM2M enabler version announced (`lwm2m=`), "1.0" when absent */
  version: string;
  /** binding mode as announced: "U", "UQ", "T", "N", "M", "H"... */
  binding: string;
  /** queue mode (1.1+: valueless `Q`; 1.0: `b=UQ` etc.) */
  queueMode: boolean;
  smsNumber?: string;
  /** alternate path prefix ("/lwm2m") or "/" */
  rootPath: string;
  /** content formats the client announced with `ct` on the root link (may be empty) */
  contentFormats: number[];
  /** the object links as registered (object / instance links, root link excluded) */
  objectLinks: Link[];
  /** objectId -> { version announced via `ver` ("1.0" default), instance ids registered } */
  objects: Map<number, { version: string; instances: number[] }>;
  /** latest address the client spoke from (updated on every message: NAT) */
  peer: Peer;
  /** ms since epoch (Clock) */
  registeredAt: number;
  lastUpdateAt: number;
  expiresAt: number;
  /** other query parameters of the Register (`pid`, vendor ones) */
  extra: Record<string, string>;
}

/** Attributes for Write-Attributes; `null` unsets (sends the name without value). */
export interface Attributes {
  pmin?: number | null;
  pmax?: number | null;
  gt?: number | null;
  lt?: number | null;
  st?: number | null;
  epmin?: number | null;
  epmax?: number | null;
  edge?: 0 | 1 | null;
  con?: 0 | 1 | null;
  hqmax?: number | null;
}

export type PathLike = LwM2mPath | string;

export type OperationRequest =
  | { op: 'read'; path: PathLike; format?: number }
  | { op: 'discover'; path: PathLike; depth?: number }
  | { op: 'write'; path: PathLike; node: LwM2mNode; partial?: boolean; format?: number }
  | { op: 'writeAttributes'; path: PathLike; attributes: Attributes }
  | { op: 'execute'; path: PathLike; args?: string }
  | { op: 'create'; path: PathLike; instance: ObjectInstanceNode; format?: number }
  | { op: 'delete'; path: PathLike }
  /** `format`: response format; the request body uses the client's SenML format */
  | { op: 'readComposite'; paths: PathLike[]; format?: number }
  | { op: 'writeComposite'; nodes: Map<string, LwM2mNode | null>; format?: number }
  | { op: 'observe'; path: PathLike; format?: number }
  | { op: 'observeComposite'; paths: PathLike[]; format?: number }
  /** passive: forget locally (the next notification gets RST); active: GET with Observe=1 */
  | { op: 'cancelObserve'; path: PathLike; passive?: boolean }
  | { op: 'cancelObserveComposite'; paths: PathLike[]; passive?: boolean };

export type OperationName = OperationRequest['op'];

/** Why an operation produced no CoAP answer, or an answer that could not be used. */
export type OperationErrorCode =
  | 'NOT_REGISTERED' // no such endpoint
  | 'BAD_REQUEST' // the request itself is wrong (bad path, value not encodable, unsupported format)
  | 'TIMEOUT' // no response in time
  | 'QUEUE_EXPIRED' // queued for a sleeping client, TTL ran out
  | 'QUEUE_FULL'
  | 'CANCELLED' // registration ended or server stopped while waiting
  | 'TRANSPORT' // RST, unreachable, too large
  | 'NOT_SUPPORTED' // the device's binding does not carry the operation (Observe over HTTP); code 4.05
  | 'BAD_RESPONSE'; // the client answered a payload that does not decode

export interface OperationResult {
  /** CoAP response code "2.05", "4.04"...; undefined when the client never answered */
  code?: string;
  /** a 2.xx came back and its payload decoded */
  success: boolean;
  /** read, observe: the node at the request path */
  node?: LwM2mNode;
  /** composite read/observe: path string -> node (null: absent) */
  nodes?: Map<string, LwM2mNode | null>;
  /** notifications/reads with several timestamps (SenML, LwM2M CBOR): every record, oldest first */
  timestamped?: TimestampedNodes[];
  /** discover: the links */
  links?: Link[];
  /** create: the new instance's path, e.g. "/3303/1" */
  location?: string;
  contentFormat?: number;
  /** raw payload (always for non-2.xx with a body, and when decoding failed) */
  payload?: Uint8Array;
  error?: { code: OperationErrorCode; message: string };
  /** observe / observeComposite that succeeded */
  observationId?: string;
}

export interface Observation {
  id: string;
  registrationId: string;
  endpoint: string;
  /** one path for observe, several for observeComposite */
  paths: LwM2mPath[];
  composite: boolean;
  token: Uint8Array;
  /** response format requested (Accept) */
  format?: number;
  createdAt: number;
}

export interface NotificationEvent {
  registration: Registration;
  observation: Observation;
  /** single observe: the node at the observed path */
  node?: LwM2mNode;
  /** composite observe: path -> node */
  nodes?: Map<string, LwM2mNode | null>;
  /** notifications with history (SenML / LwM2M CBOR with timestamps): every record, oldest first */
  timestamped?: TimestampedNodes[];
  contentFormat?: number;
  /** the client's Observe sequence number */
  sequence?: number;
  /** ms since epoch (Clock) when received */
  receivedAt: number;
}

export interface SendEvent {
  registration: Registration;
  /** records grouped by timestamp, as decoded */
  data: TimestampedNodes[];
  contentFormat: number;
  receivedAt: number;
}

/** Events of LwM2mServer (an EventEmitter with these names). */
export type { TraceEvent } from './device-traces.js';
import type { TraceEvent } from './device-traces.js';

export interface ServerEvents {
  registered: [registration: Registration];
  /** previous: the registration before the Update */
  updated: [registration: Registration, previous: Registration];
  deregistered: [registration: Registration];
  expired: [registration: Registration];
  /** queue-mode client woke up (any message from it) */
  awake: [registration: Registration];
  /** queue-mode client's awake window ended */
  sleeping: [registration: Registration];
  notification: [event: NotificationEvent];
  send: [event: SendEvent];
  /** an observation ended (cancel, de-register, expiry, replaced by a new one, error code) */
  observationEnded: [observation: Observation, reason: string];
  /**
   * the client now speaks from another address or port: `registration.peer` is the new
   * one, `previous` the old one. `cause`: an Update came from there, or another message
   * of the client (a notification, a Send). Accepted (NAT rebinding is real) but worth
   * watching: whoever holds the registration id can move a registration.
   */
  addressChanged: [registration: Registration, previous: Peer, cause: 'update' | 'message'];
  /** a request to a device ended (emitted only while someone listens): for metrics */
  requestDone: [event: RequestDoneEvent];
  /** a message to or from a traced device (see traceDevice) */
  trace: [event: TraceEvent];
}

export interface RequestDoneEvent {
  endpoint: string;
  op: OperationRequest['op'];
  /** the registration's transport ("udp", "dtls"...); undefined: not registered */
  transport: string | undefined;
  /** the CoAP code ("2.05", "4.04") or the failure ("TIMEOUT", "NOT_REGISTERED"...) */
  result: string;
  /** from the call to the result, queueing for a sleeping client included */
  seconds: number;
}
