/**
 * A fleet of simulated LwM2M 1.1 clients over UDP in one process.
 *
 * Each client registers (`POST /rd`) with Device, Connectivity, Temperature and Humidity,
 * refreshes its registration before its lifetime runs out, answers the server's requests
 * and sends notifications for what the server observes, at a rate set for the whole fleet
 * (a value change per notification), within the pmin and pmax the server wrote (report.ts).
 *
 * Sockets: the server tells clients apart by address and port, so each client needs its
 * own socket, and a process may hold only so many (RLIMIT_NOFILE; see /proc/self/limits).
 * Sockets are bound to 127.0.0.2 ... 127.0.0.254 in turn (Linux routes 127/8 to lo), ports
 * chosen by the kernel. When there are more clients than sockets, several clients share one
 * socket and each of the extra ones registers with an alternate path (`</c123>;rt="oma.lwm2m"`),
 * so the server's requests still name the client they are for (LwM2M 1.1, 6.2.1).
 */
import { randomInt } from 'node:crypto';
import { empty, parseMsg, request, response, type Msg } from './coap.js';
import { CF } from './formats.js';
import { Client, State, cancelObservation, handle, renderObservation, type DeviceSettings, type Observation } from './device.js';
import { ReportScheduler } from './report.js';
import { RecentNotifications } from './recent-notifications.js';
import { objectLinks, type ValueMode } from './objects.js';
import { FleetStats, type FleetCounters } from './stats.js';
import { bindSlots, defaultAddresses, openFileLimit, type Slot } from './sockets.js';
import { bindDtlsSlots } from '../dtls/dtls-slots.js';

export { defaultAddresses, openFileLimit } from './sockets.js';

export interface FleetOptions {
  /** the gateway's CoAP address and port */
  host: string;
  port: number;
  count: number;
  /** endpoint names: prefix + index (default "sim-") */
  prefix?: string;
  /** first client index (default 0) */
  first?: number;
  /** seconds (default 86400) */
  lifetime?: number;
  /** register with Q: the client answers only while awake (after an Update or a notification) */
  queueMode?: boolean;
  /** queue mode: ms awake after each message the client sends (default 10,000) */
  awakeMs?: number;
  /** content format of reads and notifications when the server gives no Accept (default SenML CBOR) */
  format?: number;
  valueMode?: ValueMode;
  /** notifications as CON (acknowledged, retransmitted) instead of NON */
  conNotifications?: boolean;
  /** local addresses to bind (default 127.0.0.2 ... 127.0.0.254) */
  addresses?: string[];
  /** at most this many sockets (default: the open-file limit less 256) */
  maxSockets?: number;
  /**
   * over DTLS with PSKs (host and port: the gateway's DTLS ones): each client on a socket of
   * its own, its PSK identity its endpoint name, its key benchPsk(identity)
   */
  dtls?: { suite?: number };
}

type Kind = 'register' | 'update' | 'deregister' | 'notify';

interface Pending {
  client: Client;
  kind: Kind;
  buf: Buffer;
  slot: number;
  mid: number;
  token: number;
  attempts: number;
  timeoutMs: number;
  timer: NodeJS.Timeout | undefined;
  obs?: Observation;
}

// RFC 7252 4.8
const ACK_TIMEOUT_MS = 2000;
const ACK_RANDOM_FACTOR = 1.5;
const MAX_RETRANSMIT = 4;

export class Fleet {
  readonly clients: Client[] = [];
  readonly stats = new FleetStats();
  private readonly slots: Slot[] = [];
  private readonly byMid = new Map<number, Pending>();
  private readonly byToken = new Map<number, Pending>();
  private nextToken = randomInt(0, 0x7fffffff);
  private readonly settings: DeviceSettings;
  private active: Observation[] = [];
  private rr = 0;
  private notifyTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  /** pmin and pmax of the observations that have them; its tick starts with its first entry */
  private readonly reports = new ReportScheduler<Observation>(
    (o) => this.notify(o),
    (o) => o.client.state === State.Registered,
    () => this.startReportTick(),
  );
  private reportTimer: NodeJS.Timeout | undefined;
  /** NON notifications an RST may answer */
  private readonly recentNon = new RecentNotifications<Observation>();
  private regQueue: Client[] = [];
  private regDone: (() => void) | undefined;
  /** Registers of the current ramp still without an outcome */
  private regOutstanding = 0;
  private closed = false;
  /** answers to recent CON requests, to repeat for a retransmission (RFC 7252 4.5) */
  private readonly answered = new Map<number, Buffer>();
  /** what bounded the socket count, for the report */
  socketLimit = '';

