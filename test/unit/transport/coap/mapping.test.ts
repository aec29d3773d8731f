import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../../src/lwm2m/path.js';
import type { DownlinkRequest } from '../../../../src/lwm2m/transport.js';
import { buildRequest, toDownlinkResponse } from '../../../../src/transport/coap/downlink-map.js';
import { ACK, CON, codeText } from '../../../../src/transport/coap/message.js';
import { Opt, decodeUint } from '../../../../src/transport/coap/options.js';
import type { CoapOption } from '../../../../src/transport/coap/options.js';
import { toCoapRequest, toResponseParts } from '../../../../src/transport/coap/coap-request.js';

const p = LwM2mPath.parse;

function view(req: DownlinkRequest) {
  const s = buildRequest(req);
  const strs = (n: number) => s.options.filter((o) => o.number === n).map((o) => o.value.toString());
  const uint = (n: number) => {
    const o = s.options.find((x) => x.number === n);
    return o ? decodeUint(o.value) : undefined;
  };
  return {
    method: codeText(s.code),
    path: strs(Opt.UriPath).join('/'),
    query: strs(Opt.UriQuery),
    cf: uint(Opt.ContentFormat),
    accept: uint(Opt.Accept),
    observe: uint(Opt.Observe),
    payload: s.payload.toString(),
    token: s.token?.toString('hex'),
    cancel: s.isObserveCancel === true,
  };
}

