/**
 * The DeviceRouter of instances sharing a Redis store: a request for a device whose
 * registration another instance holds (RedisStore.ownerOf) is published on that
 * instance's request channel (`<prefix>rpc:<instance>`); it sends the request itself
 * (LwM2mServer.requestHere) and publishes the result on the asker's channel. No answer
 * within the timeout, or no instance listening (PUBLISH reached no one: it stopped or
 * died), is a failed result; the device's next Update to a live instance moves the
 * registration there.
 *
 * Requests and results travel as plain JSON (plain-codec.ts); what arrives is checked
 * for shape and bounded (pending requests, message size) like anything from outside.
 */
import { randomBytes } from 'node:crypto';
import type { DeviceRouter } from '../../lwm2m/server/router.js';
import type { RequestOptions } from '../../lwm2m/server/core.js';
import type { OperationErrorCode, OperationRequest, OperationResult, Registration } from '../../lwm2m/server/types.js';
import type { Logger } from '../../log.js';
import { fromPlain, toPlain } from '../file/plain-codec.js';
import type { RedisStore } from './redis-store.js';

/** What sends a request from this instance (the server's requestHere). */
export type SendHere = (endpoint: string, req: OperationRequest, opts: RequestOptions) => Promise<OperationResult>;

export interface RedisRouterOptions {
  /** how long an answer may take beyond the request's own timeout, ms (default 30 s in all) */
  timeoutMs?: number;
  /** requests waiting for another instance at most (default 10 000) */
  maxPending?: number;
  /** how long a request for a sleeping queue-mode device may wait there, ms (lwm2m.queue.ttl; default 24 h) */
  queueTtlMs?: number;
  /** how much later than the instance that holds it this one expires a registration, ms (default 60 s) */
  expiryDelayMs?: number;
  logger: Logger;
}

interface Ask {
  t: 'ask';
  id: string;
  from: string;
  endpoint: string;
  req: unknown;
  timeoutMs?: number;
}

interface Answer {
  t: 'answer';
  id: string;
  result: unknown;
}

const fail = (code: OperationErrorCode, message: string): OperationResult => ({ success: false, error: { code, message } });
const MAX_ID = 64;

export class RedisRouter implements DeviceRouter {
  private readonly waiting = new Map<string, { settle: (r: OperationResult) => void; timer: NodeJS.Timeout }>();
  private sendHere: SendHere | undefined;
  private readonly timeoutMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly store: RedisStore,
    private readonly options: RedisRouterOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxPending = options.maxPending ?? 10_000;
  }

  private channelOf(instance: string): string {
    return `${this.store.prefix}rpc:${instance}`;
  }

  /** Starts answering the other instances' requests with `sendHere` (the server's requestHere). */
  start(sendHere: SendHere): Promise<void> {
    this.sendHere = sendHere;
    return this.store.link.listen(this.channelOf(this.store.instance), (m) => this.received(m));
  }

  /** Ends every request waiting for another instance (the gateway stops). */
  stop(): void {
    this.sendHere = undefined;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(id);
      w.settle(fail('CANCELLED', 'server stopped'));
    }
  }

  expiryDelayMs(reg: Registration): number {
    const owner = this.store.ownerOf(reg.id);
    return owner === undefined || owner === this.store.instance ? 0 : (this.options.expiryDelayMs ?? 60_000);
  }

  route(reg: Registration, req: OperationRequest, opts: RequestOptions): Promise<OperationResult> | undefined {
    const owner = this.store.ownerOf(reg.id);
    if (owner === undefined || owner === this.store.instance) return undefined;
    if (this.waiting.size >= this.maxPending) return Promise.resolve(fail('TRANSPORT', 'too many requests waiting for other instances'));
    const id = randomBytes(12).toString('hex');
    const ask: Ask = { t: 'ask', id, from: this.store.instance, endpoint: reg.endpoint, req: toPlain(req), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
    return new Promise<OperationResult>((resolve) => {
      // a queue-mode device's request may wait there for the device to wake up
      const waitMs = (opts.timeoutMs ?? 0) + this.timeoutMs + (reg.queueMode ? (this.options.queueTtlMs ?? 86_400_000) : 0);
      const timer = setTimeout(() => settle(fail('TIMEOUT', 'the instance that holds the device did not answer')), Math.min(waitMs, 2_147_000_000));
      const settle = (r: OperationResult): void => {
        if (!this.waiting.delete(id)) return;
        clearTimeout(timer);
        resolve(r);
      };
      this.waiting.set(id, { settle, timer });
      this.store.link.client.publish(this.channelOf(owner), JSON.stringify(ask)).then(
        (receivers) => {
          if (receivers === 0) settle(fail('TRANSPORT', 'the instance that holds the device is gone; its next Update moves it'));
        },
        (e: unknown) => settle(fail('TRANSPORT', `the shared store does not answer: ${e instanceof Error ? e.message : String(e)}`)),
      );
    });
  }

  private received(message: Buffer): void {
    let m: Ask | Answer;
    try {
      m = JSON.parse(message.toString('utf8')) as Ask | Answer;
    } catch {
      return;
    }
    if (m === null || typeof m !== 'object' || typeof m.id !== 'string' || m.id.length > MAX_ID) return;
    if (m.t === 'answer') this.answered(m);
    else if (m.t === 'ask') void this.ask(m);
  }

  private answered(m: Answer): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    let result: OperationResult;
    try {
      const r = fromPlain(m.result) as OperationResult;
      result = r !== null && typeof r === 'object' && typeof r.success === 'boolean' ? r : fail('TRANSPORT', 'bad answer from another instance');
    } catch {
      result = fail('TRANSPORT', 'bad answer from another instance');
    }
    w.settle(result);
  }

  private async ask(m: Ask): Promise<void> {
    const send = this.sendHere;
    if (!send || typeof m.from !== 'string' || m.from.length > 200 || typeof m.endpoint !== 'string' || m.endpoint.length > 4096) return;
    let result: OperationResult;
    try {
      const req = fromPlain(m.req) as OperationRequest;
      if (req === null || typeof req !== 'object' || typeof req.op !== 'string') throw new Error('bad request');
      const timeoutMs = typeof m.timeoutMs === 'number' && m.timeoutMs > 0 ? { timeoutMs: m.timeoutMs } : {};
      result = await send(m.endpoint, req, timeoutMs);
    } catch (e) {
      this.options.logger.warn('redis router: a request from another instance was refused', { reason: e instanceof Error ? e.message : 'bad request' });
      result = fail('BAD_REQUEST', 'request not understood');
    }
    const answer: Answer = { t: 'answer', id: m.id, result: toPlain(result) };
    await this.store.link.client.publish(this.channelOf(m.from), JSON.stringify(answer)).catch(() => undefined);
  }
}
