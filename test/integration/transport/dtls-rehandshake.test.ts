/**
 * A new full handshake from the address of an established session (a client that
 * rebooted keeps its source port): the old session goes on serving until the new one
 * completes, and stays when the new one fails. And a ClientHello in fragments, in one
 * datagram or several, is put together before the cookie exchange.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DtlsTestClient } from '../../helpers/dtls-test-client.js';
import { echoEndpoint, until } from './dtls-helpers.js';

const PSK = Buffer.from('secretkey');

void test('a new handshake from the same address replaces the established session only once it completes', async () => {
  const { ep, port, got } = await echoEndpoint();
  const old = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK });
  old.send(Buffer.from('old-1'));
  await until(() => got.length === 1, 'the old session');
  const at = old.port;
  await old.close(); // the device reboots: its new stack has the same port
  const fresh = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, localPort: at, pauseAtKeyExchange: true });
  try {
    assert.equal(ep.sessionCount, 2, 'the new handshake beside the old session');
    fresh.sendRaw(old.seal(23, Buffer.from('old-2'))); // a record of the old session, from the same address
    await until(() => got.length === 2, 'the old session still serving');
    assert.equal(got[1]!.data, 'old-2');
    await fresh.finishHandshake();
    await until(() => ep.sessionCount === 1, 'the old session to be replaced');
    fresh.sendRaw(old.seal(23, Buffer.from('old-3')));
    fresh.send(Buffer.from('new-1'));
    assert.equal((await fresh.nextData()).toString(), 'echo:new-1');
    assert.deepEqual(got.map((g) => g.data), ['old-1', 'old-2', 'new-1'], 'the old session ended');
    assert.equal(got[2]!.peer.key, got[0]!.peer.key);
  } finally {
    await fresh.close();
    await ep.close();
  }
});

void test('a new handshake that fails leaves the established session of that address working', async () => {
  const { ep, port, got } = await echoEndpoint();
  const old = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK });
  const at = old.port;
  await old.close();
  const wrong = await DtlsTestClient.connect({ port, identity: 'dev1', psk: Buffer.from('wrong'), localPort: at, pauseAtKeyExchange: true });
  try {
    await assert.rejects(wrong.finishHandshake(), /alert/);
    await until(() => ep.sessionCount === 1, 'the failed handshake to go');
    wrong.sendRaw(old.seal(23, Buffer.from('still')));
    await until(() => got.length === 1, 'the old session');
    assert.equal(got[0]!.data, 'still');
  } finally {
    await wrong.close();
    await ep.close();
  }
});

void test('a ClientHello in fragments, in one datagram or one datagram each, completes the handshake', async () => {
  const { ep, port, got } = await echoEndpoint();
  const one = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, connectionId: Buffer.from('0a', 'hex'), helloFragment: 25 });
  const many = await DtlsTestClient.connect({ port, identity: 'dev1', psk: PSK, helloFragment: 17, fragmentDatagrams: true });
  try {
    one.send(Buffer.from('one'));
    many.send(Buffer.from('many'));
    assert.equal((await one.nextData()).toString(), 'echo:one');
    assert.equal((await many.nextData()).toString(), 'echo:many');
    assert.equal(got.length, 2);
  } finally {
    await Promise.all([one.close(), many.close()]);
    await ep.close();
  }
});
