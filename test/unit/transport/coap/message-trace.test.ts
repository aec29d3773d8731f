/**
 * Trace records of CoAP datagrams: fields decoded and bounded, text option values from a
 * device escaped (no control character, no backslash raw), a long payload cut to a hex
 * prefix, a malformed datagram described without its bytes; a log line of it stays one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceRecord } from '../../../../src/transport/coap/message-trace.js';
import { CON, encodeMessage } from '../../../../src/transport/coap/message.js';
import { Opt, stringOptions, uintOption } from '../../../../src/transport/coap/options.js';
import { createLogger } from '../../../../src/log.js';

test('a request: type, code, mid, token, options and payload prefix', () => {
  const datagram = encodeMessage(
    {
      type: CON,
      code: 0x02,
      messageId: 0x1234,
      token: Buffer.from('a1b2', 'hex'),
      options: [...stringOptions(Opt.UriPath, ['rd']), uintOption(Opt.ContentFormat, 40), ...stringOptions(Opt.UriQuery, ['ep=dev\n\u001b[31mX\\', 'lt=300'])],
      payload: Buffer.alloc(100, 0xab),
    },
    1280,
  );
  const r = traceRecord('in', datagram);
  assert.equal(r.direction, 'in');
  assert.equal(r.size, datagram.length);
  assert.equal(r.type, 'CON');
  assert.equal(r.code, '0.02');
  assert.equal(r.mid, 0x1234);
  assert.equal(r.token, 'a1b2');
  assert.equal(r.options, 'Uri-Path=rd Content-Format=40 Uri-Query=ep=dev\\x0a\\x1b[31mX\\x5c Uri-Query=lt=300');
  assert.equal(r.payloadSize, 100);
  assert.equal(r.payloadHex, 'ab'.repeat(32) + '...');
});

test('long values and many options are cut', () => {
  const datagram = encodeMessage(
    { type: CON, code: 0x01, messageId: 1, token: Buffer.alloc(0), options: stringOptions(Opt.UriPath, Array.from({ length: 20 }, () => 'x'.repeat(200))), payload: Buffer.alloc(0) },
    8000,
  );
  const r = traceRecord('out', datagram);
  const shown = r.options!.split(' Uri-Path=');
  assert.equal(shown.length, 16);
  assert.equal(shown[0], `Uri-Path=${'x'.repeat(32)}...`);
  assert.equal(shown[15], `${'x'.repeat(32)}... (+4 more)`);
  assert.equal(r.payloadSize, 0);
  assert.equal(r.payloadHex, undefined);
});

test('a malformed datagram: its size and why, none of its bytes; the log line is one line', () => {
  const r = traceRecord('in', Buffer.from('\n\n\u001b'));
  assert.deepEqual(r, { direction: 'in', size: 3, malformed: 'shorter than a header' });
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l));
  const bad = encodeMessage({ type: CON, code: 0x01, messageId: 2, token: Buffer.alloc(0), options: stringOptions(Opt.UriPath, ['a\r\nb']), payload: Buffer.alloc(0) }, 1280);
  log.info('coap trace', { endpoint: 'e', ...traceRecord('in', bad) });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.includes('\n') && !lines[0]!.includes('\r'));
});
