/**
 * The attack drill: the gateway as a process with a fleet of simulated devices whose
 * notifications flow to MQTT, attacked from outside one way after another. After each
 * attack it checks that the gateway still runs, still answers CoAP, and that the fleet's
 * notifications still reach MQTT; at the end, that its memory came back near where it was.
 * Prints a table; exits 1 if a check failed.
 *
 *   npm run bench:attack               # 500 devices, 10,000 datagrams, 200 MB PUBLISH
 *   npm run bench:attack -- --quick    # small numbers, under a minute
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { connectAsync } from 'mqtt';
import { ROOT, coapPing, distFresh, freePort, rssOf, startGateway, stopProcess, type GatewayRun } from '../gateway-process.js';
import { FleetProcess } from '../procs.js';
import { MqttSink } from '../mqtt-sink.js';
import { CF } from '../fleet/formats.js';
import { datagramStorm, exchange, forbiddenNames, foreignUpdate, registerRaw, registrationFlood, udpSocket } from './coap-attacks.js';
import { globAttack, hugePublish, mappingFiles } from './north-attacks.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, src: { type: 'boolean', default: false } } });
const quick = args.quick;
const P = {
  devices: quick ? 50 : 500,
  notifyRate: quick ? 200 : 2000,
  datagrams: quick ? 2000 : 10_000,
  floodRegisters: quick ? 100 : 1000,
  floodLinks: 5000,
  publishBytes: quick ? 20 * 1048576 : 200 * 1048576,
  settleMs: quick ? 1200 : 2500,
  /** without attack, to measure how the fleet's traffic alone moves live memory */
  controlMs: quick ? 3000 : 10_000,
};
const MQTT_USER = { username: 'drill-gateway-user', password: 'drill-password-0123456789' };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (s: string): void => void process.stderr.write(`[attack] ${s}\n`);
const mib = (b: number | undefined): string => `${((b ?? 0) / 1048576).toFixed(1)} MiB`;

interface Row {
  attack: string;
  saw: string;
  ok: boolean;
}

