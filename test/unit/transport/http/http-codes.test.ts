/**
 * The HTTP binding's tables kept consistent: every result the core gives has an HTTP
 * status of its class, every content format the codecs know has a media type that reads
 * back to it, and the client's status forms read as LwM2M codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESULT_NUMBERS } from '../../../../src/lwm2m/transport.js';
import { HTTP_STATUS_OF_CODE, MEDIA_TYPE_OF_FORMAT, codeOfStatus, formatOfMediaType, httpStatusOf, mediaTypeOf } from '../../../../src/transport/http/http-codes.js';
import { toHttpAnswer } from '../../../../src/transport/http/uplink-routes.js';

void test('every LwM2M result has an HTTP status of the same class', () => {
  for (const [result, code] of Object.entries(RESULT_NUMBERS)) {
    const status = HTTP_STATUS_OF_CODE[code];
    assert.ok(status !== undefined, `${result} (${code}) has no HTTP status`);
    assert.equal(Math.floor(status / 100), Number(code[0]), `${code} -> ${status}`);
  }
  assert.deepEqual(
    ['2.01', '2.02', '2.04', '2.05', '4.00', '4.03', '4.04', '4.13', '4.29', '5.03'].map(httpStatusOf),
    [201, 204, 204, 200, 400, 403, 404, 413, 429, 503],
  );
  assert.equal(httpStatusOf('9.99'), 500);
});

void test('results as HTTP answers: Location of a registration, Retry-After of a refusal', () => {
  assert.deepEqual(toHttpAnswer({ code: 'created', registrationId: 'a b' }), { status: 201, headers: { location: '/rd/a%20b' } });
  assert.deepEqual(toHttpAnswer({ code: 'tooManyRequests', retryAfter: 1.2 }), { status: 429, headers: { 'retry-after': '2' } });
  assert.deepEqual(toHttpAnswer({ code: 'changed' }), { status: 204 });
  assert.deepEqual(toHttpAnswer({ code: 'forbidden' }), { status: 403 });
});

void test('content formats and media types read back to each other; parameters and case ignored', () => {
  for (const [format, type] of MEDIA_TYPE_OF_FORMAT) {
    assert.equal(formatOfMediaType(type), format, type);
    assert.equal(formatOfMediaType(mediaTypeOf(format)), format, `${format} as Content-Type`);
  }
  for (const f of [0, 40, 42, 110, 112, 11542, 11543, 11544]) assert.ok(MEDIA_TYPE_OF_FORMAT.has(f), `format ${f}`);
  assert.equal(formatOfMediaType('Application/SenML+JSON; charset=utf-8'), 110);
  assert.equal(formatOfMediaType(undefined), undefined);
  assert.equal(formatOfMediaType('application/xml'), null);
  assert.equal(formatOfMediaType('x'.repeat(300)), null);
});

void test("the client's status: dotted, without the dot, or the HTTP status", () => {
  assert.equal(codeOfStatus('2.05', false), '2.05');
  assert.equal(codeOfStatus('205', false), '2.05');
  assert.equal(codeOfStatus('200', false), '2.05');
  assert.equal(codeOfStatus('200', true), '2.02');
  assert.equal(codeOfStatus('204', false), '2.04');
  assert.equal(codeOfStatus('404', false), '4.04');
  for (const bad of ['', 'ok', '2.5', '600', '1.00', '20x', '2.055']) assert.equal(codeOfStatus(bad, false), undefined, bad);
});
