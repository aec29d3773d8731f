import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidAdditionalData, innerPlaintext, parseInnerPlaintext } from '../../../../src/transport/dtls/cid-record.js';
import { ConnectionIds } from '../../../../src/transport/dtls/connection-id.js';
import { parseClientHello, serverHello } from '../../../../src/transport/dtls/handshake-message.js';
import type { KeyBlock } from '../../../../src/transport/dtls/prf.js';
import { parseRecords, serializeRecord } from '../../../../src/transport/dtls/record.js';
import { RecordChannel } from '../../../../src/transport/dtls/record-channel.js';
import { TLS_PSK_WITH_AES_128_CBC_SHA256, TLS_PSK_WITH_AES_128_CCM_8, keyLengths, recordCipher } from '../../../../src/transport/dtls/record-cipher.js';

void test('RFC 9146 5 additional data: placeholder, tls12_cid, cid_length, tls12_cid, version, epoch, sequence, cid, inner length', () => {
  const aad = cidAdditionalData(Buffer.from('0102030405', 'hex'), 1, 0x0a0b0c, 0xfefd, 0x0123);
  assert.equal(aad.toString('hex'), 'ffffffffffffffff' + '19' + '05' + '19' + 'fefd' + '0001' + '0000000a0b0c' + '0102030405' + '0123');
});

void test('DTLSInnerPlaintext: the last non-zero byte is the type, zero padding stripped, all-zero refused', () => {
  assert.deepEqual(innerPlaintext(23, Buffer.from('ab')), Buffer.from([0x61, 0x62, 23]));
  assert.deepEqual(parseInnerPlaintext(Buffer.from([0x61, 0, 22, 0, 0, 0])), { type: 22, content: Buffer.from([0x61, 0]) });
  assert.equal(parseInnerPlaintext(Buffer.alloc(5)), undefined);
  assert.equal(parseInnerPlaintext(Buffer.from([1, 25])), undefined, 'tls12_cid is never a real type');
});

void test('tls12_cid records parse with the issued length and round-trip; without a CID length they end parsing', () => {
  const cid = Buffer.from('a1a2a3a4a5a6', 'hex');
  const rec = serializeRecord({ type: 25, version: 0xfefd, epoch: 1, seq: 7, cid, fragment: Buffer.from('xyz') });
  assert.equal(rec.length, 13 + 6 + 3);
  const two = Buffer.concat([rec, serializeRecord({ type: 23, version: 0xfefd, epoch: 1, seq: 8, fragment: Buffer.from('q') })]);
  const [a, b] = parseRecords(two, 16, 6);
  assert.deepEqual(a?.cid, cid);
  assert.deepEqual(a?.fragment, Buffer.from('xyz'));
  assert.equal(b?.type, 23);
  assert.equal(b?.cid, undefined);
  assert.equal(parseRecords(two, 16, 0).length, 0, 'no IDs issued: a tls12_cid record is malformed');
  assert.equal(parseRecords(rec.subarray(0, 18), 16, 6).length, 0, 'cut inside the header');
});

void test('ClientHello connection_id: read as a vector, malformed refused; ServerHello echoes ours', () => {
  const ext = (data: Buffer): Buffer => Buffer.concat([Buffer.from([0, 54, 0, data.length]), data]);
  const hello = (exts: Buffer): Buffer =>
    Buffer.concat([Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 1), Buffer.from([0, 0, 0, 2, 0xc0, 0xa8, 1, 0]), Buffer.from([0, exts.length]), exts]);
  assert.deepEqual(parseClientHello(hello(ext(Buffer.from([2, 9, 9]))))?.connectionId, Buffer.from([9, 9]));
  assert.deepEqual(parseClientHello(hello(ext(Buffer.from([0]))))?.connectionId, Buffer.alloc(0), 'zero-length: wants none');
  assert.equal(parseClientHello(hello(Buffer.alloc(0)))?.connectionId, undefined);
  assert.equal(parseClientHello(hello(ext(Buffer.from([3, 9])))), undefined, 'length past the extension');
  assert.equal(parseClientHello(hello(ext(Buffer.from([1, 9, 9])))), undefined, 'trailing byte');
  const sh = serverHello({ random: Buffer.alloc(32), sessionId: Buffer.alloc(0), cipherSuite: 0xc0a8, extendedMasterSecret: false, renegotiationInfo: false, connectionId: Buffer.from('0a0b', 'hex') });
  assert.equal(sh.subarray(-9).toString('hex'), '0007' + '0036' + '0003' + '02' + '0a0b');
});

