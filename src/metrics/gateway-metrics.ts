/**
 * The gateway's Prometheus metrics (prom-client), served by the REST face on /metrics:
 * registrations (a gauge, and counters of register, update, de-register and expiry by
 * transport), device requests by operation and result with a latency histogram,
 * notifications and Sends in, messages out, buffered and dropped by face, queued requests
 * for sleeping devices, refused datagrams by binding and reason, DTLS handshakes, and the
 * process metrics. Counters the parts keep themselves are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LwM2mServer } from '../lwm2m/server/index.js';
import type { Registration } from '../lwm2m/server/types.js';
import type { Face, MetricsSource } from '../northbound/face.js';
import type { Binding } from '../transport/binding.js';

export interface MetricsParts {
  server: LwM2mServer;
  /** the started bindings and faces, asked at each scrape */
  bindings(): readonly Binding[];
  faces(): readonly Face[];
  token: string | null;
}

const PREFIX = 'lwm2mgw_';

/** label values (outside input: a transport name, a CoAP code) are few; past this many the cache stops growing */
const MAX_CHILDREN = 1000;

/** `make(key)` once per key (bounded), then the same child */
function childCache<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let c = cache.get(key);
    if (c === undefined) {
      c = make(key);
      if (cache.size < MAX_CHILDREN) cache.set(key, c);
    }
    return c;
  };
}

/** Sets a counter to totals kept elsewhere (prom-client counters only go up: reset, then add). */
function setTotals(c: Counter<string>, rows: readonly [Record<string, string>, number][]): void {
  c.reset();
  for (const [labels, v] of rows) if (v > 0) c.inc(labels, v);
}

