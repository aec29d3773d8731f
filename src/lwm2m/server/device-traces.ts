/**
 * Message traces of single devices, switched on and off at run time: the binding of a
 * traced device's registration hands each message to and from it (DeviceTransport.tracePeer),
 * and each becomes an info log line with the endpoint and a 'trace' event. A trace follows
 * its device to a new address or a new registration and ends by itself after its time.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../../log.js';
import type { DeviceTransport, MessageTraceRecord, Peer } from '../transport.js';
import type { Registration } from './types.js';

/** The longest a trace may run, seconds (a day). */
export const MAX_TRACE_SECONDS = 86_400;
/** The most devices traced at once. */
export const MAX_TRACES = 100;

export interface DeviceTrace {
  endpoint: string;
  /** ms since the epoch (the core's clock) when it ends by itself */
  until: number;
}

export interface TraceEvent {
  endpoint: string;
  /** the binding that carried the message: "udp", "dtls" */
  transport: string;
  record: MessageTraceRecord;
}

interface Active extends DeviceTrace {
  timer: TimerHandle;
  /** the peer and binding hooked now (none while the device is not registered) */
  hooked?: { peer: Peer; transport: DeviceTransport };
}

export type TraceStartResult = { ok: true; trace: DeviceTrace } | { ok: false; reason: 'NOT_REGISTERED' | 'NOT_SUPPORTED' | 'TOO_MANY' };

export class DeviceTraces {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly deps: {
      clock: Clock;
      log: Logger;
      registration: (endpoint: string) => Registration | undefined;
      transport: (name: string) => DeviceTransport | undefined;
      emit: (event: TraceEvent) => void;
    },
  ) {}

  /** Starts (or extends, or shortens) the trace of a registered device for `seconds` (1..MAX_TRACE_SECONDS). */
  start(endpoint: string, seconds: number): TraceStartResult {
    const reg = this.deps.registration(endpoint);
    if (!reg) return { ok: false, reason: 'NOT_REGISTERED' };
    if (!this.deps.transport(reg.peer.transport)?.tracePeer) return { ok: false, reason: 'NOT_SUPPORTED' };
    const existing = this.active.get(endpoint);
    if (!existing && this.active.size >= MAX_TRACES) return { ok: false, reason: 'TOO_MANY' };
    const ms = Math.round(Math.min(Math.max(seconds, 1), MAX_TRACE_SECONDS) * 1000);
    if (existing) existing.timer.cancel();
    const entry: Active = existing ?? { endpoint, until: 0, timer: { cancel: () => undefined } };
    entry.until = this.deps.clock.now() + ms;
    entry.timer = this.deps.clock.setTimer(ms, () => this.stop(endpoint, 'time is up'));
    this.active.set(endpoint, entry);
    this.hook(entry, reg);
    if (!existing) this.deps.log.info('coap trace on', { endpoint, seconds: ms / 1000 });
    return { ok: true, trace: { endpoint, until: entry.until } };
  }

  /** Ends a trace; false when there was none. */
  stop(endpoint: string, why = 'stopped'): boolean {
    const entry = this.active.get(endpoint);
    if (!entry) return false;
    this.active.delete(endpoint);
    entry.timer.cancel();
    this.unhook(entry);
    this.deps.log.info('coap trace off', { endpoint, why });
    return true;
  }

  get(endpoint: string): DeviceTrace | undefined {
    const e = this.active.get(endpoint);
    return e ? { endpoint: e.endpoint, until: e.until } : undefined;
  }

  list(): DeviceTrace[] {
    return [...this.active.values()].map((e) => ({ endpoint: e.endpoint, until: e.until }));
  }

  /** The device registered again, updated, moved or left: trace its current peer (if any). */
  follow(endpoint: string): void {
    const entry = this.active.get(endpoint);
    if (!entry) return;
    const reg = this.deps.registration(endpoint);
    if (reg) this.hook(entry, reg);
    else this.unhook(entry);
  }

  stopAll(): void {
    for (const endpoint of [...this.active.keys()]) this.stop(endpoint, 'server stopped');
  }

  private hook(entry: Active, reg: Registration): void {
    const transport = this.deps.transport(reg.peer.transport);
    const now = entry.hooked;
    if (now && now.transport === transport && now.peer.key === reg.peer.key) return;
    this.unhook(entry);
    if (!transport?.tracePeer) return;
    const name = reg.peer.transport;
    const endpoint = entry.endpoint;
    transport.tracePeer(reg.peer, (record) => {
      this.deps.log.info('coap trace', { endpoint, transport: name, ...record });
      this.deps.emit({ endpoint, transport: name, record });
    });
    entry.hooked = { peer: reg.peer, transport };
  }

  private unhook(entry: Active): void {
    entry.hooked?.transport.tracePeer?.(entry.hooked.peer, undefined);
    entry.hooked = undefined;
  }
}