void test('connection IDs: fixed length, unique, released only by their owner; bad lengths refused', () => {
  const ids = new ConnectionIds<string>(6);
  const a = ids.issue()!;
  assert.equal(a.length, 6);
  ids.bind(a, 'A');
  assert.equal(ids.get(a), 'A');
  assert.equal(ids.get(a.subarray(0, 5)), undefined);
  ids.release(a, 'B');
  assert.equal(ids.get(a), 'A');
  ids.release(a, 'A');
  assert.equal(ids.get(a), undefined);
  assert.equal(new ConnectionIds(0).issue(), undefined);
  for (const n of [1, 3, 21, 2.5, -1]) assert.throws(() => new ConnectionIds(n));
});

/** A key block whose client and server halves are equal, so what one side seals the other opens. */
function mirrored(suite: number): KeyBlock {
  const [mac, key, iv] = keyLengths(suite);
  return { clientMac: Buffer.alloc(mac, 1), serverMac: Buffer.alloc(mac, 1), clientKey: Buffer.alloc(key, 2), serverKey: Buffer.alloc(key, 2), clientIv: Buffer.alloc(iv, 3), serverIv: Buffer.alloc(iv, 3) };
}

void test('a channel with IDs writes tls12_cid records with the peer ID and reads only records with its own, for both suites', () => {
  for (const suite of [TLS_PSK_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CBC_SHA256]) {
    const own = Buffer.from('0102030405', 'hex');
    // a sender whose "peer" ID is our own: what it seals is what a client would send us
    const client = new RecordChannel(0);
    client.setKeys(suite, mirrored(suite));
    client.setConnectionIds(Buffer.alloc(0), own);
    client.switchWriteEpoch();
    const server = new RecordChannel(0);
    server.setKeys(suite, mirrored(suite));
    server.setConnectionIds(own, Buffer.alloc(0));
    const wire = client.seal(23, Buffer.from('data'));
    const [r] = parseRecords(wire, 16, 5);
    assert.equal(r?.type, 25);
    assert.deepEqual(r?.cid, own);
    assert.deepEqual(server.open(r!), { type: 23, data: Buffer.from('data'), newest: true });
    assert.equal(server.open(r!), undefined, 'replay');
    const other = parseRecords(wire, 16, 5)[0]!;
    other.cid = Buffer.from('0102030406', 'hex');
    other.seq = 99;
    assert.equal(server.open(other), undefined, 'another ID');
    const plain = new RecordChannel(0);
    plain.setKeys(suite, mirrored(suite));
    plain.switchWriteEpoch();
    assert.equal(server.open(parseRecords(plain.seal(23, Buffer.from('x')))[0]!), undefined, 'protected but without the ID');
    // a CID record authenticates under the RFC 9146 data only
    const c = recordCipher(suite, mirrored(suite));
    const inner = innerPlaintext(23, Buffer.from('data'));
    assert.deepEqual(c.open(1, 5, 25, 0xfefd, c.seal(1, 5, 25, 0xfefd, inner, own), own), inner);
    assert.equal(c.open(1, 5, 25, 0xfefd, c.seal(1, 5, 25, 0xfefd, inner, own)), undefined);
    assert.equal(c.open(1, 5, 25, 0xfefd, c.seal(1, 5, 25, 0xfefd, inner), own), undefined);
  }
});
