/**
 * `npm run demo`: the gateway on its embedded defaults (LwM2M on UDP 5683, MQTT broker on
 * 1883, REST on 8080; a free port instead of any that is taken) with the shipped mapping
 * files, and a handful of simulated LwM2M 1.1 devices whose values change (bench/fleet:
 * they honour the pmin/pmax the mappings write and answer the composite operations).
 * Prints how to watch them. Ctrl-C de-registers the devices and stops the gateway.
 *
 *   npm run demo                 # 5 devices
 *   npm run demo -- --devices 20 # more
 *   npm run demo -- --coap-port 0 --mqtt-port 0 --rest-port 0   # free ports, whatever runs on the usual ones
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, distFresh, freePort, startGateway, stopProcess, wiredFaces, type GatewayRun } from '../bench/gateway-process.js';
import { Fleet } from '../bench/fleet/fleet.js';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '5' },
    'coap-port': { type: 'string', default: '5683' },
    'mqtt-port': { type: 'string', default: '1883' },
    'rest-port': { type: 'string', default: '8080' },
  },
});
const COUNT = Math.max(1, Math.min(1000, Number(args.devices) || 5));

function portArg(name: 'coap-port' | 'mqtt-port' | 'rest-port'): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`--${name} must be a port number (0: a free one)\n`);
    process.exit(2);
  }
  return n;
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

const notes: string[] = [];

async function pick(kind: 'udp' | 'tcp', wanted: number, what: string, key: string): Promise<number> {
  if (wanted === 0) return freePort(kind, '0.0.0.0');
  if (await (kind === 'udp' ? udpFree(wanted) : tcpFree(wanted))) return wanted;
  const port = await freePort(kind, '0.0.0.0');
  const who = kind === 'tcp' && wanted === 1883 ? ' (another MQTT broker, e.g. a Mosquitto, runs there)' : '';
  notes.push(`${what} port ${wanted} is taken${who}: the demo uses ${port} instead (config key ${key})`);
  return port;
}

async function main(): Promise<void> {
  const coap = await pick('udp', portArg('coap-port'), 'LwM2M/CoAP', 'coap.port');
  const mqtt = await pick('tcp', portArg('mqtt-port'), 'MQTT', 'mqtt.embedded.port');
  const rest = await pick('tcp', portArg('rest-port'), 'REST', 'rest.port');
  const dir = mkdtempSync(join(tmpdir(), 'lwm2m-demo-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      `coap: { port: ${coap} }`,
      `mappings: { dir: ${JSON.stringify(join(ROOT, 'mappings'))} }`,
      `mqtt: { enabled: true, mode: embedded, embedded: { port: ${mqtt} } }`,
      `rest: { enabled: true, port: ${rest} }`,
      `log: { level: info }`,
      `data: { dir: ${JSON.stringify(join(dir, 'data'))} }`,
      '',
    ].join('\n'),
  );
  const entry = distFresh() ? 'dist' : 'src';
  const faces = wiredFaces(entry);
  process.stdout.write(`starting the gateway (${entry === 'dist' ? 'dist/main.js' : 'src/main.ts via tsx; run npm run build for dist/'})...\n`);
  const run: { gw?: GatewayRun; fleet?: Fleet } = {};
  let stopping = 0;
  const stop = async (code: number): Promise<void> => {
    if (stopping > 0) {
      // npm and tsx pass the terminal's Ctrl-C on as well: a second signal soon after the
      // first is that one; a later one means "now"
      if (performance.now() - stopping < 2000) return;
      rmSync(dir, { recursive: true, force: true });
      process.exit(code);
    }
    stopping = performance.now();
    process.stdout.write('\nstopping: de-registering the devices...\n');
    try {
      await run.fleet?.deregisterAll(300);
      await run.fleet?.close();
      if (run.gw) await stopProcess(run.gw.proc);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    process.stdout.write('stopped.\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    run.gw = await startGateway({
      configFile: config,
      entry,
      coapPort: coap,
      ...(faces.mqtt ? { mqttPort: mqtt } : {}),
      ...(faces.rest ? { restPort: rest } : {}),
      inheritOutput: true,
      // Ctrl-C reaches the demo only: the devices de-register before the gateway stops
      ownProcessGroup: true,
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return stop(1);
  }
  const gw = run.gw;
  gw.proc.once('exit', () => {
    if (!stopping) {
      process.stderr.write('the gateway stopped unexpectedly\n');
      void stop(1);
    }
  });
  const fleet = (run.fleet = new Fleet({ host: '127.0.0.1', port: coap, count: COUNT, prefix: 'demo-', lifetime: 120, valueMode: 'wave', addresses: ['127.0.0.1'] }));
  await fleet.open();
  await fleet.register(50);
  // a value change for each observation about every 5 s (values drift slowly); the devices
  // notify it within the pmin/pmax the mapping files wrote (pmin 10 s for temperature)
  fleet.startNotifications(Math.max(1, (COUNT * 9) / 5));
  const ep = 'demo-0';
  const lines = [
    '',
    `gateway ready in ${gw.readyMs.toFixed(0)} ms; ${COUNT} simulated devices registered (demo-0 ... demo-${COUNT - 1}):`,
    'Device (3), Connectivity (4), Temperature (3303) and Humidity (3304), values that change.',
    ...notes.map((n) => `note: ${n}`),
    '',
    `LwM2M server    coap://127.0.0.1:${coap}   (register your own client there too, below)`,
  ];
  if (faces.mqtt) {
    lines.push(
      `MQTT broker     mqtt://127.0.0.1:${mqtt}`,
      '',
      'Watch with mosquitto_sub (Debian: apt install mosquitto-clients):',
      `  mosquitto_sub -h 127.0.0.1 -p ${mqtt} -v -t 'devices/#'                 # mapped topics`,
      `  mosquitto_sub -h 127.0.0.1 -p ${mqtt} -v -t 'devices/${ep}/temperature/#'`,
      `  mosquitto_sub -h 127.0.0.1 -p ${mqtt} -v -t 'lwm2m/+/up/#'              # generic API: notify, resp, update`,
      `  mosquitto_sub -h 127.0.0.1 -p ${mqtt} -v -t 'lwm2m/+/status'            # online/offline`,
    );
  } else lines.push('(this build of the gateway has no MQTT northbound yet)');
  if (faces.rest) {
    lines.push(
      '',
      `Web console: http://127.0.0.1:${rest}/   (its files come from npm run build)`,
      '',
      'REST:',
      `  curl http://127.0.0.1:${rest}/api/devices`,
      `  curl http://127.0.0.1:${rest}/api/devices/${ep}/3303/0/5700`,
      `  curl http://127.0.0.1:${rest}/api/devices/${ep}/3/0`,
      `  curl 'http://127.0.0.1:${rest}/api/devices/${ep}/composite?paths=/3/0/9,/3303/0/5700'   # Read-Composite`,
      `  curl -X PUT -H 'Content-Type: application/json' -d '{"pmin": 1, "pmax": 3}' http://127.0.0.1:${rest}/api/devices/${ep}/3303/0/5700/attributes   # now at least every 3 s`,
      `  curl -N http://127.0.0.1:${rest}/api/events                              # live events (SSE)`,
      `  OpenAPI: http://127.0.0.1:${rest}/api/openapi.json`,
    );
  } else lines.push('(this build of the gateway has no REST northbound yet)');
  lines.push(
    '',
    "Register a client of your own, e.g. libcoap's (Debian: libcoap3-bin); -v 6 prints the answer,",
    'whose last Location-Path is the id to de-register with:',
    `  coap-client-notls -v 6 -m post -t 40 -e '</3/0>,</3303/0>' 'coap://127.0.0.1:${coap}/rd?ep=my-client&lt=60&lwm2m=1.1&b=U'`,
    '  v:1 t:ACK c:2.01 i:... {01} [ Location-Path:rd, Location-Path:<id> ]',
    `  coap-client-notls -v 6 -m delete 'coap://127.0.0.1:${coap}/rd/<id>'`,
    '',
    'Ctrl-C stops the devices and the gateway.',
    '',
  );
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
