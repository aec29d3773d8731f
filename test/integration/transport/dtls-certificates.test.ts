/**
 * The whole gateway over coaps with certificates: openssl s_client registers with an X.509
 * certificate (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 and _CBC_SHA256) issued by the trusted
 * CA, its CN the endpoint; a Read comes back. Refused: another endpoint's name (4.03), an
 * endpoint without x509 credentials (4.03), a certificate from an untrusted CA (alert, no
 * session), a garbage Certificate message (alert) while a good client is still served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, createPrivateKey, sign } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x509CertificateBody } from '../../../src/transport/dtls/certificate-message.js';
import { handshakeMessage } from '../../../src/transport/dtls/handshake-message.js';
import { ContentType, DTLS_1_2, parseRecords, serializeRecord } from '../../../src/transport/dtls/record.js';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';
import { startGateway } from '../interop/gateway-fixture.js';
import { certSClient } from './dtls-cert-helpers.js';
import { until } from './dtls-helpers.js';

async function gatewayWithCertificates(pki: TestPki) {
  const srv = pki.issue('server', '127.0.0.1');
  const started = await startGateway((c) => {
    Object.assign(c.dtls, { enabled: true, port: 0, address: '127.0.0.1', certificate: srv.cert, privateKey: srv.key, trustedCertificates: pki.caFile });
  });
  return { ...started, coaps: started.gateway.ports['coaps'] as number };
}

for (const cipher of ['ECDHE-ECDSA-AES128-CCM8', 'ECDHE-ECDSA-AES128-SHA256']) {
  void test(`s_client ${cipher} with a certificate registers as its CN; a Read comes back`, { skip: noOpensslCli }, async () => {
    const pki = new TestPki();
    const { gateway, coaps, stop } = await gatewayWithCertificates(pki);
    const dev = pki.issue('dev', 'cert-dev-1');
    const client = certSClient(coaps, { cert: dev.cert, key: dev.key, ca: pki.caFile, cipher });
    try {
      assert.ok(gateway.server.credentials.put({ endpoint: 'cert-dev-1', mode: 'x509' }).ok);
      assert.equal(await client.register('cert-dev-1'), '2.01');
      const reg = gateway.server.getRegistration('cert-dev-1');
      assert.equal(reg?.peer.identity, 'cert-dev-1');
      assert.equal(reg?.peer.identityMode, 'x509');
      assert.ok(client.output().includes('CN = 127.0.0.1'), 's_client saw the server certificate');

      const read = gateway.server.read('cert-dev-1', '/3/0/0');
      await until(() => client.received.some((m) => m.code === 0x01), 'the GET at the device');
      const get = client.received.find((m) => m.code === 0x01)!;
      client.send({ type: 2, code: 0x45, messageId: get.messageId, token: get.token, options: [{ number: 12, value: Buffer.alloc(0) }], payload: Buffer.from('Cert Corp') });
      const r = await read;
      assert.equal(r.code, '2.05');
      assert.ok(JSON.stringify(r.node).includes('Cert Corp'));
    } finally {
      await client.stop();
      await stop();
      pki.remove();
    }
  });
}

void test('chains through an intermediate CA both ways: the server Certificate in fragments, the client sending its intermediate', { skip: noOpensslCli }, async () => {
  const pki = new TestPki();
  const inter = pki.intermediate('inter');
  const srv = pki.issue('server', '127.0.0.1', 'inter');
  // leaf, intermediate and root: a Certificate message longer than one datagram
  const chainFile = join(pki.dir, 'server-chain.pem');
  writeFileSync(chainFile, [srv.cert, inter.cert, pki.caFile].map((f) => readFileSync(f, 'utf8')).join(''));
  const { gateway, stop } = await startGateway((c) => {
    Object.assign(c.dtls, { enabled: true, port: 0, address: '127.0.0.1', certificate: chainFile, privateKey: srv.key, trustedCertificates: pki.caFile });
  });
  const dev = pki.issue('dev', 'cert-dev-3', 'inter');
  const client = certSClient(gateway.ports['coaps'] as number, { cert: dev.cert, key: dev.key, ca: pki.caFile, chain: inter.cert });
  try {
    assert.ok(gateway.server.credentials.put({ endpoint: 'cert-dev-3', mode: 'x509' }).ok);
    assert.equal(await client.register('cert-dev-3'), '2.01');
    assert.ok(client.output().includes('depth=2 CN = Trusted Test CA'), 's_client verified the whole chain');
  } finally {
    await client.stop();
    await stop();
    pki.remove();
  }
});

void test('refused: another endpoint CN (4.03), no x509 credentials (4.03), an untrusted CA or no certificate (no session)', { skip: noOpensslCli }, async () => {
  const pki = new TestPki();
  const { gateway, coaps, stop } = await gatewayWithCertificates(pki);
  const clients: ReturnType<typeof certSClient>[] = [];
  try {
    assert.ok(gateway.server.credentials.put({ endpoint: 'cert-a', mode: 'x509' }).ok);
    assert.ok(gateway.server.credentials.put({ endpoint: 'cert-b', mode: 'x509' }).ok);
    assert.ok(gateway.server.credentials.put({ endpoint: 'psk-c', mode: 'psk', identity: 'cert-c', key: Buffer.from('k') }).ok);
    const a = pki.issue('a', 'cert-a');
    const first = certSClient(coaps, { cert: a.cert, key: a.key, ca: pki.caFile });
    clients.push(first);
    assert.equal(await first.register('cert-b'), '4.03', "a certificate of cert-a may not register cert-b");
    assert.equal(gateway.server.getRegistration('cert-b'), undefined);

    // a CN with no x509 entry, even one equal to another endpoint's PSK identity
    const c = pki.issue('c', 'cert-c');
    const second = certSClient(coaps, { cert: c.cert, key: c.key, ca: pki.caFile });
    clients.push(second);
    assert.equal(await second.register('cert-c', 2), '4.03');
    assert.equal(await second.register('psk-c', 3), '4.03');

    const foreign = pki.issue('f', 'cert-a', 'other-ca');
    const third = certSClient(coaps, { cert: foreign.cert, key: foreign.key, ca: pki.caFile });
    clients.push(third);
    await until(() => third.exited(), 's_client to give up');
    assert.match(third.output(), /unknown ca/i);
    assert.equal(gateway.server.getRegistration('cert-a'), undefined);

    // no client certificate at all: the suites require one
    const fourth = certSClient(coaps, { ca: pki.caFile });
    clients.push(fourth);
    await until(() => fourth.exited(), 's_client without a certificate to give up');
    assert.match(fourth.output(), /handshake failure/i);
  } finally {
    for (const c of clients) await c.stop();
    await stop();
    pki.remove();
  }
});

/** A ClientHello body offering TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with `cookie`. */
function clientHello(cookie: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 3), Buffer.from([0, cookie.length]), cookie, Buffer.from([0, 2, 0xc0, 0xae, 1, 0])]);
}

