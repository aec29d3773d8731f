import assert from 'node:assert/strict';
import { test } from 'node:test';
import { additionalData, ccm8Open, ccm8Seal, openRecord, sealRecord } from '../../../../src/transport/dtls/aead-ccm8.js';
import { masterSecret, prf, pskPremaster } from '../../../../src/transport/dtls/prf.js';
import { ContentType, DTLS_1_2, parseRecords, serializeRecord } from '../../../../src/transport/dtls/record.js';
import { ReplayWindow } from '../../../../src/transport/dtls/replay-window.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s:]/g, ''), 'hex');

void test('TLS 1.2 PRF with SHA-256 gives the published test vector (also what openssl kdf TLS1-PRF prints)', () => {
  const out = prf(hex('9bbe436ba940f017b17652849a71db35'), 'test label', hex('a0ba9f936cda311827a6f796ffd5198c'), 100);
  assert.equal(
    out.toString('hex'),
    'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701873' + '47b66',
  );
  assert.throws(() => prf(Buffer.alloc(1), 'x', Buffer.alloc(0), 5000), RangeError);
});

void test('PSK premaster secret is N, N zeros, N, the key (RFC 4279)', () => {
  assert.equal(pskPremaster(hex('abcd')).toString('hex'), '00020000' + '0002abcd');
  const ms = masterSecret(pskPremaster(hex('abcd')), Buffer.alloc(32, 1), Buffer.alloc(32, 2));
  const ems = masterSecret(pskPremaster(hex('abcd')), Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3));
  assert.equal(ms.length, 48);
  assert.notDeepEqual(ms, ems);
});

void test('AES-128-CCM_8 matches RFC 3610 packet vector #1 and refuses a changed tag', () => {
  const key = hex('C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF');
  const nonce = hex('00000003020100A0A1A2A3A4A5');
  const aad = hex('0001020304050607');
  const pt = hex('08090A0B0C0D0E0F101112131415161718191A1B1C1D1E');
  const sealed = ccm8Seal(key, nonce, aad, pt);
  assert.equal(sealed.toString('hex'), '588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0');
  assert.deepEqual(ccm8Open(key, nonce, aad, sealed), pt);
  const bad = Buffer.from(sealed);
  bad[bad.length - 1]! ^= 1;
  assert.equal(ccm8Open(key, nonce, aad, bad), undefined);
  assert.equal(ccm8Open(key, nonce, aad, Buffer.alloc(3)), undefined);
});

void test('record AEAD: nonce = fixed IV + epoch/seq, AAD = epoch/seq, type, version, plaintext length', () => {
  assert.equal(additionalData(1, 5, 23, DTLS_1_2, 300).toString('hex'), '0001000000000005' + '17fefd012c');
  const key = Buffer.alloc(16, 7);
  const iv = hex('01020304');
  const frag = sealRecord(key, iv, 1, 5, 23, DTLS_1_2, Buffer.from('hello'));
  assert.equal(frag.subarray(0, 8).toString('hex'), '0001000000000005');
  assert.equal(frag.length, 8 + 5 + 8);
  assert.deepEqual(openRecord(key, iv, 1, 5, 23, DTLS_1_2, frag), Buffer.from('hello'));
  // another sequence number in the header changes the AAD: refused
  assert.equal(openRecord(key, iv, 1, 6, 23, DTLS_1_2, frag), undefined);
  assert.equal(openRecord(key, iv, 1, 5, 22, DTLS_1_2, frag), undefined);
});

void test('records: serialize and parse several per datagram; malformed tails are dropped', () => {
  const a = serializeRecord({ type: ContentType.handshake, version: DTLS_1_2, epoch: 0, seq: 2 ** 48 - 1, fragment: Buffer.from('abc') });
  const b = serializeRecord({ type: ContentType.applicationData, version: DTLS_1_2, epoch: 1, seq: 7, fragment: Buffer.alloc(0) });
  assert.equal(a.subarray(0, 13).toString('hex'), '16fefd0000ffffffffffff0003');
  const rs = parseRecords(Buffer.concat([a, b]));
  assert.equal(rs.length, 2);
  assert.equal(rs[0]!.seq, 2 ** 48 - 1);
  assert.equal(rs[0]!.fragment.toString(), 'abc');
  assert.equal(rs[1]!.epoch, 1);
  // length past the datagram: only the first record survives
  const truncated = Buffer.concat([a, b.subarray(0, 12)]);
  assert.equal(parseRecords(truncated).length, 1);
  const lying = Buffer.from(a);
  lying.writeUInt16BE(0xffff, 11);
  assert.equal(parseRecords(lying).length, 0);
  // unknown type and a TLS (not DTLS) version are not records
  assert.equal(parseRecords(Buffer.from([99, ...a.subarray(1)])).length, 0);
  const tls = Buffer.from(a);
  tls.writeUInt16BE(0x0303, 1);
  assert.equal(parseRecords(tls).length, 0);
  assert.equal(parseRecords(Buffer.alloc(5)).length, 0);
  assert.throws(() => serializeRecord({ type: 23, version: DTLS_1_2, epoch: 0, seq: 2 ** 48, fragment: Buffer.alloc(0) }), RangeError);
  assert.throws(() => serializeRecord({ type: 23, version: DTLS_1_2, epoch: 0, seq: 0, fragment: Buffer.alloc(20000) }), RangeError);
});

void test('replay window: 64 entries, duplicates and records left of the window refused', () => {
  const w = new ReplayWindow();
  assert.ok(w.check(0));
  w.accept(0);
  assert.equal(w.check(0), false);
  w.accept(100);
  assert.equal(w.check(100), false);
  assert.ok(w.check(99));
  assert.ok(w.check(37)); // 100 - 63, the window's left edge
  assert.equal(w.check(36), false);
  w.accept(50);
  assert.equal(w.check(50), false);
  w.accept(101);
  assert.equal(w.check(100), false);
  assert.equal(w.check(50), false);
  w.accept(200);
  assert.equal(w.check(101), false);
  assert.ok(w.check(199));
});
