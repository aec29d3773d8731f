/**
 * One gateway, three devices of the same objects (Device 3, Temperature 3303), one per
 * southbound binding: CoAP/UDP, the LwM2M 1.2 MQTT binding (on the embedded broker) and
 * the HTTP binding. Apart from the endpoint name and what belongs to the binding (its
 * address, its binding mode), each shows up identically northbound: the REST device record
 * (`address.transport` naming the binding), the mapped MQTT topics and their payloads, REST
 * reads, and the oneM2M AE with its containers and latest values on the embedded CSE. The
 * new value comes by notification over CoAP and MQTT, by Send over HTTP (no Observe there).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { Gateway } from '../../../src/gateway.js';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../../src/config/schema.js';
import { Lwm2mTestClient, ObjectStore, STANDARD_OBJECTS, STANDARD_VALUES } from '../../helpers/lwm2m-test-client.js';
import { CF, encodePayload, parsePath } from '../../helpers/lwm2m-test-client-formats.js';
import { MqttLwm2mTestClient } from '../../helpers/lwm2m-mqtt-test-client.js';
import { Lwm2mHttpTestClient, type ClientAnswer, type ServerRequest } from '../../helpers/lwm2m-http-test-client.js';
import { m2m } from '../../helpers/onem2m-http.js';
import type { Logger } from '../../../src/log.js';

const MAPPING = `
description: the three-bindings test
devices: { endpoint: "parity-*" }
targets:
  - object: 3303
    observe: { resources: [5700], attributes: { pmin: 1 } }
    mqtt:
      publish:
        - topic: "devices/{endpoint}/temperature/{instanceId}/{resourceSlug}"
          payload: "{value}"
        - topic: "devices/{endpoint}/temperature/{instanceId}"
          resources: [5700]
          payload: { value: "{value}", endpoint: "{endpoint}", timestamp: "{timestamp}" }
    rest:
      path: "/devices/{endpoint}/temperature/{instanceId}"
      resources: [5700, 5701]
    onem2m: { mode: semantic, mni: 10 }
  - object: 3
    rest:
      path: "/devices/{endpoint}/device"
      resources: [0, 1, 2, 9]
    onem2m: { mode: semantic, mni: 10 }
`;

const BINDINGS = ['coap', 'mqtt', 'http'] as const;
type BindingName = (typeof BINDINGS)[number];
const EP: Record<BindingName, string> = { coap: 'parity-coap', mqtt: 'parity-mqtt', http: 'parity-http' };
/** `address.transport` of each (docs/rest.md: CoAP over UDP is `udp`) */
const TRANSPORT: Record<BindingName, string> = { coap: 'udp', mqtt: 'mqtt', http: 'http' };

/** Objects 1, 3 and 3303 with the test client's standard values: the same on every device. */
function deviceStore(): ObjectStore {
  const ids = new Set([1, 3, 3303]);
  const values = Object.fromEntries(Object.entries(STANDARD_VALUES).filter(([p]) => ids.has(parsePath(p)[0]!)));
  return new ObjectStore(
    STANDARD_OBJECTS.filter((d) => ids.has(d.id)),
    values,
  );
}

/** What a Read of `uri` answers from `store`, as the CoAP test client does: a single value as text, more in SenML JSON. */
function senmlRead(store: ObjectStore, uri: string): { ct: number; payload: Buffer } | undefined {
  const path = parsePath(uri);
  const leaves = store.leaves(path);
  const ct = path.length >= 3 && leaves?.length === 1 ? CF.TEXT : CF.SENML_JSON;
  const payload = leaves && encodePayload(ct, path, leaves);
  return payload ? { ct, payload } : undefined;
}

const TIME_KEYS = new Set(['registrationId', 'registeredAt', 'lastUpdateAt', 'lastSeen', 'expiresAt', 'timestamp', 'ct', 'lt', 'et', 'ri', 'pi']);

/** `v` with the endpoint name replaced by <ep> and the times and resource ids left out. */
function normalise(v: unknown, endpoint: string): unknown {
  if (typeof v === 'string') return v.split(endpoint).join('<ep>');
  if (Array.isArray(v)) return v.map((x) => normalise(x, endpoint));
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !TIME_KEYS.has(k))
        .map(([k, x]) => [normalise(k, endpoint) as string, normalise(x, endpoint)]),
    );
  }
  return v;
}

