/**
 * The device-management methods of LwM2mServer, one per operation, each a thin wrapper
 * building a typed OperationRequest for request(). Kept apart from the server's state.
 */
import { EventEmitter } from 'node:events';
import type { LwM2mNode, ObjectInstanceNode } from '../node.js';
import { LwM2mPath } from '../path.js';
import type { RequestOptions } from './core.js';
import type { Attributes, Observation, OperationRequest, OperationResult, PathLike, ServerEvents } from './types.js';

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
