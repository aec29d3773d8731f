/**
 * A campaign: one image to many devices, with a concurrency limit, retries with
 * exponential backoff, a schedule window, pause / resume / cancel, and a stop when the
 * share of failed devices passes a threshold. It is orchestration only: each device's
 * update is `runDevice` (an UpdateJob in the gateway), and every change is handed to
 * `changed` (the manager persists and publishes it). A record read back after a restart
 * resumes where it was: devices that were running start again.
 */
import type { Clock, TimerHandle } from '../lwm2m/clock.js';
import type { DeliveryMethod, DeviceFilter, JobErrorCode, JobPhase, JobProgress } from './update-job.js';

export interface CampaignSpec {
  name: string;
  imageId: string;
  /** the devices chosen when the campaign was created (endpoint list, globs over the registrations) */
  endpoints: string[];
  filter?: DeviceFilter;
  method: DeliveryMethod | 'auto';
  concurrency: number;
  deviceTimeoutSec: number;
  /** attempts after the first */
  retries: number;
  /** the first retry waits this long, each next one twice as long */
  backoffSec: number;
  /** no device starts before `start` nor after `end` (ms since the epoch) */
  window?: { start?: number; end?: number };
  /** stop when failed / finished passes this (0..1; 1: never) ... */
  failureThreshold: number;
  /** ... once at least this many devices finished */
  minFinished: number;
}

export type CampaignStatus = 'scheduled' | 'running' | 'paused' | 'cancelled' | 'stopped' | 'finished';
export type DeviceStatus = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface CampaignDevice {
  endpoint: string;
  status: DeviceStatus;
  attempts: number;
  phase?: JobPhase;
  bytes: number;
  /** when a retrying device may start again */
  nextAt?: number;
  startedAt?: number;
  finishedAt?: number;
  error?: { code: JobErrorCode; message: string };
}

export interface CampaignRecord {
  id: string;
  spec: CampaignSpec;
  status: CampaignStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** why it stopped */
  reason?: string;
  devices: CampaignDevice[];
}

export interface CampaignTotals {
  devices: number;
  pending: number;
  running: number;
  retrying: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  bytes: number;
}

export function totalsOf(r: CampaignRecord): CampaignTotals {
  const t: CampaignTotals = { devices: r.devices.length, pending: 0, running: 0, retrying: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0, bytes: 0 };
  for (const d of r.devices) {
    t[d.status]++;
    t.bytes += d.bytes;
  }
  return t;
}

export interface RunningDevice {
  /** resolves with the job's last progress */
  done: Promise<JobProgress>;
  cancel(): void;
  /** the job's progress as it goes */
}

export interface CampaignDeps {
  clock: Clock;
  /** starts one device's update; `progress` reports as it goes */
  runDevice(endpoint: string, spec: CampaignSpec, progress: (p: JobProgress) => void): RunningDevice;
  /** the record changed (`device`: that device's entry changed) */
  changed(r: CampaignRecord, device?: CampaignDevice): void;
}

const FINAL: ReadonlySet<DeviceStatus> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);
const ENDED: ReadonlySet<CampaignStatus> = new Set(['cancelled', 'stopped', 'finished']);

export class Campaign {
  private readonly running = new Map<string, RunningDevice>();
  private timer: TimerHandle | undefined;
  private halted = false;

  constructor(
    readonly record: CampaignRecord,
    private readonly deps: CampaignDeps,
  ) {
    // after a restart: what was running starts again
    for (const d of record.devices) if (d.status === 'running') Object.assign(d, { status: 'pending' as const });
  }

  get id(): string {
    return this.record.id;
  }

  get ended(): boolean {
    return ENDED.has(this.record.status);
  }

  /** Starts (or resumes after a restart) unless paused or ended. */
  start(): void {
    this.resumed = true;
    this.pump();
  }

  /** start() was called */
  resumed = false;

  pause(): boolean {
    if (this.ended) return false;
    this.set({ status: 'paused' });
    return true;
  }

  resume(): boolean {
    if (this.record.status !== 'paused') return false;
    this.set({ status: 'running' });
    this.pump();
    return true;
  }