/** A hand-driven client up to the server's ServerHelloDone; `send` then writes epoch-0 handshake messages from message_seq 2. */
async function rawClient(port: number) {
  const socket = createSocket('udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  let seq = 0;
  const record = (fragment: Buffer): void => void socket.send(serializeRecord({ type: ContentType.handshake, version: DTLS_1_2, epoch: 0, seq: seq++, fragment }), port, '127.0.0.1');
  record(handshakeMessage(1, 0, clientHello(Buffer.alloc(0))));
  await until(() => got.length > 0, 'the HelloVerifyRequest');
  const hvr = parseRecords(got.shift()!)[0]!.fragment;
  const cookie = hvr.subarray(12 + 3, 12 + 3 + hvr[12 + 2]!);
  const hello = handshakeMessage(1, 1, clientHello(cookie));
  record(hello);
  await until(() => got.some((d) => parseRecords(d).some((r) => r.fragment[0] === 14)), 'the flight up to ServerHelloDone');
  const transcript = [hello, ...got.flatMap((d) => parseRecords(d).map((r) => r.fragment))];
  got.length = 0;
  let messageSeq = 2;
  return {
    /** the whole handshake messages so far, as a CertificateVerify signs them */
    transcript: () => Buffer.concat(transcript),
    send(type: number, body: Buffer): void {
      const m = handshakeMessage(type, messageSeq++, body);
      transcript.push(m);
      record(m);
    },
    async alert(): Promise<number[]> {
      await until(() => got.length > 0, 'an alert');
      const r = parseRecords(got[0]!)[0]!;
      assert.equal(r.type, ContentType.alert);
      return [...r.fragment];
    },
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

void test('garbage Certificate: alert; CertificateVerify by another key: decrypt_error; the gateway still serves a good client', { skip: noOpensslCli }, async () => {
  const pki = new TestPki();
  const { gateway, coaps, stop } = await gatewayWithCertificates(pki);
  const dev = pki.issue('dev', 'cert-dev-2');
  const good = certSClient(coaps, { cert: dev.cert, key: dev.key, ca: pki.caFile });
  const raws: Awaited<ReturnType<typeof rawClient>>[] = [];
  try {
    const garbage = await rawClient(coaps);
    raws.push(garbage);
    // a Certificate whose list claims more than the message holds
    garbage.send(11, Buffer.from([0, 0, 200, 0, 0, 5, 1, 2, 3]));
    assert.deepEqual(await garbage.alert(), [2, 50], 'fatal decode_error');

    const forger = await rawClient(coaps);
    raws.push(forger);
    forger.send(11, x509CertificateBody([pki.der(dev.cert)]));
    forger.send(16, Buffer.concat([Buffer.from([65]), createECDH('prime256v1').generateKeys()]));
    const otherKey = createPrivateKey(readFileSync(pki.issue('thief', 'thief').key));
    const signature = sign('sha256', forger.transcript(), { key: otherKey, dsaEncoding: 'der' });
    forger.send(15, Buffer.concat([Buffer.from([4, 3, 0, signature.length]), signature]));
    assert.deepEqual(await forger.alert(), [2, 51], 'fatal decrypt_error');

    assert.ok(gateway.server.credentials.put({ endpoint: 'cert-dev-2', mode: 'x509' }).ok);
    assert.equal(await good.register('cert-dev-2'), '2.01');
  } finally {
    await good.stop();
    for (const r of raws) await r.close();
    await stop();
    pki.remove();
  }
});
