/**
 * A whole LwM2M client life over DTLS, through the gateway: Register, Read, Observe and a
 * notification, Write, Update, De-register. The LwM2M side is the full test client; the
 * DTLS side is openssl s_client with a PSK and with an X.509 certificate, and the test DTLS
 * client with a Connection ID whose source port changes halfway (a NAT rebinding): after the
 * move the notification, the Write, the Update and the De-register still work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '../../../src/gateway.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { DtlsBridge, sClientPipe, type DatagramPipe } from '../../helpers/dtls-bridge.js';
import { DtlsTestClient } from '../../helpers/dtls-test-client.js';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';
import { startGateway } from '../interop/gateway-fixture.js';
import { until } from './dtls-helpers.js';

const KEY = Buffer.from('lifecycle-secret');

/** The life of `endpoint` over `bridge`; `midway` runs after the observation is set up (a rebinding). */
async function life(gateway: Gateway, bridge: DtlsBridge, endpoint: string, identity: string, midway: () => Promise<void> = async () => {}): Promise<void> {
  const device = await new Lwm2mTestClient({ serverPort: bridge.port, endpoint, lifetime: 300, timing: { ackTimeoutMs: 1000 } }).start();
  try {
    assert.equal((await device.register()).code, '2.01');
    const reg = gateway.server.getRegistration(endpoint)!;
    assert.equal(reg.peer.transport, 'dtls');
    assert.equal(reg.peer.identity, identity);

    const read = await gateway.server.read(endpoint, '/3/0/0');
    assert.equal(read.code, '2.05');
    assert.ok(read.node?.kind === 'resource' && typeof read.node.value === 'string');

    const values: unknown[] = [];
    gateway.server.on('notification', (e) => {
      if (e.registration.endpoint === endpoint && e.node?.kind === 'resource') values.push(e.node.value);
    });
    const observed = await gateway.server.observe(endpoint, '/3/0/9');
    assert.equal(observed.code, '2.05');
    await midway();
    await device.set('/3/0/9', 42);
    await until(() => values.includes(42), 'the notification over DTLS');

    const written = await gateway.server.write(endpoint, '/3/0/14', { kind: 'resource', id: 14, type: 'string', value: '+02:00' });
    assert.equal(written.code, '2.04');
    assert.equal(device.value('/3/0/14'), '+02:00');

    assert.equal((await device.update({ lifetime: 600 })).code, '2.04');
    assert.equal(gateway.server.getRegistration(endpoint)?.lifetime, 600);
    assert.equal((await device.deregister()).code, '2.02');
    assert.equal(gateway.server.getRegistration(endpoint), undefined);
  } finally {
    await device.stop();
  }
}

void test('s_client with a PSK carries a whole client life', { skip: noOpensslCli }, async () => {
  const { gateway, stop } = await startGateway((c) => Object.assign(c.dtls, { enabled: true, port: 0, address: '127.0.0.1' }));
  assert.ok(gateway.server.credentials.put({ endpoint: 'life-psk', mode: 'psk', identity: 'life-psk-id', key: KEY }).ok);
  const pipe = sClientPipe(gateway.ports['coaps'] as number, ['-psk_identity', 'life-psk-id', '-psk', KEY.toString('hex'), '-cipher', 'PSK-AES128-CCM8']);
  const bridge = await DtlsBridge.start(pipe);
  try {
    await life(gateway, bridge, 'life-psk', 'life-psk-id');
  } finally {
    await bridge.close();
    await stop();
  }
});

void test('s_client with an X.509 certificate carries a whole client life', { skip: noOpensslCli }, async () => {
  const pki = new TestPki();
  const srv = pki.issue('server', '127.0.0.1');
  const { gateway, stop } = await startGateway((c) =>
    Object.assign(c.dtls, { enabled: true, port: 0, address: '127.0.0.1', certificate: srv.cert, privateKey: srv.key, trustedCertificates: pki.caFile }),
  );
  const dev = pki.issue('dev', 'life-x509');
  assert.ok(gateway.server.credentials.put({ endpoint: 'life-x509', mode: 'x509' }).ok);
  const pipe = sClientPipe(gateway.ports['coaps'] as number, ['-cert', dev.cert, '-key', dev.key, '-CAfile', pki.caFile, '-cipher', 'ECDHE-ECDSA-AES128-CCM8']);
  const bridge = await DtlsBridge.start(pipe);
  try {
    await life(gateway, bridge, 'life-x509', 'life-x509');
  } finally {
    await bridge.close();
    await stop();
    pki.remove();
  }
});

void test('with a Connection ID the life goes on after the source port changes', async () => {
  const { gateway, stop } = await startGateway((c) => Object.assign(c.dtls, { enabled: true, port: 0, address: '127.0.0.1' }));
  assert.ok(gateway.server.credentials.put({ endpoint: 'life-cid', mode: 'psk', identity: 'life-cid', key: KEY }).ok);
  const dtls = await DtlsTestClient.connect({ port: gateway.ports['coaps'] as number, identity: 'life-cid', psk: KEY, connectionId: Buffer.alloc(0) });
  const pipe: DatagramPipe = {
    send: (d) => dtls.send(d),
    onData: (l) => (dtls.onData = l),
    close: () => dtls.close(),
  };
  const bridge = await DtlsBridge.start(pipe);
  const moves: number[] = [];
  gateway.server.on('addressChanged', (r) => moves.push(r.peer.port));
  try {
    await life(gateway, bridge, 'life-cid', 'life-cid', async () => {
      const before = gateway.server.getRegistration('life-cid')!.peer.port;
      await dtls.rebind();
      assert.notEqual(dtls.port, before);
      // the next record from the new port moves the session (and the registration) there
    });
    assert.ok(dtls.serverCid.length > 0, 'the server gave a connection ID');
    assert.deepEqual(moves, [dtls.port], 'the registration moved to the new port once');
  } finally {
    await bridge.close();
    await stop();
  }
});
