import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Notification, Peer, Uplink, UplinkHandler, UplinkResult } from '../../../../src/lwm2m/transport.js';
import type { CoapRequest } from '../../../../src/transport/coap/coap-request.js';
import { Lwm2mOverCoap, toCoapResponse, toUplink } from '../../../../src/transport/coap/uplink-map.js';

const links = new TextEncoder().encode('</3/0>');
const empty = new Uint8Array();
const req = (method: CoapRequest['method'], path: string[], more: Partial<CoapRequest> = {}): CoapRequest => ({
  method,
  uriPath: path,
  uriQuery: [],
  payload: empty,
  ...more,
});

void test('CoAP requests of the LwM2M interfaces become typed uplinks', () => {
  assert.deepEqual(toUplink(req('POST', ['rd'], { uriQuery: ['ep=a', 'lt=60', 'Q'], payload: links, contentFormat: 40 })), {
    kind: 'register',
    params: ['ep=a', 'lt=60', 'Q'],
    links,
    contentFormat: 40,
  });
  assert.deepEqual(toUplink(req('POST', ['rd', ''], { payload: links })), { kind: 'register', params: [], links });
  assert.deepEqual(toUplink(req('POST', ['rd', 'X1'], { uriQuery: ['lt=60'] })), { kind: 'update', registrationId: 'X1', params: ['lt=60'], links: empty });
  // old clients update with PUT
  assert.deepEqual(toUplink(req('PUT', ['rd', 'X1'], { payload: links, contentFormat: 40 })), {
    kind: 'update',
    registrationId: 'X1',
    params: [],
    links,
    contentFormat: 40,
  });
  assert.deepEqual(toUplink(req('DELETE', ['rd', 'X1'])), { kind: 'deregister', registrationId: 'X1' });
  assert.deepEqual(toUplink(req('POST', ['dp'], { payload: links, contentFormat: 110 })), { kind: 'send', payload: links, contentFormat: 110 });
  assert.deepEqual(toUplink(req('POST', ['bs'], { uriQuery: ['ep=a'] })), { kind: 'bootstrapRequest', params: ['ep=a'] });
  assert.deepEqual(toUplink(req('GET', ['bspack'], { uriQuery: ['ep=a'], accept: 11544 })), { kind: 'bootstrapPack', params: ['ep=a'], accept: 11544 });
});

void test('other paths and methods are answered by the binding itself', () => {
  const code = (r: CoapRequest): string | undefined => {
    const u = toUplink(r);
    return 'code' in u ? u.code : undefined;
  };
  assert.equal(code(req('GET', ['rd'])), '4.05');
  assert.equal(code(req('FETCH', ['rd', 'X1'])), '4.05');
  assert.equal(code(req('GET', ['dp'])), '4.05');
  assert.equal(code(req('POST', ['rd', 'X1', 'x'])), '4.04');
  assert.equal(code(req('POST', ['rd', '', 'x'])), '4.04');
  assert.equal(code(req('POST', ['dp', 'x'])), '4.04');
  assert.equal(code(req('GET', ['bs'])), '4.04');
  assert.equal(code(req('POST', ['bs', 'x'])), '4.04');
  assert.equal(code(req('POST', ['bspack'])), '5.01');
  assert.equal(code(req('POST', [])), '4.04');
  assert.equal(code(req('POST', ['foo'])), '4.04');
});

void test('results become CoAP codes, Location-Path and Max-Age', () => {
  assert.deepEqual(toCoapResponse({ code: 'created', registrationId: 'Ab3' }), { code: '2.01', location: ['rd', 'Ab3'] });
  assert.equal(toCoapResponse({ code: 'changed' }).code, '2.04');
  assert.equal(toCoapResponse({ code: 'deleted' }).code, '2.02');
  assert.deepEqual(toCoapResponse({ code: 'content', contentFormat: 11544, payload: links }), { code: '2.05', contentFormat: 11544, payload: links });
  const errors: [UplinkResult['code'], string][] = [
    ['badRequest', '4.00'],
    ['forbidden', '4.03'],
    ['notFound', '4.04'],
    ['methodNotAllowed', '4.05'],
    ['preconditionFailed', '4.12'],
    ['requestEntityTooLarge', '4.13'],
    ['unsupportedContentFormat', '4.15'],
    ['tooManyRequests', '4.29'],
    ['internalServerError', '5.00'],
    ['notImplemented', '5.01'],
    ['serviceUnavailable', '5.03'],
  ];
  for (const [c, coap] of errors) assert.deepEqual({ ...toCoapResponse({ code: c } as UplinkResult) }, { code: coap }, c);
  assert.deepEqual(toCoapResponse({ code: 'tooManyRequests', retryAfter: 2 }), { code: '4.29', maxAge: 2 });
  assert.deepEqual(toCoapResponse({ code: 'serviceUnavailable', retryAfter: 60 }), { code: '5.03', maxAge: 60 });
  assert.deepEqual({ ...toCoapResponse({ code: 'nonsense' } as unknown as UplinkResult) }, { code: '5.00' });
});

void test('Lwm2mOverCoap hands the core typed uplinks only, and passes notifications through', async () => {
  const seen: Uplink[] = [];
  const notes: Notification[] = [];
  const core: UplinkHandler = {
    handleUplink: (_p, u) => {
      seen.push(u);
      return Promise.resolve({ code: 'created', registrationId: 'r1' });
    },
    handleNotification: (_p, n) => (notes.push(n), true),
  };
  const peer: Peer = { transport: 'udp', key: 'udp:127.0.0.1:1', address: '127.0.0.1', port: 1 };
  const coap = new Lwm2mOverCoap(core);
  assert.deepEqual(await coap.handleRequest(peer, req('POST', ['rd'], { uriQuery: ['ep=a'], payload: links, contentFormat: 40 })), {
    code: '2.01',
    location: ['rd', 'r1'],
  });
  assert.equal((await coap.handleRequest(peer, req('POST', ['nowhere']))).code, '4.04');
  assert.deepEqual(seen.map((u) => u.kind), ['register']);
  assert.equal(coap.handleNotification(peer, { token: new Uint8Array([1]), code: '2.05', payload: empty }), true);
  assert.equal(notes.length, 1);
});
