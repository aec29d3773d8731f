/**
 * libcoap's clients registering through the whole gateway with certificates: X.509
 * (coap-client-openssl and coap-client-gnutls, -c/-j/-C) with the CN as the endpoint, and
 * raw public keys (coap-client-gnutls -M; libcoap's OpenSSL build has none). Refused with
 * 4.03: a CN registering another endpoint, a raw key not stored for the endpoint. A PSK
 * client is still served beside them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';
import { startGateway } from './gateway-fixture.js';
import { GNUTLS_CLIENT, OPENSSL_CLIENT, missing, registerArgs, runCoapClient } from './libcoap-run.js';

async function gatewayWithCertificates(pki: TestPki, rest = false) {
  const srv = pki.issue('server', '127.0.0.1');
  const started = await startGateway((c) => {
    Object.assign(c.dtls, { enabled: true, port: 0, address: '127.0.0.1', certificate: srv.cert, privateKey: srv.key, trustedCertificates: pki.caFile });
    if (rest) Object.assign(c.rest, { enabled: true, port: 0, host: '127.0.0.1' });
  });
  return { ...started, coaps: started.gateway.ports['coaps'] as number };
}

for (const [name, client] of [['coap-client-openssl', OPENSSL_CLIENT], ['coap-client-gnutls', GNUTLS_CLIENT]] as const) {
  void test(`${name} registers with an X.509 certificate as its CN; another endpoint is 4.03; PSK still works`, { skip: missing(client) || noOpensslCli }, async () => {
    const pki = new TestPki();
    const { gateway, coaps, stop } = await gatewayWithCertificates(pki);
    try {
      const sec = gateway.server.credentials;
      assert.ok(sec.put({ endpoint: 'libcoap-x1', mode: 'x509' }).ok);
      assert.ok(sec.put({ endpoint: 'libcoap-x2', mode: 'x509' }).ok);
      const dev = pki.issue('dev', 'libcoap-x1');
      const cert = ['-c', dev.cert, '-j', dev.key, '-C', pki.caFile];

      const other = await runCoapClient(client, [...cert, ...registerArgs(coaps, 'libcoap-x2')]);
      assert.equal(other.code, '4.03', other.out);
      assert.equal(gateway.server.getRegistration('libcoap-x2'), undefined);

      const ok = await runCoapClient(client, [...cert, ...registerArgs(coaps, 'libcoap-x1')]);
      assert.equal(ok.code, '2.01', ok.out);
      const reg = gateway.server.getRegistration('libcoap-x1');
      assert.equal(reg?.peer.identity, 'libcoap-x1');
      assert.equal(reg?.peer.identityMode, 'x509');

      // a certificate from a CA the gateway does not trust: no session, no response
      const foreign = pki.issue('foreign', 'libcoap-x2', 'other-ca');
      const refused = await runCoapClient(client, ['-c', foreign.cert, '-j', foreign.key, '-C', pki.caFile, ...registerArgs(coaps, 'libcoap-x2')]);
      assert.equal(refused.code, undefined);

      assert.ok(sec.put({ endpoint: 'libcoap-p', mode: 'psk', identity: 'libcoap-p', key: Buffer.from('psk-key-1') }).ok);
      const pskRun = await runCoapClient(client, ['-u', 'libcoap-p', '-k', 'psk-key-1', ...registerArgs(coaps, 'libcoap-p')]);
      assert.equal(pskRun.code, '2.01', pskRun.out);
      assert.equal(gateway.server.getRegistration('libcoap-p')?.peer.identityMode, 'psk');
    } finally {
      await stop();
      pki.remove();
    }
  });
}

void test('coap-client-gnutls registers with a raw public key put over REST for the endpoint; an unknown key is 4.03', { skip: missing(GNUTLS_CLIENT) || noOpensslCli }, async () => {
  const pki = new TestPki();
  const { gateway, coaps, stop } = await gatewayWithCertificates(pki, true);
  try {
    const known = pki.issue('rpk-known', 'unused');
    const unknown = pki.issue('rpk-unknown', 'unused');
    const put = await fetch(`http://127.0.0.1:${gateway.ports['rest']}/api/clients/libcoap-r1/security`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'rpk', publicKey: known.spki.toString('hex') }),
    });
    assert.equal(put.status, 201);

    const stranger = await runCoapClient(GNUTLS_CLIENT, ['-M', unknown.key, ...registerArgs(coaps, 'libcoap-r1')]);
    assert.equal(stranger.code, '4.03', stranger.out);
    assert.equal(gateway.server.getRegistration('libcoap-r1'), undefined);

    const ok = await runCoapClient(GNUTLS_CLIENT, ['-M', known.key, ...registerArgs(coaps, 'libcoap-r1')]);
    assert.equal(ok.code, '2.01', ok.out);
    assert.ok(ok.out.includes("'RPK' presented by server"), 'the gateway answered with its raw public key');
    const reg = gateway.server.getRegistration('libcoap-r1');
    assert.equal(reg?.peer.identityMode, 'rpk');
    assert.equal(reg?.peer.identity, known.spki.toString('hex'));
  } finally {
    await stop();
    pki.remove();
  }
});
