import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toDownlink, OperationError } from '../../../src/lwm2m/server/operations/index.js';
import { instance, multiResource, resource, resourceInstance, type LwM2mNode } from '../../../src/lwm2m/node.js';
import { atLeast, candidateFormats, guessSendFormat, looksLikeText } from '../../../src/lwm2m/server/operations/format.js';
import { compareVersions } from '../../../src/lwm2m/model/registry.js';
import { CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import { AcceptMemory, acceptOrder, NO_ACCEPT, readAcceptChoice, refusesFormat } from '../../../src/lwm2m/server/operations/accept.js';
import { fakeCtx, reg } from './fixtures.js';

const c = fakeCtx();
const inst = instance(0, [resource(14, 'string', '+01'), resource(13, 'time', 1700000000)]);

function cfOf(version: string, ct: number[], path: string, node: LwM2mNode, partial = false): number | undefined {
  return toDownlink(reg(version, ct), { op: 'write', path, node, partial }, c).contentFormat;
}

void test('1.0 client: TLV for instances and multiple resources, text/opaque for single values', () => {
  assert.equal(cfOf('1.0', [], '/3/0', inst), 11542);
  assert.equal(cfOf('1.0', [110, 112], '/3/0', inst), 11542, 'a 1.0 client gets TLV even if it lists SenML');
  assert.equal(cfOf('1.0', [], '/3/0/6', multiResource(6, 'integer', { 0: 1, 1: 5 })), 11542);
  assert.equal(cfOf('1.0', [], '/3/0/14', resource(14, 'string', '+02')), 0);
  assert.equal(cfOf('1.0', [], '/5/0/0', resource(0, 'opaque', new Uint8Array([1, 2]))), 42);
  assert.equal(cfOf('1.0', [], '/18/0/0', resource(0, 'objlnk', { objectId: 3, instanceId: 0 })), 11542);
});

void test('1.1 client: SenML CBOR, then SenML JSON, then TLV for several values', () => {
  assert.equal(cfOf('1.1', [110, 112], '/3/0', inst), 112);
  assert.equal(cfOf('1.1', [110], '/3/0', inst), 110);
  assert.equal(cfOf('1.1', [], '/3/0', inst), 11542);
  assert.equal(cfOf('1.1', [11544], '/3/0', inst), 11542, 'LwM2M CBOR is a 1.2 format');
  assert.equal(cfOf('1.1', [110], '/3/0', inst, true), 110, 'partial update uses the same choice');
  assert.equal(cfOf('1.1', [112], '/3/0/14', resource(14, 'string', 'x')), 0);
  assert.equal(cfOf('1.1', [], '/18/0/0', resource(0, 'objlnk', { objectId: 3, instanceId: 0 })), 0);
  assert.equal(cfOf('1.1', [], '/3/0/7/1', resourceInstance(1, 'integer', 3300)), 0);
});

void test('1.2 client: LwM2M CBOR first, CBOR 60 for single values only when announced', () => {
  assert.equal(cfOf('1.2', [110, 112, 11544], '/3/0', inst), 11544);
  assert.equal(cfOf('1.2', [110, 112], '/3/0', inst), 112);
  assert.equal(cfOf('1.2', [], '/3/0', inst), 11542);
  assert.equal(cfOf('1.2', [60], '/3/0/14', resource(14, 'string', 'x')), 60);
  assert.equal(cfOf('1.2', [], '/3/0/14', resource(14, 'string', 'x')), 0);
  assert.equal(cfOf('1.2', [60], '/5/0/0', resource(0, 'opaque', new Uint8Array([1]))), 42);
});

void test('the model type decides single-value format; an unknown resource uses the node type', () => {
  // model says /5/0/0 is opaque even if the node claims string
  assert.equal(cfOf('1.1', [], '/5/0/0', resource(0, 'string', 'abc')), 42);
  // resource 99 is not in the model: node's own type
  assert.equal(cfOf('1.1', [], '/3/0/99', resource(99, 'opaque', new Uint8Array([1]))), 42);
  assert.equal(cfOf('1.1', [], '/3/0/99', resource(99, 'integer', 5)), 0);
});

void test('an explicit format wins; one without codec is a BAD_REQUEST', () => {
  const r = reg('1.0', []);
  assert.equal(toDownlink(r, { op: 'write', path: '/3/0', node: inst, format: 110 }, c).contentFormat, 110);
  assert.throws(() => toDownlink(r, { op: 'write', path: '/3/0', node: inst, format: 9999 }, c), OperationError);
  assert.throws(() => toDownlink(r, { op: 'read', path: '/3/0', format: 9999 }, c), /not supported/);
  assert.equal(toDownlink(r, { op: 'read', path: '/3/0', format: 11542 }, c).accept, 11542);
});

void test('a 1.0 client keeps reads without Accept; discover always Accept 40', () => {
  assert.equal(toDownlink(reg('1.0', [110, 112, 11544]), { op: 'read', path: '/3/0' }, c).accept, undefined);
  assert.equal(toDownlink(reg('1.0', [110]), { op: 'observe', path: '/3/0/9' }, c).accept, undefined);
  assert.equal(readAcceptChoice(reg('1.0', [110]), { op: 'read', path: '/3/0' }, c), undefined, 'no retry either');
  for (const v of ['1.0', '1.1', '1.2']) assert.equal(toDownlink(reg(v, [110]), { op: 'discover', path: '/3' }, c).accept, 40);
  assert.equal(toDownlink(reg('1.1', []), { op: 'observe', path: '/3/0/9', format: 112 }, c).accept, 112, 'an explicit format wins');
  assert.equal(readAcceptChoice(reg('1.1', []), { op: 'read', path: '/3/0', format: 112 }, c), undefined, 'and is not retried');
});

const acceptOf = (version: string, ct: number[], path: string, op: 'read' | 'observe' = 'read'): number | undefined =>
  toDownlink(reg(version, ct), { op, path }, c).accept;

void test('1.1+: one value gets a single-value Accept (text, opaque, CBOR 60 for a 1.2 client that announced it)', () => {
  assert.equal(acceptOf('1.1', [110], '/3/0/0'), 0);
  assert.equal(acceptOf('1.1', [110], '/3/0/9', 'observe'), 0);
  assert.equal(acceptOf('1.1', [110], '/3/0/7/1'), 0, 'a resource instance is one value');
  assert.equal(acceptOf('1.1', [110], '/5/0/0'), 42, 'opaque');
  assert.equal(acceptOf('1.2', [60, 112], '/3/0/0'), 60);
  assert.equal(acceptOf('1.1', [60, 112], '/3/0/0'), 0, 'CBOR 60 is a 1.2 format');
  assert.equal(acceptOf('1.2', [112], '/3/0/0'), 0);
});

void test('1.1+: several values get the first multi-value format of ct, SenML JSON when none is listed, never an unlisted TLV', () => {
  assert.equal(acceptOf('1.1', [110], '/3/0'), 110);
  assert.equal(acceptOf('1.1', [110], '/3'), 110);
  assert.equal(acceptOf('1.1', [110, 112], '/3/0'), 110, 'the first entry of ct is the preference');
  assert.equal(acceptOf('1.1', [112, 110], '/3/0', 'observe'), 112);
  assert.equal(acceptOf('1.1', [11542], '/3/0'), 11542, 'TLV when listed');
  assert.equal(acceptOf('1.1', [], '/3/0'), 110);
  assert.equal(acceptOf('1.1', [60], '/3/0'), 110);
  assert.equal(acceptOf('1.1', [11544, 112], '/3/0'), 112, 'LwM2M CBOR is a 1.2 format');
  assert.equal(acceptOf('1.2', [11544, 112], '/3/0'), 11544);
  assert.equal(acceptOf('1.1', [110, 112], '/3/0/7'), 110, 'a multiple resource is several values');
  assert.equal(acceptOf('1.1', [112], '/3/0/99'), 112, 'a resource the model does not know: multi-value');
});

void test('the formats to retry after a refusal, in order', () => {
  const order = (version: string, ct: number[], path: string): number[] | undefined => readAcceptChoice(reg(version, ct), { op: 'read', path }, c)?.formats;
  assert.deepEqual(order('1.1', [110], '/3/0'), [110]);
  assert.deepEqual(order('1.1', [112, 11542, 110], '/3/0'), [112, 11542, 110]);
  assert.deepEqual(order('1.1', [], '/3/0'), [110, NO_ACCEPT], 'nothing announced: last, a read without Accept');
  assert.deepEqual(order('1.1', [110], '/3/0/0'), [0, 110]);
  assert.deepEqual(order('1.2', [60, 11542], '/3/0/0'), [60, 0, 11542]);
  assert.deepEqual(order('1.1', [112], '/5/0/0'), [42, 112]);
  const composite = readAcceptChoice(reg('1.2', [110, 11544, 112]), { op: 'observeComposite', paths: ['/3/0/9'] }, c);
  assert.deepEqual(composite, { kind: 'composite', formats: [11544, 110, 112] });
  const choice = { kind: 'multi' as const, formats: [112, 11542, 110] };
  assert.deepEqual(acceptOrder(choice, 110), [110, 112, 11542], 'what worked goes first');
  assert.deepEqual(acceptOrder(choice, 42), [112, 11542, 110], 'a remembered format no longer announced is ignored');
  assert.equal(refusesFormat('4.06'), true);
  assert.equal(refusesFormat('5.00'), true);
  assert.equal(refusesFormat('4.04'), false);
});

void test('the memory of what worked: one entry per registration, dropped with it', () => {
  const m = new AcceptMemory();
  m.worked('r1', 'multi', 110, false);
  m.worked('r1', 'value', 110, false);
  m.worked('r2', 'multi', 11542, false);
  assert.equal(m.size, 2);
  assert.equal(m.get('r1', 'multi'), 110);
  m.worked('r1', 'multi', 112, true);
  assert.equal(m.get('r1', 'multi'), undefined, 'the first choice works again: nothing to remember');
  m.worked('r1', 'value', 0, true);
  assert.equal(m.size, 1, 'an empty entry goes');
  m.forget('r2');
  assert.equal(m.size, 0);
});

void test('composite: path list and Accept per version', () => {
  const paths = ['/3/0/9', '/3303/0/5700'];
  const r11 = toDownlink(reg('1.1', [110, 112]), { op: 'readComposite', paths }, c);
  assert.deepEqual([r11.contentFormat, r11.accept], [112, 112]);
  const r11j = toDownlink(reg('1.1', []), { op: 'readComposite', paths }, c);
  assert.deepEqual([r11j.contentFormat, r11j.accept], [110, 110]);
  const r12 = toDownlink(reg('1.2', [110, 112, 322, 11544]), { op: 'readComposite', paths }, c);
  assert.deepEqual([r12.contentFormat, r12.accept], [322, 11544]);
  const r12e = toDownlink(reg('1.2', [320, 110]), { op: 'readComposite', paths }, c);
  assert.deepEqual([r12e.contentFormat, r12e.accept], [320, 110]);
  const r11e = toDownlink(reg('1.1', [322, 112]), { op: 'readComposite', paths }, c);
  assert.equal(r11e.contentFormat, 112, 'ETCH is a 1.2 format');
  const asked = toDownlink(reg('1.2', [112, 11544]), { op: 'readComposite', paths, format: 110 }, c);
  assert.equal(asked.accept, 110);
  assert.throws(() => toDownlink(reg('1.2', []), { op: 'readComposite', paths, format: 11542 }, c), /cannot carry several paths/);
  const w = toDownlink(reg('1.2', [112, 11544]), { op: 'writeComposite', nodes: new Map([['/3/0/14', resource(14, 'string', 'x')]]) }, c);
  assert.deepEqual([w.op, w.contentFormat, w.path.toString()], ['writeComposite', 11544, '/']);
  const w11 = toDownlink(reg('1.1', []), { op: 'writeComposite', nodes: new Map([['3/0/14', resource(14, 'string', 'x')]]) }, c);
  assert.equal(w11.contentFormat, 110);
});

void test('composite operations are refused for a 1.0 client', () => {
  const r = reg('1.0', [110, 112]);
  assert.throws(() => toDownlink(r, { op: 'readComposite', paths: ['/3/0/9'] }, c), /1\.1/);
  assert.throws(() => toDownlink(r, { op: 'observeComposite', paths: ['/3/0/9'] }, c), OperationError);
  assert.throws(() => toDownlink(r, { op: 'writeComposite', nodes: new Map([['/3/0/14', resource(14, 'string', 'x')]]) }, c), OperationError);
});

void test('inference of a missing Content-Format: Accept first, then the bytes', () => {
  const codecs = fakeCtx().codecs;
  const json = new TextEncoder().encode('[{"n":"/3/0/9","v":5}]');
  assert.equal(candidateFormats(json, 2, undefined, codecs)[0], 110);
  assert.equal(candidateFormats(json, 2, 11542, codecs)[0], 11542);
  assert.equal(candidateFormats(new TextEncoder().encode('42'), 3, undefined, codecs)[0], 0);
  assert.equal(candidateFormats(new Uint8Array([0x81, 0xa2]), 2, undefined, codecs)[0], 112);
  assert.equal(candidateFormats(new Uint8Array([0xbf, 0x03]), 2, undefined, codecs)[0], 11544);
  assert.equal(candidateFormats(new Uint8Array([0x08, 0x00, 0x03]), 2, undefined, codecs)[0], 11542);
  assert.ok(!candidateFormats(new Uint8Array([0x08]), 2, undefined, codecs).includes(0), 'no text below a resource');
  assert.ok(candidateFormats(new Uint8Array([0xff, 0x00]), 3, undefined, codecs).includes(42));
  assert.deepEqual(candidateFormats(json, 2, undefined, new CodecRegistry([])), []);
  assert.equal(looksLikeText(new Uint8Array([0x41, 0x00])), false);
  assert.equal(looksLikeText(new Uint8Array([0xc3, 0xa9])), true);
  assert.equal(guessSendFormat(json), 110);
  assert.equal(guessSendFormat(new Uint8Array([0x9f])), 112);
  assert.equal(guessSendFormat(new Uint8Array([0xa1])), 11544);
  assert.equal(guessSendFormat(new Uint8Array([0x01])), undefined);
});

test('atLeast agrees with compareVersions', () => {
  const versions = ['', '1.0', '1.1', '1.2', '2.0', '0.9', '1.10', '10.1', '1.2.1', 'x.y', '1', '1.'];
  for (const have of versions) {
    for (const v of ['1.0', '1.1', '1.2', '1.10']) {
      assert.equal(atLeast({ version: have }, v), compareVersions(have || '1.0', v) >= 0, `${have} >= ${v}`);
    }
  }
});
