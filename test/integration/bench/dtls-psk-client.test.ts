/**
 * The benchmark's DTLS PSK client (bench/dtls/psk-client.ts) against the gateway's DTLS
 * endpoint on a real socket: full handshakes with both PSK suites and application data
 * both ways; a wrong key ends in the server's decrypt_error alert and no session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { PskClient } from '../../../bench/dtls/psk-client.js';
import { TLS_PSK_WITH_AES_128_CBC_SHA256, TLS_PSK_WITH_AES_128_CCM_8 } from '../../../src/transport/dtls/record-cipher.js';
import { echoEndpoint } from '../transport/dtls-helpers.js';

/** Runs one handshake (and, once established, one echo) over a fresh socket; what happened. */
async function session(port: number, key: string, suite: number): Promise<{ failed?: string; echoed?: string[] }> {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const client = new PskClient(Buffer.from('dev1'), Buffer.from(key), suite);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no outcome within 5 s')), 5000);
      const end = (x: { failed?: string; echoed?: string[] }): void => (clearTimeout(timer), resolve(x));
      sock.on('message', (m) => {
        if (client.established) return end({ echoed: client.open(m).map((b) => b.toString()) });
        const step = client.receive(m);
        if (step.send) sock.send(step.send, port, '127.0.0.1');
        if (step.failed) end({ failed: step.failed });
        if (step.established) sock.send(client.seal(Buffer.from('ping')), port, '127.0.0.1');
      });
      sock.send(client.start(), port, '127.0.0.1');
    });
  } finally {
    await new Promise<void>((r) => sock.close(() => r()));
  }
}

test('the bench PSK client completes handshakes with both suites and exchanges data; a wrong key is refused', async () => {
  const { ep, port, got } = await echoEndpoint();
  try {
    for (const suite of [TLS_PSK_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CBC_SHA256]) {
      const r = await session(port, 'secretkey', suite);
      assert.deepEqual(r, { echoed: ['echo:ping'] }, `suite 0x${suite.toString(16)}`);
    }
    assert.deepEqual(
      got.map((g) => [g.peer.identity, g.data]),
      [
        ['dev1', 'ping'],
        ['dev1', 'ping'],
      ],
    );
    const wrong = await session(port, 'not-the-key', TLS_PSK_WITH_AES_128_CCM_8);
    assert.deepEqual(wrong, { failed: 'fatal alert 51' }, 'decrypt_error');
    assert.equal(got.length, 2);
  } finally {
    await ep.close();
  }
});
