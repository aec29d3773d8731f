/** The benchmark's results: their JSON shape and the printed table. */
import type { FotaPullFigures } from './fota-pull.js';
import type { ExternalBrokerFigures } from './external-broker-phase.js';
import type { WorkersFigures } from './workers-phase.js';
import type { PeerFigures } from './peer/peer-phase.js';
import type { MqttBindingFigures } from './mqtt-binding-phase.js';
import type { StoreFigure } from './store-compare.js';
import type { EchoResult } from './echo.js';
import type { Percentiles } from './stats.js';

export interface Skipped {
  skipped: string;
}

export interface NotificationStep {
  offeredPerSecond: number;
  sentPerSecond: number;
  deliveredPerSecond: number;
  /** CON notifications the gateway acknowledged (it has them) */
  ackedPerSecond: number;
  /** CON notifications sent again for want of an ACK */
  retransmissionsPerSecond: number;
  /** datagrams the kernel dropped for a full receive buffer during the step (whole machine) */
  udpDrops: number;
  gatewayCpu: number;
  simulatorCpu: number;
  /** the benchmark process, which holds the MQTT subscriber */
  subscriberCpu: number;
  latencyMs: Percentiles;
}

export interface NotificationFigures {
  offeredPerSecond: number;
  sentPerSecond: number;
  deliveredPerSecond: number;
  latencyMs: Percentiles;
  udpDrops: number;
  gatewayCpu: number;
  steps: NotificationStep[];
  maxPerSecond: number;
  /** gateway CPU time per notification at the highest load it kept up with */
  gatewayCpuUsPerNotification: number;
  ratioToEcho: number;
}

export interface HandshakeFigures {
  suite: string;
  /** load generator processes, and handshakes in flight over all of them */
  processes: number;
  inFlight: number;
  /** the measured window */
  seconds: number;
  completed: number;
  perSecond: number;
  failed: number;
  timedOut: number;
  retransmissions: number;
  /** failures by reason */
  reasons: Record<string, number>;
  udpDrops: number;
  /** the gateway's CPU use over the window (fraction of one core) */
  gatewayCpu: number;
  /** handshakes per second of gateway CPU time: per core, as the gateway runs on one */
  perCorePerSecond: number;
  gatewayCpuUsPerHandshake: number;
  /** the load generator processes' CPU use, summed (fractions of a core) */
  generatorCpu: number;
}

export interface DtlsFigures {
  devices: number;
  handshakes: HandshakeFigures;
  registrations: { devices: number; perSecond: number; failures: number; gatewayCpu: number } | Skipped;
  observations?: { established: number; seconds: number };
  notifications: NotificationFigures | Skipped;
}

export interface Results {
  startedAt: string;
  mode: 'quick' | 'full';
  durationS: number;
  machine: { cpus: number; model: string; node: string; loadavgBefore: number[]; loadavgAfter: number[]; cpuShareBefore: number; openFileLimit: number };
  gateway: { entry: 'dist' | 'src'; /** absent in results from before the file store: memory */ store?: 'file' | 'memory' | 'redis'; mqtt: boolean; rest: boolean };
  fleet: { sockets: number; clientsPerSocket: number; limit: string; notificationFormat: number; conNotifications: boolean };
  figures: {
    echo: { register: EchoResult; notification: EchoResult; read: EchoResult };
    startupMs: { median: number; runs: number[] };
    registrations: { devices: number; perSecond: number; failures: number; retransmissions: number; udpDrops: number; gatewayCpu: number; gatewayCpuUsPerRegistration: number; ratioToEcho: number }[];
    observations: { devices: number; established: number; seconds: number }[];
    /** idleCpu: the gateway's CPU use (fraction of a core) with these devices and no traffic */
    /** heapBytes: live heap after a full collection (bench/heap-probe.mjs; absent in older results, 0 when the probe did not answer) */
    rss: {
      baseBytes: number;
      baseHeapBytes?: number;
      at: { devices: number; observations: number; bytes: number; perDeviceBytes: number; idleCpu: number; simulatorBytes: number; simulatorClients: number; heapBytes?: number; heapPerDeviceBytes?: number }[];
    };
    notifications: NotificationFigures | Skipped;
    restReads: { readsPerSecond: number; failed: number; latencyMs: Percentiles; gatewayCpu: number; ratioToEcho: number } | Skipped;
    dtls: DtlsFigures | Skipped;
    /** the same fleet on a gateway of each other store (absent in older results) */
    stores?: StoreFigure[] | Skipped;
    /** notifications over the LwM2M 1.2 MQTT binding into the mapped MQTT topics (absent in older results) */
    mqttBinding?: MqttBindingFigures | Skipped;
    /** one firmware image pulled by many devices at once (absent in older results) */
    fotaPull?: FotaPullFigures | Skipped;
    /** the gateway publishing to an external broker, the subscriber on it (absent in older results) */
    externalBroker?: ExternalBrokerFigures | Skipped;
    /** the Redis store and the external broker on one shard and on one per core (config workers; absent in older results) */
    workers?: WorkersFigures | Skipped;
    /** the same registrations and reads against lwm2m-node-lib's server (absent in older results) */
    peer?: PeerFigures | Skipped;
  };
}

