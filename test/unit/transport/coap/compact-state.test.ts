import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packOptions, unpackOptions } from '../../../../src/transport/coap/observer.js';
import { DedupCache } from '../../../../src/transport/coap/dedup.js';
import { peerKey, udpPeer, isOwnPeer } from '../../../../src/transport/coap/udp-peer.js';
import { RandomPool } from '../../../../src/lwm2m/random-pool.js';

test('packed options come back with the same numbers and bytes, in order', () => {
  const options = [
    { number: 11, value: Buffer.from('3303', 'utf8') },
    { number: 11, value: Buffer.from('0', 'utf8') },
    { number: 17, value: Buffer.from([0x2d, 0x18]) },
    { number: 2049, value: Buffer.from([0, 255, 128, 10]) },
    { number: 60, value: Buffer.alloc(0) },
    { number: 15, value: Buffer.alloc(300, 0xe9) },
  ];
  const back = unpackOptions(packOptions(options));
  assert.equal(back.length, options.length);
  back.forEach((o, i) => {
    assert.equal(o.number, options[i]!.number);
    assert.deepEqual(Buffer.from(o.value), options[i]!.value);
  });
  assert.deepEqual(unpackOptions(packOptions([])), []);
});

test('a dedup reply is handed back byte for byte', () => {
  const cache = new DedupCache();
  const e = cache.begin(DedupCache.key('udp:1.2.3.4:5683', 7), 1000, 0);
  assert.equal(e.reply, undefined);
  const datagram = Buffer.from([0x60, 0x44, 0x12, 0x34, 0xff, 0x80, 0x00]);
  e.reply = datagram;
  assert.deepEqual(cache.get(DedupCache.key('udp:1.2.3.4:5683', 7), 10)?.reply, datagram);
});

test('peer keys and own peers', () => {
  const p = udpPeer('::ffff:10.0.0.1', 5683);
  assert.equal(p.key, 'udp:10.0.0.1:5683');
  assert.equal(peerKey({ transport: 'udp', key: 'x', address: '10.0.0.1', port: 5683 }), p.key);
  assert.equal(isOwnPeer(p), true);
  assert.equal(isOwnPeer({ ...p, address: '::ffff:10.0.0.1' }), false);
  assert.equal(isOwnPeer({ ...p, key: 'other' }), false);
});

test('pooled token bytes are fresh each time and of the asked length', () => {
  const r = new RandomPool();
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const t = r.buffer(8);
    assert.equal(t.length, 8);
    seen.add(t.toString('hex'));
  }
  assert.equal(seen.size, 2000);
});
