/** Bootstrap configs: what is accepted, every problem with its field, keys never shown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configView, parseBootstrapConfig, sameConfig, BOOTSTRAP_LIMITS } from '../../../src/lwm2m/bootstrap/index.js';
import { objectsProblem } from '../../../src/lwm2m/bootstrap/plan.js';
import { formatChain } from '../../../src/lwm2m/bootstrap/session.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const psk = { shortServerId: 1, uri: 'coaps://gw.example:5684', securityMode: 'psk', identity: 'dev-id', key: KEY };

const problems = (raw: unknown): string[] => {
  const r = parseBootstrapConfig(raw);
  return r.ok ? [] : r.problems.map((p) => `${p.field.join('.')}: ${p.message}`);
};

void test('a minimal config gets the defaults: delete /0 and /1, lifetime 86400, binding U, storing on', () => {
  const r = parseBootstrapConfig({ servers: [psk] });
  assert.ok(r.ok);
  assert.deepEqual(r.config.delete, ['/0', '/1']);
  const s = r.config.servers[0]!;
  assert.equal(s.lifetime, 86400);
  assert.equal(s.binding, 'U');
  assert.equal(s.notificationStoring, true);
  assert.deepEqual(s.key, Buffer.from(KEY, 'hex'));
  assert.equal(r.config.discover, false);
});

void test('every problem is named by its field', () => {
  assert.deepEqual(problems({ servers: [{ ...psk, shortServerId: 0, binding: 'X', key: 'zz', extra: 1 }], delete: ['/3/0/1'], contentFormat: 0, nope: true }), [
    'nope: unknown field (fields: servers, objects, delete, discover, readBack, contentFormat)',
    'servers.0.extra: unknown field (fields: shortServerId, uri, securityMode, identity, key, publicKey, secretKey, serverPublicKey, lifetime, binding, notificationStoring, defaultMinPeriod, defaultMaxPeriod)',
    'servers.0.shortServerId: an integer from 1 to 65534',
    'servers.0.key: hex digits, an even number of them, 1 to 64 bytes',
    'servers.0.binding: binding letters: U, T, S, N, Q, M, H',
    'delete.0: an object or instance path (or /)',
    'contentFormat: one of 11542, 112, 110, 11544',
  ]);
  assert.deepEqual(problems({ servers: [{ ...psk, securityMode: 'nosec' }] }), ['servers.0.identity: not used with securityMode nosec', 'servers.0.key: not used with securityMode nosec']);
  assert.deepEqual(problems({ servers: [{ shortServerId: 1, uri: 'coaps://a', securityMode: 'psk' }] }), ['servers.0.identity: required with securityMode psk', 'servers.0.key: required with securityMode psk']);
  assert.deepEqual(problems({ servers: [psk, psk] }), ['servers.1.shortServerId: already used by another server']);
  assert.deepEqual(problems({ servers: [{ ...psk, uri: 'ftp://x' }] }), ['servers.0.uri: a URI: coap://, coaps://, mqtt://, mqtts://, http(s)://...']);
  assert.deepEqual(problems({ servers: [], objects: { '/1/0': {}, '/24': {}, '/5/0': { x: 1 } } }), [
    'objects./1/0: Security and Server instances come from servers',
    'objects./24: an instance path: /o/i',
    'objects./5/0: resource ids are numbers',
  ]);
  assert.deepEqual(problems('x'), [': a bootstrap config is a map: { servers, objects, delete, ... }']);
});

void test('lists are bounded', () => {
  const many = Array.from({ length: BOOTSTRAP_LIMITS.servers + 1 }, (_, i) => ({ ...psk, shortServerId: i + 1 }));
  assert.deepEqual(problems({ servers: many }), [`servers: a list of 0 to ${BOOTSTRAP_LIMITS.servers} server accounts`]);
  const objects = Object.fromEntries(Array.from({ length: BOOTSTRAP_LIMITS.objects + 1 }, (_, i) => [`/5/${i}`, {}]));
  assert.deepEqual(problems({ servers: [], objects }), [`objects: at most ${BOOTSTRAP_LIMITS.objects} instances`]);
  assert.deepEqual(problems({ servers: [{ ...psk, identity: 'x'.repeat(129) }] }), ['servers.0.identity: a string of 1 to 128 bytes']);
});

void test('the view shows no key; sameConfig sees a changed key', () => {
  const a = parseBootstrapConfig({ servers: [psk] });
  const b = parseBootstrapConfig({ servers: [{ ...psk, key: 'ff' + KEY.slice(2) }] });
  assert.ok(a.ok && b.ok);
  const view = JSON.stringify(configView(a.config));
  assert.ok(!view.includes(KEY) && !view.includes('"key"'));
  assert.ok(view.includes('dev-id'));
  assert.equal(sameConfig(a.config, a.config), true);
  assert.equal(sameConfig(a.config, b.config), false);
});

void test('object values are checked against the object models', () => {
  const models = ModelRegistry.withBuiltins();
  const ok = parseBootstrapConfig({ servers: [], objects: { '/24/0': { 5: 60, 6: 'client' } } });
  const bad = parseBootstrapConfig({ servers: [], objects: { '/24/0': { 3: 'not a boolean' } } });
  assert.ok(ok.ok && bad.ok);
  assert.equal(objectsProblem(ok.config, models), undefined);
  assert.match(objectsProblem(bad.config, models) ?? '', /\/24\/0\/3: .* is not a valid boolean/);
});

void test('format order: the config\'s, then pct, then TLV first for 1.0 or unknown, SenML CBOR first for 1.1+', () => {
  assert.deepEqual(formatChain(undefined, undefined, undefined), [11542, 112, 110]);
  assert.deepEqual(formatChain(undefined, undefined, '1.1'), [112, 110, 11542]);
  assert.deepEqual(formatChain(undefined, 110, '1.0'), [110, 11542, 112]);
  assert.deepEqual(formatChain(11544, 110, '1.2'), [11544, 110, 112, 11542]);
});
