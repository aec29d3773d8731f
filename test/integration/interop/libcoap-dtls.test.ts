/**
 * libcoap's coap-client-openssl and coap-client-gnutls registering over DTLS 1.2 with a
 * PSK through the whole gateway (the coaps binding): 2.01 with the PSK identity on the
 * registration's peer; a wrong key fails the handshake and the gateway keeps serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from './gateway-fixture.js';
import { GNUTLS_CLIENT, OPENSSL_CLIENT, missing, runCoapClient } from './libcoap-run.js';

/** Runs the client with a PSK identity and key. */
function coaps(client: string, identity: string, key: string, args: string[]): Promise<{ code: string | undefined; out: string }> {
  return runCoapClient(client, ['-u', identity, '-k', key, ...args]);
}

for (const [name, client] of [['coap-client-openssl', OPENSSL_CLIENT], ['coap-client-gnutls', GNUTLS_CLIENT]] as const) {
  void test(`${name} registers over DTLS PSK; a wrong key fails and the gateway keeps serving`, { skip: missing(client) }, async () => {
    const { gateway, stop } = await startGateway((c) => {
      c.dtls = { ...c.dtls, enabled: true, port: 0, address: '127.0.0.1' };
    });
    try {
      // the device's credentials, as security.file or PUT /api/clients/{endpoint}/security put them
      assert.ok(gateway.server.credentials.put({ endpoint: 'dtls-dev-1', mode: 'psk', identity: 'dtls-dev-1', key: Buffer.from('s3cret-key') }).ok);
      const port = gateway.ports['coaps'];
      assert.ok(typeof port === 'number' && port > 0, 'the coaps binding listens');
      const url = (ep: string): string => `coaps://127.0.0.1:${port}/rd?ep=${ep}&lt=300&lwm2m=1.1&b=U`;

      const wrong = await coaps(client, 'dtls-dev-1', 'wrong-key', ['-m', 'post', '-t', '40', '-e', '</3/0>', url('dtls-dev-1')]);
      assert.equal(wrong.code, undefined, 'no CoAP response without a handshake');
      assert.ok(wrong.out.toLowerCase().includes('decrypt error'), 'the gateway answers the wrong key with a decrypt_error alert');
      assert.equal(gateway.server.getRegistration('dtls-dev-1'), undefined);

      // a good session, but the identity is not that endpoint's: refused by the core
      const other = await coaps(client, 'dtls-dev-1', 's3cret-key', ['-m', 'post', '-t', '40', '-e', '</3/0>', url('someone-else')]);
      assert.equal(other.code, '4.03');
      assert.equal(gateway.server.getRegistration('someone-else'), undefined);

      const { code } = await coaps(client, 'dtls-dev-1', 's3cret-key', ['-m', 'post', '-t', '40', '-e', '</3/0>', url('dtls-dev-1')]);
      assert.equal(code, '2.01');
      const reg = gateway.server.getRegistration('dtls-dev-1');
      assert.equal(reg?.peer.transport, 'dtls');
      assert.equal(reg?.peer.identity, 'dtls-dev-1');
    } finally {
      await stop();
    }
  });
}
