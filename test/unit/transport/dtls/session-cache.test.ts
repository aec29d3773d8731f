import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientHelloAssembler } from '../../../../src/transport/dtls/client-hello-assembler.js';
import type { ClientHello } from '../../../../src/transport/dtls/handshake-message.js';
import { SessionCache, pskDigest, resumableSession } from '../../../../src/transport/dtls/session-cache.js';

const id = (n: number): Buffer => Buffer.alloc(32, n);
const entry = (n: number, key = Buffer.from('k1')) => ({ id: id(n), master: Buffer.alloc(48, n), suite: 0xc0a8, identity: 'dev1', pskDigest: pskDigest(key) });
const hello = (sessionId: Buffer, exts = [0x17], suites = [0xc0a8]) => ({ sessionId, cipherSuites: suites, extensions: exts }) as unknown as ClientHello;

void test('session cache: bounded by count (least recently used out first) and by lifetime', () => {
  let now = 0;
  const c = new SessionCache(2, 1000, () => now);
  c.store(entry(1));
  c.store(entry(2));
  assert.ok(c.find(id(1)), 'used: now the most recent');
  c.store(entry(3));
  assert.equal(c.find(id(2)), undefined, 'the least recently used went');
  assert.ok(c.find(id(1)));
  assert.ok(c.find(id(3)));
  assert.equal(c.size, 2);
  now = 1000;
  assert.equal(c.find(id(1)), undefined, 'expired');
  assert.equal(c.size, 1);
  assert.equal(c.find(Buffer.alloc(0)), undefined);
  const none = new SessionCache(0, 1000);
  none.store(entry(1));
  assert.equal(none.size, 0);
});

void test('resumable: known ID, suite and extended master secret offered again, the key unchanged', () => {
  const c = new SessionCache(10, 60_000);
  c.store(entry(1));
  const psk = (k: Buffer | undefined) => () => k;
  assert.ok(resumableSession(c, hello(id(1)), psk(Buffer.from('k1'))));
  assert.equal(resumableSession(c, hello(id(2)), psk(Buffer.from('k1'))), undefined, 'unknown ID');
  assert.equal(resumableSession(c, hello(id(1), []), psk(Buffer.from('k1'))), undefined, 'no EMS in the new hello (RFC 7627 5.3)');
  assert.equal(resumableSession(c, hello(id(1), [0x17], [0x00ae]), psk(Buffer.from('k1'))), undefined, 'suite not offered');
  assert.equal(
    resumableSession(c, hello(id(1)), () => {
      throw new Error('store down');
    }),
    undefined,
  );
  assert.equal(c.size, 1, 'none of those forgets the session');
  assert.equal(resumableSession(c, hello(id(1)), psk(Buffer.from('k2'))), undefined, 'key changed');
  assert.equal(c.size, 0, 'forgotten');
  c.store(entry(1));
  assert.equal(resumableSession(c, hello(id(1)), psk(undefined)), undefined, 'key deleted');
  assert.equal(c.size, 0);
});

const frag = (body: Buffer, off: number, len: number, messageSeq = 0) => ({ msgType: 1, length: body.length, messageSeq, fragmentOffset: off, body: body.subarray(off, off + len) });

void test('ClientHello fragments: put together per address, bounded in length, count and time', () => {
  let now = 0;
  const a = new ClientHelloAssembler(2, 100, 1000, () => now);
  const body = Buffer.from('0123456789');
  assert.equal(a.add('p1', frag(body, 0, 4)), undefined);
  assert.equal(a.add('p2', frag(body, 4, 6)), undefined);
  assert.deepEqual(a.add('p1', frag(body, 4, 6)), body);
  assert.equal(a.size, 1);
  assert.deepEqual(a.add('p9', frag(body, 0, 10)), body, 'a whole hello holds nothing');
  assert.equal(a.size, 1);
  assert.equal(a.add('p3', frag(body, 0, 2)), undefined);
  assert.equal(a.add('p4', frag(body, 0, 2)), undefined);
  assert.equal(a.size, 2, 'the oldest partial hello (p2) made room');
  assert.equal(a.add('p2', frag(body, 0, 4)), undefined, 'p2 starts over');
  assert.equal(a.add('p5', frag(Buffer.alloc(101), 0, 50)), undefined, 'longer than allowed');
  now = 1000;
  assert.equal(a.add('p4', frag(body, 2, 8)), undefined, 'p4 expired: its first part is gone');
  assert.equal(a.add('p6', frag(body, 3, 7, 1)), undefined);
  assert.deepEqual(a.add('p6', frag(body, 0, 3, 1)), body);
});
