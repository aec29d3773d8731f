/**
 * One bootstrap session: the Bootstrap Server's requests to a client after its
 * Bootstrap-Request (LwM2M 1.1 Core 5.2.7, Transport 6.2): optional Bootstrap-Discover
 * of /, Bootstrap-Delete of the configured paths, Bootstrap-Write (replace) of each
 * instance, optional Bootstrap-Read of /1, Bootstrap-Finish. One request at a time.
 *
 * - A Write answered 4.15 is sent again in the next content format; the format that
 *   worked is kept for the rest of the session.
 * - A Delete or Discover answered 4.xx is recorded and the session goes on (a 1.0
 *   client answers 4.00 to a Delete of / or knows no Discover; writes replace anyway).
 * - Any other failure ends the session: a Write answered 4.xx/5.xx, no answer in time,
 *   Bootstrap-Finish answered other than 2.04 (4.06: the client found the config
 *   unusable), the session running longer than its time, a newer session of the endpoint.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { CodecRegistry } from '../codec/registry.js';
import type { DecodeLimits } from '../codec/codec.js';
import { ContentFormat } from '../codec/codec.js';
import { parseLinks } from '../codec/link-format.js';
import type { ModelProvider } from '../model/types.js';
import { LwM2mPath } from '../path.js';
import { TransportError } from '../transport.js';
import type { DownlinkRequest, DownlinkResponse } from '../transport.js';
import type { BootstrapConfig } from './config.js';
import { ASSUMED_SECURITY_IDS, instanceWrites } from './plan.js';
import type { InstanceWrite } from './plan.js';

export type StepKind = 'discover' | 'delete' | 'write' | 'read' | 'credentials' | 'finish';

/** One request of a session and how it went. */
export interface StepRecord {
  readonly step: StepKind;
  readonly path: string;
  /** the client's answer ("2.04", "4.15"), absent when none came */
  readonly code?: string;
  readonly contentFormat?: number;
  readonly ok: boolean;
  /** why it failed, or what was noted (no answer, a format refused) */
  readonly note?: string;
  readonly at: number;
}

export type SessionState = 'running' | 'finished' | 'failed';

export interface SessionDeps {
  /** sends one request to the session's client (its transport, peer and timeout) */
  send(req: DownlinkRequest): Promise<DownlinkResponse>;
  codecs: CodecRegistry;
  models: ModelProvider;
  limits: DecodeLimits;
  clock: Clock;
  /** a step ended (for events and logs) */
  onStep(session: BootstrapSession, step: StepRecord): void;
  /** the session ended */
  onEnd(session: BootstrapSession): void;
  /** after the writes: the accounts whose credentials this gateway's own server takes (returns a note on failure) */
  installCredentials(session: BootstrapSession): string | undefined;
}

export interface SessionInfo {
  id: string;
  endpoint: string;
  /** transport and address of the client, e.g. "udp 127.0.0.1:5000" */
  peer: string;
  /** the client's preferred content format (`pct`) */
  preferredFormat?: number;
}

/** The formats to try, first to last: the config's, the client's `pct`, then by LwM2M version. */
export function formatChain(configured: number | undefined, pct: number | undefined, version: string | undefined): number[] {
  const byVersion =
    version !== undefined && version !== '1.0'
      ? [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.TLV]
      : [ContentFormat.TLV, ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON];
  const out: number[] = [];
  for (const f of [configured, pct, ...byVersion]) if (f !== undefined && !out.includes(f)) out.push(f);
  return out;
}

const MAX_LINKS = 1000;
/** the longest note kept from a client's answer */
const NOTE_CHARS = 200;

class SessionEnded extends Error {}

export class BootstrapSession {
  readonly startedAt: number;
  endedAt: number | undefined;
  state: SessionState = 'running';
  reason: string | undefined;
  readonly steps: StepRecord[] = [];
  /** the LwM2M version the client showed in its Discover answer */
  version: string | undefined;
  private formats: number[];
  private timer: TimerHandle | undefined;

  constructor(
    readonly info: SessionInfo,
    readonly config: BootstrapConfig,
    private readonly deps: SessionDeps,
    timeoutMs: number,
  ) {
    this.startedAt = deps.clock.now();
    this.formats = formatChain(config.contentFormat, info.preferredFormat, undefined);
    this.timer = deps.clock.setTimer(timeoutMs, () => this.fail(`not finished within ${Math.round(timeoutMs / 1000)} s`));
  }

  get id(): string {
    return this.info.id;
  }

  get endpoint(): string {
    return this.info.endpoint;
  }

  /** Ends a running session as failed (a newer session, a timeout, a stop); no more requests go out. */
  fail(reason: string): void {
    if (this.state !== 'running') return;
    this.end('failed', reason);
  }

  private end(state: SessionState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    this.endedAt = this.deps.clock.now();
    this.timer?.cancel();
    this.timer = undefined;
    this.deps.onEnd(this);
  }

