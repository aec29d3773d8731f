/**
 * The seam for several gateway instances sharing one store: a device talks to one
 * instance (the one that holds its socket), and a request for it made on another
 * instance (its REST API, an MQTT command) is handed to that one. The gateway gives the
 * server a DeviceRouter when its store is shared; the core stays free of how the request
 * travels (src/store/redis/redis-router.ts: Redis pub/sub).
 */
import type { RequestOptions } from './core.js';
import type { OperationRequest, OperationResult, Registration } from './types.js';

export interface DeviceRouter {
  /**
   * The result of `req` sent by the instance that talks to `reg`'s device, or undefined
   * when that is this instance (the server sends it itself). Never rejects: a timeout or
   * a lost instance is a failed result.
   */
  route(reg: Registration, req: OperationRequest, opts: RequestOptions): Promise<OperationResult> | undefined;
  /**
   * How much later than its own instance this one expires `reg` (ms; 0: held here): the
   * instance that talks to the device expires it first, and this one only when that
   * instance is gone.
   */
  expiryDelayMs?(reg: Registration): number;
}
