/**
 * What the northbound faces (MQTT, REST, ...) see of the core: the events, the
 * registrations and their queue-mode state, the observations, and the device-management
 * methods, one per operation, each a thin wrapper building a typed OperationRequest for
 * request(). LwM2mServer implements it; a face never types against the server itself.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { LwM2mNode, ObjectInstanceNode } from '../node.js';
import type { ModelProvider } from '../model/types.js';
import { LwM2mPath } from '../path.js';
import type { RequestOptions } from './core.js';
import type { SecurityStore } from './security.js';
import type { DeviceTrace, TraceStartResult } from './device-traces.js';
import type { Attributes, Observation, OperationRequest, OperationResult, PathLike, Registration, ServerEvents } from './types.js';

/** The registrations a face looks up, and their queue-mode state. */
export interface RegistrationDirectory {
  /** The time every registration field and event is stamped with. */
  readonly clock: Clock;
  /** The current registration of an endpoint. */
  getRegistration(endpoint: string): Registration | undefined;
  /** Every current registration. */
  registrations(): Registration[];
  /** Not in queue mode, or in its awake window: a request goes out at once. */
  isAwake(endpoint: string): boolean;
  /** Requests waiting for a sleeping queue-mode client. */
  queuedRequests(endpoint: string): number;
  /** Whether the device's binding carries Observe (false over HTTP: the device reports with Send; an Observe answers 4.05). */
  supportsObserve(endpoint: string): boolean;
}

/** What valueNode needs to type a plain value (JSON, YAML, an MQTT payload): the object models. */
export interface ValueContext {
  readonly models: ModelProvider;
}

/** The clients' credentials (PSK, raw public key, X.509), kept by the store; keys never leave the gateway. */
export interface CredentialsDirectory {
  readonly credentials: SecurityStore;
}

/** Message traces of single devices, on and off at run time (lines in the log, 'trace' events). */
export interface DeviceTraceControl {
  /** Traces a registered device for `seconds` (1..86400; again: the new time counts from now). */
  traceDevice(endpoint: string, seconds: number): TraceStartResult;
  /** Ends a device's trace; false when it had none. */
  stopTrace(endpoint: string): boolean;
  /** The device's trace in force, if any. */
  deviceTrace(endpoint: string): DeviceTrace | undefined;
}

/** All a northbound face may use of the core: events, operations, registrations, credentials, traces (LwM2mServer is one). */
export type CoreApi = DeviceManagementApi & RegistrationDirectory & CredentialsDirectory & DeviceTraceControl;

const fmt = (o: { format?: number }): { format?: number } => (o.format !== undefined ? { format: o.format } : {});

export abstract class DeviceManagementApi extends EventEmitter<ServerEvents> {
  /** Sends `req` (queued for a sleeping queue-mode client). Never rejects: failures are results. */
  abstract request(endpoint: string, req: OperationRequest, opts?: RequestOptions): Promise<OperationResult>;

  /** Established observations of an endpoint's current registration. */
  abstract observations(endpoint: string): Observation[];

  read(endpoint: string, path: PathLike, opts: RequestOptions & { format?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'read', path, ...fmt(opts) }, opts);
  }

  discover(endpoint: string, path: PathLike, opts: RequestOptions & { depth?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'discover', path, ...(opts.depth !== undefined ? { depth: opts.depth } : {}) }, opts);
  }

  /** Replace (PUT), or with `partial` a partial update (POST on an instance). */
  write(endpoint: string, path: PathLike, node: LwM2mNode, opts: RequestOptions & { partial?: boolean; format?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'write', path, node, ...(opts.partial ? { partial: true } : {}), ...fmt(opts) }, opts);
  }

  writeAttributes(endpoint: string, path: PathLike, attributes: Attributes, opts: RequestOptions = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'writeAttributes', path, attributes }, opts);
  }

  execute(endpoint: string, path: PathLike, opts: RequestOptions & { args?: string } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'execute', path, ...(opts.args !== undefined ? { args: opts.args } : {}) }, opts);
  }

  create(endpoint: string, path: PathLike, instance: ObjectInstanceNode, opts: RequestOptions & { format?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'create', path, instance, ...fmt(opts) }, opts);
  }

  delete(endpoint: string, path: PathLike, opts: RequestOptions = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'delete', path }, opts);
  }

  readComposite(endpoint: string, paths: PathLike[], opts: RequestOptions & { format?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'readComposite', paths, ...fmt(opts) }, opts);
  }

  writeComposite(endpoint: string, nodes: Map<string, LwM2mNode | null>, opts: RequestOptions & { format?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'writeComposite', nodes, ...fmt(opts) }, opts);
  }

  /** On success `observationId` names the observation; notifications arrive as 'notification' events. */
  observe(endpoint: string, path: PathLike, opts: RequestOptions & { format?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'observe', path, ...fmt(opts) }, opts);
  }

  observeComposite(endpoint: string, paths: PathLike[], opts: RequestOptions & { format?: number } = {}): Promise<OperationResult> {
    return this.request(endpoint, { op: 'observeComposite', paths, ...fmt(opts) }, opts);
  }

  /**
   * Ends an observation, by id or by its (single) path. Active (default): a GET with
   * Observe=1 goes to the client. Passive: forgotten here; the client's next notification
   * gets a RST.
   */
  cancelObservation(endpoint: string, observation: string | PathLike, opts: RequestOptions & { passive?: boolean } = {}): Promise<OperationResult> {
    const passive = opts.passive ? { passive: true } : {};
    const found = typeof observation === 'string' ? this.observations(endpoint).find((o) => o.id === observation) : undefined;
    if (found) {
      const req: OperationRequest = found.composite
        ? { op: 'cancelObserveComposite', paths: found.paths, ...passive }
        : { op: 'cancelObserve', path: found.paths[0] ?? LwM2mPath.ROOT, ...passive };
      return this.request(endpoint, req, opts);
    }
    return this.request(endpoint, { op: 'cancelObserve', path: observation, ...passive }, opts);
  }
}
