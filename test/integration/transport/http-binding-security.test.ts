/**
 * Security of the HTTP binding: HTTPS with client certificates (the CN is the endpoint,
 * as for DTLS certificates) and the store's PSKs as HTTP Basic credentials; refused:
 * untrusted certificates, wrong keys, another endpoint's name or registration, anonymous
 * clients unless the config allows them, and a start without TLS unless it says so.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../interop/gateway-fixture.js';
import type { Started } from '../interop/gateway-fixture.js';
import { Lwm2mHttpTestClient } from '../../helpers/lwm2m-http-test-client.js';
import type { HttpClientOptions } from '../../helpers/lwm2m-http-test-client.js';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';
import type { Issued } from '../../helpers/test-pki.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';
import { LwM2mServer } from '../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import { MemoryStore } from '../../../src/store/memory/memory-store.js';
import { BindingStartError } from '../../../src/transport/binding.js';
import { httpBinding } from '../../../src/transport/http/http-binding.js';

const KEY_HEX = '00112233445566778899aabbccddeeff';

let pki: TestPki;
let server: Issued;
before(() => {
  if (noOpensslCli) return;
  pki = new TestPki();
  server = pki.issue('server', 'localhost');
});
after(() => pki?.remove());

async function tlsGateway(withClientCa: boolean): Promise<Started & { http: number }> {
  const started = await startGateway((c) => {
    c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', tls: { cert: server.cert, key: server.key, ca: withClientCa ? pki.caFile : null } };
  });
  return { ...started, http: started.gateway.ports['http'] as number };
}

function client(port: number, extra: Partial<HttpClientOptions> = {}): Lwm2mHttpTestClient {
  return new Lwm2mHttpTestClient({ port, tls: { ca: pki.caFile, ...extra.tls }, ...(extra.psk ? { psk: extra.psk } : {}) });
}

void test('HTTPS with client certificates: the CN registers its own endpoint only, and only its own registration', { skip: noOpensslCli }, async () => {
  const g = await tlsGateway(true);
  const own = pki.issue('cert-dev', 'cert-dev');
  const other = pki.issue('cert-dev2', 'cert-dev2');
  const untrusted = pki.issue('rogue', 'cert-dev', 'other-ca');
  assert.ok(g.gateway.server.credentials.put({ endpoint: 'cert-dev', mode: 'x509' }).ok);
  assert.ok(g.gateway.server.credentials.put({ endpoint: 'cert-dev2', mode: 'x509' }).ok);
  try {
    const device = client(g.http, { tls: { ca: pki.caFile, cert: own.cert, key: own.key } });
    assert.equal((await device.register('cert-dev')).status, 201);
    const reg = g.gateway.server.getRegistration('cert-dev');
    assert.deepEqual([reg?.peer.transport, reg?.peer.identity, reg?.peer.identityMode], ['http', 'cert-dev', 'x509']);

    // a Read reaches it over TLS
    const read = g.gateway.server.read('cert-dev', '/3/0/0', { format: 0 });
    await device.serveOne(() => ({ status: '205', contentType: 'text/plain', body: 'Tls Corp' }));
    assert.ok(JSON.stringify((await read).node).includes('Tls Corp'));

    // the certificate of cert-dev registers no other endpoint
    assert.equal((await client(g.http, { tls: { ca: pki.caFile, cert: own.cert, key: own.key } }).register('cert-dev2')).status, 403);
    // a certificate of another CA, or none at all: 401
    assert.equal((await client(g.http, { tls: { ca: pki.caFile, cert: untrusted.cert, key: untrusted.key } }).register('cert-dev')).status, 401);
    assert.equal((await client(g.http).register('cert-dev')).status, 401);

    // cert-dev2, registered itself, may neither update nor de-register cert-dev's registration
    const intruder = client(g.http, { tls: { ca: pki.caFile, cert: other.cert, key: other.key } });
    assert.equal((await intruder.register('cert-dev2')).status, 201);
    intruder.location = device.location;
    assert.equal((await intruder.update(['lt=100'])).status, 403);
    assert.equal((await intruder.deregister()).status, 403);
    // nor fetch the requests held for cert-dev
    const pending = g.gateway.server.read('cert-dev', '/3/0/1', { timeoutMs: 3000 });
    assert.equal(await intruder.poll(0), undefined);
    const mine = await device.poll(2);
    assert.equal(mine?.path, '/3/0/1');
    assert.equal((await intruder.answer(mine.token, { status: '205' })).status, 404);
    assert.equal((await device.answer(mine.token, { status: '4.04' })).status, 204);
    assert.equal((await pending).code, '4.04');

    assert.equal((await device.deregister()).status, 204);
  } finally {
    await g.stop();
  }
});

void test('HTTPS with a PSK as HTTP Basic credentials: the identity registers its endpoint; a wrong key or another endpoint is refused', { skip: noOpensslCli }, async () => {
  const g = await tlsGateway(false);
  assert.ok(g.gateway.server.credentials.put({ endpoint: 'psk-dev', mode: 'psk', identity: 'psk-id', key: Buffer.from(KEY_HEX, 'hex') }).ok);
  assert.ok(g.gateway.server.credentials.put({ endpoint: 'psk-dev2', mode: 'psk', identity: 'psk-id2', key: Buffer.from(KEY_HEX, 'hex') }).ok);
  try {
    const device = client(g.http, { psk: { identity: 'psk-id', keyHex: KEY_HEX } });
    assert.equal((await device.register('psk-dev')).status, 201);
    const reg = g.gateway.server.getRegistration('psk-dev');
    assert.deepEqual([reg?.peer.identity, reg?.peer.identityMode], ['psk-id', 'psk']);

    const sent = await device.send('[{"n":"/3303/0/5700","v":20}]');
    assert.equal(sent.status, 204);

    const wrongKey = await client(g.http, { psk: { identity: 'psk-id', keyHex: KEY_HEX.replace('00', '01') } }).register('psk-dev');
    assert.equal(wrongKey.status, 401);
    assert.match(String(wrongKey.headers['www-authenticate']), /^Basic /);
    assert.equal((await client(g.http, { psk: { identity: 'nobody', keyHex: KEY_HEX } }).register('psk-dev')).status, 401);
    // psk-id2's credentials are good but name another endpoint
    assert.equal((await client(g.http, { psk: { identity: 'psk-id2', keyHex: KEY_HEX } }).register('psk-dev')).status, 403);
    // psk-id2 with psk-dev's registration id
    const intruder = client(g.http, { psk: { identity: 'psk-id2', keyHex: KEY_HEX } });
    intruder.location = device.location;
    assert.equal((await intruder.deregister()).status, 403);
    // no credentials: 401 (http.allowAnonymous is off by default)
    assert.equal((await client(g.http).register('anyone')).status, 401);
    assert.ok(g.gateway.server.getRegistration('psk-dev'));
  } finally {
    await g.stop();
  }
});

void test('secure by default: no start without TLS unless http.allowPlaintext; no anonymous client unless http.allowAnonymous', async () => {
  const config = structuredClone(DEFAULT_CONFIG);
  config.http = { ...config.http, enabled: true, port: 0, address: '127.0.0.1' };
  const core = new LwM2mServer({ models: ModelRegistry.withBuiltins(), store: new MemoryStore() });
  const binding = httpBinding({ config, handler: core, logger: silentLogger });
  assert.ok(binding);
  await assert.rejects(binding.start(), (e: unknown) => e instanceof BindingStartError && e.key === 'http.tls.cert' && !e.message.includes('\n'));
  await binding.stop();
  assert.equal(httpBinding({ config: structuredClone(DEFAULT_CONFIG), handler: core, logger: silentLogger }), undefined, 'off by default');
  const g = await startGateway((c) => {
    c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', allowPlaintext: true };
  });
  try {
    const port = g.gateway.ports['http'] as number;
    const refused = await new Lwm2mHttpTestClient({ port }).register('anon');
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.connection, 'close', 'the unread body is not drained');
    assert.equal(g.gateway.server.getRegistration('anon'), undefined);
  } finally {
    await g.stop();
  }
  // anonymous allowed: still not for an endpoint that has credentials (security.requireForKnown)
  const a = await startGateway((c) => {
    c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', allowPlaintext: true, allowAnonymous: true };
  });
  try {
    assert.ok(a.gateway.server.credentials.put({ endpoint: 'known', mode: 'psk', identity: 'known-id', key: Buffer.from(KEY_HEX, 'hex') }).ok);
    const port = a.gateway.ports['http'] as number;
    assert.equal((await new Lwm2mHttpTestClient({ port }).register('known')).status, 403);
    assert.equal((await new Lwm2mHttpTestClient({ port }).register('unknown')).status, 201);
  } finally {
    await a.stop();
  }
});