const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1)) + ' ms';
const mib = (b: number): string => (b / 1048576).toFixed(1) + ' MiB';
const pct = (r: number): string => (r * 100).toFixed(0) + '%';

type Row = [string, string, string, string];

/** `targets`: the plain UDP figures carry the project's targets */
function notificationRows(rows: Row[], label: string, nt: NotificationFigures | Skipped, targets: boolean): void {
  if ('skipped' in nt) {
    rows.push([label, `skipped: ${nt.skipped}`, '', '']);
    return;
  }
  rows.push([`${label} at ${n0(nt.offeredPerSecond)}/s offered`, `${n0(nt.deliveredPerSecond)}/s delivered (sent ${n0(nt.sentPerSecond)}/s, gw cpu ${pct(nt.gatewayCpu)}${nt.udpDrops > 0 ? `, ${n0(nt.udpDrops)} UDP drops` : ''})`, '', '']);
  rows.push(['  latency p50 / p99 / max', `${ms(nt.latencyMs.p50)} / ${ms(nt.latencyMs.p99)} / ${ms(nt.latencyMs.max)}`, targets ? 'p99 < 10 ms' : '', '']);
  rows.push([`${label}, max`, `${n0(nt.maxPerSecond)}/s (gw cpu ${n0(nt.gatewayCpuUsPerNotification)} us each)`, targets ? '>= 30,000/s' : '', pct(nt.ratioToEcho)]);
  for (const st of nt.steps) {
    rows.push([
      `  offered ${n0(st.offeredPerSecond)}/s`,
      `${n0(st.deliveredPerSecond)}/s, p50 ${ms(st.latencyMs.p50)}, p99 ${ms(st.latencyMs.p99)}, gw cpu ${pct(st.gatewayCpu)}${st.retransmissionsPerSecond > 0 ? `, ${n0(st.retransmissionsPerSecond)}/s resent` : ''}`,
      '',
      '',
    ]);
  }
}

function dtlsRows(rows: Row[], d: DtlsFigures | Skipped): void {
  if ('skipped' in d) {
    rows.push(['DTLS', `skipped: ${d.skipped}`, '', '']);
    return;
  }
  const h = d.handshakes;
  const trouble = [h.failed > 0 ? `${n0(h.failed)} failed` : '', h.timedOut > 0 ? `${n0(h.timedOut)} timed out` : '', h.udpDrops > 0 ? `${n0(h.udpDrops)} UDP drops` : ''].filter((x) => x !== '');
  rows.push([`DTLS full PSK handshakes (${h.suite.endsWith('CCM_8') ? 'CCM_8' : 'CBC_SHA256'}, EMS)`, `${n0(h.perSecond)}/s (gw cpu ${pct(h.gatewayCpu)}, ${n0(h.gatewayCpuUsPerHandshake)} us each${trouble.length > 0 ? `, ${trouble.join(', ')}` : ''})`, '', '']);
  rows.push(['  per core of the gateway', `${n0(h.perCorePerSecond)}/s`, '>= 1,000/s', '']);
  rows.push(['  load generator', `${h.processes} processes, ${n0(h.inFlight)} in flight, cpu ${pct(h.generatorCpu)}`, '', '']);
  const r = d.registrations;
  if (!('skipped' in r)) rows.push([`DTLS registrations, ${n0(r.devices)} devices`, `${n0(r.perSecond)}/s (gw cpu ${pct(r.gatewayCpu)}${r.failures > 0 ? `, ${n0(r.failures)} failed` : ''})`, '', '']);
  if (d.observations) rows.push([`DTLS observations set up`, `${n0(d.observations.established)} in ${d.observations.seconds.toFixed(1)} s`, '', '']);
  notificationRows(rows, 'DTLS notifications -> MQTT', d.notifications, false);
}

