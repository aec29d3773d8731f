import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTimeout, maxTransmitSpan, maxTransmitWait, resolveTiming } from '../../../../src/transport/coap/timing.js';
import { isFresh } from '../../../../src/transport/coap/observer.js';
import { normalizeAddress, peerKey, udpPeer, wireAddress } from '../../../../src/transport/coap/udp-peer.js';
import { DedupCache } from '../../../../src/transport/coap/dedup.js';

void test('default timing derives RFC 7252 4.8.2 values', () => {
  const t = resolveTiming();
  assert.equal(t.ackTimeoutMs, 2000);
  assert.equal(t.ackRandomFactor, 1.5);
  assert.equal(t.maxRetransmit, 4);
  assert.equal(t.nstart, 1);
  assert.equal(maxTransmitSpan(t), 45_000);
  assert.equal(maxTransmitWait(t), 93_000);
  assert.equal(t.exchangeLifetimeMs, 247_000);
  assert.equal(t.nonLifetimeMs, 145_000);
});

void test('shortened timing derives its own lifetimes unless given, bad values fall back', () => {
  const t = resolveTiming({ ackTimeoutMs: 100, maxRetransmit: 2, maxLatencyMs: 50 });
  // span = 100 * 3 * 1.5 = 450; lifetime = 450 + 100 + processing (= ACK_TIMEOUT) 100
  assert.equal(t.exchangeLifetimeMs, 650);
  assert.equal(t.nonLifetimeMs, 500);
  assert.equal(resolveTiming({ exchangeLifetimeMs: 5 }).exchangeLifetimeMs, 5);
  assert.equal(resolveTiming({ ackTimeoutMs: -1, ackRandomFactor: 0.5, nstart: 0 }).ackTimeoutMs, 2000);
  assert.equal(resolveTiming({ ackRandomFactor: 0.5 }).ackRandomFactor, 1.5);
  assert.equal(resolveTiming({ nstart: 0 }).nstart, 1);
});

void test('the first timeout lies in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR]', () => {
  const t = resolveTiming();
  assert.equal(initialTimeout(t, () => 0), 2000);
  assert.equal(initialTimeout(t, () => 0.999999) < 3000, true);
  assert.equal(Math.round(initialTimeout(t, () => 0.5)), 2500);
});

void test('notification freshness follows RFC 7641 3.4', () => {
  const t = 1_000_000;
  assert.equal(isFresh(5, t, 6, t), true);
  assert.equal(isFresh(6, t, 5, t), false);
  assert.equal(isFresh(6, t, 6, t), false);
  assert.equal(isFresh(0xffffff, t, 0, t), true, 'wrap-around');
  assert.equal(isFresh(0, t, 2 ** 23 - 1, t), true);
  assert.equal(isFresh(0, t, 2 ** 23, t), false, 'half the space ahead reads as old');
  assert.equal(isFresh(2 ** 23 + 1, t, 0, t), true);
  assert.equal(isFresh(2 ** 23, t, 0, t), false);
  assert.equal(isFresh(10, t, 3, t + 128_000), false, 'exactly 128 s is not enough');
  assert.equal(isFresh(10, t, 3, t + 128_001), true, 'after 128 s any number is fresh');
});

void test('peers: IPv4-mapped addresses fold to IPv4, keys are udp:<addr>:<port>', () => {
  assert.equal(normalizeAddress('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(normalizeAddress('::FFFF:10.1.2.3'), '10.1.2.3');
  assert.equal(normalizeAddress('::ffff:a01:203'), '::ffff:a01:203');
  assert.equal(normalizeAddress('::1'), '::1');
  assert.deepEqual(udpPeer('::ffff:127.0.0.1', 5683), {
    transport: 'udp',
    key: 'udp:127.0.0.1:5683',
    address: '127.0.0.1',
    port: 5683,
  });
  assert.equal(udpPeer('::1', 1).key, 'udp:::1:1');
  assert.equal(peerKey({ transport: 'udp', key: 'whatever', address: '::ffff:1.2.3.4', port: 9 }), 'udp:1.2.3.4:9');
  assert.equal(wireAddress('1.2.3.4', 'udp6'), '::ffff:1.2.3.4');
  assert.equal(wireAddress('1.2.3.4', 'udp4'), '1.2.3.4');
  assert.equal(wireAddress('::1', 'udp6'), '::1');
});

void test('the dedup cache forgets entries after their lifetime and stays bounded', () => {
  const d = new DedupCache(3);
  const k = DedupCache.key('udp:1.2.3.4:5', 77);
  const e = d.begin(k, 100, 1000);
  e.reply = Buffer.from([1]);
  assert.deepEqual(d.get(k, 1099)?.reply, Buffer.from([1]));
  assert.equal(d.get(k, 1100), undefined);
  for (let i = 0; i < 5; i++) d.begin(String(i), 1000, 2000);
  assert.equal(d.size, 3);
  assert.equal(d.get('0', 2001), undefined);
  assert.ok(d.get('4', 2001));
});
