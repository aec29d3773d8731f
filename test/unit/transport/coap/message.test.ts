import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACK,
  CON,
  NON,
  RST,
  codeFromText,
  codeText,
  emptyMessage,
  encodeMessage,
  parseMessage,
} from '../../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../../src/transport/coap/message.js';
import { Opt, firstBadCriticalOption, uintOption } from '../../../../src/transport/coap/options.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

void test('encodes a CON GET /rd with a 2-byte token byte for byte (RFC 7252 3, 3.1)', () => {
  const m: CoapMessage = {
    type: CON,
    code: 0x01,
    messageId: 0x1234,
    token: hex('0102'),
    options: [{ number: Opt.UriPath, value: Buffer.from('rd') }],
    payload: Buffer.alloc(0),
  };
  // Ver 1, T 0, TKL 2 -> 0x42; GET 0x01; MID; token; delta 11 len 2 -> 0xb2 "rd"
  assert.deepEqual(encodeMessage(m, 1280), hex('42 01 1234 0102 b2 7264'));
});

void test('encodes options in number order with extended deltas and a payload marker', () => {
  const m: CoapMessage = {
    type: ACK,
    code: 0x45,
    messageId: 7,
    token: Buffer.alloc(0),
    // given out of order on purpose: Size1 (60), Content-Format 0 (12), Observe 3 (6)
    options: [uintOption(Opt.Size1, 300), uintOption(Opt.ContentFormat, 0), uintOption(Opt.Observe, 3)],
    payload: Buffer.from('hi'),
  };
  // 0x60 ACK TKL0; 0x45 2.05; 0007; Observe delta 6 len 1 -> 61 03; Content-Format delta 6 len 0 -> 60;
  // Size1 delta 48 -> nibble 13 + ext 35 (0x23), len 2 -> d2 23 012c; ff "hi"
  assert.deepEqual(encodeMessage(m, 1280), hex('60 45 0007 61 03 60 d2 23 012c ff 6869'));
});

void test('parses what it encodes, with option numbers and message types', () => {
  for (const type of [CON, NON, ACK, RST] as const) {
    const m: CoapMessage = {
      type,
      code: type === RST ? 0 : 0x44,
      messageId: 65535,
      token: type === RST ? Buffer.alloc(0) : hex('a1a2a3a4a5a6a7a8'),
      options: type === RST ? [] : [{ number: 2049, value: hex('01') }, { number: Opt.LocationPath, value: Buffer.from('rd') }],
      payload: type === RST ? Buffer.alloc(0) : Buffer.from([0, 1, 2]),
    };
    const r = parseMessage(encodeMessage(m, 1280));
    assert.ok(r.ok);
    assert.equal(r.message.type, type);
    assert.equal(r.message.code, m.code);
    assert.equal(r.message.messageId, 65535);
    assert.deepEqual(r.message.token, m.token);
    assert.deepEqual(
      r.message.options.map((o) => o.number),
      m.options.map((o) => o.number).sort((a, b) => a - b),
    );
    assert.deepEqual(r.message.payload, m.payload);
  }
});

void test('refuses malformed datagrams without throwing and tells what the header held', () => {
  const cases: [string, Buffer, boolean][] = [
    ['too short', hex('4001'), false],
    ['version 2', hex('80011234'), false],
    ['token length 9', hex('4901 1234 010203040506070809'), true],
    ['truncated token', hex('4401 1234 0102'), true],
    ['empty message with a token', hex('4100 1234 01'), true],
    ['option value past the end', hex('4001 1234 b5 7264'), true],
    ['reserved delta nibble', hex('4001 1234 f1 00'), true],
    ['extended delta missing', hex('4001 1234 d1'), true],
    ['payload marker, no payload', hex('4001 1234 ff'), true],
  ];
  for (const [what, buf, hasHeader] of cases) {
    const r = parseMessage(buf);
    assert.equal(r.ok, false, what);
    if (!r.ok) assert.equal(r.header !== undefined, hasHeader, what);
  }
  const r = parseMessage(hex('4402 beef 01020304 b5 7264'));
  assert.ok(!r.ok && r.header);
  assert.equal(r.header.type, CON);
  assert.equal(r.header.code, 2);
  assert.equal(r.header.messageId, 0xbeef);
  assert.deepEqual(r.header.token, hex('01020304'));
});

void test('never throws on random bytes', () => {
  for (let i = 0; i < 5000; i++) {
    const len = Math.floor(Math.random() * 40);
    const buf = Buffer.alloc(len);
    for (let j = 0; j < len; j++) buf[j] = Math.floor(Math.random() * 256);
    if (len > 0 && i % 2 === 0) buf[0] = (buf[0]! & 0x3f) | 0x40;
    parseMessage(buf);
  }
});

void test('codes convert between text and numbers', () => {
  assert.equal(codeText(0x45), '2.05');
  assert.equal(codeText(0x9f), '4.31');
  assert.equal(codeFromText('2.31'), 0x5f);
  assert.equal(codeFromText('5.00'), 0xa0);
  assert.equal(codeFromText('2.5'), undefined);
  assert.equal(codeFromText('4.32'), undefined);
  assert.equal(codeFromText('8.00'), undefined);
});

void test('an empty ACK is four bytes', () => {
  assert.deepEqual(encodeMessage(emptyMessage(ACK, 0x0a0b), 1280), hex('60000a0b'));
  assert.deepEqual(encodeMessage(emptyMessage(RST, 1), 1280), hex('70000001'));
});

void test('encoding beyond the size limit throws a RangeError', () => {
  const m: CoapMessage = { type: CON, code: 2, messageId: 1, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(100) };
  assert.throws(() => encodeMessage(m, 100), RangeError);
  assert.equal(encodeMessage(m, 105).length, 105);
});

void test('unknown, repeated or oversized critical options are reported; elective ones are not', () => {
  const o = (number: number, value: Buffer = Buffer.alloc(0)) => ({ number, value });
  assert.equal(firstBadCriticalOption([o(Opt.UriPath, Buffer.from('rd')), o(Opt.UriQuery)]), undefined);
  assert.equal(firstBadCriticalOption([o(2049)]), 2049);
  assert.equal(firstBadCriticalOption([o(2048)]), undefined);
  assert.equal(firstBadCriticalOption([o(Opt.Accept, hex('0001')), o(Opt.Accept)]), Opt.Accept);
  assert.equal(firstBadCriticalOption([o(Opt.Accept, hex('000001'))]), Opt.Accept);
  assert.equal(firstBadCriticalOption([o(Opt.ContentFormat, hex('000001'))]), undefined);
  assert.equal(firstBadCriticalOption([o(Opt.IfMatch)]), Opt.IfMatch);
});
