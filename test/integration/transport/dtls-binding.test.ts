/**
 * The coaps binding: off by default, built from the `dtls` section, its PSK list checked
 * at build time, and a PSK lookup that can be swapped for another credentials source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { BindingStartError } from '../../../src/transport/binding.js';
import type { BindingContext } from '../../../src/transport/binding.js';
import { createBindings } from '../../../src/transport/bindings.js';
import { configPskLookup, dtlsBinding } from '../../../src/transport/dtls/dtls-binding.js';
import { KEY_HEX, noOpenssl, sClient, until } from './dtls-helpers.js';

function context(dtls: Partial<typeof DEFAULT_CONFIG.dtls>): BindingContext {
  const config = structuredClone(DEFAULT_CONFIG);
  config.coap.port = 0;
  config.coap.address = '127.0.0.1';
  Object.assign(config.dtls, { port: 0, address: '127.0.0.1' }, dtls);
  return { config, handler: new LwM2mServer({ models: ModelRegistry.withBuiltins() }), logger: silentLogger };
}

void test('coaps is off by default and one entry when dtls.enabled', async () => {
  assert.deepEqual(createBindings(context({})).map((b) => b.scheme), ['coap']);
  const bindings = createBindings(context({ enabled: true }));
  assert.deepEqual(bindings.map((b) => b.scheme), ['coap', 'coaps']);
  const coaps = bindings[1]!;
  const at = await coaps.start();
  try {
    assert.equal(at.transport, 'coap+dtls');
    assert.ok(at.port > 0);
    assert.equal(coaps.transport.name, 'dtls');
  } finally {
    await coaps.stop();
  }
});

void test('dtls.psk entries are checked: identity 1..128 bytes, key hex of 1..64 bytes', () => {
  const lookup = configPskLookup([{ identity: 'dev', key: 'A0b1' }]);
  assert.deepEqual(lookup(Buffer.from('dev')), Buffer.from([0xa0, 0xb1]));
  assert.equal(lookup(Buffer.from('other')), undefined);
  const bad = (identity: string, key: string): string | undefined => {
    try {
      configPskLookup([{ identity, key }]);
      return undefined;
    } catch (e) {
      return e instanceof BindingStartError ? e.key : 'not a BindingStartError';
    }
  };
  assert.equal(bad('x'.repeat(129), 'aa'), 'dtls.psk.0.identity');
  assert.equal(bad('dev', 'abc'), 'dtls.psk.0.key');
  assert.equal(bad('dev', 'zz'), 'dtls.psk.0.key');
  assert.equal(bad('dev', 'aa'.repeat(65)), 'dtls.psk.0.key');
});

void test('the binding takes another PSK lookup in place of the config list', { skip: noOpenssl }, async () => {
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

void test('a bad dtls.psk entry stops the start with a BindingStartError naming its key', async () => {
  const b = dtlsBinding(context({ enabled: true, psk: [{ identity: 'é'.repeat(100), key: 'aa' }] }))!;
  await assert.rejects(b.start(), (e: unknown) => e instanceof BindingStartError && e.key === 'dtls.psk.0.identity');
  await b.stop();
});
