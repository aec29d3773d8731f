/**
 * An independent CoAP client (the `coap` package) talking to the transport's listener
 * over real UDP: Register / Update / De-register, a Block1 Send, a Block2 answer and a
 * separate response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'coap';
import type { CoapRequestParams, IncomingMessage } from 'coap';
import { RecordingHandler, sleep, startTransport } from './helpers.js';

function call(
  params: CoapRequestParams,
  payload?: Buffer,
  setup?: (req: ReturnType<typeof request>) => void,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(params);
    setup?.(req);
    req.on('response', resolve);
    req.on('error', reject);
    req.on('timeout', () => reject(new Error('coap request timed out')));
    req.end(payload);
  });
}

function options(res: IncomingMessage, name: string): string[] {
  return (res._packet.options ?? []).filter((o) => o.name === name).map((o) => Buffer.from(o.value as Buffer).toString());
}

void test('Register, Update and De-register from an independent client', async () => {
  const h = new RecordingHandler();
  h.onRequest = (_peer, r) => {
    if (r.method === 'POST' && r.uriPath.length === 1) return { code: '2.01', location: ['rd', 'Xa1'] };
    if (r.method === 'POST') return { code: '2.04' };
    return { code: '2.02' };
  };
  const { transport, port } = await startTransport(h);
  const agent = new Agent({ type: 'udp4' });
  try {
    const links = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>';
    const reg = await call(
      { hostname: '127.0.0.1', port, method: 'POST', pathname: '/rd', query: 'ep=node-1&lt=300&lwm2m=1.1&b=U', agent },
      Buffer.from(links),
      (req) => req.setOption('Content-Format', 'application/link-format'),
    );
    assert.equal(reg.code, '2.01');
    assert.deepEqual(options(reg, 'Location-Path'), ['rd', 'Xa1']);
    const upd = await call({ hostname: '127.0.0.1', port, method: 'POST', pathname: '/rd/Xa1', query: 'lt=600', agent });
    assert.equal(upd.code, '2.04');
    const del = await call({ hostname: '127.0.0.1', port, method: 'DELETE', pathname: '/rd/Xa1', agent });
    assert.equal(del.code, '2.02');

    assert.equal(h.requests.length, 3);
    const r0 = h.requests[0]!;
    assert.equal(r0.request.method, 'POST');
    assert.deepEqual(r0.request.uriPath, ['rd']);
    assert.deepEqual(r0.request.uriQuery, ['ep=node-1', 'lt=300', 'lwm2m=1.1', 'b=U']);
    assert.equal(r0.request.contentFormat, 40);
    assert.equal(Buffer.from(r0.request.payload).toString(), links);
    assert.equal(r0.peer.transport, 'udp');
    assert.equal(r0.peer.address, '127.0.0.1');
    assert.equal(r0.peer.key, `udp:127.0.0.1:${r0.peer.port}`);
    assert.deepEqual(h.requests[1]!.request.uriPath, ['rd', 'Xa1']);
    assert.deepEqual(h.requests[1]!.request.uriQuery, ['lt=600']);
    assert.equal(h.requests[2]!.request.method, 'DELETE');
  } finally {
    agent.close();
    await transport.stop();
  }
});

void test('a 5 KB Send in Block1 blocks reaches the handler once, whole', async () => {
  const h = new RecordingHandler();
  h.onRequest = () => ({ code: '2.04' });
  const { transport, port } = await startTransport(h);
  const agent = new Agent({ type: 'udp4' });
  const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => 32 + (i % 90)));
  try {
    const res = await call({ hostname: '127.0.0.1', port, method: 'POST', pathname: '/dp', agent }, body, (req) => {
      req.setOption('Content-Format', 'application/senml+json');
      req.setOption('Block1', Buffer.of(2)); // 64-byte blocks
    });
    assert.equal(res.code, '2.04');
    assert.equal(h.requests.length, 1);
    assert.deepEqual(Buffer.from(h.requests[0]!.request.payload), body);
    assert.equal(h.requests[0]!.request.contentFormat, 110);
  } finally {
    agent.close();
    await transport.stop();
  }
});

void test('a large answer reaches the client in Block2 blocks', async () => {
  const h = new RecordingHandler();
  const body = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff));
  h.onRequest = () => ({ code: '2.05', contentFormat: 42, payload: body });
  const { transport, port } = await startTransport(h);
  const agent = new Agent({ type: 'udp4' });
  try {
    const res = await call({ hostname: '127.0.0.1', port, method: 'GET', pathname: '/bspack', query: 'ep=node-1', agent });
    assert.equal(res.code, '2.05');
    assert.deepEqual(res.payload, body);
    assert.equal(h.requests.length, 1);
  } finally {
    agent.close();
    await transport.stop();
  }
});

void test('a slow handler answers through a separate response the client accepts', async () => {
  const h = new RecordingHandler();
  h.onRequest = async () => {
    await sleep(250);
    return { code: '2.04', payload: new TextEncoder().encode('done') };
  };
  const { transport, port } = await startTransport(h, { separateResponseAfterMs: 50 });
  const agent = new Agent({ type: 'udp4' });
  try {
    const res = await call({ hostname: '127.0.0.1', port, method: 'POST', pathname: '/bs', query: 'ep=node-1', agent });
    assert.equal(res.code, '2.04');
    assert.equal(res.payload.toString(), 'done');
    assert.equal(h.requests.length, 1);
  } finally {
    agent.close();
    await transport.stop();
  }
});
