import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flightDatagrams } from '../../../../src/transport/dtls/flight.js';
import { handshakeMessage, parseHandshakeFragments } from '../../../../src/transport/dtls/handshake-message.js';
import { Reassembler } from '../../../../src/transport/dtls/reassembler.js';
import { ContentType, DTLS_1_2, parseRecords, serializeRecord } from '../../../../src/transport/dtls/record.js';

void test('a flight: records packed into datagrams of at most the MTU, a long message in fragments that reassemble', () => {
  let seq = 0;
  const seal = (m: Buffer): Buffer => serializeRecord({ type: ContentType.handshake, version: DTLS_1_2, epoch: 0, seq: seq++, fragment: m });
  const big = Buffer.from(Array.from({ length: 2500 }, (_, i) => i & 0xff));
  const messages = [handshakeMessage(2, 1, Buffer.alloc(70, 1)), handshakeMessage(11, 2, big), handshakeMessage(12, 3, Buffer.alloc(150, 3)), handshakeMessage(14, 4, Buffer.alloc(0))];
  const datagrams = flightDatagrams(messages, seal, 1000);
  assert.ok(datagrams.every((d) => d.length <= 1000));
  const fragments = datagrams.flatMap((d) => parseRecords(d)).flatMap((r) => parseHandshakeFragments(r.fragment)!);
  assert.deepEqual([...new Set(fragments.map((f) => f.messageSeq))], [1, 2, 3, 4], 'every message, in order');
  const parts = fragments.filter((f) => f.messageSeq === 2);
  assert.equal(parts.length, 3);
  const r = new Reassembler(4096);
  const whole = parts.map((f) => r.add(f)).find((m) => m !== undefined);
  assert.deepEqual(whole?.body, big);
  // a small flight stays one datagram
  assert.equal(flightDatagrams([messages[0]!, messages[3]!], seal).length, 1);
});
