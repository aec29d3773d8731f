/**
 * The southbound bindings registry: built from the config by scheme, each started on a
 * real socket (port 0) reporting where it listens, start errors as one line naming the
 * config key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import type { GatewayConfig } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { BindingStartError } from '../../../src/transport/binding.js';
import type { Binding, BindingContext } from '../../../src/transport/binding.js';
import { BINDINGS, createBindings } from '../../../src/transport/bindings.js';
import { bindFailure } from '../../../src/transport/coap/coap-binding.js';
import { MemoryTransport } from '../../helpers/memory-transport.js';
import { RawPeer } from '../coap/helpers.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';

function context(coap: Partial<GatewayConfig['coap']> = {}): BindingContext & { server: LwM2mServer } {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  Object.assign(config.coap, { port: 0, address: '127.0.0.1' }, coap);
  const server = new LwM2mServer({ models: ModelRegistry.withBuiltins(), store: new MemoryStore() });
  return { config, handler: server, logger: silentLogger, server };
}

void test('the coap binding is built from the config, listens, and brings Registers to the core', async () => {
  const ctx = context();
  const bindings = createBindings(ctx);
  assert.deepEqual(bindings.map((b) => b.scheme), ['coap', 'mqtt']); // mqtt: a client of the embedded broker, started after the faces
  const [coap] = bindings as [Binding];
  const at = await coap.start();
  assert.equal(at.scheme, 'coap');
  assert.equal(at.transport, 'coap+udp');
  assert.equal(at.address, '127.0.0.1');
  assert.ok(at.port > 0);
  ctx.server.addTransport(coap.transport);
  ctx.server.start();
  const dev = await RawPeer.open();
  try {
    const links = Buffer.from('</>;rt="oma.lwm2m",</3/0>');
    dev.send(at.port, {
      type: 0,
      code: 0x02,
      messageId: 7,
      token: Buffer.from([1, 2]),
      options: [
        { number: 11, value: Buffer.from('rd') },
        { number: 12, value: Buffer.from([40]) },
        { number: 15, value: Buffer.from('ep=binding-1') },
      ],
      payload: links,
    });
    const ack = await dev.nextMessage();
    assert.equal(ack.code, 0x41, '2.01');
    assert.equal(ctx.server.getRegistration('binding-1')?.peer.transport, coap.transport.name);
  } finally {
    await dev.close();
    await ctx.server.stop();
    await coap.stop();
  }
});

void test('a binding is one entry: a factory per scheme, left out when it returns undefined', async () => {
  const ctx = context();
  const started: string[] = [];
  const fake = (scheme: string): Binding => ({
    scheme,
    transport: new MemoryTransport(ctx.server),
    start: () => (started.push(scheme), Promise.resolve({ scheme, transport: scheme, address: '::', port: 1 })),
    stop: () => Promise.resolve(),
  });
  const bindings = createBindings(ctx, { ...BINDINGS, mqtt: () => fake('mqtt'), http: () => undefined });
  assert.deepEqual(bindings.map((b) => b.scheme), ['coap', 'mqtt']);
  for (const b of bindings) await b.stop();
  assert.deepEqual(started, []);
});

void test('a taken UDP port: BindingStartError naming coap.port, in one line', async () => {
  const holder = createSocket('udp4');
  await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
  const port = holder.address().port;
  const [coap] = createBindings(context({ port })) as [Binding];
  try {
    await assert.rejects(coap.start(), (e: unknown) => {
      assert.ok(e instanceof BindingStartError);
      assert.equal(e.key, 'coap.port');
      assert.equal(e.message, `UDP 127.0.0.1 port ${port} is already in use: set another port with the config key coap.port (or LWM2MGW_COAP__PORT)`);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  } finally {
    await coap.stop();
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});

void test('bind errors map to the operator line of their config key', () => {
  const c = { address: '10.9.9.9', port: 80 };
  const err = (code: string): Error => Object.assign(new Error(code), { code });
  const line = (code: string): [string, string] => {
    const e = bindFailure(err(code), c);
    assert.ok(e instanceof BindingStartError, code);
    return [e.key, e.message];
  };
  assert.deepEqual(line('EACCES'), ['coap.port', 'UDP 10.9.9.9 port 80: permission denied: choose a port above 1023 with coap.port']);
  assert.deepEqual(line('EADDRNOTAVAIL'), ['coap.address', 'UDP 10.9.9.9 port 80: no such local address: check coap.address']);
  assert.deepEqual(line('ENOTFOUND'), [
    'coap.address',
    'UDP 10.9.9.9 port 80: not an IP address of this host (ENOTFOUND): check coap.address (or LWM2MGW_COAP__ADDRESS)',
  ]);
  assert.deepEqual(line('EWHAT'), ['coap.address', 'UDP 10.9.9.9 port 80: cannot listen (EWHAT): check coap.address and coap.port']);
  const bug = new TypeError('not a socket error');
  assert.equal(bindFailure(bug, c), bug);
});
