/**
 * The benchmark's DTLS part, against a gateway with the coaps binding on:
 *
 * 1. Full PSK handshakes per second: `processes` fleet processes each run `sockets`
 *    handshakes back to back (handshake-load.ts) with TLS_PSK_WITH_AES_128_CCM_8 and the
 *    extended master secret; completed handshakes over the measured window, the gateway's
 *    CPU over the same window, hence handshakes per second per core of the gateway.
 * 2. A fleet of `devices` clients over DTLS (one session each): registrations, the
 *    observations the bench mappings set up, then notifications into MQTT measured as for
 *    the plain UDP fleet (notify-steps.ts).
 *
 * The PSK credentials come over REST (provision.ts) for `dtls-sim-0` ... .
 */
import type { MqttSink } from '../mqtt-sink.js';
import { notificationSteps, type NotificationPlan } from '../notify-steps.js';
import { CpuMeter, FleetProcess, udpReceiveErrors } from '../procs.js';
import type { DtlsFigures, HandshakeFigures } from '../report.js';
import type { HandshakeCounters } from './handshake-runner.js';
import { provisionPsks } from './provision.js';
import { TLS_PSK_WITH_AES_128_CBC_SHA256 } from '../../src/transport/dtls/record-cipher.js';

export const DTLS_PREFIX = 'dtls-sim-';

export interface DtlsPlan {
  /** clients of the DTLS fleet, and PSK identities of the handshake load */
  devices: number;
  /** handshake load processes */
  processes: number;
  /** handshakes in flight per process (all processes together: below the gateway's 1,000 half-open handshakes) */
  sockets: number;
  /** TLS_PSK_WITH_AES_128_CCM_8 or TLS_PSK_WITH_AES_128_CBC_SHA256, for the handshakes and the fleet */
  suite: number;
  handshakeSeconds: number;
  notify: NotificationPlan;
  /** false: the handshakes alone */
  notifications: boolean;
  observeTimeoutMs: number;
  format: number;
  conNotifications: boolean;
}

