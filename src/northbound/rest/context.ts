/**
 * What every route module shares: the LwM2M server, the context to type values, the
 * queued-request store, and `dispatch`, which runs one device operation either at once
 * (the answer is the HTTP response) or, for a sleeping queue-mode device, in the
 * background (202 Accepted with the request's id and Location).
 */
import type { Request, Response } from 'express';
import type { Logger } from '../../log.js';
import type { BootstrapApi } from '../../lwm2m/bootstrap/index.js';
import type { CoreApi, ValueContext } from '../../lwm2m/server/index.js';
import type { OperationResult, Registration } from '../../lwm2m/server/types.js';
import { ProblemError, resultProblem } from './errors.js';
import type { Json } from './json.js';
import { requestJson, type Outcome, type RequestStore } from './request-store.js';

export interface RestContext {
  readonly server: CoreApi;
  readonly ctx: ValueContext;
  readonly requests: RequestStore;
  readonly log: Logger;
  /** ms of the latest message seen from each endpoint (notifications, Send, wake-ups) */
  readonly lastSeen: Map<string, number>;
  /** callbacks run when an endpoint falls asleep (one server listener feeds them all) */
  readonly sleepers: Map<string, Set<() => void>>;
  /** the Bootstrap Server, when the gateway has one */
  readonly bootstrap?: BootstrapApi;
}

/** One device operation as a route builds it. */
export interface Job {
  operation: string;
  paths: string[];
  run(): Promise<OperationResult>;
  /** the response for a successful result (2.xx) */
  render(r: OperationResult): Outcome;
}

/** The registration of `req.params.endpoint`, or a 404 DEVICE_NOT_FOUND. */
export function registrationOf(rc: RestContext, req: Request): Registration {
  const endpoint = String((req.params as Record<string, string>).endpoint ?? '');
  const reg = rc.server.getRegistration(endpoint);
  if (!reg) throw new ProblemError('DEVICE_NOT_FOUND', `no device "${endpoint}" is registered`, { endpoint });
  return reg;
}

/** The HTTP outcome of a finished operation. */
export function outcomeOf(job: Job, r: OperationResult): Outcome {
  if (!r.success) {
    const p = resultProblem(r);
    return { status: p.status, body: p.body() as Json, headers: { 'content-type': 'application/problem+json' } };
  }
  return job.render(r);
}

const JSON_UTF8 = 'application/json; charset=utf-8';

/**
 * Writes the outcome as it is: JSON text (UTF-8, with its length) and the outcome's
 * headers; no body for 204. The same answer express's `res.send` gave, written
 * directly (no ETag, conditional-GET or type lookups on this path).
 */
export function sendOutcome(res: Response, o: Outcome): void {
  res.statusCode = o.status;
  if (o.headers) for (const k in o.headers) res.setHeader(k, o.headers[k]!);
  if (o.status === 204) {
    res.end();
    return;
  }
  const type = res.getHeader('content-type');
  res.setHeader('content-type', typeof type !== 'string' ? JSON_UTF8 : type.includes('charset=') ? type : `${type}; charset=utf-8`);
  const text = JSON.stringify(o.body);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function failureOutcome(e: unknown): Outcome {
  const p = e instanceof ProblemError ? e : new ProblemError('INTERNAL', 'the request failed');
  return { status: p.status, body: p.body() as Json, headers: { 'content-type': 'application/problem+json' } };
}

/** Resolves (a turn after the event, so a timeout's own result can land first) when `endpoint` falls asleep. */
function fallsAsleep(rc: RestContext, endpoint: string): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Immediate | undefined;
  let callback: (() => void) | undefined;
  const remove = (): void => {
    const set = rc.sleepers.get(endpoint);
    if (!set || !callback) return;
    set.delete(callback);
    if (set.size === 0) rc.sleepers.delete(endpoint);
  };
  const promise = new Promise<void>((resolve) => {
    callback = () => {
      remove();
      timer = setImmediate(resolve);
    };
    let set = rc.sleepers.get(endpoint);
    if (!set) rc.sleepers.set(endpoint, (set = new Set()));
    set.add(callback);
  });
  return {
    promise,
    cancel: () => {
      remove();
      if (timer) clearImmediate(timer);
    },
  };
}

function accepted(rc: RestContext, reg: Registration, res: Response, job: Job, running: Promise<Outcome>): void {
  const item = rc.requests.add(reg.endpoint, job.operation, job.paths);
  running.then((o) => rc.requests.finish(item.id, o)).catch((e: unknown) => rc.log.error('rest: queued request failed', { id: item.id, error: String(e) }));
  res.status(202).setHeader('location', `/api/requests/${item.id}`);
  res.type('application/json').send(JSON.stringify(requestJson(item)));
}

/**
 * Runs `job` for `reg` and answers with its outcome. For a queue-mode device that sleeps
 * (now, or before its answer came) the answer is 202 with a queued request instead.
 */
export async function dispatch(rc: RestContext, reg: Registration, res: Response, job: Job): Promise<void> {
  if (!reg.queueMode) {
    sendOutcome(res, outcomeOf(job, await job.run()));
    return;
  }
  const asleep = rc.server.isAwake(reg.endpoint) ? fallsAsleep(rc, reg.endpoint) : undefined;
  const running = job
    .run()
    .then((r) => outcomeOf(job, r))
    .catch(failureOutcome);
  if (!asleep) {
    // what the core refuses at once (a request it cannot build, a full queue) is answered now
    const now = await Promise.race([running, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
    if (now) sendOutcome(res, now);
    else accepted(rc, reg, res, job, running);
    return;
  }
  const first = await Promise.race([running, asleep.promise.then(() => undefined)]);
  asleep.cancel();
  if (first) sendOutcome(res, first);
  else accepted(rc, reg, res, job, running);
}
