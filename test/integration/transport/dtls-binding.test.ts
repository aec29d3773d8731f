/**
 * The coaps binding: off by default, built from the `dtls` section, its PSKs from the
 * credentials of its context (the store's), or from another lookup it is given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { BindingContext } from '../../../src/transport/binding.js';
import { createBindings } from '../../../src/transport/bindings.js';
import { dtlsBinding } from '../../../src/transport/dtls/dtls-binding.js';
import { KEY_HEX, noOpenssl, sClient, until } from './dtls-helpers.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';

function context(dtls: Partial<typeof DEFAULT_CONFIG.dtls>): BindingContext {
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  config.coap.port = 0;
  config.coap.address = '127.0.0.1';
  Object.assign(config.dtls, { port: 0, address: '127.0.0.1' }, dtls);
  return { config, handler: new LwM2mServer({ models: ModelRegistry.withBuiltins(), store: new MemoryStore() }), logger: silentLogger };
}

void test('coaps is off by default and one entry when dtls.enabled', async () => {
  const schemes = (b: { scheme: string }[]): string[] => b.map((x) => x.scheme).filter((s) => s.startsWith('coap'));
  assert.deepEqual(schemes(createBindings(context({}))), ['coap']);
  const bindings = createBindings(context({ enabled: true }));
  assert.deepEqual(schemes(bindings), ['coap', 'coaps']);
  const coaps = bindings.find((b) => b.scheme === 'coaps')!;
  const at = await coaps.start();
  try {
    assert.equal(at.transport, 'coap+dtls');
    assert.ok(at.port > 0);
    assert.equal(coaps.transport.name, 'dtls');
  } finally {
    await coaps.stop();
  }
});

void test('the binding asks the credentials of its context (the store) for the PSK of an identity', { skip: noOpenssl }, async () => {
  const ctx = context({ enabled: true });
  const server = ctx.handler as LwM2mServer;
  assert.ok(server.credentials.put({ endpoint: 'dev1', mode: 'psk', identity: 'dev1', key: Buffer.from(KEY_HEX, 'hex') }).ok);
  const asked: string[] = [];
  const b = dtlsBinding({ ...ctx, credentials: { pskFor: (id) => (asked.push(id.toString()), server.credentials.pskFor(id)) } })!;
  const { port } = await b.start();
  const c = sClient(port, 'dev1', KEY_HEX);
  try {
    c.write('x\n');
    await until(() => asked.length > 0, 'the credentials to be asked');
    assert.deepEqual(asked, ['dev1']);
  } finally {
    await c.stop();
    await b.stop();
  }
});

void test('the binding takes another PSK lookup in place of the store', { skip: noOpenssl }, async () => {
  const asked: string[] = [];
  const b = dtlsBinding(context({ enabled: true }), (id) => (asked.push(id.toString()), id.toString() === 'dev1' ? Buffer.from('secretkey') : undefined))!;
  const { port } = await b.start();
  const c = sClient(port, 'dev1', KEY_HEX);
  try {
    c.write('x\n');
    await until(() => asked.length > 0, 'the lookup to be asked');
    assert.deepEqual(asked, ['dev1']);
  } finally {
    await c.stop();
    await b.stop();
  }
});
