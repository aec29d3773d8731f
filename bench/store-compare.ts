/**
 * The same registrations and notifications on a gateway of each other store, so that one
 * `npm run bench` reports memory, file and Redis side by side: a fresh gateway per store
 * (the main run's gateway and fleets stopped first), one fleet of `devices` clients, their
 * registrations per second and the notifications into MQTT at the fixed offered load.
 */
import { createConnection } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, stopProcess, type GatewayRun } from './gateway-process.js';
import { MqttSink } from './mqtt-sink.js';
import { notificationSteps, type NotificationPlan } from './notify-steps.js';
import { CpuMeter, FleetProcess } from './procs.js';
import type { NotificationFigures, Skipped } from './report.js';

export type StoreType = 'memory' | 'file' | 'redis';

export interface StoreFigure {
  store: StoreType;
  devices: number;
  registrationsPerSecond: number;
  gatewayCpuUsPerRegistration: number;
  notifications: NotificationFigures | Skipped;
}

export interface StoreCompareOptions {
  stores: readonly StoreType[];
  entry: 'dist' | 'src';
  devices: number;
  registerWindow: number;
  observeTimeoutMs: number;
  plan: NotificationPlan;
  echoRate: number;
  format: number;
  conNotifications: boolean;
  tmp: string;
  /** writes a gateway config for `store` in `dir` */
  config(store: StoreType, dir: string): Promise<{ file: string; coapPort: number; mqttPort: number; restPort: number }>;
  log(s: string): void;
}

/** Whether a Redis answers at `url` (a TCP connect within a second). */
export function redisReachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function oneStore(o: StoreCompareOptions, store: StoreType): Promise<StoreFigure> {
  const dir = join(o.tmp, `store-${store}`);
  mkdirSync(dir, { recursive: true });
  const cfg = await o.config(store, dir);
  let gw: GatewayRun | undefined;
  let sink: MqttSink | undefined;
  const fleet = FleetProcess.start();
  try {
    gw = await startGateway({ configFile: cfg.file, entry: o.entry, coapPort: cfg.coapPort, mqttPort: cfg.mqttPort, restPort: cfg.restPort });
    await fleet.open({ host: '127.0.0.1', port: cfg.coapPort, count: o.devices, format: o.format, valueMode: 'clock', conNotifications: o.conNotifications, lifetime: 86_400 });
    o.log(`store ${store}: registering ${o.devices}...`);
    const cpu = new CpuMeter(gw.proc.pid);
    const c = await fleet.register(1e9, o.registerWindow);
    const cpuG = cpu.read();
    const perSecond = c.registerSpanMs > 0 ? (c.registered / c.registerSpanMs) * 1000 : 0;
    const observed = await fleet.waitFor((x) => x.observations >= o.devices * 2, o.observeTimeoutMs);
    let notifications: StoreFigure['notifications'] = { skipped: 'no observations' };
    if (observed.observations > 0) {
      sink = await MqttSink.connect(cfg.mqttPort, 'bench/+/+');
      notifications = await notificationSteps(fleet, gw.proc.pid, sink, { ...o.plan, steps: [] }, o.echoRate, o.log);
    }
    return { store, devices: c.registered, registrationsPerSecond: perSecond, gatewayCpuUsPerRegistration: perSecond > 0 ? (cpuG / perSecond) * 1e6 : 0, notifications };
  } finally {
    await sink?.close().catch(() => {});
    await fleet.close().catch(() => {});
    if (gw) await stopProcess(gw.proc);
  }
}

/** Each store in turn, one gateway at a time. */
export async function storeComparison(o: StoreCompareOptions): Promise<StoreFigure[]> {
  const out: StoreFigure[] = [];
  for (const store of o.stores) out.push(await oneStore(o, store));
  return out;
}