  constructor(readonly o: FleetOptions) {
    this.settings = { format: o.format ?? CF.SENML_CBOR, valueMode: o.valueMode ?? 'wave' };
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
    this.sweepTimer.unref();
  }

  /** Binds the sockets and creates the clients. */
  async open(): Promise<{ sockets: number; clientsPerSocket: number; limit: string }> {
    const fdLimit = openFileLimit();
    const byFd = Math.max(1, fdLimit - 256);
    const max = Math.max(1, Math.min(this.o.count, this.o.maxSockets ?? byFd, byFd));
    this.socketLimit =
      max < this.o.count ? `${max} sockets for ${this.o.count} clients (open-file limit ${fdLimit}${this.o.maxSockets !== undefined && this.o.maxSockets < byFd ? `, maxSockets ${this.o.maxSockets}` : ''})` : 'one socket per client';
    const prefix = this.o.prefix ?? 'sim-';
    const first = this.o.first ?? 0;
    const addresses = this.o.addresses ?? defaultAddresses();
    const onMessage = (k: number, buf: Buffer): void => this.onMessage(k, buf);
    const onError = (): void => void this.stats.socketErrors++;
    if (this.o.dtls) {
      if (max < this.o.count) throw new Error(`a DTLS fleet needs a socket per client: ${this.socketLimit}`);
      const dtls = { host: this.o.host, port: this.o.port, identityOf: (k: number) => `${prefix}${first + k}`, ...this.o.dtls };
      const { slots, handshakes } = await bindDtlsSlots(max, addresses, dtls, onMessage, onError);
      this.slots.push(...slots);
      this.stats.handshakes = handshakes.completed;
    } else this.slots.push(...(await bindSlots(max, addresses, onMessage, onError)));
    for (let n = 0; n < this.o.count; n++) {
      const slotIndex = n % this.slots.length;
      const slot = this.slots[slotIndex]!;
      const index = first + n;
      const shared = n >= this.slots.length;
      const c = new Client(index, `${prefix}${index}`, slotIndex, shared ? `/c${index}` : '');
      if (shared) (slot.others ??= new Map()).set(`c${index}`, c);
      else slot.primary = c;
      this.clients.push(c);
    }
    this.stats.clients = this.clients.length;
    return { sockets: this.slots.length, clientsPerSocket: Math.ceil(this.o.count / this.slots.length), limit: this.socketLimit };
  }

  // ---- registration ----

  /**
   * Registers every idle client at `rate` per second with at most `window` Registers
   * outstanding; resolves when each has an answer (or gave up after its retransmissions).
   */
  register(rate: number, window = 1000): Promise<void> {
    this.regQueue = this.clients.filter((c) => c.state === State.Idle || c.state === State.Failed);
    if (this.regQueue.length === 0) return Promise.resolve();
    this.regOutstanding = this.regQueue.length;
    return new Promise((resolve) => {
      this.regDone = resolve;
      let sent = 0;
      const t0 = performance.now();
      let at = 0;
      const tick = (): void => {
        if (this.closed) return;
        const allowed = Math.floor(((performance.now() - t0) / 1000) * rate) - sent;
        for (let k = 0; k < allowed && at < this.regQueue.length && this.stats.registering < window; k++) {
          this.sendRegister(this.regQueue[at++]!);
          sent++;
        }
        if (at < this.regQueue.length) setTimeout(tick, 1);
      };
      tick();
    });
  }

  private sendRegister(c: Client): void {
    c.state = State.Registering;
    this.stats.registering++;
    this.stats.markRegisterSent();
    const lt = this.o.lifetime ?? 86400;
    const query = [`ep=${c.endpoint}`, `lt=${lt}`, 'lwm2m=1.1', 'b=U'];
    if (this.o.queueMode) query.push('Q');
    const root = c.root === '' ? '/' : c.root;
    const payload = Buffer.from(`<${root}>;rt="oma.lwm2m";ct=${this.settings.format},${objectLinks(c.root)}`);
    this.sendRequest(c, 'register', { method: 'POST', path: ['rd'], query, contentFormat: CF.LINK, payload });
  }

