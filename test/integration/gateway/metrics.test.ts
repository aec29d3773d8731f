/**
 * Prometheus /metrics on the REST port, scraped and parsed by the official Python client's
 * text-format parser: registrations, requests with their results and
 * latency, notifications in, MQTT messages out, refused datagrams, process metrics; read by
 * the API's tokens or by rest.metrics.token, which opens nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { waitFor } from '../mqtt-link/mosquitto.js';
import { noPrometheusParser, parsePrometheusText, sampleValue as sample, type MetricFamily } from '../../helpers/prometheus-parse.js';

const READ_TOKEN = 'read-token-0123456789';
const METRICS_TOKEN = 'metrics-token-0123456789';

const MAPPING = `
targets:
  - object: 3303
    observe: { resources: [5700] }
    mqtt:
      publish:
        topic: "temp/{endpoint}/{instanceId}"
        payload: "{value}"
`;

type Families = MetricFamily[];

void test('/metrics counts what the gateway does, for the API token or the metrics token alone', { skip: noPrometheusParser }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-metrics-'));
  writeFileSync(join(dir, 'temp.yaml'), MAPPING);
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt = { ...config.mqtt, presence: false, embedded: { ...config.mqtt.embedded, port: 0, host: '127.0.0.1' } };
  config.rest = { ...config.rest, port: 0, host: '127.0.0.1', tokens: [{ token: READ_TOKEN, scope: 'read' }], metrics: { enabled: true, token: METRICS_TOKEN } };
  config.mappings = { dir, watch: false };
  const gateway = new Gateway(config);
  await gateway.start();
  const device = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'metrics-1', timing: { ackTimeoutMs: 200 } }).start();
  const garbage = createSocket('udp4');
  try {
    const rest = `http://127.0.0.1:${gateway.ports.rest!}`;
    const scrape = async (token: string): Promise<Families> => {
      const res = await fetch(`${rest}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      return parsePrometheusText(await res.text());
    };

    assert.equal((await device.register()).code, '2.01');
    await waitFor(() => device.observations().length === 1, 'the mapped observation');
    const read = await fetch(`${rest}/api/devices/metrics-1/3/0/0`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(read.status, 200);
    await device.set('/3303/0/5700', 21.5);
    await device.set('/3303/0/5700', 22.5);
    // a datagram that is no CoAP message (version 0)
    await new Promise<void>((r) => garbage.send(Buffer.from([0x00, 0x01, 0x02, 0x03]), gateway.port!, '127.0.0.1', () => r()));
    let m: Families = [];
    const settled = (f: Families): boolean =>
      (sample(f, 'lwm2mgw_uplinks_total', { kind: 'notification' }) ?? 0) >= 2 &&
      (sample(f, 'lwm2mgw_datagrams_refused_total', { reason: 'malformed' }) ?? 0) >= 1 &&
      (sample(f, 'lwm2mgw_face_messages_out_total', { face: 'mqtt' }) ?? 0) >= 2;
    for (let i = 0; i < 100 && !settled(m); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      m = await scrape(i % 2 ? READ_TOKEN : METRICS_TOKEN);
    }
    assert.equal(sample(m, 'lwm2mgw_registrations', { transport: 'udp' }), 1);
    assert.equal(sample(m, 'lwm2mgw_registration_events_total', { event: 'register', transport: 'udp' }), 1);
    assert.equal(sample(m, 'lwm2mgw_requests_total', { operation: 'read', result: '2.05' }), 1);
    assert.equal(sample(m, 'lwm2mgw_requests_total', { operation: 'observe', result: '2.05' }), 1);
    assert.equal(m.find((f) => f.name === 'lwm2mgw_request_duration_seconds')?.type, 'histogram');
    assert.equal(sample(m, 'lwm2mgw_request_duration_seconds_count', { operation: 'read' }), 1);
    assert.ok((sample(m, 'lwm2mgw_request_duration_seconds_sum', { operation: 'read' }) ?? 0) > 0);
    assert.equal(sample(m, 'lwm2mgw_request_duration_seconds_bucket', { operation: 'read', le: '+Inf' }), 1);
    assert.equal(sample(m, 'lwm2mgw_uplinks_total', { kind: 'notification', transport: 'udp' }), 2);
    assert.equal(sample(m, 'lwm2mgw_datagrams_refused_total', { binding: 'coap', reason: 'malformed' }), 1);
    assert.ok((sample(m, 'lwm2mgw_face_messages_out_total', { face: 'mqtt' }) ?? 0) >= 2, 'the notifications went out to MQTT');
    assert.equal(sample(m, 'lwm2mgw_face_messages_dropped_total', { face: 'mqtt' }) ?? 0, 0);
    assert.equal(sample(m, 'lwm2mgw_queued_requests'), 0);
    assert.ok((sample(m, 'lwm2mgw_process_resident_memory_bytes') ?? 0) > 0, 'process metrics');

    // the metrics token opens /metrics alone; no token, no metrics
    assert.equal((await fetch(`${rest}/metrics`)).status, 401);
    assert.equal((await fetch(`${rest}/api/devices`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 401);
    const doc = (await (await fetch(`${rest}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/metrics'], '/metrics is documented');
  } finally {
    garbage.close();
    await device.stop();
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('rest.metrics.enabled: false serves no /metrics', async () => {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap = { ...config.coap, port: 0, address: '127.0.0.1' };
  config.mqtt.enabled = false;
  config.rest = { ...config.rest, port: 0, host: '127.0.0.1', metrics: { enabled: false, token: null } };
  config.mappings = { ...config.mappings, dir: null };
  const gateway = new Gateway(config);
  await gateway.start();
  try {
    const res = await fetch(`http://127.0.0.1:${gateway.ports.rest!}/metrics`);
    assert.equal(res.status, 404);
  } finally {
    await gateway.stop();
  }
});
