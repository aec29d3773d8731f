/**
 * The npm package lwm2m-node-lib's LwM2M client (an LwM2M 1.0 client on its own CoAP
 * stack) against the whole gateway: register, read, write, execute, observe with
 * notifications, de-register.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startGateway, nextEvent } from './gateway-fixture.js';
import type { NotificationEvent } from '../../../src/lwm2m/server/types.js';
import type { LwM2mNode } from '../../../src/lwm2m/node.js';

interface DeviceInformation {
  location: string;
  localPort: number;
}
type Cb<T = unknown> = (err: Error | null | undefined, result?: T) => void;
interface NodeLibClient {
  init(config: unknown, cb?: () => void): void;
  register(host: string, port: number, url: string | null, endpoint: string, cb: Cb<DeviceInformation>): void;
  unregister(info: DeviceInformation, cb: Cb): void;
  setHandler(serverInfo: unknown, type: 'read' | 'write' | 'execute', handler: (...args: unknown[]) => void): void;
  registry: {
    create(uri: string, cb: Cb): void;
    setResource(uri: string, resourceId: string, value: string, cb: Cb): void;
    get(uri: string, cb: Cb<{ attributes: Record<string, string> }>): void;
    reset(cb: Cb): void;
  };
  cancellAllObservers(cb: Cb): void;
}

const require = createRequire(import.meta.url);
// the client module alone (the package's index also loads its server and database drivers)
const client = require('lwm2m-node-lib/lib/lwm2m-client.js') as NodeLibClient;

function call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));
}

function valueOf(node: LwM2mNode | undefined): unknown {
  assert.ok(node && (node.kind === 'resource' || node.kind === 'resourceInstance'), `a resource node, got ${JSON.stringify(node)}`);
  return node.value;
}

void test('lwm2m-node-lib client: register, read, write, execute, observe, de-register', async () => {
  client.init({
    client: { lifetime: '300', version: '1.0', logLevel: 'FATAL', observe: { period: 3000 }, ipProtocol: 'udp4', serverProtocol: 'udp4' },
  });
  process.env.LOG_LEVEL = 'fatal';
  const { gateway, stop } = await startGateway();
  const port = gateway.port!;
  let info: DeviceInformation | undefined;
  try {
    await call((cb) => client.registry.reset(cb));
    await call((cb) => client.registry.create('/3/0', cb));
    await call((cb) => client.registry.setResource('/3/0', '0', 'Example Corp', cb));
    await call((cb) => client.registry.setResource('/3/0', '1', 'model-7', cb));
    await call((cb) => client.registry.create('/3303/0', cb));
    await call((cb) => client.registry.setResource('/3303/0', '5700', '21.5', cb));

    const registered = nextEvent(gateway, 'registered', 'node-lib-1');
    info = await call<DeviceInformation>((cb) => client.register('127.0.0.1', port, null, 'node-lib-1', cb));
    const reg = await registered;
    assert.equal(info.location, `rd/${reg.id}`);
    assert.equal(reg.version, '1.0');
    assert.equal(reg.lifetime, 300);
    assert.deepEqual([...reg.objects.keys()].sort((a, b) => a - b), [3, 3303]);

    // read: the client answers plain text; the model types the values
    const manufacturer = await gateway.server.read('node-lib-1', '/3/0/0');
    assert.equal(manufacturer.code, '2.05', JSON.stringify(manufacturer.error));
    assert.equal(valueOf(manufacturer.node), 'Example Corp');
    const temperature = await gateway.server.read('node-lib-1', '/3303/0/5700');
    assert.equal(temperature.code, '2.05');
    assert.equal(valueOf(temperature.node), 21.5);

    // write a resource as text; the client's own registry holds the new value
    const written = await gateway.server.write('node-lib-1', '/3303/0/5701', { kind: 'resource', id: 5701, type: 'string', value: 'Cel' });
    assert.equal(written.code, '2.04', JSON.stringify(written));
    const stored = await call<{ attributes: Record<string, string> }>((cb) => client.registry.get('/3303/0', cb));
    assert.equal(stored.attributes['5701'], 'Cel');

    // execute with arguments reaches the client's handler
    const executed: unknown[][] = [];
    client.setHandler((info as unknown as { serverInfo: unknown }).serverInfo, 'execute', (...args: unknown[]) => {
      executed.push(args.slice(0, 4));
      (args[4] as Cb)(null);
    });
    const exec = await gateway.server.execute('node-lib-1', '/3/0/4', { args: "0='now'" });
    assert.equal(exec.code, '2.04');
    assert.equal(executed.length, 1);
    assert.deepEqual(executed[0]!.slice(0, 3), ['3', '0', '4']);

    // observe: the initial value, then a notification for each change
    const notes: NotificationEvent[] = [];
    gateway.server.on('notification', (e) => {
      if (e.registration.endpoint === 'node-lib-1') notes.push(e);
    });
    const observed = await gateway.server.observe('node-lib-1', '/3303/0/5700');
    assert.equal(observed.code, '2.05', JSON.stringify(observed.error));
    assert.equal(valueOf(observed.node), 21.5);
    assert.ok(observed.observationId);
    assert.equal(gateway.server.observations('node-lib-1').length, 1);
    // the client numbers its first notification like the initial answer, so the
    // gateway may drop it as stale (RFC 7641 3.4); later ones are fresh
    for (const v of ['22.25', '23.5', '24.75']) {
      await call((cb) => client.registry.setResource('/3303/0', '5700', v, cb));
      await new Promise((r) => setTimeout(r, 150));
    }
    const deadline = Date.now() + 5000;
    while (!notes.some((n) => valueOf(n.node) === 24.75) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const values = notes.map((n) => valueOf(n.node));
    assert.ok(values.includes(24.75), `notifications seen: ${JSON.stringify(values)}`);
    assert.ok(values.every((v) => [22.25, 23.5, 24.75].includes(v as number)), `only the written values: ${JSON.stringify(values)}`);
    assert.equal(notes[0]!.observation.id, observed.observationId);

    const gone = nextEvent(gateway, 'deregistered', 'node-lib-1');
    await call((cb) => client.unregister(info!, cb));
    info = undefined;
    await gone;
    assert.equal(gateway.server.observations('node-lib-1').length, 0);
  } finally {
    if (info) await call((cb) => client.unregister(info!, cb)).catch(() => {});
    await call((cb) => client.cancellAllObservers(cb)).catch(() => {});
    await stop();
  }
});
