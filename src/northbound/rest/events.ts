/**
 * Live events as Server-Sent Events on `GET /api/events`: `registered`, `updated`,
 * `deregistered`, `expired`, `awake`, `sleeping`, `notification`, `send`,
 * `observationEnded`, `addressChanged` (a registration moved to another address: NAT
 * rebinding, or someone who knows its id), `trace` (a message of a traced device), `bootstrap`
 * (a bootstrap session started, a step ended, it finished or failed), `fota` (a device's firmware
 * update progressed) and `campaign` (a campaign's totals or status changed; endpoint filters do not apply). Filters: `?endpoint=` (comma-separated, `*`/`?` globs, bounded in count and length) and `?events=`
 * (names). Every event is `event: <name>`, `id: <n>`, `data: <JSON>`; a comment line
 * keeps idle connections open (`heartbeatMs`). A consumer that falls more than
 * MAX_BUFFERED_BYTES behind is disconnected. close() ends every stream.
 */
import type { Request, Response } from 'express';
import type { CoreApi } from '../../lwm2m/server/index.js';
import type { Peer } from '../../lwm2m/transport.js';
import { bootstrapEventView, type BootstrapApi, type BootstrapEvent } from '../../lwm2m/bootstrap/index.js';
import type { NotificationEvent, Observation, Registration, SendEvent, TraceEvent } from '../../lwm2m/server/types.js';
import { showsSecrets } from './auth.js';
import { ProblemError } from './errors.js';
import { nodeJson, nodesJson, registrationJson, timestampedJson, type Json } from './json.js';
import { globsOf, listOf } from './params.js';
import type { CampaignView, FirmwareApi, FotaEvent } from '../../firmware/index.js';
import { jobJson } from './routes-firmware.js';
import { campaignJson } from './routes-campaigns.js';

