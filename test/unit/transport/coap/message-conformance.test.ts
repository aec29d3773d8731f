/**
 * The gateway's own CoAP codec (message.ts) against coap-packet, the codec it replaced:
 * seeded random messages encode to the same bytes, and seeded random and mutated datagrams
 * parse to the same message (or are refused where coap-packet would read past the end or
 * the framing is not RFC 7252's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, parse } from 'coap-packet';
import { ACK, CON, EMPTY_CODE, NON, RST, codeText, encodeMessage, parseMessage, type CoapMessage, type MessageType } from '../../../../src/transport/coap/message.js';
import type { CoapOption } from '../../../../src/transport/coap/options.js';

/** xorshift32: a failure replays from its seed */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function randomMessage(r: () => number): CoapMessage {
  const int = (n: number): number => Math.floor(r() * n);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
  const type = int(4) as MessageType;
  const empty = r() < 0.1;
  const options: CoapOption[] = [];
  const count = empty ? 0 : int(8);
  for (let k = 0; k < count; k++) {
    // small numbers, repeats, and the extended deltas (13+, 269+)
    const pick = r();
    const number = pick < 0.6 ? 1 + int(60) : pick < 0.8 ? 13 + int(256) : 269 + int(3000);
    const size = r() < 0.8 ? int(13) : r() < 0.7 ? 13 + int(256) : 269 + int(400);
    options.push({ number, value: bytes(size) });
  }
  return {
    type,
    code: empty ? EMPTY_CODE : int(256) || 1,
    messageId: int(65536),
    token: empty ? Buffer.alloc(0) : bytes(int(9)),
    options,
    payload: empty ? Buffer.alloc(0) : bytes(r() < 0.3 ? 0 : int(600)),
  };
}

function coapPacketEncode(m: CoapMessage): Buffer {
  return generate(
    {
      confirmable: m.type === CON,
      ack: m.type === ACK,
      reset: m.type === RST,
      code: codeText(m.code),
      messageId: m.messageId,
      token: m.token,
      options: m.options.map((o) => ({ name: o.number, value: o.value })) as never,
      payload: m.code === EMPTY_CODE ? Buffer.alloc(0) : m.payload,
    },
    1 << 20,
  );
}

void test('encodes 5,000 random messages to the bytes coap-packet writes', () => {
  const r = rng(0x5eed);
  for (let k = 0; k < 5000; k++) {
    const m = randomMessage(r);
    const ours = encodeMessage(m, 1 << 20);
    assert.deepEqual(ours, coapPacketEncode(m), `message ${k}`);
    // the options given are not reordered in place
    assert.deepEqual(m.options.map((o) => o.number), m.options.map((o) => o.number));
  }
});

void test('parses 20,000 random and mutated datagrams as coap-packet does, or refuses them', () => {
  const r = rng(0xc0a9);
  let agreed = 0;
  for (let k = 0; k < 20_000; k++) {
    let buf: Buffer;
    if (k % 2 === 0) {
      buf = encodeMessage(randomMessage(r), 1 << 20);
      // flip, cut or extend a few bytes
      const edits = Math.floor(r() * 3);
      for (let e = 0; e < edits; e++) {
        const what = r();
        if (what < 0.5 && buf.length > 0) buf[Math.floor(r() * buf.length)] = Math.floor(r() * 256);
        else if (what < 0.8) buf = buf.subarray(0, Math.floor(r() * (buf.length + 1)));
        else buf = Buffer.concat([buf, Buffer.from([Math.floor(r() * 256)])]);
      }
    } else {
      buf = Buffer.from(Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256)));
      if (buf.length > 0) buf[0] = (buf[0]! & 0x3f) | 0x40;
    }
    const ours = parseMessage(buf);
    if (!ours.ok) continue;
    const theirs = parse(buf);
    const m = ours.message;
    assert.equal(m.messageId, theirs.messageId, `datagram ${k}`);
    assert.equal(codeText(m.code), theirs.code, `datagram ${k}`);
    assert.equal(m.type === CON, theirs.confirmable);
    assert.equal(m.type === ACK, theirs.ack);
    assert.equal(m.type === RST, theirs.reset);
    assert.equal(m.type === NON, !theirs.confirmable && !theirs.ack && !theirs.reset);
    assert.deepEqual(Buffer.from(m.token), Buffer.from(theirs.token));
    assert.deepEqual(Buffer.from(m.payload), Buffer.from(theirs.payload));
    assert.deepEqual(
      m.options.map((o) => [o.number, o.value.toString('hex')]),
      theirs.options.map((o) => [typeof o.name === 'number' ? o.name : Number.isNaN(Number(o.name)) ? o.name : Number(o.name), Buffer.from(o.value).toString('hex')]).map(([n, v]) => [typeof n === 'string' ? NAMED[n] : n, v]),
    );
    agreed++;
  }
  assert.ok(agreed > 5000, `only ${agreed} datagrams parsed`);
});

/** the option names coap-packet gives back */
const NAMED: Record<string, number> = {
  'If-Match': 1, 'Uri-Host': 3, ETag: 4, 'If-None-Match': 5, Observe: 6, 'Uri-Port': 7, 'Location-Path': 8, OSCORE: 9,
  'Uri-Path': 11, 'Content-Format': 12, 'Max-Age': 14, 'Uri-Query': 15, 'Hop-Limit': 16, Accept: 17, 'Q-Block1': 19,
  'Location-Query': 20, Block2: 23, Block1: 27, Size2: 28, 'Q-Block2': 31, 'Proxy-Uri': 35, 'Proxy-Scheme': 39, Size1: 60,
  'No-Response': 258, 'OCF-Accept-Content-Format-Version': 2049, 'OCF-Content-Format-Version': 2053,
};

void test('a parsed message is views of the datagram, an encoded one a buffer of its own', () => {
  const buf = encodeMessage({ type: CON, code: 0x45, messageId: 1, token: Buffer.from('0102', 'hex'), options: [{ number: 12, value: Buffer.from([112]) }], payload: Buffer.from('x') }, 1280);
  assert.equal(buf.byteLength, buf.buffer.byteLength); // a CON: kept by the retransmitter, not a slice of the pool
  const r = parseMessage(buf);
  assert.ok(r.ok);
  assert.equal(r.message.payload.buffer, buf.buffer);
  assert.equal(r.message.options[0]!.value.buffer, buf.buffer);
});