export interface DtlsTarget {
  gatewayPid: number | undefined;
  dtlsPort: number;
  restPort: number;
  /** the MQTT subscriber; undefined when the MQTT face is not wired */
  sink: MqttSink | undefined;
  /** raw UDP echo round trips per second at notification sizes */
  echoRate: number;
  log: (s: string) => void;
  /** fleet processes started here are added, for the caller to close on failure */
  fleets: FleetProcess[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function suiteName(suite: number): string {
  return suite === TLS_PSK_WITH_AES_128_CBC_SHA256 ? 'TLS_PSK_WITH_AES_128_CBC_SHA256' : 'TLS_PSK_WITH_AES_128_CCM_8';
}

function sum(cs: HandshakeCounters[]): HandshakeCounters {
  const out: HandshakeCounters = { completed: 0, failed: 0, timedOut: 0, retransmissions: 0, reasons: {} };
  for (const c of cs) {
    out.completed += c.completed;
    out.failed += c.failed;
    out.timedOut += c.timedOut;
    out.retransmissions += c.retransmissions;
    for (const [k, v] of Object.entries(c.reasons)) out.reasons[k] = (out.reasons[k] ?? 0) + v;
  }
  return out;
}

async function handshakePhase(t: DtlsTarget, p: DtlsPlan): Promise<HandshakeFigures> {
  const procs = Array.from({ length: p.processes }, () => FleetProcess.start());
  t.fleets.push(...procs);
  try {
    const options = { host: '127.0.0.1', port: t.dtlsPort, sockets: p.sockets, identities: { prefix: DTLS_PREFIX, count: p.devices }, suite: p.suite };
    await Promise.all(procs.map((f) => f.startHandshakes(options)));
    await sleep(500); // warm-up
    const c0 = sum(await Promise.all(procs.map((f) => f.handshakeCounters())));
    const gw = new CpuMeter(t.gatewayPid);
    const gen = procs.map((f) => new CpuMeter(f.pid));
    const drops = udpReceiveErrors();
    const t0 = performance.now();
    await sleep(p.handshakeSeconds * 1000);
    const c1 = sum(await Promise.all(procs.map((f) => f.handshakeCounters())));
    const seconds = (performance.now() - t0) / 1000;
    const gatewayCpu = gw.read();
    const generatorCpu = gen.reduce((a, m) => a + m.read(), 0);
    const udpDrops = udpReceiveErrors() - drops;
    await Promise.all(procs.map((f) => f.stopHandshakes()));
    const completed = c1.completed - c0.completed;
    const perSecond = completed / seconds;
    const reasons: Record<string, number> = {};
    for (const [k, v] of Object.entries(c1.reasons)) if (v > (c0.reasons[k] ?? 0)) reasons[k] = v - (c0.reasons[k] ?? 0);
    return {
      suite: suiteName(p.suite),
      processes: p.processes,
      inFlight: p.processes * p.sockets,
      seconds,
      completed,
      perSecond,
      failed: c1.failed - c0.failed,
      timedOut: c1.timedOut - c0.timedOut,
      retransmissions: c1.retransmissions - c0.retransmissions,
      reasons,
      udpDrops,
      gatewayCpu,
      perCorePerSecond: gatewayCpu > 0 ? perSecond / gatewayCpu : 0,
      gatewayCpuUsPerHandshake: perSecond > 0 ? (gatewayCpu / perSecond) * 1e6 : 0,
      generatorCpu: Math.round(generatorCpu * 100) / 100,
    };
  } finally {
    for (const f of procs) await f.close().catch(() => {});
    for (const f of procs) t.fleets.splice(t.fleets.indexOf(f), 1);
  }
}

/** Both DTLS figures; the DTLS fleet stays open (in `t.fleets`) for the caller to close. */
export async function dtlsFigures(t: DtlsTarget, p: DtlsPlan): Promise<DtlsFigures> {
  t.log(`DTLS: PSK credentials for ${p.devices} endpoints over REST...`);
  await provisionPsks(t.restPort, DTLS_PREFIX, p.devices);
  t.log(`DTLS: full PSK handshakes for ${p.handshakeSeconds} s (${p.processes} processes x ${p.sockets} in flight)...`);
  const handshakes = await handshakePhase(t, p);
  t.log(`DTLS: ${handshakes.perSecond.toFixed(0)} handshakes/s, gateway cpu ${(handshakes.gatewayCpu * 100).toFixed(0)}%`);
  if (handshakes.generatorCpu > 0.9 * p.processes) t.log('DTLS: the load generator used all its CPU: the rate may be its limit, not the gateway\'s (more --dtls-procs)');
  if (!p.notifications) return { devices: p.devices, handshakes, registrations: { skipped: '--skip dtls-notify' }, notifications: { skipped: '--skip dtls-notify' } };

  const fleet = FleetProcess.start();
  t.fleets.push(fleet);
  t.log(`DTLS: fleet of ${p.devices} clients, a session each...`);
  await fleet.open({ host: '127.0.0.1', port: t.dtlsPort, count: p.devices, prefix: DTLS_PREFIX, format: p.format, valueMode: 'clock', conNotifications: p.conNotifications, lifetime: 86_400, dtls: { suite: p.suite } });
  const cpu = new CpuMeter(t.gatewayPid);
  const c = await fleet.register(1e9, 256);
  const perSecond = c.registerSpanMs > 0 ? (c.registered / c.registerSpanMs) * 1000 : 0;
  const registrations = { devices: p.devices, perSecond, failures: c.registerFailures, gatewayCpu: cpu.read() };
  t.log(`DTLS: registered ${c.registered} at ${perSecond.toFixed(0)}/s (${c.registerFailures} failed)`);
  if (!t.sink) return { devices: p.devices, handshakes, registrations, notifications: { skipped: 'the MQTT northbound is not wired into this gateway build' } };
  const obsStart = performance.now();
  const o = await fleet.waitFor((x) => x.observations >= p.devices * 2, p.observeTimeoutMs);
  const observations = { established: o.observations, seconds: (performance.now() - obsStart) / 1000 };
  if (o.observations === 0) return { devices: p.devices, handshakes, registrations, observations, notifications: { skipped: 'no observation over DTLS' } };
  const notifications = await notificationSteps(fleet, t.gatewayPid, t.sink, p.notify, t.echoRate, (s) => t.log(`DTLS: ${s}`));
  return { devices: p.devices, handshakes, registrations, observations, notifications };
}