/** A subscriber whose unsent events exceed this is disconnected (it reconnects and reads afresh). */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export const EVENT_NAMES = ['registered', 'updated', 'deregistered', 'expired', 'awake', 'sleeping', 'notification', 'send', 'observationEnded', 'addressChanged', 'trace', 'bootstrap', 'fota', 'campaign'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

interface Subscriber {
  res: Response;
  /** undefined: every endpoint */
  endpoints: ((endpoint: string) => boolean) | undefined;
  events: Set<EventName>;
  /** a write-scoped subscriber: registrations carry their id */
  secrets: boolean;
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly detach: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly server: CoreApi,
    private readonly heartbeatMs: number,
    private readonly onSeen: (endpoint: string) => void,
    private readonly bootstrap?: BootstrapApi,
    private readonly firmware?: FirmwareApi,
  ) {}

  /** Starts listening to the server and the heartbeat timer. */
  open(): void {
    const s = this.server;
    const view = { isAwake: (ep: string) => s.isAwake(ep), queuedRequests: (ep: string) => s.queuedRequests(ep), now: () => s.clock.now() };
    const reg = (r: Registration, secrets: boolean): Record<string, Json> => registrationJson(r, view, undefined, { registrationId: secrets });
    const on = <K extends EventName>(name: K, fn: (...args: never[]) => void): void => {
      (s as unknown as { on(n: string, f: (...a: never[]) => void): void }).on(name, fn);
      this.detach.push(() => (s as unknown as { off(n: string, f: (...a: never[]) => void): void }).off(name, fn));
    };
    for (const name of ['registered', 'updated', 'deregistered', 'expired', 'awake', 'sleeping'] as const) {
      on(name, (r: Registration) => {
        if (name === 'awake') this.onSeen(r.endpoint);
        this.publish(name, r.endpoint, (secrets) => ({ endpoint: r.endpoint, registration: reg(r, secrets) }));
      });
    }
    on('notification', (e: NotificationEvent) => {
      this.onSeen(e.registration.endpoint);
      this.publish('notification', e.registration.endpoint, () => notificationJson(e));
    });
    on('send', (e: SendEvent) => {
      this.onSeen(e.registration.endpoint);
      this.publish('send', e.registration.endpoint, () => ({
        endpoint: e.registration.endpoint,
        contentFormat: e.contentFormat,
        receivedAt: new Date(e.receivedAt).toISOString(),
        records: timestampedJson(e.data),
      }));
    });
    on('observationEnded', (o: Observation, reason: string) => {
      this.publish('observationEnded', o.endpoint, () => ({ endpoint: o.endpoint, observationId: o.id, paths: o.paths.map(String), reason }));
    });
    on('addressChanged', (r: Registration, previous: Peer, cause: string) => {
      const addr = (p: Peer): string => (p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`);
      this.publish('addressChanged', r.endpoint, () => ({ endpoint: r.endpoint, from: addr(previous), to: addr(r.peer), cause }));
    });
    on('trace', (e: TraceEvent) => {
      this.publish('trace', e.endpoint, () => ({ endpoint: e.endpoint, transport: e.transport, ...e.record }));
    });
    const bs = this.bootstrap;
    if (bs) {
      const onBootstrap = (e: BootstrapEvent): void => this.publish('bootstrap', e.endpoint, () => bootstrapEventView(e));
      bs.on('bootstrap', onBootstrap);
      this.detach.push(() => bs.off('bootstrap', onBootstrap));
    }
    const fw = this.firmware;
    if (fw) {
      const onFota = (e: FotaEvent): void => this.publish('fota', e.endpoint, () => jobJson(e));
      const onCampaign = (v: CampaignView): void => this.publish('campaign', undefined, () => campaignJson(v));
      fw.on('fota', onFota);
      fw.on('campaign', onCampaign);
      this.detach.push(() => fw.off('fota', onFota), () => fw.off('campaign', onCampaign));
    }
    if (this.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        for (const sub of this.subscribers) sub.res.write(': heartbeat\n\n');
      }, this.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Handles `GET /api/events`: the response stays open until the client leaves or close(). */
  subscribe(req: Request, res: Response): void {
    const endpoints = globsOf(req, 'endpoint');
    const names = listOf(req, 'events') ?? [];
    for (const n of names) {
      if (!(EVENT_NAMES as readonly string[]).includes(n)) throw new ProblemError('BAD_QUERY', `"${n}" is not an event (${EVENT_NAMES.join(', ')})`);
    }
    const sub: Subscriber = { res, endpoints, events: new Set((names.length ? names : EVENT_NAMES) as EventName[]), secrets: showsSecrets(res) };
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    res.write(': connected\n\n');
    this.subscribers.add(sub);
    res.on('close', () => this.subscribers.delete(sub));
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Writes an event to the subscribers that want it; its JSON is built only when one
   * does, once per kind of subscriber (`secrets`: write-scoped).
   */
  private publish(name: EventName, endpoint: string | undefined, data: (secrets: boolean) => Record<string, Json>): void {
    if (this.subscribers.size === 0) return;
    const frames = new Map<boolean, string>();
    let id: number | undefined;
    for (const sub of this.subscribers) {
      if (!sub.events.has(name)) continue;
      if (sub.endpoints && endpoint !== undefined && !sub.endpoints(endpoint)) continue;
      id ??= ++this.seq;
      let frame = frames.get(sub.secrets);
      if (frame === undefined) frames.set(sub.secrets, (frame = `event: ${name}\nid: ${id}\ndata: ${JSON.stringify(data(sub.secrets))}\n\n`));
      if (sub.res.writableLength > MAX_BUFFERED_BYTES) {
        // a consumer that does not keep up must not make the gateway buffer without bound
        this.subscribers.delete(sub);
        sub.res.destroy();
        continue;
      }
      sub.res.write(frame);
    }
  }

  /** Stops listening and ends every stream. */
  close(): void {
    for (const d of this.detach.splice(0)) d();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const sub of this.subscribers) sub.res.end();
    this.subscribers.clear();
  }
}

export function notificationJson(e: NotificationEvent): Record<string, Json> {
  const out: Record<string, Json> = {
    endpoint: e.registration.endpoint,
    observationId: e.observation.id,
    paths: e.observation.paths.map(String),
    receivedAt: new Date(e.receivedAt).toISOString(),
  };
  if (e.node) out.value = nodeJson(e.node);
  if (e.nodes) out.values = nodesJson(e.nodes);
  if (e.timestamped && e.timestamped.length > 1) out.timestamped = timestampedJson(e.timestamped);
  if (e.sequence !== undefined) out.sequence = e.sequence;
  if (e.contentFormat !== undefined) out.contentFormat = e.contentFormat;
  return out;
}
