/**
 * Session resumption (abbreviated handshake, RFC 5246 7.3) on the DTLS endpoint: openssl
 * s_client saves its session (-sess_out) and resumes it (-sess_in); an unknown session
 * falls back to a full handshake; a key deleted or changed in the credentials since
 * refuses resumption. The test client resumes with a connection ID negotiated afresh.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DtlsTestClient } from '../../helpers/dtls-test-client.js';
import { KEY_HEX, echoEndpoint, noOpenssl, sClient, until } from './dtls-helpers.js';

const KEY = Buffer.from(KEY_HEX, 'hex');

/** A full handshake that saves its session to a file; resolves once data went both ways. */
async function savedSession(port: number, file: string, got: { data: string }[]): Promise<void> {
  const first = sClient(port, 'dev1', KEY_HEX, 'PSK-AES128-CCM8', ['-quiet', '-sess_out', file]);
  const before = got.length;
  try {
    first.write('first\n');
    await until(() => first.output().includes('echo:first'), 'the first echo');
    assert.equal(got.length, before + 1);
  } finally {
    await first.stop();
  }
}

void test('openssl s_client resumes its saved session: abbreviated handshake, the same identity', { skip: noOpenssl }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dtls-resume-'));
  const { ep, port, got } = await echoEndpoint();
  try {
    await savedSession(port, join(dir, 'sess.pem'), got);
    assert.equal(ep.cachedSessions, 1);
    const again = sClient(port, 'dev1', KEY_HEX, 'PSK-AES128-CCM8', ['-sess_in', join(dir, 'sess.pem')]);
    try {
      again.write('again\n');
      await until(() => again.output().includes('echo:again'), 'the echo after resumption');
      assert.match(again.output(), /Reused, TLSv1\.2, Cipher is PSK-AES128-CCM8/);
      assert.equal(got[1]!.data, 'again\n');
      assert.equal(got[1]!.peer.identity, 'dev1');
    } finally {
      await again.stop();
    }
  } finally {
    await ep.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a session the endpoint does not know (another endpoint, or a random ID) gets a full handshake', { skip: noOpenssl }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dtls-resume-'));
  const a = await echoEndpoint();
  const b = await echoEndpoint();
  try {
    await savedSession(a.port, join(dir, 'sess.pem'), a.got);
    const other = sClient(b.port, 'dev1', KEY_HEX, 'PSK-AES128-CCM8', ['-sess_in', join(dir, 'sess.pem')]);
    try {
      other.write('elsewhere\n');
      await until(() => other.output().includes('echo:elsewhere'), 'the echo after a full handshake');
      assert.match(other.output(), /New, TLSv1\.2/);
      assert.doesNotMatch(other.output(), /Reused/);
    } finally {
      await other.stop();
    }
    const c = await DtlsTestClient.connect({ port: b.port, identity: 'dev1', psk: KEY, resume: { id: randomBytes(32), master: randomBytes(48) } });
    try {
      assert.equal(c.resumed, false);
      assert.equal(c.sessionId.length, 32, 'a new session ID');
      c.send(Buffer.from('full'));
      assert.equal((await c.nextData()).toString(), 'echo:full');
    } finally {
      await c.close();
    }
  } finally {
    await Promise.all([a.ep.close(), b.ep.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('after the identity\'s key was deleted or changed, its sessions are not resumed', { skip: noOpenssl }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dtls-resume-'));
  const keys = new Map([['dev1', KEY]]);
  const { ep, port, got } = await echoEndpoint({ psk: (id) => keys.get(id.toString()) });
  try {
    const file = join(dir, 'sess.pem');
    await savedSession(port, file, got);
    keys.delete('dev1');
    const refused = sClient(port, 'dev1', KEY_HEX, 'PSK-AES128-CCM8', ['-sess_in', file]);
    refused.write('x\n');
    await until(() => refused.exited(), 'the client to be refused');
    await refused.stop();
    assert.doesNotMatch(refused.output(), /Reused/);
    assert.equal(got.length, 1, 'nothing came through');
    assert.equal(ep.cachedSessions, 0, 'the session was forgotten');

    keys.set('dev1', KEY);
    await savedSession(port, file, got);
    const newKey = Buffer.from('another-secret');
    keys.set('dev1', newKey);
    const changed = sClient(port, 'dev1', newKey.toString('hex'), 'PSK-AES128-CCM8', ['-sess_in', file]);
    try {
      changed.write('new key\n');
      await until(() => changed.output().includes('echo:new key'), 'the echo under the new key');
      assert.match(changed.output(), /New, TLSv1\.2/, 'a full handshake with the new key');
    } finally {
      await changed.stop();
    }
  } finally {
    await ep.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('the test client resumes with a connection ID negotiated afresh; no session IDs when the cache is off', async () => {
  const { ep, port } = await echoEndpoint();
  const first = await DtlsTestClient.connect({ port, identity: 'dev1', psk: KEY, connectionId: Buffer.from('01', 'hex') });
  const firstCid = first.serverCid;
  await first.close();
  const c = await DtlsTestClient.connect({ port, identity: 'dev1', psk: KEY, connectionId: Buffer.from('02', 'hex'), resume: { id: first.sessionId, master: first.master } });
  try {
    assert.equal(c.resumed, true);
    assert.equal(c.serverCid.length, 6);
    assert.notDeepEqual(c.serverCid, firstCid);
    c.send(Buffer.from('resumed'));
    assert.equal((await c.nextData()).toString(), 'echo:resumed');
    await c.rebind();
    c.send(Buffer.from('moved'));
    assert.equal((await c.nextData()).toString(), 'echo:moved');
  } finally {
    await c.close();
    await ep.close();
  }
  const off = await echoEndpoint({ sessionCacheSize: 0 });
  const d = await DtlsTestClient.connect({ port: off.port, identity: 'dev1', psk: KEY });
  try {
    assert.equal(d.sessionId.length, 0);
    assert.equal(off.ep.cachedSessions, 0);
  } finally {
    await d.close();
    await off.ep.close();
  }
});