async function main(): Promise<number> {
  let entry: 'dist' | 'src' = args.src ? 'src' : 'dist';
  if (entry === 'dist' && !distFresh()) {
    if (quick) entry = 'src';
    else execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const tmp = mkdtempSync(join(tmpdir(), 'lwm2m-attack-'));
  const mappingsDir = join(tmp, 'mappings');
  mkdirSync(mappingsDir);
  for (const f of readdirSync(join(ROOT, 'bench/mappings'))) copyFileSync(join(ROOT, 'bench/mappings', f), join(mappingsDir, f));
  const coapPort = await freePort('udp');
  const mqttPort = await freePort('tcp');
  let restPort = await freePort('tcp');
  // the kernel may hand out the port it just freed again
  while (restPort === mqttPort) restPort = await freePort('tcp');
  const configFile = join(tmp, 'gateway.yaml');
  writeFileSync(
    configFile,
    [
      `coap: { port: ${coapPort}, address: 127.0.0.1 }`,
      `mappings: { dir: ${JSON.stringify(mappingsDir)}, watch: true }`,
      `mqtt: { enabled: true, mode: embedded, embedded: { port: ${mqttPort}, host: 127.0.0.1, username: ${MQTT_USER.username}, password: ${MQTT_USER.password} } }`,
      `rest: { enabled: true, port: ${restPort}, host: 127.0.0.1 }`,
      `log: { level: info }`,
      `data: { dir: ${JSON.stringify(join(tmp, 'data'))} }`,
      '',
    ].join('\n'),
  );
  const rows: Row[] = [];
  let gw: GatewayRun | undefined;
  let fleet: FleetProcess | undefined;
  let sink: MqttSink | undefined;
  try {
    gw = await startGateway({ configFile, entry, coapPort, mqttPort, restPort, nodeFlags: ['--expose-gc', '--import', join(ROOT, 'bench/attack/heap-probe.mjs')] });
    const g = gw;
    fleet = FleetProcess.start();
    await fleet.open({ host: '127.0.0.1', port: coapPort, count: P.devices, format: CF.SENML_CBOR, valueMode: 'clock', conNotifications: true, lifetime: 3600, prefix: 'drill-sim-' });
    await fleet.register(1e9, 64);
    await fleet.waitFor((c) => c.observations >= P.devices, 60_000);
    sink = await MqttSink.connect(mqttPort, 'bench/+/+', MQTT_USER);
    // every topic the gateway publishes, checked for characters MQTT forbids or a terminal obeys
    const watcher = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { ...MQTT_USER, reconnectPeriod: 0 });
    const badTopics: string[] = [];
    watcher.on('message', (topic) => {
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(topic)) badTopics.push(JSON.stringify(topic));
    });
    await watcher.subscribeAsync('#', { qos: 0 });
    await fleet.startNotifications(P.notifyRate);
    await sleep(1000);
    const flow = async (): Promise<number> => {
      const r0 = sink!.received;
      await sleep(1000);
      return sink!.received - r0;
    };
    const alive = async (): Promise<boolean> => g.proc.exitCode === null && g.proc.signalCode === null && (await coapPing(coapPort, '127.0.0.1', 1000));
    const baseline = await flow();
    /** live heap and buffers (after a full collection) of the gateway, from bench/attack/heap-probe.mjs */
    let lastProbe = '';
    const liveHeap = async (): Promise<number> => {
      g.proc.kill('SIGUSR2');
      for (let k = 0; k < 50; k++) {
        await sleep(100);
        const lines = g.stderr().match(/heap-probe heapUsed=(\d+) external=(\d+)/g);
        const last = lines?.[lines.length - 1];
        if (last && last !== lastProbe) {
          lastProbe = last;
          const m = /heapUsed=(\d+) external=(\d+)/.exec(last)!;
          return Number(m[1]) + Number(m[2]);
        }
      }
      return NaN;
    };
    // the fleet's own traffic grows live memory too: every CON notification is remembered
    // for EXCHANGE_LIFETIME (247 s, at most 200,000 entries; RFC 7252 4.5); measured here
    // without attack, and subtracted at the end
    const heap0 = await liveHeap();
    const t0 = performance.now();
    await sleep(P.controlMs);
    const heapBefore = await liveHeap();
    const t1 = performance.now();
    const trafficRate = Math.max(0, (heapBefore - heap0) / ((t1 - t0) / 1000));
    const rssBefore = rssOf(g.proc.pid);
    let rssPeak = rssBefore ?? 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(g.proc.pid) ?? 0)), 100);
    log(`${P.devices} devices, ${baseline} notifications/s reach MQTT, RSS ${mib(rssBefore)}`);

    const after = async (attack: string, saw: string, expected: boolean): Promise<void> => {
      const up = await alive();
      const n = await flow();
      const ok = expected && up && n > 0;
      const heap = up ? await liveHeap() : NaN;
      rows.push({ attack, saw: `${saw}; gateway ${up ? 'up' : 'DOWN'}, ${n}/s notifications after, live heap ${mib(heap)}`, ok });
      log(`${ok ? 'ok  ' : 'FAIL'} ${attack}: ${rows[rows.length - 1]!.saw}`);
    };

    // DRILL_IDLE=N: N rounds of 5 s without attack first, to see how live memory moves by itself
    for (let k = 0; k < Number(process.env.DRILL_IDLE ?? 0); k++) {
      await sleep(5000);
      log(`idle ${k}: live heap ${mib(await liveHeap())}`);
    }
    log(`${P.datagrams} random and mutated datagrams...`);
    const storm = await datagramStorm(coapPort, P.datagrams);
    await after('random and mutated datagrams', `${storm.sent} sent, ${storm.answers} answered (RST or 4.xx)`, true);

    log('Registers with forbidden endpoint names...');
    const s = await udpSocket();
    const codes: Record<string, number> = {};
    const accepted: string[] = [];
    for (const n of forbiddenNames()) {
      const m = await exchange(s, registerRaw(n.bytes), coapPort);
      const c = m?.code ?? 'timeout';
      codes[c] = (codes[c] ?? 0) + 1;
      if (c !== '4.00') accepted.push(`${n.what}: ${c}`);
    }
    s.close();
    await after(`Register with each forbidden character class (${forbiddenNames().length} names)`, `answers ${JSON.stringify(codes)}${accepted.length ? `, not refused: ${accepted.slice(0, 5).join('; ')}` : ''}; bad topics seen: ${badTopics.length}`, accepted.length === 0 && badTopics.length === 0);

    log('glob attack on GET /api/devices...');
    const longDev = await udpSocket();
    await exchange(longDev, registerRaw(Buffer.from('a'.repeat(200))), coapPort);
    const glob = await globAttack(restPort, coapPort);
    longDev.close();
    await after('glob *a*a*...*b against a 200-character name', `HTTP ${glob.status} in ${glob.ms.toFixed(0)} ms, CoAP pings: worst ${glob.worstPingMs.toFixed(0)} ms, ${glob.pingsLost} lost`, glob.status > 0 && glob.ms < 5000 && glob.pingsLost === 0);

    log('mapping files: alias bomb, then 150 aliases...');
    await mappingFiles(mappingsDir, P.settleMs);
    const named = g.stderr().includes('drill-alias-bomb.yaml');
    await after('alias bomb and a 150-alias file dropped into the watched folder', `error naming the file logged: ${named}`, named);

    log(`PUBLISH of ${mib(P.publishBytes)}...`);
    const pub = await hugePublish(mqttPort, P.publishBytes, MQTT_USER);
    await after(`one PUBLISH of ${mib(P.publishBytes)}`, `broker closed the connection after ${mib(pub.written)} written: ${pub.closedByBroker}`, pub.closedByBroker && pub.written < P.publishBytes);

    log('Update and De-register from a foreign socket...');
    const fu = await foreignUpdate(coapPort);
    const moved = g.stderr().includes('registration changed address');
    await after('Update from a foreign address; guessed ids', `register ${fu.registered}, foreign Update ${fu.foreignUpdate} (logged: ${moved}), guessed Update ${fu.guessedUpdate}, guessed De-register ${fu.guessedDelete}`, fu.guessedUpdate === '4.04' && fu.guessedDelete === '4.04' && moved);

    log(`${P.floodRegisters} Registers of ${P.floodLinks} links each...`);
    const flood = await registrationFlood(coapPort, P.floodRegisters, P.floodLinks);
    await after(`${P.floodRegisters} Registers of ${P.floodLinks} links each`, `answers ${JSON.stringify(flood)}`, (flood['2.01'] ?? 0) === 0);

    await sleep(P.settleMs * 2);
    clearInterval(sampler);
    const rssAfter = rssOf(g.proc.pid) ?? 0;
    const heapAfter = await liveHeap();
    // live memory (heap + buffers, after a full collection) within 8 MiB of where the fleet's
    // traffic alone would have brought it
    const expected = heapBefore + trafficRate * ((performance.now() - t1) / 1000);
    const grew = heapAfter - expected;
    rows.push({
      attack: 'memory',
      saw:
        `live heap before ${mib(heapBefore)}, after ${mib(heapAfter)}, traffic alone ${mib(expected)} (${mib(trafficRate)}/s without attack); ` +
        `RSS before ${mib(rssBefore)}, peak ${mib(rssPeak)}, after ${mib(rssAfter)}`,
      ok: Number.isFinite(grew) && grew < 8 * 1048576,
    });
    await watcher.endAsync(true);
  } finally {
    await sink?.close().catch(() => {});
    await fleet?.close().catch(() => {});
    if (gw) await stopProcess(gw.proc);
    rmSync(tmp, { recursive: true, force: true });
  }
  const w = Math.max(...rows.map((r) => r.attack.length));
  process.stdout.write(rows.map((r) => `${r.ok ? 'ok  ' : 'FAIL'}  ${r.attack.padEnd(w)}  ${r.saw}`).join('\n') + '\n');
  const failed = rows.filter((r) => !r.ok).length;
  process.stdout.write(`drill: ${rows.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

if (quick) {
  setTimeout(() => {
    process.stderr.write('attack drill --quick: no result after 100 s\n');
    process.exit(1);
  }, 100_000).unref();
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`attack drill failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