  /** Runs the sequence to its end; never throws. */
  async run(): Promise<void> {
    try {
      if (this.config.discover) await this.discover();
      for (const p of this.config.delete) await this.lenient('delete', { op: 'bootstrapDelete', path: LwM2mPath.parse(p) }, '2.02');
      const held = this.heldSecurityIds ?? ASSUMED_SECURITY_IDS;
      for (const w of instanceWrites(this.config, this.deps.models, held)) await this.write(w);
      const note = this.deps.installCredentials(this);
      if (note !== undefined) this.record({ step: 'credentials', path: '/0', ok: false, note });
      if (this.config.readBack) await this.lenient('read', { op: 'bootstrapRead', path: LwM2mPath.of(1), accept: this.formats[0]! }, '2.05');
      await this.finish();
    } catch (e) {
      if (e instanceof SessionEnded) return;
      this.fail(e instanceof Error ? e.message.slice(0, NOTE_CHARS) : 'internal error');
    }
  }

  private heldSecurityIds: Set<number> | undefined;

  private async discover(): Promise<void> {
    const r = await this.lenient('discover', { op: 'bootstrapDiscover', path: LwM2mPath.ROOT }, '2.05');
    if (!r || r.code !== '2.05') return;
    let links;
    try {
      links = parseLinks(Buffer.from(r.payload).toString('utf8'), { maxLength: 64 * 1024, maxLinks: MAX_LINKS, maxAttributes: 16 });
    } catch {
      return;
    }
    const held = new Set<number>();
    for (const l of links) {
      const v = l.attributes.get('lwm2m');
      if (l.uri === '/' && typeof v === 'string' && v.length <= 8) this.version = v;
      const m = /^\/0\/(\d{1,5})$/.exec(l.uri);
      if (m) held.add(Number(m[1]));
    }
    this.heldSecurityIds = held;
    this.formats = formatChain(this.config.contentFormat, this.info.preferredFormat, this.version);
  }

  /** Sends; records the step; throws SessionEnded when the session ended meanwhile, fails it on no answer. */
  private async request(step: StepKind, req: DownlinkRequest): Promise<DownlinkResponse> {
    this.check();
    let r: DownlinkResponse;
    try {
      r = await this.deps.send(req);
    } catch (e) {
      this.check();
      const why = e instanceof TransportError ? e.code : 'error';
      this.record({ step, path: req.path.toString(), ok: false, note: `no answer (${why})` });
      this.fail(`no answer to ${step} ${req.path.toString()} (${why})`);
      throw new SessionEnded();
    }
    this.check();
    return r;
  }

  private check(): void {
    if (this.state !== 'running') throw new SessionEnded();
  }

  /** A request whose 4.xx answer is noted and passed over; a 5.xx ends the session. */
  private async lenient(step: StepKind, req: DownlinkRequest, success: string): Promise<DownlinkResponse | undefined> {
    const r = await this.request(step, req);
    const ok = r.code === success;
    const fmt = req.accept !== undefined ? { contentFormat: req.accept } : {};
    this.record({ step, path: req.path.toString(), code: r.code, ok, ...fmt, ...(ok ? {} : { note: 'passed over' }) });
    if (r.code.startsWith('5')) this.failWith(`${step} ${req.path.toString()} answered ${r.code}`);
    return r;
  }

  private async write(w: InstanceWrite): Promise<void> {
    for (;;) {
      const format = this.formats[0];
      if (format === undefined) this.failWith(`write ${w.path.toString()}: the client took none of the content formats`);
      const encoded = this.deps.codecs.encode(format, w.path, w.node, { model: this.deps.models, limits: this.deps.limits });
      if (!encoded.ok) {
        this.record({ step: 'write', path: w.path.toString(), contentFormat: format, ok: false, note: `cannot encode: ${encoded.error.message.slice(0, NOTE_CHARS)}` });
        this.formats.shift();
        continue;
      }
      const r = await this.request('write', { op: 'bootstrapWrite', path: w.path, contentFormat: format, payload: encoded.value });
      const ok = r.code === '2.04';
      this.record({ step: 'write', path: w.path.toString(), code: r.code, contentFormat: format, ok, ...(r.code === '4.15' ? { note: 'format refused, trying the next' } : {}) });
      if (ok) return;
      if (r.code !== '4.15') this.failWith(`write ${w.path.toString()} answered ${r.code}`);
      this.formats.shift();
    }
  }

  private async finish(): Promise<void> {
    const r = await this.request('finish', { op: 'bootstrapFinish', path: LwM2mPath.ROOT });
    const ok = r.code === '2.04';
    this.record({ step: 'finish', path: '/bs', code: r.code, ok });
    if (!ok) this.failWith(`Bootstrap-Finish answered ${r.code}`);
    this.end('finished');
  }

  private failWith(reason: string): never {
    this.fail(reason);
    throw new SessionEnded();
  }

  private record(s: Omit<StepRecord, 'at'>): void {
    const step: StepRecord = { ...s, at: this.deps.clock.now() };
    this.steps.push(step);
    this.deps.onStep(this, step);
  }

  /** The accounts' short server ids and the formats tried, for the view. */
  get contentFormat(): number | undefined {
    return this.formats[0];
  }
}

export type { InstanceWrite };
