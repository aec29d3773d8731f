/**
 * Notifications per second over the LwM2M 1.2 MQTT binding: simulated MQTT clients on the
 * gateway's embedded broker register (CBOR maps on lwm2m/rd/<endpoint>), answer the bench
 * mapping's observe of /3303/0/5700, then send Notify maps (value: the send time, as text)
 * as fast as a window of unanswered ones allows; the MqttSink counts what the gateway
 * publishes on the mapped topics. Encoded from the spec's numbers, not the gateway's table.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { Decoder, Encoder } from 'cbor-x';
import { CpuMeter } from './procs.js';
import { wallClockMs, type MqttSink } from './mqtt-sink.js';
import type { Percentiles } from './stats.js';

const dec = new Decoder({ mapsAsObjects: false, useRecords: false });
const enc = new Encoder({ mapsAsObjects: false, useRecords: false, variableMapSize: true });
const map = (entries: Array<[number, unknown]>): Buffer => enc.encode(new Map(entries));

export interface MqttBindingFigures {
  devices: number;
  sent: number;
  delivered: number;
  deliveredPerSecond: number;
  latencyMs: Percentiles;
  gatewayCpu: number;
}

export interface MqttBindingPlan {
  mqttPort: number;
  gatewayPid: number;
  devices: number;
  seconds: number;
  /** notifications sent and not yet seen at the sink, all devices together */
  window: number;
  observeTimeoutMs: number;
  log: (s: string) => void;
}

interface SimDevice {
  ep: string;
  client: MqttClient;
  topic: string;
  token?: unknown;
}

async function device(port: number, ep: string): Promise<SimDevice> {
  const topic = `lwm2m/rd/${ep}`;
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId: ep, reconnectPeriod: 0 }, false);
  const d: SimDevice = { ep, client, topic };
  client.on('message', (_t, payload) => {
    let m: unknown;
    try {
      m = dec.decode(payload);
    } catch {
      return;
    }
    if (!(m instanceof Map) || m.has(18)) return; // results: the gateway's answers, or our own echoed
    const op = m.get(1) as number;
    const token = m.get(2);
    if (op === 6 || op === 23) return; // our own, echoed
    const answer = (result: number, extra: Array<[number, unknown]> = []): void => void client.publishAsync(topic, map([[18, result], [2, token], ...extra]), { qos: 0 }).catch(() => undefined);
    if (op === 20) {
      d.token = token;
      answer(205, [[19, 0], [7, Buffer.from(String(wallClockMs()))]]);
    } else if (op === 9) answer(205, [[19, 0], [7, Buffer.from('21.5')]]);
    else if (op === 16 || op === 12 || op === 13 || op === 14) answer(204);
    else answer(501);
  });
  await client.subscribeAsync(topic, { qos: 0 });
  await client.publishAsync(topic, map([[1, 6], [2, 1], [8, 86_400], [9, '1.2'], [10, 'M'], [7, Buffer.from('</1/0>,</3/0>,</3303/0>')]]), { qos: 1 });
  return d;
}

export async function mqttBindingNotifications(sink: MqttSink, p: MqttBindingPlan): Promise<MqttBindingFigures> {
  const devices: SimDevice[] = [];
  try {
    for (let i = 0; i < p.devices; i++) devices.push(await device(p.mqttPort, `mqtt-sim-${i}`));
    const end = Date.now() + p.observeTimeoutMs;
    while (devices.some((d) => d.token === undefined)) {
      if (Date.now() > end) throw new Error(`only ${devices.filter((d) => d.token !== undefined).length} of ${p.devices} MQTT clients observed`);
      await new Promise((r) => setTimeout(r, 50));
    }
    p.log(`MQTT binding: ${p.devices} clients observed; notifying for ${p.seconds} s...`);
    await new Promise((r) => setTimeout(r, 300));
    const base = sink.received;
    let sent = 0;
    const cpu = new CpuMeter(p.gatewayPid);
    sink.startSampling();
    const t0 = performance.now();
    const stopAt = t0 + p.seconds * 1000;
    let k = 0;
    while (performance.now() < stopAt) {
      if (sent - (sink.received - base) >= p.window) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const d = devices[k++ % devices.length]!;
      d.client.publish(d.topic, map([[1, 23], [2, d.token], [19, 0], [7, Buffer.from(String(wallClockMs()))]]), { qos: 0 });
      sent++;
      if (sent % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    const elapsed = (performance.now() - t0) / 1000;
    const delivered = sink.received - base;
    const latencyMs = sink.stopSampling();
    return { devices: p.devices, sent, delivered, deliveredPerSecond: delivered / elapsed, latencyMs, gatewayCpu: cpu.read() };
  } finally {
    for (const d of devices) await d.client.endAsync(true).catch(() => undefined);
  }
}
