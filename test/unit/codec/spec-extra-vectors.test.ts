/**
 * SenML CBOR vectors from the LwM2M specification's material that the format's own tests
 * (senml-cbor.test.ts) do not carry yet.
 *
 * - The SenML CBOR form of the object-link example `[{"n": "/65/0/0/0", "vlo": "66:0"}]`
 *   (SenML JSON example of object 65, section 7.4.5 of LwM2M 1.1.1), as given by the spec
 *   group when it answered the request to add an Objlnk example to the SenML CBOR section:
 *   the name under label 0 (n), "vlo" as a text key.
 * - Appendix C, Table C.-2 (LwM2M 1.2), column "CBOR, LwM2M CBOR, and SenML CBOR Formats":
 *   Time is "represented as an unsigned integer or a date/time string, as defined in
 *   Section 2.4.1 of [RFC7049]", i.e. also tag 1 (epoch seconds) around the number and
 *   tag 0 around an RFC 3339 text. Read for Time resources (and unknown ones, as time);
 *   written as the plain number under v.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { senmlCborCodec as codec } from '../../../src/lwm2m/codec/senml-cbor.js';
import { resource, resourceInstance } from '../../../src/lwm2m/node.js';
import { codeOf, ctxOf, hex, p, toHex } from './senml-fixtures.js';

const ctx = ctxOf();

/** A short CBOR text string (under 24 bytes), in hex. */
function txt(s: string): string {
  const b = Buffer.from(s, 'utf8');
  assert.ok(b.length < 24);
  return (0x60 + b.length).toString(16) + b.toString('hex');
}

test('SenML CBOR Objlnk example: [{0: "/65/0/0/0", "vlo": "66:0"}]', () => {
  // 81 array(1), a2 map(2), 00 n, 69 "/65/0/0/0", 63 "vlo", 64 "66:0"
  const spec = hex(`81 a2 00 ${txt('/65/0/0/0')} ${txt('vlo')} ${txt('66:0')}`);
  const node = resourceInstance(0, 'objlnk', { objectId: 66, instanceId: 0 });
  assert.deepEqual(codec.decode(p('/65/0/0/0'), spec, ctx), node);
  assert.deepEqual(codec.decodeNodes(spec, [p('/65/0/0/0')], ctx), new Map([['/65/0/0/0', node]]));
  // Written with the path as base name (-2) instead of name: same record, same tree back.
  const ours = codec.encode(p('/65/0/0/0'), node, ctx);
  assert.equal(toHex(ours), toHex(hex(`81 a2 21 ${txt('/65/0/0/0')} ${txt('vlo')} ${txt('66:0')}`)));
  assert.deepEqual(codec.decode(p('/65/0/0/0'), ours, ctx), node);
});

test('SenML CBOR Time as an unsigned integer under v (Table C.-2)', () => {
  const bytes = hex(`81 a2 00 ${txt('/3/0/13')} 02 1a 5182428f`);
  assert.deepEqual(codec.decode(p('/3/0/13'), bytes, ctx), resource(13, 'time', 1367491215));
});

test('SenML CBOR Time under v as tag 1, 1(1367491215)', () => {
  const bytes = hex(`81 a2 00 ${txt('/3/0/13')} 02 c1 1a 5182428f`);
  assert.deepEqual(codec.decode(p('/3/0/13'), bytes, ctx), resource(13, 'time', 1367491215));
});

test('SenML CBOR Time under vs as tag 0, 0("2013-05-02T10:40:15Z")', () => {
  const bytes = hex(`81 a2 00 ${txt('/3/0/13')} 03 c0 74 ${Buffer.from('2013-05-02T10:40:15Z').toString('hex')}`);
  assert.deepEqual(codec.decode(p('/3/0/13'), bytes, ctx), resource(13, 'time', 1367491215));
});

test('SenML CBOR tagged times: Time resources only, unknown resources as time, written back as plain v', () => {
  const tag1 = (path: string): Uint8Array => hex(`81 a2 00 ${txt(path)} 02 c1 1a 5182428f`);
  // a tagged date/time is no Integer (/3/0/9 Battery Level) nor String (/3/0/0)
  assert.equal(codeOf(() => codec.decode(p('/3/0/9'), tag1('/3/0/9'), ctx)), 'TYPE_MISMATCH');
  const tag0 = hex(`81 a2 00 ${txt('/3/0/0')} 03 c0 ${txt('2013-05-02T10:40:15Z')}`);
  assert.equal(codeOf(() => codec.decode(p('/3/0/0'), tag0, ctx)), 'TYPE_MISMATCH');
  // a resource the model does not know is read as a time, flagged
  assert.deepEqual(codec.decode(p('/3/0/999'), tag1('/3/0/999'), ctx), { ...resource(999, 'time', 1367491215), unknown: true });
  // tag 1 around a float, with a time offset in tag 0
  assert.deepEqual(codec.decode(p('/3/0/13'), hex(`81 a2 00 ${txt('/3/0/13')} 02 c1 fb 41d46090a3c80000`), ctx), resource(13, 'time', 1367491215));
  const offset = Buffer.from('2013-05-02T12:40:15+02:00');
  assert.deepEqual(codec.decode(p('/3/0/13'), hex(`81 a2 00 ${txt('/3/0/13')} 03 c0 78 ${offset.length.toString(16)} ${offset.toString('hex')}`), ctx), resource(13, 'time', 1367491215));
  // the wrong tag for the label, a tag 1 around text, or a text that is no date/time
  assert.equal(codeOf(() => codec.decode(p('/3/0/13'), hex(`81 a2 00 ${txt('/3/0/13')} 02 c0 1a 5182428f`), ctx)), 'MALFORMED');
  assert.equal(codeOf(() => codec.decode(p('/3/0/13'), hex(`81 a2 00 ${txt('/3/0/13')} 03 c1 1a 5182428f`), ctx)), 'MALFORMED');
  assert.equal(codeOf(() => codec.decode(p('/3/0/13'), hex(`81 a2 00 ${txt('/3/0/13')} 02 c1 ${txt('x')}`), ctx)), 'MALFORMED');
  assert.equal(codeOf(() => codec.decode(p('/3/0/13'), hex(`81 a2 00 ${txt('/3/0/13')} 03 c0 ${txt('yesterday')}`), ctx)), 'TYPE_MISMATCH');
  // SenML's v is a number: a Time is written untagged
  assert.equal(toHex(codec.encode(p('/3/0/13'), resource(13, 'time', 1367491215), ctx)), toHex(hex(`81 a2 21 ${txt('/3/0/13')} 02 1a 5182428f`)));
});