function storeRows(rows: Row[], main: string, stores: StoreFigure[] | Skipped | undefined): void {
  if (!stores) return;
  if ('skipped' in stores) {
    rows.push(['other stores', `skipped: ${stores.skipped}`, '', '']);
    return;
  }
  for (const s of stores) {
    rows.push([`store ${s.store} (above: ${main}), ${n0(s.devices)} devices`, `registrations ${n0(s.registrationsPerSecond)}/s (${n0(s.gatewayCpuUsPerRegistration)} us each)`, '', '']);
    const nt = s.notifications;
    if ('skipped' in nt) rows.push(['  notifications -> MQTT', `skipped: ${nt.skipped}`, '', '']);
    else rows.push([`  notifications -> MQTT at ${n0(nt.offeredPerSecond)}/s`, `${n0(nt.deliveredPerSecond)}/s delivered, p50 ${ms(nt.latencyMs.p50)}, p99 ${ms(nt.latencyMs.p99)}, gw cpu ${pct(nt.gatewayCpu)}`, '', '']);
  }
}

function externalRows(rows: Row[], x: ExternalBrokerFigures | Skipped | undefined): void {
  if (!x) return;
  if ('skipped' in x) {
    rows.push(['external broker', `skipped: ${x.skipped}`, '', '']);
    return;
  }
  rows.push([`external broker ${x.url}, ${n0(x.devices)} devices`, `registrations ${n0(x.registrationsPerSecond)}/s (${n0(x.gatewayCpuUsPerRegistration)} us each)`, '', '']);
  notificationRows(rows, '  notifications -> external broker', x.notifications, false);
}

function workersRows(rows: Row[], w: WorkersFigures | Skipped | undefined): void {
  if (!w) return;
  if ('skipped' in w) {
    rows.push(['shards (workers)', `skipped: ${w.skipped}`, '', '']);
    return;
  }
  const first = w.runs.find((r) => !('skipped' in r.figures))?.figures as ExternalBrokerFigures | undefined;
  const times = (x: number, base: number | undefined): string => (base && base > 0 ? ` = ${(x / base).toFixed(2)} x workers ${w.runs[0]!.workers}` : '');
  for (const r of w.runs) {
    const label = `workers ${r.workers} (${w.cores} cores), Redis store, external broker`;
    if ('skipped' in r.figures) {
      rows.push([label, `skipped: ${r.figures.skipped}`, '', '']);
      continue;
    }
    const x = r.figures;
    rows.push([`${label}, ${n0(x.devices)} devices`, `registrations ${n0(x.registrationsPerSecond)}/s (${n0(x.gatewayCpuUsPerRegistration)} us each)${x === first ? '' : times(x.registrationsPerSecond, first?.registrationsPerSecond)}`, '', '']);
    const nt = x.notifications;
    const base = first && !('skipped' in first.notifications) ? first.notifications.maxPerSecond : undefined;
    if (!('skipped' in nt) && x !== first) rows.push([`  notifications, max`, `${n0(nt.maxPerSecond)}/s${times(nt.maxPerSecond, base)}`, '', '']);
    notificationRows(rows, '  notifications -> external broker', nt, false);
  }
  const f = w.front;
  if (f && 'skipped' in f) rows.push(['raw UDP echo through the front', `skipped: ${f.skipped}`, '', '']);
  else if (f) {
    rows.push([`raw UDP echo through the front, ${f.shards} echo shards`, `${n0(f.roundTripsPerSecond)}/s, main thread ${f.frontUsPerRoundTrip.toFixed(1)} us each`, '', '']);
    rows.push(['  the front alone could carry', `${n0(f.frontCeilingPerSecond)} datagrams/s (its thread 100% busy)`, '', '']);
  }
}

