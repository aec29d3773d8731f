import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CookieJar } from '../../../../src/transport/dtls/cookie.js';
import { HandshakeType, handshakeMessage, parseClientHello, parseHandshakeFragments, parsePskClientKeyExchange, serverHello } from '../../../../src/transport/dtls/handshake-message.js';
import { Reassembler } from '../../../../src/transport/dtls/reassembler.js';
import { parseRecords } from '../../../../src/transport/dtls/record.js';
import { DtlsSession, chooseSuite } from '../../../../src/transport/dtls/session.js';

/** A ClientHello body: DTLS 1.2, suites, null compression, the extended master secret extension. */
function clientHelloBody(cookie = Buffer.alloc(0), suites = [0xc0a8, 0x00ff]): Buffer {
  const s = Buffer.alloc(2 + suites.length * 2);
  s.writeUInt16BE(suites.length * 2, 0);
  suites.forEach((v, i) => s.writeUInt16BE(v, 2 + 2 * i));
  return Buffer.concat([Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 9), Buffer.from([0, cookie.length]), cookie, s, Buffer.from([1, 0]), Buffer.from([0, 4, 0, 0x17, 0, 0])]);
}

void test('ClientHello: fields read, cookie input leaves the cookie out, every truncation refused', () => {
  const body = clientHelloBody(Buffer.alloc(16, 5));
  const ch = parseClientHello(body)!;
  assert.equal(ch.version, 0xfefd);
  assert.deepEqual(ch.cipherSuites, [0xc0a8, 0x00ff]);
  assert.deepEqual(ch.extensions, [0x17]);
  assert.equal(ch.cookie.length, 16);
  assert.deepEqual(ch.cookieInput, parseClientHello(clientHelloBody())!.cookieInput);
  // the extensions block is optional: cut right before it, the hello is whole (with none)
  const noExt = body.length - 6;
  assert.deepEqual(parseClientHello(body.subarray(0, noExt))?.extensions, []);
  for (let n = 0; n < body.length; n++) if (n !== noExt) assert.equal(parseClientHello(body.subarray(0, n)), undefined, `cut at ${n}`);
  assert.equal(parseClientHello(Buffer.concat([body, Buffer.from([0])])), undefined, 'trailing byte');
});

void test('handshake fragments: lengths past the record or the message refused', () => {
  const m = handshakeMessage(HandshakeType.finished, 3, Buffer.alloc(12, 1));
  assert.equal(parseHandshakeFragments(m)![0]!.body.length, 12);
  assert.equal(parseHandshakeFragments(m.subarray(0, 20)), undefined);
  const lying = Buffer.from(m);
  lying.writeUIntBE(2, 1, 3); // message shorter than the fragment
  assert.equal(parseHandshakeFragments(lying), undefined);
});

void test('reassembly of fragments in any order, bounded length', () => {
  const body = Buffer.from('0123456789abcdef');
  const frag = (off: number, len: number) => ({ msgType: 16, length: 16, messageSeq: 2, fragmentOffset: off, body: body.subarray(off, off + len) });
  const r = new Reassembler(100);
  assert.equal(r.add(frag(8, 8)), undefined);
  assert.equal(r.add(frag(0, 4)), undefined);
  assert.equal(r.add(frag(2, 4)), undefined);
  assert.deepEqual(r.add(frag(6, 2))?.body, body);
  assert.equal(new Reassembler(8).add(frag(0, 4)), undefined, 'longer than allowed');
});

void test('PSK ClientKeyExchange: identity up to 128 bytes', () => {
  assert.equal(parsePskClientKeyExchange(Buffer.from([0, 3, 0x61, 0x62, 0x63]))?.toString(), 'abc');
  const long = Buffer.concat([Buffer.from([0, 129]), Buffer.alloc(129, 0x61)]);
  assert.equal(parsePskClientKeyExchange(long), undefined);
  assert.equal(parsePskClientKeyExchange(Buffer.from([0, 5, 0x61])), undefined);
});

void test('ServerHello carries the extended master secret and renegotiation_info only when asked', () => {
  const plain = serverHello({ random: Buffer.alloc(32), sessionId: Buffer.alloc(0), cipherSuite: 0xc0a8, extendedMasterSecret: false, renegotiationInfo: false });
  assert.equal(plain.length, 2 + 32 + 1 + 2 + 1);
  const both = serverHello({ random: Buffer.alloc(32), sessionId: Buffer.alloc(0), cipherSuite: 0xc0a8, extendedMasterSecret: true, renegotiationInfo: true });
  assert.equal(both.subarray(plain.length).toString('hex'), '0009' + '00170000' + 'ff01000100');
});

void test('cookies: bound to the peer and the hello, accepted across one rotation, not two', () => {
  let now = 0;
  const jar = new CookieJar(1000, () => now);
  const c = jar.make('dtls:1.2.3.4:5', Buffer.from('hello'));
  assert.ok(jar.verify('dtls:1.2.3.4:5', Buffer.from('hello'), c));
  assert.equal(jar.verify('dtls:1.2.3.4:6', Buffer.from('hello'), c), false);
  assert.equal(jar.verify('dtls:1.2.3.4:5', Buffer.from('hellO'), c), false);
  now = 1500;
  assert.ok(jar.verify('dtls:1.2.3.4:5', Buffer.from('hello'), c));
  now = 3000;
  assert.equal(jar.verify('dtls:1.2.3.4:5', Buffer.from('hello'), c), false);
});

void test('the server flight is retransmitted with backoff, then the handshake is given up', async () => {
  const sent: Buffer[] = [];
  let closed = '';
  const body = clientHelloBody(Buffer.alloc(16));
  new DtlsSession(parseClientHello(body)!, body, 7, 1, { psk: () => undefined, retransmitMs: 5, maxRetransmits: 2 }, { send: (d) => sent.push(d), data: () => {}, established: () => {}, closed: (r) => (closed = r) });
  while (!closed) await new Promise((r) => setTimeout(r, 5));
  assert.equal(closed, 'handshake timed out');
  assert.equal(sent.length, 3, 'first flight and two retransmissions');
  const seqs = sent.flatMap((d) => parseRecords(d).map((r) => r.seq));
  // each retransmission uses new record sequence numbers, starting after the HelloVerifyRequest's
  assert.deepEqual(seqs, [7, 8, 9, 10, 11, 12]);
  const first = parseRecords(sent[0]!).map((r) => parseHandshakeFragments(r.fragment)![0]!);
  assert.deepEqual(first.map((f) => [f.msgType, f.messageSeq]), [[HandshakeType.serverHello, 1], [HandshakeType.serverHelloDone, 2]]);
});

void test('suite choice: CCM_8 first, then CBC_SHA256; none without DTLS 1.2 or null compression', () => {
  const ch = (suites: number[], version = 0xfefd, compression = 0) => {
    const b = clientHelloBody(Buffer.alloc(0), suites);
    b.writeUInt16BE(version, 0);
    b[2 + 32 + 1 + 1 + 2 + suites.length * 2 + 1] = compression;
    return parseClientHello(b)!;
  };
  assert.equal(chooseSuite(ch([0x00ae, 0xc0a8])), 0xc0a8);
  assert.equal(chooseSuite(ch([0x00ae])), 0x00ae);
  assert.equal(chooseSuite(ch([0xc0ae, 0x002f])), undefined);
  assert.equal(chooseSuite(ch([0xc0a8], 0xfeff)), undefined, 'DTLS 1.0 only');
  assert.equal(chooseSuite(ch([0xc0a8], 0xfefd, 1)), undefined, 'no null compression');
});
