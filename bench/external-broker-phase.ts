/**
 * The external broker rows: a fresh gateway (the main run's gateway and fleets stopped
 * first) with `mqtt.mode: external`, publishing to the machine's Mosquitto (or any broker at
 * `url`), one fleet of `devices` clients, and the notification steps with the subscriber on
 * that broker. Beside the embedded broker's rows it shows what the broker in the gateway's
 * process costs. Everything it puts on the shared broker is under a topic root of the run's
 * own (mappings rewritten from bench/mappings/, the generic topic API's prefix, presence off,
 * the LwM2M MQTT binding off), so that it neither sees nor disturbs others' traffic.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { ROOT, freePort, startGateway, stopProcess, type GatewayRun } from './gateway-process.js';
import { MqttSink } from './mqtt-sink.js';
import { notificationSteps, type NotificationPlan } from './notify-steps.js';
import { CpuMeter, FleetProcess } from './procs.js';
import type { NotificationFigures, Skipped } from './report.js';

export interface ExternalBrokerFigures {
  url: string;
  devices: number;
  registrationsPerSecond: number;
  gatewayCpuUsPerRegistration: number;
  notifications: NotificationFigures | Skipped;
}

export interface ExternalBrokerOptions {
  /** mqtt://host:port */
  url: string;
  entry: 'dist' | 'src';
  devices: number;
  registerWindow: number;
  observeTimeoutMs: number;
  plan: NotificationPlan;
  echoRate: number;
  format: number;
  conNotifications: boolean;
  /** a folder of this phase's own */
  dir: string;
  /** a topic root of the run's own, e.g. bench-<pid> */
  topicRoot: string;
  storeLine: string;
  /** node flags of the gateway's process (--cpu-prof under --profile) */
  nodeFlags?: string[];
  /** config workers (the shards phase, bench/workers-phase.ts); none: the config's default */
  workers?: number;
  log(s: string): void;
}

/** Whether a TCP listener answers at the broker URL's host and port within a second. */
export function brokerReachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 1883) });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** bench/mappings/ with the topic root `bench/` replaced by `root/`. */
function mappingsUnder(root: string, dir: string): string {
  const src = join(ROOT, 'bench/mappings');
  const out = join(dir, 'mappings');
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(src)) writeFileSync(join(out, name), readFileSync(join(src, name), 'utf8').replaceAll('"bench/{endpoint}/', `"${root}/{endpoint}/`));
  return out;
}

export async function externalBrokerFigures(o: ExternalBrokerOptions): Promise<ExternalBrokerFigures> {
  mkdirSync(o.dir, { recursive: true });
  const coapPort = await freePort('udp');
  const file = join(o.dir, 'gateway.yaml');
  writeFileSync(
    file,
    [
      `coap: { port: ${coapPort}, address: 127.0.0.1 }`,
      `lwm2m: { requestTimeout: 30, limits: { registerRatePerAddress: 0 } }`,
      `mappings: { dir: ${JSON.stringify(mappingsUnder(o.topicRoot, o.dir))}, watch: false }`,
      `mqtt: { enabled: true, mode: external, external: { url: ${JSON.stringify(o.url)} }, topicPrefix: ${JSON.stringify(`${o.topicRoot}/api`)}, presence: false }`,
      `mqttBinding: { enabled: false }`,
      `rest: { enabled: false }`,
      `log: { level: warn }`,
      o.storeLine,
      ...(o.workers !== undefined ? [`workers: ${o.workers}`, 'onem2m: { enabled: false }', 'firmware: { enabled: false }'] : []),
      `data: { dir: ${JSON.stringify(join(o.dir, 'data'))} }`,
      '',
    ].join('\n'),
  );
  let gw: GatewayRun | undefined;
  let sink: MqttSink | undefined;
  const fleet = FleetProcess.start();
  try {
    gw = await startGateway({ configFile: file, entry: o.entry, coapPort, ...(o.nodeFlags ? { nodeFlags: o.nodeFlags } : {}) });
    await fleet.open({ host: '127.0.0.1', port: coapPort, count: o.devices, format: o.format, valueMode: 'clock', conNotifications: o.conNotifications, lifetime: 86_400 });
    o.log(`external broker ${o.url}: registering ${o.devices}...`);
    const cpu = new CpuMeter(gw.proc.pid);
    const c = await fleet.register(1e9, o.registerWindow);
    const cpuG = cpu.read();
    const perSecond = c.registerSpanMs > 0 ? (c.registered / c.registerSpanMs) * 1000 : 0;
    const observed = await fleet.waitFor((x) => x.observations >= o.devices * 2, o.observeTimeoutMs);
    let notifications: ExternalBrokerFigures['notifications'] = { skipped: 'no observations' };
    if (observed.observations > 0) {
      const port = Number(new URL(o.url).port || 1883);
      sink = await MqttSink.connect(port, `${o.topicRoot}/+/+`);
      notifications = await notificationSteps(fleet, gw.proc.pid, sink, o.plan, o.echoRate, o.log);
    }
    return { url: o.url, devices: c.registered, registrationsPerSecond: perSecond, gatewayCpuUsPerRegistration: perSecond > 0 ? (cpuG / perSecond) * 1e6 : 0, notifications };
  } finally {
    await sink?.close().catch(() => {});
    await fleet.close().catch(() => {});
    if (gw) await stopProcess(gw.proc);
  }
}