  cancel(): boolean {
    if (this.ended) return false;
    for (const d of this.record.devices) if (!FINAL.has(d.status) && d.status !== 'running') d.status = 'cancelled';
    this.set({ status: 'cancelled', finishedAt: this.deps.clock.now(), reason: 'cancelled' });
    for (const r of this.running.values()) r.cancel();
    return true;
  }

  /** Stops timers and forgets running jobs without touching the record (gateway stop: the record resumes on start). */
  halt(): void {
    this.halted = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private set(patch: Partial<CampaignRecord>): void {
    Object.assign(this.record, patch);
    this.deps.changed(this.record);
  }

  /** Starts what may start now; arms a timer for the next due retry or the window's start. */
  private pump(): void {
    if (this.halted) return;
    this.timer?.cancel();
    this.timer = undefined;
    const r = this.record;
    if (r.status === 'paused' || this.ended) return;
    const now = this.deps.clock.now();
    const w = r.spec.window;
    if (w?.start !== undefined && now < w.start) {
      if (r.status !== 'scheduled') this.set({ status: 'scheduled' });
      this.timer = this.deps.clock.setTimer(w.start - now, () => this.pump());
      return;
    }
    if (r.status === 'scheduled') this.set({ status: 'running', startedAt: now });
    r.startedAt ??= now;
    const closed = w?.end !== undefined && now >= w.end;
    let nextDue = Infinity;
    if (!closed) {
      for (const d of r.devices) {
        if (this.running.size >= r.spec.concurrency) break;
        if (d.status === 'pending' || (d.status === 'retrying' && (d.nextAt ?? 0) <= now)) this.launch(d);
        else if (d.status === 'retrying') nextDue = Math.min(nextDue, d.nextAt ?? now);
      }
    }
    const open = r.devices.some((d) => !FINAL.has(d.status));
    if (this.running.size === 0 && (!open || closed)) {
      this.set(closed && open ? { status: 'stopped', finishedAt: now, reason: 'the schedule window closed' } : { status: 'finished', finishedAt: now });
      return;
    }
    if (closed) return;
    if (w?.end !== undefined) nextDue = Math.min(nextDue, w.end);
    if (nextDue < Infinity && this.running.size < r.spec.concurrency) this.timer = this.deps.clock.setTimer(Math.max(0, nextDue - now), () => this.pump());
  }

  private launch(d: CampaignDevice): void {
    const now = this.deps.clock.now();
    Object.assign(d, { status: 'running', attempts: d.attempts + 1, startedAt: now, bytes: 0 });
    delete d.nextAt;
    delete d.error;
    delete d.finishedAt;
    this.deps.changed(this.record, d);
    const run = this.deps.runDevice(d.endpoint, this.record.spec, (p) => {
      if (this.halted || d.status !== 'running') return;
      if (p.phase === d.phase && p.bytes === d.bytes) return;
      d.phase = p.phase;
      d.bytes = p.bytes;
      this.deps.changed(this.record, d);
    });
    this.running.set(d.endpoint, run);
    void run.done.then((p) => this.finished(d, p));
  }

  private finished(d: CampaignDevice, p: JobProgress): void {
    this.running.delete(d.endpoint);
    if (this.halted) return;
    const now = this.deps.clock.now();
    d.phase = p.phase;
    d.bytes = p.bytes;
    d.finishedAt = now;
    if (p.error) d.error = p.error;
    if (p.phase === 'succeeded' || p.phase === 'skipped') d.status = p.phase;
    else if (p.phase === 'cancelled' || this.record.status === 'cancelled') d.status = 'cancelled';
    else if (d.attempts <= this.record.spec.retries) {
      d.status = 'retrying';
      d.nextAt = now + this.record.spec.backoffSec * 1000 * 2 ** (d.attempts - 1);
    } else d.status = 'failed';
    this.deps.changed(this.record, d);
    const t = totalsOf(this.record);
    const done = t.succeeded + t.failed;
    if (this.record.status === 'running' && done >= this.record.spec.minFinished && t.failed / done > this.record.spec.failureThreshold) {
      for (const x of this.record.devices) if (x.status === 'pending' || x.status === 'retrying') x.status = 'cancelled';
      this.set({ status: 'stopped', finishedAt: now, reason: `${t.failed} of ${done} devices failed: over the failure threshold ${this.record.spec.failureThreshold}` });
      return;
    }
    this.pump();
  }
}
