/**
 * When a simulated client reports an observation that has pmin or pmax (LwM2M 1.1, 5.1.1):
 * no notification sooner than pmin after the previous one (a change within pmin is sent
 * when pmin has passed), and one at least every pmax even when nothing changed (pmax is
 * ignored unless it is greater than pmin).
 *
 * One timer wheel for the whole fleet: an observation waits in the slot of its next due
 * time, and one tick (every `slotMs`, driven by the fleet) fires the slots that are due.
 * An observation without pmin and pmax never enters it, so the fleet pays nothing for
 * observations the server set no attributes on (the benchmark's case). Pure: the caller
 * passes the time.
 */
import { effectiveAttributes, type AttributeHolder } from './attributes.js';

/** The reporting state of an observation with pmin or pmax. */
export interface ReportState {
  /** ms, 0: none */
  pmin: number;
  /** ms, 0: none */
  pmax: number;
  /** when the latest notification (or the Observe answer) went out, ms */
  last: number;
  /** a change waits for pmin to pass */
  pending: boolean;
  /** the wheel slot the observation waits in; -1: none */
  slot: number;
}

/** What the scheduler needs of an observation. */
export interface Reported {
  client: AttributeHolder;
  /** the observed path (empty for a composite observation, which attributes do not rule) */
  path: number[];
  composite?: number[][] | undefined;
  cancelled: boolean;
  report: ReportState | undefined;
}

export class ReportScheduler<O extends Reported> {
  private readonly slots = new Map<number, O[]>();
  /** the last slot fired */
  private fired = -1;

  /**
   * `send` notifies now (and must call `sent`); `live` says whether the observation's
   * client can still send; `wake` is called when the wheel gets its first entry.
   */
  constructor(
    private readonly send: (o: O, now: number) => void,
    private readonly live: (o: O) => boolean,
    private readonly wake: () => void = () => {},
    readonly slotMs = 250,
  ) {}

  /** An observation started (its answer went out now) or its client's attributes changed. */
  refresh(o: O, now: number, started: boolean): void {
    const a = o.composite ? undefined : effectiveAttributes(o.client, o.path);
    const pmin = (a?.pmin ?? 0) * 1000;
    let pmax = (a?.pmax ?? 0) * 1000;
    if (pmax <= pmin) pmax = 0;
    if (pmin === 0 && pmax === 0) {
      o.report = undefined;
      return;
    }
    const r = (o.report ??= { pmin, pmax, last: now, pending: false, slot: -1 });
    r.pmin = pmin;
    r.pmax = pmax;
    if (started) {
      r.last = now;
      r.pending = false;
    }
    this.reschedule(o, r);
  }

  /** The value changed: true when it may be sent now, else it waits until pmin has passed. */
  mayNotify(o: O, now: number): boolean {
    const r = o.report;
    if (!r || now - r.last >= r.pmin) return true;
    if (!r.pending) {
      r.pending = true;
      this.reschedule(o, r);
    }
    return false;
  }

  /** A notification of `o` went out at `now`. */
  sent(o: O, now: number): void {
    const r = o.report;
    if (!r) return;
    r.last = now;
    r.pending = false;
    this.reschedule(o, r);
  }

  /** Fires the slots that are due at `now`. */
  tick(now: number): void {
    const upTo = Math.floor(now / this.slotMs);
    if (this.fired < 0 || upTo - this.fired > this.slots.size) {
      // the first tick, or one after a long stall: visit the slots held rather than every slot in between
      for (const k of [...this.slots.keys()].sort((a, b) => a - b)) if (k <= upTo) this.fire(k, now);
    } else for (let k = this.fired + 1; k <= upTo; k++) this.fire(k, now);
    this.fired = Math.max(this.fired, upTo);
  }

  private fire(k: number, now: number): void {
    const list = this.slots.get(k);
    if (!list) return;
    this.slots.delete(k);
    for (const o of list) {
      const r = o.report;
      if (!r || r.slot !== k || o.cancelled) continue;
      r.slot = -1;
      if (!this.live(o)) continue;
      const dueByPmin = r.pending && now - r.last >= r.pmin;
      const dueByPmax = r.pmax > 0 && now - r.last >= r.pmax;
      if (dueByPmin || dueByPmax) this.send(o, now);
      else this.reschedule(o, r);
    }
  }

  /** Puts `o` in the slot of its next due time: the end of pmin for a waiting change, else pmax. */
  private reschedule(o: O, r: ReportState): void {
    const due = r.pending ? r.last + r.pmin : r.pmax > 0 ? r.last + r.pmax : -1;
    if (due < 0) {
      r.slot = -1;
      return;
    }
    // never early: the slot's start is at or after the due time
    let k = Math.ceil(due / this.slotMs);
    if (k <= this.fired) k = this.fired + 1;
    if (k === r.slot) return;
    r.slot = k;
    const list = this.slots.get(k);
    if (list) list.push(o);
    else {
      if (this.slots.size === 0) this.wake();
      this.slots.set(k, [o]);
    }
  }
}