function peerRows(rows: Row[], p: PeerFigures | Skipped | undefined): void {
  if (!p) return;
  if ('skipped' in p) {
    rows.push(['peer lwm2m-node-lib', `skipped: ${p.skipped}`, '', '']);
    return;
  }
  const ratio = (x: number | undefined): string => (x === undefined ? '' : ` = ${x.toFixed(2)} x the gateway's`);
  rows.push([
    `peer ${p.server}, ${n0(p.devices)} devices`,
    `registrations ${n0(p.registrationsPerSecond)}/s (peer cpu ${n0(p.peerCpuUsPerRegistration)} us each${p.registerFailures > 0 ? `, ${n0(p.registerFailures)} failed` : ''})${ratio(p.registrationRatio)}`,
    '',
    '',
  ]);
  const r = p.reads;
  if ('skipped' in r) rows.push(['  peer reads', `skipped: ${r.skipped}`, '', '']);
  else
    rows.push([
      '  peer reads (its read(), no HTTP)',
      `${n0(r.readsPerSecond)}/s, p50 ${ms(r.latencyMs.p50)}, p99 ${ms(r.latencyMs.p99)}${r.failed > 0 ? `, ${n0(r.failed)} failed (${r.error ?? '?'})` : ''}${ratio(p.readRatio)} REST reads`,
      '',
      '',
    ]);
}

