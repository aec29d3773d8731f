/**
 * The DTLS 1.2 server endpoint with openssl s_client as the client: a PSK handshake with
 * TLS_PSK_WITH_AES_128_CCM_8, application data both ways, the PSK identity on the peer, a
 * wrong key refused, and replayed, truncated or garbage records dropped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContentType, parseRecords } from '../../../src/transport/dtls/record.js';
import { KEY_HEX, Relay, echoEndpoint, noOpenssl, sClient, until } from './dtls-helpers.js';

void test('openssl s_client completes a PSK CCM_8 handshake; data flows both ways with the identity on the peer', { skip: noOpenssl }, async () => {
  const { ep, port, got } = await echoEndpoint();
  const c = sClient(port, 'dev1', KEY_HEX);
  try {
    c.write('hello\n');
    await until(() => got.length === 1, 'the first datagram');
    assert.equal(got[0]!.data, 'hello\n');
    assert.equal(got[0]!.peer.transport, 'dtls');
    assert.equal(got[0]!.peer.identity, 'dev1');
    await until(() => c.output().includes('echo:hello'), 'the echo at the client');
    assert.equal(ep.peerFor(got[0]!.peer), got[0]!.peer);
    assert.equal(ep.peerFor({ ...got[0]!.peer, identity: 'someone-else' }), undefined);
  } finally {
    await c.stop();
    await ep.close();
  }
});

void test('TLS_PSK_WITH_AES_128_CBC_SHA256 when the client offers only it; a long record crosses intact', { skip: noOpenssl }, async () => {
  const { ep, port, got } = await echoEndpoint();
  const c = sClient(port, 'dev1', KEY_HEX, 'PSK-AES128-CBC-SHA256');
  try {
    const line = 'x'.repeat(700);
    c.write('cbc\n');
    c.write(`${line}\n`);
    await until(() => got.map((g) => g.data).join('').includes(`${line}\n`), 'both lines');
    assert.equal(got[0]!.data.startsWith('cbc\n'), true);
    await until(() => c.output().includes('echo:cbc'), 'the echo at the client');
  } finally {
    await c.stop();
    await ep.close();
  }
});

void test('a wrong key fails the handshake, leaves no session, and the endpoint keeps serving', { skip: noOpenssl }, async () => {
  const { ep, port, got } = await echoEndpoint();
  const bad = sClient(port, 'dev1', Buffer.from('not-the-key').toString('hex'));
  const unknown = sClient(port, 'nobody', KEY_HEX);
  const good = sClient(port, 'dev1', KEY_HEX);
  try {
    bad.write('x\n');
    unknown.write('y\n');
    await until(() => bad.exited() && unknown.exited(), 'the refused clients to give up');
    good.write('ok\n');
    await until(() => got.length >= 1, 'the good client');
    assert.deepEqual(got.map((g) => g.data), ['ok\n']);
    assert.equal(ep.sessionCount, 1);
  } finally {
    await Promise.all([bad.stop(), unknown.stop(), good.stop()]);
    await ep.close();
  }
});

void test('replayed, truncated and garbage records are dropped; the session goes on', { skip: noOpenssl }, async () => {
  const { ep, port, got } = await echoEndpoint();
  const relay = await Relay.open(port);
  const c = sClient(relay.port, 'dev1', KEY_HEX);
  try {
    c.write('one\n');
    await until(() => got.length === 1, 'the first datagram');
    const appData = relay.fromClient.find((d) => parseRecords(d).some((r) => r.type === ContentType.applicationData));
    assert.ok(appData, 'the relay saw the application data record');
    relay.inject(port, appData); // replay
    relay.inject(port, appData.subarray(0, appData.length - 3)); // truncated
    const flipped = Buffer.from(appData);
    flipped[flipped.length - 1]! ^= 0xff; // tag no longer authenticates
    relay.inject(port, flipped);
    relay.inject(port, Buffer.from([0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0xff, 0xff, 1, 2])); // length past the datagram
    relay.inject(port, Buffer.from([0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 4, 1, 0, 0, 200])); // ClientHello header alone
    relay.inject(port, Buffer.alloc(40, 0x17));
    relay.inject(port, Buffer.from([0x15, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 50, 0, 2, 2, 40])); // a plaintext fatal alert
    c.write('two\n');
    await until(() => got.length >= 2, 'the second datagram');
    await until(() => c.output().includes('echo:two'), 'the second echo');
    assert.deepEqual(got.map((g) => g.data), ['one\n', 'two\n']);
    assert.equal(ep.sessionCount, 1);
    // a plaintext handshake record once established draws no answer (no reflection of our last flight)
    const answers = relay.fromServer.length;
    relay.inject(port, Buffer.from([0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 60, 0, 14, 16, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]));
    c.write('three\n');
    await until(() => c.output().includes('echo:three'), 'the third echo');
    assert.equal(relay.fromServer.length, answers + 1, 'only the echo came back');
  } finally {
    await c.stop();
    await relay.close();
    await ep.close();
  }
});

void test('half-open handshakes are bounded', { skip: noOpenssl }, async () => {
  // no handshake may start: every ClientHello past the cookie is dropped
  const { ep, port, got } = await echoEndpoint({ maxHandshakes: 0 });
  const c = sClient(port, 'dev1', KEY_HEX);
  try {
    c.write('hello\n');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ep.sessionCount, 0);
    assert.equal(got.length, 0);
  } finally {
    await c.stop();
    await ep.close();
  }
});

void test('an idle session expires', { skip: noOpenssl }, async () => {
  const { ep, port, got } = await echoEndpoint({ idleTimeoutMs: 50 });
  const c = sClient(port, 'dev1', KEY_HEX);
  try {
    c.write('hello\n');
    await until(() => got.length === 1, 'the first datagram');
    await until(() => ep.sessionCount === 0, 'the idle session to end');
    assert.equal(ep.peerFor(got[0]!.peer), undefined);
  } finally {
    await c.stop();
    await ep.close();
  }
});

void test('a PSK lookup that throws fails that handshake only; the endpoint keeps serving', { skip: noOpenssl }, async () => {
  const { ep, port, got } = await echoEndpoint({
    psk: (id) => {
      if (id.toString() === 'boom') throw new Error('store unavailable');
      return id.toString() === 'dev1' ? Buffer.from('secretkey') : undefined;
    },
  });
  const boom = sClient(port, 'boom', KEY_HEX);
  try {
    boom.write('x\n');
    await until(() => boom.exited(), 'the client to get internal_error');
    assert.ok(boom.output().includes('internal error'), boom.output());
    assert.equal(ep.sessionCount, 0);
    const good = sClient(port, 'dev1', KEY_HEX);
    try {
      good.write('ok\n');
      await until(() => got.length === 1, 'the good client');
      assert.equal(got[0]!.peer.identity, 'dev1');
    } finally {
      await good.stop();
    }
  } finally {
    await boom.stop();
    await ep.close();
  }
});