/** The same value for every binding, shown once; on a difference, the assertion names the binding. */
function assertSame(what: string, by: Record<BindingName, unknown>): void {
  for (const b of BINDINGS.slice(1)) assert.deepEqual(by[b], by.coap, `${what}: ${b} differs from coap`);
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Serves the HTTP client's fetched requests from its store until stopped. */
function serveHttp(client: Lwm2mHttpTestClient, store: ObjectStore, seen: ServerRequest[]): { stop: () => Promise<void> } {
  let stopped = false;
  const answer = (r: ServerRequest): ClientAnswer => {
    if (r.operation === 'read') {
      const got = senmlRead(store, r.path);
      return got ? { status: '2.05', contentType: got.ct === CF.TEXT ? 'text/plain;charset=utf-8' : 'application/senml+json', body: got.payload } : { status: '4.04' };
    }
    if (r.operation === 'write-attributes') return { status: '2.04' };
    return { status: '4.05' };
  };
  const loop = (async (): Promise<void> => {
    while (!stopped) {
      const r = await client.poll(1).catch(() => undefined);
      if (!r) continue;
      seen.push(r);
      await client.answer(r.token, answer(r)).catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

function gatewayConfig(dir: string): GatewayConfig {
  const c = structuredClone(DEFAULT_CONFIG);
  c.store.type = 'memory';
  c.coap = { ...c.coap, port: 0, address: '127.0.0.1' };
  c.mqtt.embedded = { ...c.mqtt.embedded, port: 0, host: '127.0.0.1', wsPort: null };
  c.rest = { ...c.rest, port: 0, host: '127.0.0.1' };
  c.mappings = { dir, watch: false };
  c.lwm2m.requestTimeout = 3;
  c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', allowPlaintext: true, allowAnonymous: true };
  c.onem2m = {
    ...c.onem2m,
    enabled: true,
    cse: { ...c.onem2m.cse, url: null },
    notify: { host: '127.0.0.1', port: 0 },
    embedded: { ...c.onem2m.embedded, port: 0 },
    retry: { min: 0.05, max: 0.2 },
  };
  return c;
}

describe('one device on each binding (CoAP, MQTT, HTTP) shows up identically northbound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-parity-'));
  writeFileSync(join(dir, 'parity.yaml'), MAPPING);
  let gateway: Gateway;
  let rest = '';
  let cse = '';
  let watcher: MqttClient;
  /** every mapped message: topic -> payloads in order */
  const published = new Map<string, string[]>();
  let coap: Lwm2mTestClient;
  let mqttDevice: MqttLwm2mTestClient;
  let httpDevice: Lwm2mHttpTestClient;
  let httpServing: { stop: () => Promise<void> } | undefined;
  const httpRequests: ServerRequest[] = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields ?? {})}`),
    error: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields ?? {})}`),
  };

  before(async () => {
    gateway = new Gateway(gatewayConfig(dir), { logger });
    await gateway.start();
    rest = `http://127.0.0.1:${gateway.ports.rest!}`;
    // a port key per binding, none taking a face's: the MQTT binding's broker is the embedded one here
    assert.equal(gateway.ports['mqttBinding'], gateway.ports.mqtt);
    assert.ok(gateway.ports['http'] && gateway.ports['http'] !== gateway.ports.rest);
    cse = gateway.embeddedCse!.url;
    const broker = `mqtt://127.0.0.1:${gateway.ports.mqtt!}`;
    watcher = await connectAsync(broker, { protocolVersion: 4, reconnectPeriod: 0 }, false);
    watcher.on('message', (t, p) => published.set(t, [...(published.get(t) ?? []), p.toString()]));
    await watcher.subscribeAsync('devices/#', { qos: 1 });

    const links = new Lwm2mTestClient({ serverPort: 1, endpoint: 'x', store: deviceStore() }).objectLinks();
    coap = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: EP.coap, version: '1.2', store: deviceStore() }).start();
    assert.equal((await coap.register()).code, '2.01');

    const mqttStore = deviceStore();
    mqttDevice = await new MqttLwm2mTestClient({ url: broker, endpoint: EP.mqtt, values: {}, reader: (uri) => senmlRead(mqttStore, uri) }).start();
    assert.equal(await mqttDevice.register({ lifetime: 300, objects: links }), 201);

    const httpStore = deviceStore();
    httpDevice = new Lwm2mHttpTestClient({ port: gateway.ports['http']! });
    httpServing = serveHttp(httpDevice, httpStore, httpRequests);
    assert.equal((await httpDevice.register(EP.http, { lt: 300, links })).status, 201);

    // the new value: a notification over CoAP and MQTT, a Send over HTTP
    await until(() => coap.observations().length > 0, 'the CoAP observation');
    await coap.set('/3303/0/5700', 23.5);
    await until(() => mqttDevice.observations.has('/3303/0/5700'), 'the MQTT observation');
    // the first value (the Observe's answer; over HTTP a read) is published before the new one
    // (a notification racing the Observe's answer is another matter)
    for (const b of BINDINGS) await until(() => published.has(`devices/${EP[b]}/temperature/0/sensor-value`), `the first value of ${b}`);
    mqttStore.set('/3303/0/5700', 23.5);
    await mqttDevice.notify('/3303/0/5700', '23.5');
    httpStore.set('/3303/0/5700', 23.5);
    assert.equal((await httpDevice.send(JSON.stringify([{ bn: '/3303/0/', n: '5700', v: 23.5 }]))).status, 204);
    for (const b of BINDINGS) {
      // the instances reach the CSE one request after another: the last one of object 3 too
      await until(async () => (await m2m(cse, 'GET', `/cse-in/${EP[b]}/3/0/17/la`)).rsc === 2000, `the device instance of ${b} on the CSE`);
      await until(() => published.get(`devices/${EP[b]}/temperature/0/sensor-value`)?.at(-1) === '23.5', `the new value of ${b} on MQTT`);
      await until(async () => (await m2m(cse, 'GET', `/cse-in/${EP[b]}/3303/0/5700/la`)).body?.['m2m:cin']?.con === '23.5', `the new value of ${b} on the CSE`);
    }
  });

  after(async () => {
    await httpServing?.stop();
    await coap?.stop();
    await mqttDevice?.stop();
    await watcher?.endAsync(true);
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('REST: the same device record, its binding in address.transport', async () => {
    const records = {} as Record<BindingName, unknown>;
    for (const b of BINDINGS) {
      const res = await fetch(`${rest}/api/devices/${EP[b]}`);
      assert.equal(res.status, 200);
      const dev = (await res.json()) as Record<string, unknown> & { address: { transport: string; address: string; port: number }; binding: string };
      assert.equal(dev.address.transport, TRANSPORT[b]);
      assert.equal(dev.address.address, b === 'mqtt' ? `lwm2m/rd/${EP[b]}` : '127.0.0.1', 'the MQTT binding addresses a device by its topic');
      const { address: _address, binding: _binding, ...others } = dev;
      records[b] = normalise(others, EP[b]);
    }
    assertSame('the device record', records);
  });

  it('REST: reads of a resource, an instance and the mapped routes answer the same', async () => {
    for (const path of ['/api/devices/{ep}/3303/0/5700', '/api/devices/{ep}/3/0', '/devices/{ep}/temperature/0', '/devices/{ep}/device']) {
      const got = {} as Record<BindingName, unknown>;
      for (const b of BINDINGS) {
        const res = await fetch(rest + path.replace('{ep}', EP[b]));
        assert.equal(res.status, 200, `${path} of ${b}`);
        got[b] = normalise(await res.json(), EP[b]);
      }
      assertSame(`GET ${path}`, got);
    }
  });

  it('MQTT: the same mapped topics with the same payloads, the first value then the new one', () => {
    const messages = {} as Record<BindingName, unknown>;
    for (const b of BINDINGS) {
      const mine = [...published].filter(([t]) => t.startsWith(`devices/${EP[b]}/`)).sort(([a], [c]) => a.localeCompare(c));
      assert.ok(mine.length >= 2, `mapped topics of ${b}`);
      messages[b] = normalise(
        mine.map(([t, payloads]) => [t, payloads.map((p) => (p.startsWith('{') ? JSON.parse(p) : p))]),
        EP[b],
      );
    }
    assert.deepEqual(published.get(`devices/${EP.http}/temperature/0/sensor-value`), ['21.5', '23.5']);
    assertSame('the mapped topics', messages);
  });

  it('oneM2M: the same AE, containers and latest values on the embedded CSE', async () => {
    const tree = {} as Record<BindingName, unknown>;
    for (const b of BINDINGS) {
      const ae = await m2m(cse, 'GET', `/cse-in/${EP[b]}`);
      assert.equal(ae.rsc, 2000);
      const found = await m2m(cse, 'GET', `/cse-in/${EP[b]}?fu=1&ty=3`);
      const containers = (found.body['m2m:uril'] as string[]).slice().sort();
      assert.ok(containers.some((c) => c.endsWith('/3303/0/5700')), `the value container of ${b}`);
      const latest: Record<string, unknown> = {};
      for (const c of containers) {
        const la = await m2m(cse, 'GET', `/${c}/la`);
        const cin = la.body?.['m2m:cin'] as { con: unknown; cnf?: string } | undefined;
        latest[c] = cin ? { con: cin.con, cnf: cin.cnf } : la.rsc;
      }
      tree[b] = normalise({ ae: ae.body, containers, latest }, EP[b]);
    }
    assertSame('the oneM2M resources', tree);
  });

  it('HTTP: the planned observations are skipped quietly, no Write-Attributes for them', () => {
    assert.ok(httpRequests.length > 0, 'the gateway read the HTTP device');
    assert.deepEqual(
      httpRequests.filter((r) => r.operation !== 'read').map((r) => `${r.operation} ${r.path}`),
      [],
      'no Write-Attributes for an observation that cannot be',
    );
    assert.deepEqual(
      warnings.filter((w) => w.includes('parity-')),
      [],
      'nothing to warn of about a device (the plain HTTP of the config is warned of)',
    );
  });

  it('HTTP: an Observe asked over REST or the generic MQTT API answers 4.05 at once, nothing held for the device', async () => {
    const before = httpRequests.length;
    const res = await fetch(`${rest}/api/devices/${EP.http}/3303/0/5700/observe`, { method: 'POST' });
    assert.equal(res.status, 405);
    const problem = (await res.json()) as { code: string; detail: string; deviceCode: string; errorCode: string };
    assert.deepEqual([problem.code, problem.deviceCode, problem.errorCode], ['OPERATION_NOT_SUPPORTED', '4.05', 'NOT_SUPPORTED']);
    assert.match(problem.detail, /http binding carries no Observe/);

    const prefix = gateway.config.mqtt.topicPrefix;
    const answers: unknown[] = [];
    const onAnswer = (t: string, p: Buffer): void => void (t === `${prefix}/${EP.http}/up/resp` && answers.push(JSON.parse(p.toString())));
    watcher.on('message', onAnswer);
    try {
      await watcher.subscribeAsync(`${prefix}/${EP.http}/up/resp`, { qos: 1 });
      await watcher.publishAsync(`${prefix}/${EP.http}/dn`, JSON.stringify({ reqID: 7, msgType: 'observe', data: { path: '/3303/0/5700' } }), { qos: 1 });
      const answer = (await until(() => answers[0], 'the generic API answer')) as { reqID: number; data: { code: string; codeMsg: string; error?: string } };
      assert.deepEqual([answer.reqID, answer.data.code, answer.data.codeMsg], [7, '4.05', 'method_not_allowed']);
      assert.match(answer.data.error ?? '', /http binding carries no Observe/);
    } finally {
      watcher.off('message', onAnswer);
    }
    assert.equal(httpRequests.length, before, 'nothing was held for the device');
    // the same on CoAP is an Observe like any other
    const coapObserve = await fetch(`${rest}/api/devices/${EP.coap}/3303/0/5701/observe`, { method: 'POST' });
    assert.equal(coapObserve.status, 200);
    await coapObserve.arrayBuffer();
  });
});