/** The table as text: figure, value, target, ratio to the raw echo. */
export function table(r: Results): string {
  const rows: Row[] = [];
  const f = r.figures;
  const e = f.echo;
  rows.push(['raw UDP echo, register sizes', `${n0(e.register.roundTripsPerSecond)}/s (${e.register.requestBytes}/${e.register.responseBytes} B)`, '', '100%']);
  rows.push(['raw UDP echo, notification sizes', `${n0(e.notification.roundTripsPerSecond)}/s (${e.notification.requestBytes}/${e.notification.responseBytes} B)`, '', '100%']);
  rows.push(['raw UDP echo, read sizes', `${n0(e.read.roundTripsPerSecond)}/s (${e.read.requestBytes}/${e.read.responseBytes} B)`, '', '100%']);
  rows.push(['start-up to ready (median)', ms(f.startupMs.median), '< 1 s', '']);
  for (const g of f.registrations) {
    rows.push([`registrations, ${n0(g.devices)} devices`, `${n0(g.perSecond)}/s (gw cpu ${pct(g.gatewayCpu)}, ${n0(g.gatewayCpuUsPerRegistration)} us each${g.udpDrops > 0 ? `, ${n0(g.udpDrops)} UDP drops` : ''})`, '>= 20,000/s', pct(g.ratioToEcho)]);
  }
  for (const o of f.observations) rows.push([`observations set up, ${n0(o.devices)} devices`, `${n0(o.established)} in ${o.seconds.toFixed(1)} s`, '', '']);
  rows.push(['gateway RSS, idle', `${mib(f.rss.baseBytes)}${f.rss.baseHeapBytes ? ` (live heap ${mib(f.rss.baseHeapBytes)})` : ''}`, '', '']);
  for (const a of f.rss.at) {
    rows.push([`gateway RSS, ${n0(a.devices)} devices, ${n0(a.observations)} obs`, `${mib(a.bytes)} (${n0(a.perDeviceBytes)} B/device)`, a.devices >= 100_000 ? '< 1 GiB' : '', '']);
    if (a.heapBytes) rows.push([`  gateway live heap (after a full GC)`, `${mib(a.heapBytes)} (${n0(a.heapPerDeviceBytes ?? 0)} B/device)`, a.devices >= 100_000 ? '< 5 KB/device' : '', '']);
    rows.push([`  gateway CPU, no traffic`, pct(a.idleCpu), '', '']);
    rows.push([`  simulator RSS, ${n0(a.simulatorClients)} clients`, `${mib(a.simulatorBytes)} (${n0(a.simulatorBytes / a.simulatorClients)} B/client)`, '', '']);
  }
  notificationRows(rows, 'notifications -> MQTT', f.notifications, true);
  const rr = f.restReads;
  if ('skipped' in rr) rows.push(['REST reads round trip', `skipped: ${rr.skipped}`, '', '']);
  else {
    rows.push(['REST reads round trip', `${n0(rr.readsPerSecond)}/s (gw cpu ${pct(rr.gatewayCpu)})`, '', pct(rr.ratioToEcho)]);
    rows.push(['  latency p50 / p99 / max', `${ms(rr.latencyMs.p50)} / ${ms(rr.latencyMs.p99)} / ${ms(rr.latencyMs.max)}`, '', '']);
  }
  const mb = f.mqttBinding;
  if (mb && 'skipped' in mb) rows.push(['MQTT binding notifications -> MQTT', `skipped: ${mb.skipped}`, '', '']);
  else if (mb) {
    rows.push([`MQTT binding notifications -> MQTT, ${n0(mb.devices)} clients`, `${n0(mb.deliveredPerSecond)}/s delivered (${n0(mb.delivered)} of ${n0(mb.sent)} sent, gw cpu ${pct(mb.gatewayCpu)})`, '', '']);
    rows.push(['  latency p50 / p99', `${ms(mb.latencyMs.p50)} / ${ms(mb.latencyMs.p99)}`, '', '']);
  }
  dtlsRows(rows, f.dtls);
  const fp = f.fotaPull;
  if (fp && 'skipped' in fp) rows.push(['firmware pull', `skipped: ${fp.skipped}`, '', '']);
  else if (fp) {
    const mb = `${(fp.imageBytes / 1048576).toFixed(1)} MB`;
    rows.push([`firmware pull, ${mb} by ${n0(fp.devices)} devices at once (${fp.over})`, `${fp.wallS.toFixed(2)} s wall, gw cpu ${pct(fp.gatewayCpu)} (${(fp.gatewayCpu * fp.wallS).toFixed(2)} CPU s), ${fp.succeeded} ok / ${fp.failed} failed`, '', '']);
  }
  storeRows(rows, r.gateway.store ?? 'memory', f.stores);
  externalRows(rows, f.externalBroker);
  workersRows(rows, f.workers);
  peerRows(rows, f.peer);
  const head: [string, string, string, string] = ['figure', 'measured', 'target', 'of echo'];
  const w = [0, 1, 2, 3].map((k) => Math.max(head[k]!.length, ...rows.map((row) => row[k]!.length)));
  const line = (row: string[]): string => row.map((c, k) => c.padEnd(w[k]!)).join('  ').trimEnd();
  const m = r.machine;
  return [
    `lwm2m-gateway benchmark (${r.mode}), ${r.startedAt}, ${r.durationS.toFixed(0)} s`,
    `machine: ${m.cpus} x ${m.model}, node ${m.node}, load ${m.loadavgBefore.map((x) => x.toFixed(1)).join(' ')} before / ${m.loadavgAfter.map((x) => x.toFixed(1)).join(' ')} after, a busy loop got ${pct(m.cpuShareBefore)} of a core, open files ${m.openFileLimit}`,
    `gateway: ${r.gateway.entry === 'dist' ? 'node dist/main.js' : 'node --import tsx src/main.ts'}, store ${r.gateway.store ?? 'memory'}; fleet: ${r.fleet.sockets} sockets (${r.fleet.limit}), notifications ${r.fleet.conNotifications ? 'CON' : 'NON'} in format ${r.fleet.notificationFormat}`,
    '',
    line(head),
    line(w.map((x) => '-'.repeat(x))),
    ...rows.map(line),
  ].join('\n');
}