  private sendUpdate(c: Client): void {
    if (!c.location) return;
    this.sendRequest(c, 'update', { method: 'POST', path: c.location.split('/') });
  }

  /** Sends a registration Update now for the clients at `indexes` (default all registered); a queue-mode client wakes up. */
  update(indexes?: readonly number[]): void {
    const first = this.o.first ?? 0;
    const list = indexes ? indexes.map((i) => this.clients[i - first]).filter((c): c is Client => c !== undefined) : this.clients;
    const now = Date.now();
    for (const c of list) {
      if (c.state !== State.Registered) continue;
      c.nextUpdateAt = now + this.updateIntervalMs();
      this.sendUpdate(c);
    }
  }

  /** De-registers every registered client (best effort, answers not awaited beyond `waitMs`). */
  async deregisterAll(waitMs = 500): Promise<void> {
    for (const c of this.clients) {
      if (c.state === State.Registered && c.location) {
        this.sendRequest(c, 'deregister', { method: 'DELETE', path: c.location.split('/') });
        c.state = State.Idle;
      }
    }
    await new Promise((r) => setTimeout(r, waitMs));
  }

  private sendRequest(c: Client, kind: Kind, spec: { method: 'POST' | 'DELETE'; path: string[]; query?: string[]; contentFormat?: number; payload?: Buffer }): void {
    const slot = this.slots[c.sock]!;
    const mid = (slot.mid = (slot.mid + 1) & 0xffff);
    const token = (this.nextToken = (this.nextToken + 1) >>> 0);
    const tok = Buffer.alloc(4);
    tok.writeUInt32BE(token);
    const buf = request({ ...spec, mid, token: tok });
    const p: Pending = { client: c, kind, buf, slot: c.sock, mid, token, attempts: 0, timeoutMs: ACK_TIMEOUT_MS * (1 + Math.random() * (ACK_RANDOM_FACTOR - 1)), timer: undefined };
    this.byToken.set(token, p);
    this.transmit(p);
    if (this.o.queueMode) c.awakeUntil = Date.now() + (this.o.awakeMs ?? 10_000);
  }

  private transmit(p: Pending): void {
    this.byMid.set(p.slot * 65536 + p.mid, p);
    this.send(p.slot, p.buf);
    p.timer = setTimeout(() => this.retransmit(p), p.timeoutMs);
  }

  private retransmit(p: Pending): void {
    if (this.closed) return;
    if (p.attempts >= MAX_RETRANSMIT) {
      this.byMid.delete(p.slot * 65536 + p.mid);
      this.finish(p, undefined);
      return;
    }
    p.attempts++;
    p.timeoutMs *= 2;
    this.stats.retransmissions++;
    this.transmit(p);
  }