void test('each downlink operation becomes its CoAP request', () => {
  const body = new TextEncoder().encode('x');
  const tok = Uint8Array.from([1, 2, 3, 4]);
  const rows: [DownlinkRequest, Partial<ReturnType<typeof view>>][] = [
    [{ op: 'read', path: p('/3/0'), accept: 11542 }, { method: '0.01', path: '3/0', accept: 11542, cf: undefined, observe: undefined }],
    [{ op: 'discover', path: p('/3'), query: ['depth=2'] }, { method: '0.01', path: '3', accept: 40, query: ['depth=2'] }],
    [{ op: 'write', path: p('/1/0/1'), contentFormat: 0, payload: body }, { method: '0.03', cf: 0, payload: 'x' }],
    [{ op: 'writePartial', path: p('/3/0'), contentFormat: 112, payload: body }, { method: '0.02', cf: 112, path: '3/0' }],
    [
      { op: 'writeAttributes', path: p('/3/0/9'), query: ['pmin=10', 'pmax=60', 'gt'], payload: body },
      { method: '0.03', query: ['pmin=10', 'pmax=60', 'gt'], payload: '', cf: undefined },
    ],
    [{ op: 'execute', path: p('/3/0/4'), payload: new TextEncoder().encode("0='U'") }, { method: '0.02', payload: "0='U'" }],
    [{ op: 'create', path: p('/1'), contentFormat: 11542, payload: body }, { method: '0.02', path: '1', cf: 11542 }],
    [{ op: 'delete', path: p('/1/3') }, { method: '0.04', path: '1/3' }],
    [
      { op: 'readComposite', path: LwM2mPath.ROOT, contentFormat: 110, accept: 112, payload: body },
      { method: '0.05', path: '', cf: 110, accept: 112, payload: 'x' },
    ],
    [{ op: 'writeComposite', path: LwM2mPath.ROOT, contentFormat: 112, payload: body }, { method: '0.07', path: '', cf: 112 }],
    [{ op: 'observe', path: p('/3/0/13'), token: tok, accept: 0 }, { method: '0.01', observe: 0, token: '01020304', accept: 0 }],
    [
      { op: 'observeComposite', path: LwM2mPath.ROOT, token: tok, contentFormat: 110, payload: body },
      { method: '0.05', observe: 0, token: '01020304', payload: 'x' },
    ],
    [{ op: 'cancelObserve', path: p('/3/0/13'), token: tok }, { method: '0.01', observe: 1, token: '01020304', cancel: true }],
    [
      { op: 'cancelObserveComposite', path: LwM2mPath.ROOT, token: tok, contentFormat: 110, payload: body },
      { method: '0.05', observe: 1, cancel: true },
    ],
    [{ op: 'bootstrapRead', path: p('/1'), accept: 11542 }, { method: '0.01', path: '1', accept: 11542 }],
    [{ op: 'bootstrapDiscover', path: LwM2mPath.ROOT }, { method: '0.01', path: '', accept: 40 }],
    [{ op: 'bootstrapWrite', path: p('/0/1'), contentFormat: 11542, payload: body }, { method: '0.03', path: '0/1' }],
    [{ op: 'bootstrapDelete', path: LwM2mPath.ROOT }, { method: '0.04', path: '' }],
    [{ op: 'bootstrapFinish', path: LwM2mPath.ROOT, payload: body }, { method: '0.02', path: 'bs', payload: '' }],
  ];
  for (const [req, want] of rows) {
    const got = view(req);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${req.op}.${k}`);
  }
});

void test('the alternate root prefixes DM paths but never bootstrap ones', () => {
  assert.equal(view({ op: 'read', path: p('/3/0/1'), rootPath: '/lwm2m' }).path, 'lwm2m/3/0/1');
  assert.equal(view({ op: 'readComposite', path: LwM2mPath.ROOT, rootPath: '/a/b/' }).path, 'a/b');
  assert.equal(view({ op: 'read', path: p('/3'), rootPath: '/' }).path, '3');
  assert.equal(view({ op: 'bootstrapWrite', path: p('/0/1'), rootPath: '/lwm2m' }).path, '0/1');
  assert.equal(view({ op: 'bootstrapFinish', path: LwM2mPath.ROOT, rootPath: '/lwm2m' }).path, 'bs');
});

void test('a CoAP response becomes a DownlinkResponse', () => {
  const options: CoapOption[] = [
    { number: Opt.LocationPath, value: Buffer.from('1') },
    { number: Opt.LocationPath, value: Buffer.from('7') },
    { number: Opt.ContentFormat, value: Buffer.from([0x2d, 0x16]) },
    { number: Opt.Observe, value: Buffer.from([1, 0]) },
  ];
  const r = toDownlinkResponse({ type: ACK, code: 0x41, messageId: 1, token: Buffer.alloc(0), options, payload: Buffer.from('ab') });
  assert.deepEqual(r, { code: '2.01', payload: new Uint8Array([0x61, 0x62]), contentFormat: 11542, location: ['1', '7'], observe: 256 });
  const bare = toDownlinkResponse({ type: ACK, code: 0x84, messageId: 1, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) });
  assert.deepEqual(bare, { code: '4.04', payload: new Uint8Array() });
});

void test('a CoAP message becomes a CoapRequest; responses map back with Location-Path', () => {
  const m = {
    type: CON,
    code: 0x02,
    messageId: 9,
    token: Buffer.from([1]),
    options: [
      { number: Opt.UriPath, value: Buffer.from('rd') },
      { number: Opt.ContentFormat, value: Buffer.from([40]) },
      { number: Opt.UriQuery, value: Buffer.from('ep=dev') },
      { number: Opt.UriQuery, value: Buffer.from('Q') },
    ],
    payload: Buffer.from('</3/0>'),
  } as const;
  assert.deepEqual(toCoapRequest({ ...m, options: [...m.options] }), {
    method: 'POST',
    uriPath: ['rd'],
    uriQuery: ['ep=dev', 'Q'],
    contentFormat: 40,
    payload: new Uint8Array(Buffer.from('</3/0>')),
  });
  assert.equal(toCoapRequest({ ...m, code: 0x08, options: [] }), undefined);
  const parts = toResponseParts({ code: '2.01', location: ['rd', 'a1'] });
  assert.ok(parts);
  assert.equal(parts.code, 0x41);
  assert.deepEqual(parts.options.map((o) => o.value.toString()), ['rd', 'a1']);
  assert.equal(toResponseParts({ code: '0.01' }), undefined);
  assert.equal(toResponseParts({ code: 'nope' }), undefined);
  assert.equal(toResponseParts({ code: '2.05', location: ['x'.repeat(256)] }), undefined);
});
