/**
 * What a hostile network does to the DTLS side, and what stays standing: reordered records
 * within the replay window are taken, replayed ones and ones older than the window are
 * dropped; a flood of ClientHellos from many source ports (as spoofed ones look) gets
 * stateless HelloVerifyRequests and leaves no handshake state while a good client completes;
 * through the whole gateway an unknown PSK identity gets no session, and a NoSec Register
 * of an endpoint that has credentials gets 4.03, while a good DTLS client registers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { DtlsTestClient } from '../../helpers/dtls-test-client.js';
import { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { DtlsBridge, sClientPipe } from '../../helpers/dtls-bridge.js';
import { startGateway } from '../interop/gateway-fixture.js';
import { echoEndpoint, noOpenssl, sClient, until } from './dtls-helpers.js';

const APP_DATA = 23;

/** A ClientHello record (epoch 0) offering TLS_PSK_WITH_AES_128_CCM_8, without a cookie. */
function clientHello(seq: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([0xfe, 0xfd]),
    randomBytes(32),
    Buffer.from([0]), // session id
    Buffer.from([0]), // cookie
    Buffer.from([0, 2, 0xc0, 0xa8]),
    Buffer.from([1, 0]),
  ]);
  const hs = Buffer.alloc(12);
  hs[0] = 1;
  hs.writeUIntBE(body.length, 1, 3);
  hs.writeUInt16BE(0, 4);
  hs.writeUIntBE(0, 6, 3);
  hs.writeUIntBE(body.length, 9, 3);
  const fragment = Buffer.concat([hs, body]);
  const rec = Buffer.alloc(13);
  rec[0] = 22;
  rec.writeUInt16BE(0xfefd, 1);
  rec.writeUInt16BE(0, 3);
  rec.writeUIntBE(seq, 5, 6);
  rec.writeUInt16BE(fragment.length, 11);
  return Buffer.concat([rec, fragment]);
}

void test('reordered records within the window are taken; replayed and too old ones are dropped', async () => {
  const { ep, port, got } = await echoEndpoint();
  const c = await DtlsTestClient.connect({ port, identity: 'dev1', psk: Buffer.from('secretkey') });
  try {
    const records = Array.from({ length: 70 }, (_, i) => c.seal(APP_DATA, Buffer.from(`r${i + 1}`)));
    const send = (n: number): void => c.sendRaw(records[n - 1]!);
    send(2);
    send(1); // reordered: older, but within the window and not seen
    send(1); // replayed
    send(70);
    send(3); // 67 behind the newest: outside the 64-record window
    send(69); // reordered within the window
    await until(() => got.length >= 4, 'the records that are taken');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      got.map((g) => g.data),
      ['r2', 'r1', 'r70', 'r69'],
    );
    assert.equal(ep.sessionCount, 1);
  } finally {
    await c.close();
    await ep.close();
  }
});

void test('a ClientHello flood from many source ports gets stateless cookies; a good client completes meanwhile', { skip: noOpenssl }, async () => {
  const { ep, port, got } = await echoEndpoint();
  const sockets: Socket[] = [];
  let verifies = 0;
  for (let i = 0; i < 100; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.on('message', (m) => {
      if (m[0] === 22 && m[13] === 3) verifies++; // HelloVerifyRequest
    });
    sockets.push(s);
  }
  const good = sClient(port, 'dev1', Buffer.from('secretkey').toString('hex'));
  try {
    let seq = 0;
    const flood = async (): Promise<void> => {
      for (let round = 0; round < 20; round++) {
        for (const s of sockets) s.send(clientHello(seq++), port, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    // application data has no retransmission in DTLS: a record lost while the flood fills the
    // socket's receive buffer is gone, so the good client says hello again each second, as a
    // CoAP client retransmits a CON
    good.write('hello\n');
    const again = setInterval(() => good.write('hello\n'), 1000);
    try {
      await flood();
      await until(() => got.some((g) => g.data === 'hello\n'), 'the good client served during the flood', 30_000);
    } finally {
      clearInterval(again);
    }
    // UDP under a flood loses datagrams; what matters is that answers are cookies, not state
    await until(() => verifies >= 100, 'HelloVerifyRequests to the flood', 30_000);
    assert.equal(ep.sessionCount, 1, 'only the good client holds a session');
    assert.equal(ep.counters.refused.handshakeLimit, 0, 'no flooded hello got as far as the handshake table');
  } finally {
    await good.stop();
    for (const s of sockets) s.close();
    await ep.close();
  }
});

void test('through the gateway: an unknown identity gets no session, a NoSec Register of a protected endpoint gets 4.03, a good client registers', { skip: noOpenssl }, async () => {
  const { gateway, stop } = await startGateway((c) => Object.assign(c.dtls, { enabled: true, port: 0, address: '127.0.0.1' }));
  const key = Buffer.from('a-good-key');
  assert.ok(gateway.server.credentials.put({ endpoint: 'guarded', mode: 'psk', identity: 'guarded-id', key }).ok);
  const coaps = gateway.ports['coaps'] as number;
  const stranger = sClient(coaps, 'nobody', key.toString('hex'));
  const nosec = await new Lwm2mTestClient({ serverPort: gateway.port!, endpoint: 'guarded', timing: { ackTimeoutMs: 500 } }).start();
  const bridge = await DtlsBridge.start(sClientPipe(coaps, ['-psk_identity', 'guarded-id', '-psk', key.toString('hex'), '-cipher', 'PSK-AES128-CCM8']));
  const device = await new Lwm2mTestClient({ serverPort: bridge.port, endpoint: 'guarded', timing: { ackTimeoutMs: 1000 } }).start();
  try {
    await until(() => stranger.exited() || /alert/i.test(stranger.output()), 'the stranger refused', 10_000);
    assert.match(stranger.output(), /alert/i);
    assert.equal((await nosec.register()).code, '4.03');
    assert.equal(gateway.server.getRegistration('guarded'), undefined);
    assert.equal((await device.register()).code, '2.01');
    assert.equal(gateway.server.getRegistration('guarded')?.peer.identity, 'guarded-id');
    assert.equal((await gateway.server.read('guarded', '/3/0/0')).code, '2.05');
    const metrics = (await gateway.metrics?.text()) ?? '';
    assert.match(metrics, /^lwm2mgw_dtls_handshakes_total\{binding="coaps",outcome="completed"\} 1$/m);
    assert.match(metrics, /^lwm2mgw_dtls_handshakes_total\{binding="coaps",outcome="failed"\} [1-9]/m);
  } finally {
    await device.stop();
    await bridge.close();
    await nosec.stop();
    await stranger.stop();
    await stop();
  }
});
