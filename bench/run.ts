/**
 * The benchmark: the gateway and the fleet simulator as separate processes on loopback.
 * Prints a table and writes it as JSON to bench/results/<timestamp>.json.
 *
 *   npm run bench                  # full run (10,000 and 100,000 devices), a few minutes
 *   npm run bench -- --quick       # under a minute, small numbers: checks that it all works
 *
 * Options: --devices N (first fleet), --big N (total for the second RSS figure, 0: skip),
 * --profile (gateway under --cpu-prof, profiles in bench/results/), --src (run the gateway
 * from src/ with tsx instead of dist/), --out FILE, --skip notify,mqtt-binding,rest,dtls,dtls-notify,stores,
 * external-broker,workers,peer,fota; --mqtt-url URL (the external broker, default mqtt://127.0.0.1:1883),
 * --peer-devices N (the lwm2m-node-lib peer's fleet);
 * the DTLS part (dtls/dtls-phase.ts): --dtls-devices N, --dtls-procs N (handshake load
 * processes), --dtls-sockets N (handshakes in flight per process), --dtls-seconds S,
 * --dtls-suite ccm8|cbc.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { runEcho } from './echo.js';
import { ROOT, distFresh, freePort, rssOf, startGateway, stopProcess, wiredFaces, type GatewayRun } from './gateway-process.js';
import { openFileLimit } from './fleet/fleet.js';
import { request, response } from './fleet/coap.js';
import { CF } from './fleet/formats.js';
import { objectLinks } from './fleet/objects.js';
import { MqttSink } from './mqtt-sink.js';
import { CpuMeter, FleetProcess, udpReceiveErrors } from './procs.js';
import { notificationSteps, type NotificationPlan } from './notify-steps.js';
import { dtlsFigures, type DtlsPlan } from './dtls/dtls-phase.js';
import { mqttBindingNotifications } from './mqtt-binding-phase.js';
import { TLS_PSK_WITH_AES_128_CBC_SHA256, TLS_PSK_WITH_AES_128_CCM_8 } from '../src/transport/dtls/record-cipher.js';
import { table, type Results } from './report.js';
import { restReads } from './rest-load.js';
import { deletePrefixes, runPrefix } from './redis-prefix.js';
import { redisReachable, storeComparison, type StoreType } from './store-compare.js';
import { fotaPull } from './fota-pull.js';
import { brokerReachable, externalBrokerFigures } from './external-broker-phase.js';
import { workersFigures } from './workers-phase.js';
import { peerFigures } from './peer/peer-phase.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    devices: { type: 'string' },
    big: { type: 'string' },
    profile: { type: 'boolean', default: false },
    eld: { type: 'string' },
    src: { type: 'boolean', default: false },
    out: { type: 'string' },
    skip: { type: 'string', default: '' },
    rcvbuf: { type: 'string' },
    steps: { type: 'string' },
    fixed: { type: 'string' },
    non: { type: 'boolean', default: false },
    'heap-snapshot': { type: 'boolean', default: false },
    /** the external broker of the external broker rows */
    'mqtt-url': { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    'peer-devices': { type: 'string' },
    'dtls-devices': { type: 'string' },
    'dtls-procs': { type: 'string' },
    'dtls-sockets': { type: 'string' },
    'dtls-seconds': { type: 'string' },
    'dtls-suite': { type: 'string', default: 'ccm8' },
    /** the gateway's store.type: file (the default, under the run's temporary folder), memory or redis (--redis-url, a prefix of the run's own, deleted after) */
    store: { type: 'string', default: 'file' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
if (args.store !== 'file' && args.store !== 'memory' && args.store !== 'redis') throw new Error(`--store must be file, memory or redis, not ${args.store}`);
const storeType = args.store;
const redisPrefix = runPrefix('bench', String(process.pid));
/** the prefix of the store comparison's Redis gateway */
const compareRedisPrefix = runPrefix('bench-compare', String(process.pid));
/** phases to leave out: notify, mqtt-binding, rest, dtls, dtls-notify, stores, external-broker, workers, peer, fota (e.g. to profile one of them alone) */
const skip = new Set(args.skip.split(',').filter((x) => x !== ''));

const quick = args.quick;
const P = {
  devices: Number(args.devices ?? (quick ? 1000 : 10_000)),
  big: Number(args.big ?? (quick ? 3000 : 100_000)),
  echoSeconds: quick ? 0.5 : 3,
  startupRuns: quick ? 1 : 5,
  registerWindow: 256,
  notifyOffered: Number(args.fixed ?? (quick ? 1500 : 10_000)),
  notifySeconds: quick ? 1.5 : 10,
  notifySteps: args.steps ? args.steps.split(',').map(Number) : quick ? [500, 1000] : [1000, 2000, 5000, 15_000, 20_000, 30_000, 40_000],
  stepSeconds: quick ? 1 : 4,
  restSeconds: quick ? 1.5 : 8,
  observeTimeoutMs: quick ? 20_000 : 180_000,
};
const notifyPlan: NotificationPlan = { fixed: P.notifyOffered, steps: P.notifySteps, fixedSeconds: P.notifySeconds, stepSeconds: P.stepSeconds, settleMs: quick ? 300 : 1500 };
const FORMAT = CF.SENML_CBOR;
/** CON notifications by default: each one is a request/response pair, like the echo's */
const CON = !args.non;
const dtlsPlan: DtlsPlan = {
  devices: Number(args['dtls-devices'] ?? (quick ? 100 : 2000)),
  // the gateway takes one core: the load generator gets the others, up to 4 processes
  processes: Number(args['dtls-procs'] ?? (quick ? 1 : Math.min(4, Math.max(1, cpus().length - 2)))),
  sockets: Number(args['dtls-sockets'] ?? (quick ? 16 : 64)),
  handshakeSeconds: Number(args['dtls-seconds'] ?? (quick ? 1.5 : 10)),
  suite: ({ ccm8: TLS_PSK_WITH_AES_128_CCM_8, cbc: TLS_PSK_WITH_AES_128_CBC_SHA256 } as Record<string, number>)[args['dtls-suite']] ?? NaN,
  notify: notifyPlan,
  notifications: !skip.has('dtls-notify'),
  observeTimeoutMs: P.observeTimeoutMs,
  format: FORMAT,
  conNotifications: CON,
};

if (Number.isNaN(dtlsPlan.suite)) throw new Error(`--dtls-suite: ccm8 or cbc, not ${args['dtls-suite']}`);

let phase = 'start';
const log = (s: string): void => {
  phase = s;
  process.stderr.write(`[bench] ${s}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Message sizes of the gateway's traffic, built as the simulator sends them. */
function sizes(): { register: [number, number]; notification: [number, number]; read: [number, number] } {
  const tok = Buffer.alloc(4);
  const reg = request({
    method: 'POST',
    mid: 1,
    token: tok,
    path: ['rd'],
    query: ['ep=sim-12345', 'lt=86400', 'lwm2m=1.1', 'b=U'],
    contentFormat: CF.LINK,
    payload: Buffer.from(`</>;rt="oma.lwm2m";ct=${FORMAT},${objectLinks('')}`),
  });
  const created = 4 + 4 + 1 + 2 + 1 + 12; // 2.01, token, Location-Path rd / 12-char id
  const value = Buffer.from('81a2006c2f333330332f302f3537303002fb427a1d2b8c3e1234', 'hex'); // [{0:"/3303/0/5700",2:<float64>}]
  const note = response({ code: '2.05', mid: 1, token: Buffer.alloc(8), type: 'con', observe: 70_000, contentFormat: FORMAT, payload: value });
  const get = 4 + 8 + 5 + 2 + 5 + 2; // GET /3303/0/5700, token 8, Accept
  const content = response({ code: '2.05', mid: 1, token: Buffer.alloc(8), type: 'ack', contentFormat: FORMAT, payload: value });
  return { register: [reg.length, created], notification: [note.length, 4], read: [get, content.length] };
}

async function gatewayConfig(dir: string, store: StoreType = storeType, prefix = redisPrefix): Promise<{ file: string; coapPort: number; dtlsPort: number; mqttPort: number; restPort: number }> {
  const coapPort = await freePort('udp');
  let dtlsPort = await freePort('udp');
  while (dtlsPort === coapPort) dtlsPort = await freePort('udp');
  const mqttPort = await freePort('tcp');
  let restPort = await freePort('tcp');
  // the kernel may hand out the port it just freed again
  while (restPort === mqttPort) restPort = await freePort('tcp');
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    [
      `coap: { port: ${coapPort}, address: 127.0.0.1 }`,
      `dtls: { enabled: true, port: ${dtlsPort}, address: 127.0.0.1 }`,
      // the simulated fleet registers thousands a second from a few loopback addresses
      `lwm2m: { requestTimeout: 30, limits: { registerRatePerAddress: 0 } }`,
      `mappings: { dir: ${JSON.stringify(join(ROOT, 'bench/mappings'))}, watch: false }`,
      `mqtt: { enabled: true, mode: embedded, embedded: { port: ${mqttPort}, host: 127.0.0.1 } }`,
      `rest: { enabled: true, port: ${restPort}, host: 127.0.0.1 }`,
      `log: { level: warn }`,
      `store: { type: ${store} }`,
      `redis: { url: ${JSON.stringify(args['redis-url'])}, prefix: ${JSON.stringify(prefix)} }`,
      `data: { dir: ${JSON.stringify(join(dir, 'data'))} }`,
      '',
    ].join('\n'),
  );
  return { file, coapPort, dtlsPort, mqttPort, restPort };
}

/** The share of one core a busy loop gets now: 1 on an idle machine, less when others compete. */
function cpuShare(ms = 500): number {
  const c0 = process.cpuUsage();
  const t = performance.now();
  while (performance.now() - t < ms) {
    // spin
  }
  const c = process.cpuUsage(c0);
  return Math.round(((c.user + c.system) / 1000 / (performance.now() - t)) * 100) / 100;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const cpuShareBefore = cpuShare();
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();
  let entry: 'dist' | 'src' = args.src ? 'src' : 'dist';
  if (entry === 'dist' && !distFresh()) {
    if (quick) {
      log('dist/ is older than src/: running the gateway from src/ with tsx (start-up time includes the transpiler)');
      entry = 'src';
    } else {
      log('building dist/ (npm run build)...');
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    }
  }
  const faces = wiredFaces(entry);
  const resultsDir = join(ROOT, 'bench/results');
  if (!args.out || args.profile || args['heap-snapshot']) mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  const nodeFlags = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `prof-${stamp}`)}`] : [];
  // the live heap after a full collection, beside RSS (bench/heap-probe.mjs, on SIGUSR2), in every gateway of the main run;
  // --heap-snapshot: the probe also writes a heap snapshot (into bench/results/) after the first fleet's RSS figure (its 2nd probe)
  const probeFlags = ['--expose-gc', '--import', join(ROOT, 'bench/heap-probe.mjs')];
  if (args['heap-snapshot']) {
    process.env.BENCH_HEAP_SNAPSHOT_DIR = resultsDir;
    process.env.BENCH_HEAP_SNAPSHOT_AT = '2';
  }
  // experiments on the gateway's UDP socket (bench/preload-experiments.mjs)
  if (args.rcvbuf) process.env.BENCH_RCVBUF = args.rcvbuf;
  // --eld FILE: the gateway's event loop delay and GC pauses every 2 s into FILE
  if (args.eld) process.env.BENCH_ELD_FILE = args.eld;
  if (args.rcvbuf || args.eld) nodeFlags.push('--import', join(ROOT, 'bench/preload-experiments.mjs'));

  // 1. the machine's limit, before anything else runs
  const sz = sizes();
  log(`raw UDP echo (${P.echoSeconds} s per size)...`);
  const echo = {
    register: await runEcho({ requestBytes: sz.register[0], responseBytes: sz.register[1], seconds: P.echoSeconds }),
    notification: await runEcho({ requestBytes: sz.notification[0], responseBytes: sz.notification[1], seconds: P.echoSeconds }),
    read: await runEcho({ requestBytes: sz.read[0], responseBytes: sz.read[1], seconds: P.echoSeconds }),
  };

  const tmp = mkdtempSync(join(tmpdir(), 'lwm2m-bench-'));
  const fleets: FleetProcess[] = [];
  let gw: GatewayRun | undefined;
  let sink: MqttSink | undefined;
  /** the main run's subscriber, fleets and gateway stopped, before a phase that starts its own */
  const stopMainRun = async (): Promise<void> => {
    await sink?.close().catch(() => {});
    sink = undefined;
    for (const f of fleets.splice(0)) await f.close().catch(() => {});
    if (gw) await stopProcess(gw.proc);
    gw = undefined;
  };
  let comparedRedis = false;
  try {
    // 2. start-up time: a few cold starts with nothing registered
    const cfg = await gatewayConfig(tmp);
    const ports = { coapPort: cfg.coapPort, ...(faces.mqtt ? { mqttPort: cfg.mqttPort } : {}), ...(faces.rest ? { restPort: cfg.restPort } : {}) };
    const runs: number[] = [];
    for (let k = 0; k < P.startupRuns; k++) {
      const g = await startGateway({ configFile: cfg.file, entry, nodeFlags: probeFlags, ...ports });
      runs.push(g.readyMs);
      if (k === P.startupRuns - 1 && nodeFlags.length === 0) gw = g;
      else await stopProcess(g.proc);
    }
    // the measured gateway under the profiler, when asked (not timed: the profiler slows start-up)
    gw ??= await startGateway({ configFile: cfg.file, entry, nodeFlags: [...nodeFlags, ...probeFlags], ...ports });
    const sorted = [...runs].sort((a, b) => a - b);
    const startupMs = { median: sorted[Math.floor(sorted.length / 2)]!, runs };
    log(`ready in ${startupMs.median.toFixed(0)} ms (median of ${runs.length}); faces: mqtt ${faces.mqtt}, rest ${faces.rest}`);
    const g = gw!;
    await sleep(500);
    const baseBytes = rssOf(g.proc.pid) ?? 0;
    let probes = 0;
    /** the gateway's live heap after a full collection (0 when the probe does not answer within `ms`) */
    const liveHeap = async (ms: number): Promise<number> => {
      const want = `heap-probe #${++probes} heapUsed=`;
      g.proc.kill('SIGUSR2');
      const end = performance.now() + ms;
      for (;;) {
        const text = g.stderr();
        const k = text.lastIndexOf(want);
        if (k >= 0) return Number(/^\d+/.exec(text.slice(k + want.length))?.[0] ?? 0);
        if (performance.now() > end) return 0;
        await sleep(50);
      }
    };
    const baseHeapBytes = await liveHeap(5000);

    // 3. registrations of the first fleet, their observations, RSS
    const fleetA = FleetProcess.start();
    fleets.push(fleetA);
    const opened = await fleetA.open({ host: '127.0.0.1', port: cfg.coapPort, count: P.devices, format: FORMAT, valueMode: 'clock', conNotifications: CON, lifetime: 86_400 });
    log(`fleet: ${P.devices} clients on ${opened.sockets} sockets (${opened.limit}); registering...`);
    const registrations: Results['figures']['registrations'] = [];
    const observations: Results['figures']['observations'] = [];
    const rssAt: Results['figures']['rss']['at'] = [];
    const registerPhase = async (f: FleetProcess, devices: number): Promise<void> => {
      const cpu = new CpuMeter(g.proc.pid);
      const drops = udpReceiveErrors();
      const c = await f.register(1e9, P.registerWindow);
      const cpuG = cpu.read();
      const perSecond = c.registerSpanMs > 0 ? (c.registered / c.registerSpanMs) * 1000 : 0;
      registrations.push({
        devices,
        perSecond,
        failures: c.registerFailures,
        retransmissions: c.retransmissions,
        udpDrops: udpReceiveErrors() - drops,
        gatewayCpu: cpuG,
        gatewayCpuUsPerRegistration: perSecond > 0 ? (cpuG / perSecond) * 1e6 : 0,
        ratioToEcho: perSecond / echo.register.roundTripsPerSecond,
      });
      log(`registered ${c.registered} at ${perSecond.toFixed(0)}/s (${c.registerFailures} failed)`);
    };
    const observePhase = async (f: FleetProcess, devices: number, totalDevices: number, obsBefore: number): Promise<number> => {
      const t = performance.now();
      const want = faces.mqtt ? devices * 2 : 0;
      const c = await f.waitFor((x) => x.observations >= want, P.observeTimeoutMs);
      observations.push({ devices, established: c.observations, seconds: (performance.now() - t) / 1000 });
      if (c.observations < want) log(`only ${c.observations} of ${want} observations after ${P.observeTimeoutMs} ms`);
      await sleep(quick ? 500 : 2000);
      const idle = new CpuMeter(g.proc.pid);
      await sleep(quick ? 500 : 2000);
      const idleCpu = idle.read();
      const bytes = rssOf(g.proc.pid) ?? 0;
      const obs = obsBefore + c.observations;
      const simulatorBytes = rssOf(f.pid) ?? 0;
      if (args['heap-snapshot'] && probes === 1) log('heap snapshot of the gateway...');
      const heapBytes = await liveHeap(args['heap-snapshot'] && probes === 1 ? 120_000 : 30_000);
      rssAt.push({
        devices: totalDevices,
        observations: obs,
        bytes,
        perDeviceBytes: (bytes - baseBytes) / totalDevices,
        idleCpu,
        simulatorBytes,
        simulatorClients: devices,
        heapBytes,
        heapPerDeviceBytes: heapBytes > 0 ? (heapBytes - baseHeapBytes) / totalDevices : 0,
      });
      log(`RSS ${(bytes / 1048576).toFixed(0)} MiB with ${totalDevices} devices and ${obs} observations`);
      return c.observations;
    };
    await registerPhase(fleetA, P.devices);
    const obsA = await observePhase(fleetA, P.devices, P.devices, 0);

    // 4. notifications into MQTT: latency at a fixed load, then the most the path carries
    let notifications: Results['figures']['notifications'] = { skipped: 'the MQTT northbound is not wired into this gateway build' };
    if (skip.has('notify')) notifications = { skipped: '--skip notify' };
    else if (faces.mqtt && obsA > 0) {
      sink = await MqttSink.connect(cfg.mqttPort, 'bench/+/+');
      notifications = await notificationSteps(fleetA, g.proc.pid, sink, notifyPlan, echo.notification.roundTripsPerSecond, log);
    }

    // 4b. notifications over the LwM2M 1.2 MQTT binding (clients on the embedded broker) into the same mapped topics
    let mqttBinding: Results['figures']['mqttBinding'] = { skipped: 'the MQTT northbound is not wired into this gateway build' };
    if (skip.has('mqtt-binding')) mqttBinding = { skipped: '--skip mqtt-binding' };
    else if (faces.mqtt) {
      sink ??= await MqttSink.connect(cfg.mqttPort, 'bench/+/+');
      log('MQTT binding: registering its clients...');
      mqttBinding = await mqttBindingNotifications(sink, {
        mqttPort: cfg.mqttPort,
        gatewayPid: g.proc.pid!,
        devices: quick ? 20 : 200,
        seconds: quick ? 1.5 : 8,
        window: quick ? 500 : 2000,
        observeTimeoutMs: P.observeTimeoutMs,
        log,
      }).catch((e: unknown) => ({ skipped: `failed: ${e instanceof Error ? e.message : String(e)}` }));
    }

    // 5. REST reads round trip to devices
    let restReadsFig: Results['figures']['restReads'] = { skipped: 'the REST northbound is not wired into this gateway build' };
    if (skip.has('rest')) restReadsFig = { skipped: '--skip rest' };
    else if (faces.rest) {
      log(`REST reads for ${P.restSeconds} s...`);
      const eps = Array.from({ length: Math.min(P.devices, 2000) }, (_, i) => `sim-${i}`);
      const cpu = new CpuMeter(g.proc.pid);
      const r = await restReads(cfg.restPort, eps, '/3303/0/5700', P.restSeconds, 64);
      restReadsFig = { readsPerSecond: r.readsPerSecond, failed: r.failed, latencyMs: r.latencyMs, gatewayCpu: cpu.read(), ratioToEcho: r.readsPerSecond / echo.read.roundTripsPerSecond };
    }

    // 6. the big fleet: RSS with many devices and their observations
    if (P.big > P.devices) {
      const fleetB = FleetProcess.start();
      fleets.push(fleetB);
      const more = P.big - P.devices;
      const openedB = await fleetB.open({ host: '127.0.0.1', port: cfg.coapPort, count: more, first: P.devices, format: FORMAT, valueMode: 'clock', conNotifications: CON, lifetime: 86_400 });
      log(`second fleet: ${more} clients on ${openedB.sockets} sockets (${openedB.limit}); registering...`);
      await registerPhase(fleetB, more);
      await observePhase(fleetB, more, P.big, obsA);
    }

    // 7. DTLS: full PSK handshakes per second, then a fleet over DTLS and its notifications (both fleets above stay registered)
    let dtls: Results['figures']['dtls'] = { skipped: 'the REST northbound (to provision PSKs) is not wired into this gateway build' };
    if (skip.has('dtls')) dtls = { skipped: '--skip dtls' };
    else if (faces.rest) {
      if (faces.mqtt) sink ??= await MqttSink.connect(cfg.mqttPort, 'bench/+/+');
      const target = { gatewayPid: g.proc.pid, dtlsPort: cfg.dtlsPort, restPort: cfg.restPort, sink, echoRate: echo.notification.roundTripsPerSecond, log, fleets };
      dtls = await dtlsFigures(target, dtlsPlan);
    }

    // 8. the other stores, each on a gateway of its own with one fleet (the gateway and fleets above stopped first)
    let stores: Results['figures']['stores'] = { skipped: '--skip stores' };
    if (!skip.has('stores') && faces.mqtt) {
      await stopMainRun();
      const others = (['memory', 'file', 'redis'] as const).filter((x) => x !== storeType);
      const redisUp = others.includes('redis') ? await redisReachable(args['redis-url']) : false;
      if (others.includes('redis') && !redisUp) log(`no Redis at ${args['redis-url']}: the store comparison leaves it out`);
      comparedRedis = redisUp;
      stores = await storeComparison({
        stores: others.filter((x) => x !== 'redis' || redisUp),
        entry,
        devices: P.devices,
        registerWindow: P.registerWindow,
        observeTimeoutMs: P.observeTimeoutMs,
        plan: notifyPlan,
        echoRate: echo.notification.roundTripsPerSecond,
        format: FORMAT,
        conNotifications: CON,
        tmp,
        config: (store, dir) => gatewayConfig(dir, store, compareRedisPrefix),
        log,
      });
    }

    // 8b. the external broker: a fresh gateway publishing to it, the subscriber on it (the others stopped)
    let externalBroker: Results['figures']['externalBroker'] = { skipped: '--skip external-broker' };
    if (!skip.has('external-broker') && faces.mqtt) {
      await stopMainRun();
      if (!(await brokerReachable(args['mqtt-url']))) {
        externalBroker = { skipped: `no broker answers at ${args['mqtt-url']}` };
        log(`external broker: ${externalBroker.skipped}`);
      } else {
        externalBroker = await externalBrokerFigures({
          url: args['mqtt-url'],
          entry,
          devices: P.devices,
          registerWindow: P.registerWindow,
          observeTimeoutMs: P.observeTimeoutMs,
          // quick: the fixed load alone (the quick test's time)
          plan: quick ? { ...notifyPlan, steps: [] } : notifyPlan,
          echoRate: echo.notification.roundTripsPerSecond,
          format: FORMAT,
          conNotifications: CON,
          dir: join(tmp, 'external-broker'),
          topicRoot: `bench-${process.pid}`,
          ...(args.profile ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `prof-${stamp}`, 'external-broker')}`] } : {}),
          storeLine: `store: { type: ${storeType === 'redis' ? 'memory' : storeType} }`,
          log,
        }).catch((e: unknown) => ({ skipped: `failed: ${e instanceof Error ? e.message : String(e)}` }));
      }
    }

    // 8b'. shards (config workers): the Redis store and the external broker on one shard, then one per core
    let workers: Results['figures']['workers'] = { skipped: '--skip workers' };
    if (!skip.has('workers') && faces.mqtt) {
      await stopMainRun();
      if (!(await brokerReachable(args['mqtt-url']))) workers = { skipped: `no broker answers at ${args['mqtt-url']}` };
      else if (!(await redisReachable(args['redis-url']))) workers = { skipped: `no Redis at ${args['redis-url']}` };
      else {
        workers = await workersFigures({
          url: args['mqtt-url'],
          redisUrl: args['redis-url'],
          entry,
          devices: P.devices,
          registerWindow: P.registerWindow,
          observeTimeoutMs: P.observeTimeoutMs,
          plan: quick ? { ...notifyPlan, steps: [] } : notifyPlan,
          echoRate: echo.notification.roundTripsPerSecond,
          format: FORMAT,
          conNotifications: CON,
          tmp,
          echoSeconds: P.echoSeconds,
          // quick: the sharded run alone, on a smaller fleet (the quick test's time)
          ...(quick ? { counts: [2], devices: Math.min(P.devices, 300) } : {}),
          log,
        });
      }
      if ('skipped' in workers) log(`workers: ${workers.skipped}`);
    }

    // 8c. the peer: the same registrations and reads against lwm2m-node-lib's server (the others stopped)
    let peer: Results['figures']['peer'] = { skipped: '--skip peer' };
    if (!skip.has('peer')) {
      await stopMainRun();
      const devices = Number(args['peer-devices'] ?? (quick ? 100 : 2000));
      peer = await peerFigures({ devices, registerWindow: P.registerWindow, format: FORMAT, registerTimeoutMs: quick ? 10_000 : 60_000, readSeconds: quick ? 1 : P.restSeconds, concurrency: 64, log }).catch((e: unknown) => ({
        skipped: `lwm2m-node-lib failed: ${e instanceof Error ? e.message : String(e)}`,
      }));
      if (!('skipped' in peer)) {
        const reg = registrations[0];
        if (reg && reg.perSecond > 0) peer.registrationRatio = peer.registrationsPerSecond / reg.perSecond;
        if (!('skipped' in peer.reads) && !('skipped' in restReadsFig) && restReadsFig.readsPerSecond > 0) peer.readRatio = peer.reads.readsPerSecond / restReadsFig.readsPerSecond;
      }
    }

    // 9. firmware pull: one image pulled by many devices at once, on a gateway of its own (the others stopped)
    let fotaFig: Results['figures']['fotaPull'] = { skipped: '--skip fota' };
    if (!skip.has('fota') && faces.rest) {
      await stopMainRun();
      const devices = quick ? 10 : 100;
      const size = quick ? 100_000 : 1024 * 1024;
      log(`firmware pull: ${devices} devices, ${size} bytes each...`);
      fotaFig = await fotaPull({ devices, size, coap: false, entry }).catch((e: unknown) => ({ skipped: `failed: ${e instanceof Error ? e.message : String(e)}` }));
    }

    const results: Results = {
      startedAt,
      mode: quick ? 'quick' : 'full',
      durationS: (performance.now() - t0) / 1000,
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg(), cpuShareBefore, openFileLimit: openFileLimit() },
      gateway: { entry, store: storeType, ...faces },
      fleet: { sockets: opened.sockets, clientsPerSocket: opened.clientsPerSocket, limit: opened.limit, notificationFormat: FORMAT, conNotifications: CON },
      figures: { echo, startupMs, registrations, observations, rss: { baseBytes, baseHeapBytes, at: rssAt }, notifications, restReads: restReadsFig, dtls, stores, mqttBinding, fotaPull: fotaFig, externalBroker, workers, peer },
    };
    const out = args.out ?? join(resultsDir, `${stamp}.json`);
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(table(results) + '\n\n');
    process.stdout.write(`written to ${out}\n`);
  } finally {
    await sink?.close().catch(() => {});
    for (const f of fleets) await f.close().catch(() => {});
    if (gw) await stopProcess(gw.proc);
    rmSync(tmp, { recursive: true, force: true });
    if (storeType === 'redis') await deletePrefixes(args['redis-url'], [redisPrefix]);
    if (comparedRedis) await deletePrefixes(args['redis-url'], [compareRedisPrefix]).catch(() => {});
  }
}

// quick mode must end within a test's time: give up (and say where) after 100 s
if (quick) {
  setTimeout(() => {
    process.stderr.write(`bench --quick: no result after 100 s (at: ${phase})\n`);
    process.exit(1);
  }, 100_000).unref();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