export class GatewayMetrics implements MetricsSource {
  readonly registry = new Registry();
  readonly contentType: string;
  readonly token: string | null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly parts: MetricsParts) {
    this.contentType = this.registry.contentType;
    this.token = parts.token;
    const r = [this.registry];
    const server = parts.server;
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });

    new Gauge({
      name: `${PREFIX}registrations`,
      help: 'Registered LwM2M clients, by transport',
      labelNames: ['transport'],
      registers: r,
      collect() {
        this.reset();
        const by = new Map<string, number>();
        for (const reg of server.registrations()) by.set(reg.peer.transport, (by.get(reg.peer.transport) ?? 0) + 1);
        for (const [transport, n] of by) this.set({ transport }, n);
      },
    });
    const lifecycle = new Counter({
      name: `${PREFIX}registration_events_total`,
      help: 'Register, update, de-register and expiry of registrations, by transport',
      labelNames: ['event', 'transport'],
      registers: r,
    });
    // counted in plain maps on the hot path (a prom-client child still hashes its labels on every
    // inc()), handed to the counters when scraped; label values bounded like the child cache's
    const uplinkCounts = { notification: new Map<string, number>(), send: new Map<string, number>() };
    const requestCounts = new Map<string, Map<string, number>>();
    new Counter({
      name: `${PREFIX}uplinks_total`,
      help: 'Notifications and Sends received, by transport',
      labelNames: ['kind', 'transport'],
      registers: r,
      collect() {
        const rows: [Record<string, string>, number][] = [];
        for (const kind of ['notification', 'send'] as const) for (const [transport, n] of uplinkCounts[kind]) rows.push([{ kind, transport }, n]);
        setTotals(this, rows);
      },
    });
    new Counter({
      name: `${PREFIX}requests_total`,
      help: 'Requests to devices by operation and result (CoAP code or failure)',
      labelNames: ['operation', 'result'],
      registers: r,
      collect() {
        const rows: [Record<string, string>, number][] = [];
        for (const [operation, by] of requestCounts) for (const [result, n] of by) rows.push([{ operation, result }, n]);
        setTotals(this, rows);
      },
    });
    const bump = (m: Map<string, number>, key: string): boolean => {
      const n = m.get(key);
      if (n !== undefined) m.set(key, n + 1);
      else if (m.size < MAX_CHILDREN) m.set(key, 1);
      else return false;
      return true;
    };
    const latency = new Histogram({
      name: `${PREFIX}request_duration_seconds`,
      help: 'Time from a request to its result, by operation (queueing for sleeping devices included)',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: r,
    });
    // children per label set, kept: inc() with a labels object hashes it on every call (the hot path)
    const lifecycleOf = childCache((key: string) => lifecycle.labels(...(key.split('\0') as [string, string])));
    const latencyOf = childCache((op: string) => latency.labels(op));
    const count = (label: string) => (reg: Registration): void => lifecycleOf(`${label}\0${reg.peer.transport}`).inc();
    const [registered, updated, deregistered, expired] = [count('register'), count('update'), count('deregister'), count('expire')];
    server.on('registered', registered);
    server.on('updated', updated);
    server.on('deregistered', deregistered);
    server.on('expired', expired);
    this.unsubscribe.push(
      () => server.off('registered', registered),
      () => server.off('updated', updated),
      () => server.off('deregistered', deregistered),
      () => server.off('expired', expired),
    );
    const notified = (e: { registration: Registration }): void => void bump(uplinkCounts.notification, e.registration.peer.transport);
    const sent = (e: { registration: Registration }): void => void bump(uplinkCounts.send, e.registration.peer.transport);
    const done = (e: { op: string; result: string; seconds: number }): void => {
      // operations are ours (a few), results CoAP codes or failure names: bounded per map all the same
      let by = requestCounts.get(e.op);
      if (by === undefined && requestCounts.size < MAX_CHILDREN) requestCounts.set(e.op, (by = new Map()));
      if (by !== undefined) bump(by, e.result);
      latencyOf(e.op).observe(e.seconds);
    };
    server.on('notification', notified);
    server.on('send', sent);
    server.on('requestDone', done);
    this.unsubscribe.push(
      () => server.off('notification', notified),
      () => server.off('send', sent),
      () => server.off('requestDone', done),
    );

    new Gauge({
      name: `${PREFIX}queued_requests`,
      help: 'Requests waiting for sleeping queue-mode clients',
      registers: r,
      collect() {
        let n = 0;
        for (const reg of server.registrations()) if (reg.queueMode) n += server.store.queuedRequests(reg.endpoint);
        this.set(n);
      },
    });
    this.faceMetrics(r);
    this.bindingMetrics(r);
  }

  private faceMetrics(r: Registry[]): void {
    const faces = (): { name: string; s: { sent: number; buffered: number; dropped: number } }[] =>
      this.parts.faces().flatMap((f) => (f.stats ? [{ name: f.name, s: f.stats() }] : []));
    new Counter({
      name: `${PREFIX}face_messages_out_total`,
      help: 'Messages handed on by a northbound face (to the MQTT broker...)',
      labelNames: ['face'],
      registers: r,
      collect() {
        setTotals(this, faces().map((f) => [{ face: f.name }, f.s.sent]));
      },
    });
    new Gauge({
      name: `${PREFIX}face_messages_buffered`,
      help: 'Messages waiting in a northbound face (broker unreachable or in flight)',
      labelNames: ['face'],
      registers: r,
      collect() {
        this.reset();
        for (const f of faces()) this.set({ face: f.name }, f.s.buffered);
      },
    });
    new Counter({
      name: `${PREFIX}face_messages_dropped_total`,
      help: 'Messages a northbound face dropped (buffer full)',
      labelNames: ['face'],
      registers: r,
      collect() {
        setTotals(this, faces().map((f) => [{ face: f.name }, f.s.dropped]));
      },
    });
  }

  private bindingMetrics(r: Registry[]): void {
    const bindings = this.parts.bindings;
    new Counter({
      name: `${PREFIX}datagrams_refused_total`,
      help: 'Datagrams refused or dropped by a southbound binding, by reason',
      labelNames: ['binding', 'reason'],
      registers: r,
      collect() {
        const rows: [Record<string, string>, number][] = [];
        for (const b of bindings()) for (const [reason, n] of Object.entries(b.stats?.().refused ?? {})) rows.push([{ binding: b.scheme, reason }, n]);
        setTotals(this, rows);
      },
    });
    new Counter({
      name: `${PREFIX}dtls_handshakes_total`,
      help: 'DTLS handshakes by binding and outcome',
      labelNames: ['binding', 'outcome'],
      registers: r,
      collect() {
        const rows: [Record<string, string>, number][] = [];
        for (const b of bindings()) {
          const h = b.stats?.().handshakes;
          if (h) rows.push([{ binding: b.scheme, outcome: 'completed' }, h.completed], [{ binding: b.scheme, outcome: 'failed' }, h.failed]);
        }
        setTotals(this, rows);
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops listening to the core. */
  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.registry.clear();
  }
}