  /** The end of one of our exchanges: `m` is the response, undefined on timeout or RST. */
  private finish(p: Pending, m: Msg | undefined): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    if (p.kind !== 'notify') this.byToken.delete(p.token);
    const c = p.client;
    const now = Date.now();
    switch (p.kind) {
      case 'register':
        this.stats.registering--;
        if (m?.code === '2.01' && m.locationPath.length > 0) {
          c.location = m.locationPath.join('/');
          c.state = State.Registered;
          c.nextUpdateAt = now + this.updateIntervalMs();
          this.stats.registered++;
          this.stats.markRegistered();
        } else {
          c.state = State.Failed;
          this.stats.registerFailures++;
          if (m) this.stats.count(`register ${m.code}`);
        }
        if (this.regOutstanding > 0 && --this.regOutstanding === 0 && this.regDone) {
          const done = this.regDone;
          this.regDone = undefined;
          done();
        }
        return;
      case 'update':
        if (m?.code === '2.04') this.stats.updates++;
        else if (m?.code === '4.04') {
          // the server forgot us: register again
          if (c.state === State.Registered) this.stats.registered--;
          this.dropObservations(c);
          c.state = State.Idle;
          c.location = undefined;
          this.sendRegister(c);
        } else this.stats.updateFailures++;
        return;
      case 'deregister':
        return;
      case 'notify':
        if (m === undefined && p.obs) {
          this.stats.notifyFailures++;
          if (p.obs && !p.obs.cancelled) this.cancel(c, p.obs.token);
        }
        return;
    }
  }

  private updateIntervalMs(): number {
    return (this.o.lifetime ?? 86400) * 1000 * 0.8;
  }

  /** Once a second: Updates that are due. */
  private sweep(): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (c.state === State.Registered && c.nextUpdateAt <= now) {
        c.nextUpdateAt = now + this.updateIntervalMs();
        this.sendUpdate(c);
      }
    }
  }

  // ---- incoming ----

  private send(slot: number, buf: Buffer): void {
    const s = this.slots[slot]!;
    s.sock.send(s.seal ? s.seal(buf) : buf, this.o.port, this.o.host);
  }

  private onMessage(slot: number, buf: Buffer): void {
    const m = parseMsg(buf);
    if (!m) return;
    if (m.ack || m.reset) {
      const key = slot * 65536 + m.mid;
      const p = this.byMid.get(key);
      if (!p) {
        // an RST of a NON notification: the server forgot the observation
        const o = m.reset ? this.recentNon.take(key) : undefined;
        if (o && !o.cancelled) this.cancel(o.client, o.token);
        return;
      }
      this.byMid.delete(key);
      if (p.timer) clearTimeout(p.timer);
      p.timer = undefined;
      if (m.reset) return this.finish(p, undefined);
      if (p.kind === 'notify') {
        this.stats.notificationsAcked++;
        return;
      }
      if (m.code !== '0.00') return this.finish(p, m);
      return; // empty ACK: the response comes separately
    }
    if (m.code.startsWith('0.')) {
      if (m.code === '0.00') {
        if (m.con) this.send(slot, empty('rst', m.mid)); // CoAP ping
        return;
      }
      return this.onRequest(slot, m);
    }
    // a separate response to one of our requests
    if (m.con) this.send(slot, empty('ack', m.mid));
    const p = m.token.length === 4 ? this.byToken.get(m.token.readUInt32BE(0)) : undefined;
    if (p) this.finish(p, m);
  }

  private onRequest(slot: number, m: Msg): void {
    const dupKey = slot * 65536 + m.mid;
    if (m.con) {
      const again = this.answered.get(dupKey);
      if (again) {
        this.stats.duplicates++;
        this.send(slot, again);
        return;
      }
    }
    const s = this.slots[slot]!;
    const head = m.uriPath[0];
    let c = s.primary;
    let local = m.uriPath;
    if (head !== undefined && head.startsWith('c') && s.others) {
      c = s.others.get(head);
      local = m.uriPath.slice(1);
    }
    const type = m.con ? 'ack' : 'non';
    if (!c || c.state !== State.Registered) {
      this.stats.count('request to unknown client');
      this.send(slot, response({ code: '4.04', mid: m.con ? m.mid : this.nextMid(slot), token: m.token, type }));
      return;
    }
    const now = Date.now();
    if (this.o.queueMode && now > c.awakeUntil) {
      this.stats.droppedAsleep++;
      return; // radio off
    }
    const r = handle(c, m, local, now, this.settings);
    this.stats.count(`${m.code} ${r.code}`);
    this.stats.requests++;
    const answer = response({
        code: r.code,
        mid: m.con ? m.mid : this.nextMid(slot),
        token: m.token,
        type,
        ...(r.contentFormat !== undefined ? { contentFormat: r.contentFormat } : {}),
        ...(r.observe !== undefined ? { observe: r.observe } : {}),
        ...(r.payload ? { payload: r.payload } : {}),
      });
    this.send(slot, answer);
    if (m.con) {
      this.answered.set(dupKey, answer);
      // EXCHANGE_LIFETIME is about 247 s; the last few thousand answers are enough on loopback
      if (this.answered.size > 20_000) this.answered.delete(this.answered.keys().next().value!);
    }
    if (r.started) {
      this.active.push(r.started);
      this.stats.observations++;
      this.reports.refresh(r.started, now, true);
    }
    if (r.attributes) for (const o of c.observations ?? []) this.reports.refresh(o, now, false);
    if (r.replaced || ((m.code === '0.01' || m.code === '0.05') && m.observe === 1)) this.recount();
  }

  private startReportTick(): void {
    if (this.reportTimer || this.closed) return;
    this.reportTimer = setInterval(() => this.reports.tick(Date.now()), this.reports.slotMs);
    this.reportTimer.unref();
  }

  private nextMid(slot: number): number {
    const s = this.slots[slot]!;
    return (s.mid = (s.mid + 1) & 0xffff);
  }

  private cancel(c: Client, token: Buffer): void {
    if (cancelObservation(c, token)) this.recount();
  }

  private dropObservations(c: Client): void {
    for (const o of c.observations ?? []) o.cancelled = true;
    c.observations = undefined;
    this.recount();
  }

  private recount(): void {
    this.active = this.active.filter((o) => !o.cancelled);
    this.stats.observations = this.active.length;
  }

  // ---- notifications ----

  /** Sends notifications at `rate` per second over all observations, in turn. */
  startNotifications(rate: number): void {
    this.stopNotifications();
    if (rate <= 0) return;
    const t0 = performance.now();
    let sent = 0;
    this.notifyTimer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) / 1000) * rate) - sent;
      // after a stall, do not burst more than 50 ms worth
      const n = Math.min(due, Math.max(1, Math.ceil(rate / 20)));
      for (let k = 0; k < n; k++) if (!this.notifyOne()) break;
      sent += due > n ? due : n; // skipped ones are not made up later
    }, 1);
  }

  /** Stops sending; `dropPending`: CON notifications still waiting for an ACK are not sent again. */
  stopNotifications(dropPending = false): void {
    if (this.notifyTimer) clearInterval(this.notifyTimer);
    this.notifyTimer = undefined;
    if (!dropPending) return;
    for (const [key, p] of this.byMid) {
      if (p.kind !== 'notify') continue;
      if (p.timer) clearTimeout(p.timer);
      this.byMid.delete(key);
    }
  }

  /** One notification from the next observation in turn; false when there is none. */
  notifyOne(): boolean {
    const n = this.active.length;
    if (n === 0) return false;
    for (let tries = 0; tries < n; tries++) {
      const o = this.active[(this.rr = (this.rr + 1) % n)]!;
      if (o.cancelled || o.client.state !== State.Registered) continue;
      // within pmin the change waits: the scheduler sends it when pmin has passed
      if (o.report === undefined || this.reports.mayNotify(o, Date.now())) this.notify(o);
      return true;
    }
    return false;
  }

  notify(o: Observation): void {
    const c = o.client;
    // clock mode: the value is the send time, wall clock with sub-ms resolution
    const now = this.settings.valueMode === 'clock' ? performance.timeOrigin + performance.now() : Date.now();
    const r = renderObservation(o, now, this.settings);
    if (r.code !== '2.05') return;
    if (o.report !== undefined) this.reports.sent(o, Date.now());
    o.seq = (o.seq + 1) & 0xffffff;
    const slot = c.sock;
    const mid = this.nextMid(slot);
    const con = this.o.conNotifications === true;
    const buf = response({ code: '2.05', mid, token: o.token, type: con ? 'con' : 'non', observe: o.seq, ...(r.contentFormat !== undefined ? { contentFormat: r.contentFormat } : {}), ...(r.payload ? { payload: r.payload } : {}) });
    this.stats.notificationsSent++;
    if (this.o.queueMode) c.awakeUntil = Date.now() + (this.o.awakeMs ?? 10_000);
    if (!con) {
      this.recentNon.add(slot * 65536 + mid, o);
      return this.send(slot, buf);
    }
    const p: Pending = { client: c, kind: 'notify', buf, slot, mid, token: 0, attempts: 0, timeoutMs: ACK_TIMEOUT_MS * (1 + Math.random() * (ACK_RANDOM_FACTOR - 1)), timer: undefined, obs: o };
    this.transmit(p);
  }

  counters(): FleetCounters {
    return this.stats.snapshot();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopNotifications();
    clearInterval(this.sweepTimer);
    if (this.reportTimer) clearInterval(this.reportTimer);
    for (const p of this.byMid.values()) if (p.timer) clearTimeout(p.timer);
    for (const p of this.byToken.values()) if (p.timer) clearTimeout(p.timer);
    this.byMid.clear();
    this.byToken.clear();
    await Promise.all(this.slots.map((s) => new Promise<void>((r) => s.sock.close(() => r()))));
    this.slots.length = 0;
    this.regDone?.();
  }
}
