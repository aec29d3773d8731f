/**
 * Downlinks to an independent CoAP server (the `coap` package standing in for an LwM2M
 * client) over real UDP: every DM verb, Block2 reads, a 20 KB Block1 write, Observe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { createServer } from 'coap';
import type { IncomingMessage, OutgoingMessage, Server } from 'coap';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import type { Peer } from '../../../src/lwm2m/transport.js';
import { udpPeer } from '../../../src/transport/coap/udp-peer.js';
import { RecordingHandler, sleep, startTransport } from './helpers.js';

interface Seen {
  method: string;
  url: string;
  /** options as the package names and converts them */
  headers: Record<string, unknown>;
  payload: Buffer;
}

async function device(
  onRequest: (req: IncomingMessage, res: OutgoingMessage, seen: Seen) => void,
): Promise<{ server: Server; peer: Peer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer({ type: 'udp4' });
  server.on('request', (req: IncomingMessage, res: OutgoingMessage) => {
    const s: Seen = { method: req.method, url: req.url, headers: { ...req.headers }, payload: req.payload };
    seen.push(s);
    onRequest(req, res, s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = (server._sock as Socket).address();
  return { server, peer: udpPeer('127.0.0.1', addr.port), seen };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

void test('each DM verb arrives as the right CoAP request and its answer comes back', async () => {
  const { transport } = await startTransport(new RecordingHandler());
  const dev = await device((req, res) => {
    switch (req.method) {
      case 'GET':
        res.setOption('Content-Format', 'application/link-format');
        res.end('</3/0/1>,</3/0/2>');
        return;
      case 'POST':
        if (req.url === '/lwm2m/3303') {
          res.code = '2.01';
          res.setOption('Location-Path', [Buffer.from('3303'), Buffer.from('4')]);
        } else res.code = '2.04';
        res.end();
        return;
      case 'PUT':
        res.code = '2.04';
        res.end();
        return;
      case 'DELETE':
        res.code = '2.02';
        res.end();
        return;
      case 'FETCH':
        res.code = '2.05';
        res.setOption('Content-Format', 'application/senml+json');
        res.end('[{"n":"/3/0/0","vs":"Acme"}]');
        return;
      default:
        res.code = '2.04';
        res.end();
    }
  });
  const root = '/lwm2m';
  const payload = (s: string) => new TextEncoder().encode(s);
  try {
    const disc = await transport.send(dev.peer, { op: 'discover', path: LwM2mPath.parse('/3/0'), rootPath: root, query: ['depth=2'] });
    assert.deepEqual([disc.code, disc.contentFormat, Buffer.from(disc.payload).toString()], ['2.05', 40, '</3/0/1>,</3/0/2>']);
    const w = await transport.send(dev.peer, { op: 'write', path: LwM2mPath.parse('/1/0/1'), rootPath: root, contentFormat: 0, payload: payload('300') });
    assert.equal(w.code, '2.04');
    const ex = await transport.send(dev.peer, { op: 'execute', path: LwM2mPath.parse('/3/0/4'), rootPath: root, payload: payload("0='x'") });
    assert.equal(ex.code, '2.04');
    const cr = await transport.send(dev.peer, { op: 'create', path: LwM2mPath.parse('/3303'), rootPath: root, contentFormat: 11542, payload: payload('..') });
    assert.deepEqual([cr.code, cr.location], ['2.01', ['3303', '4']]);
    const del = await transport.send(dev.peer, { op: 'delete', path: LwM2mPath.parse('/3303/4'), rootPath: root });
    assert.equal(del.code, '2.02');
    const rc = await transport.send(dev.peer, {
      op: 'readComposite',
      path: LwM2mPath.ROOT,
      rootPath: root,
      contentFormat: 110,
      accept: 110,
      payload: payload('[{"n":"/3/0/0"}]'),
    });
    assert.deepEqual([rc.code, rc.contentFormat], ['2.05', 110]);
    const wc = await transport.send(dev.peer, { op: 'writeComposite', path: LwM2mPath.ROOT, rootPath: root, contentFormat: 110, payload: payload('[]') });
    assert.equal(wc.code, '2.04');
    const wa = await transport.send(dev.peer, { op: 'writeAttributes', path: LwM2mPath.parse('/3/0/9'), rootPath: root, query: ['pmin=10', 'pmax=60'] });
    assert.equal(wa.code, '2.04');

    const s = dev.seen;
    assert.deepEqual(
      s.map((x) => [x.method, x.url]),
      [
        ['GET', '/lwm2m/3/0?depth=2'],
        ['PUT', '/lwm2m/1/0/1'],
        ['POST', '/lwm2m/3/0/4'],
        ['POST', '/lwm2m/3303'],
        ['DELETE', '/lwm2m/3303/4'],
        ['FETCH', '/lwm2m'],
        ['iPATCH', '/lwm2m'],
        ['PUT', '/lwm2m/3/0/9?pmin=10&pmax=60'],
      ],
    );
    assert.equal(s[0]!.headers.Accept, 'application/link-format');
    assert.equal(s[1]!.headers['Content-Format'], 'text/plain');
    assert.equal(s[1]!.payload.toString(), '300');
    assert.equal(s[2]!.payload.toString(), "0='x'");
    assert.equal(s[2]!.headers['Content-Format'], undefined);
    assert.equal(s[3]!.headers['Content-Format'], 'application/vnd.oma.lwm2m+tlv');
    assert.equal(s[5]!.headers['Content-Format'], 'application/senml+json');
    assert.equal(s[5]!.headers.Accept, 'application/senml+json');
    assert.equal(s[5]!.payload.toString(), '[{"n":"/3/0/0"}]');
    assert.equal(s[6]!.headers['Content-Format'], 'application/senml+json');
    assert.equal(s[7]!.payload.length, 0);
    assert.equal(s[7]!.headers['Content-Format'], undefined);
  } finally {
    await close(dev.server);
    await transport.stop();
  }
});

void test('Block2: a 5000-byte resource is read whole', async () => {
  const { transport } = await startTransport(new RecordingHandler());
  const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff));
  const dev = await device((_req, res) => {
    res.setOption('Content-Format', 'application/octet-stream');
    res.end(body);
  });
  try {
    const r = await transport.send(dev.peer, { op: 'read', path: LwM2mPath.parse('/5/0/0'), accept: 42 });
    assert.equal(r.code, '2.05');
    assert.equal(r.contentFormat, 42);
    assert.deepEqual(Buffer.from(r.payload), body);
    assert.equal(dev.seen.length, 5, 'one request per 1024-byte block');
  } finally {
    await close(dev.server);
    await transport.stop();
  }
});

void test('Block1: a 20 KB firmware write arrives whole', async () => {
  const { transport } = await startTransport(new RecordingHandler());
  const image = Buffer.from(Array.from({ length: 20 * 1024 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
  let got: Buffer | undefined;
  const dev = await device((req, res) => {
    got = req.payload;
    res.code = '2.04';
    res.end();
  });
  try {
    const r = await transport.send(dev.peer, { op: 'write', path: LwM2mPath.parse('/5/0/0'), contentFormat: 42, payload: image });
    assert.equal(r.code, '2.04');
    assert.ok(got);
    assert.equal(got.length, image.length);
    assert.ok(got.equals(image));
  } finally {
    await close(dev.server);
    await transport.stop();
  }
});

void test('Observe: notifications reach the core, stale ones are dropped, a forgotten observation is reset', async () => {
  const h = new RecordingHandler();
  const { transport } = await startTransport(h);
  let observer: (OutgoingMessage & { _counter: number }) | undefined;
  let finished = false;
  const dev = await device((req, res) => {
    if (req.headers.Observe !== 0) {
      res.end('plain');
      return;
    }
    observer = res as OutgoingMessage & { _counter: number };
    res.on('finish', () => (finished = true));
    res.setOption('Content-Format', Buffer.alloc(0)); // text/plain (0): the package cannot encode it by name
    res.write('20');
  });
  const token = Uint8Array.from([0xab, 0xcd, 0x01, 0x02]);
  try {
    const first = await transport.send(dev.peer, { op: 'observe', path: LwM2mPath.parse('/3303/0/5700'), token, accept: 0 });
    assert.deepEqual([first.code, first.observe, Buffer.from(first.payload).toString()], ['2.05', 1, '20']);
    assert.ok(observer);
    observer.write('21');
    observer.write('22');
    await h.until(() => h.notifications.length === 2);
    // the device's counter goes back: number 1 again is older than 3 (RFC 7641 3.4)
    observer._counter = 0;
    observer.write('stale');
    await sleep(150);
    assert.equal(h.notifications.length, 2);
    observer._counter = 3;
    observer.write('23');
    await h.until(() => h.notifications.length === 3);
    assert.deepEqual(
      h.notifications.map((n) => [n.notification.observe, Buffer.from(n.notification.payload).toString()]),
      [
        [2, '21'],
        [3, '22'],
        [4, '23'],
      ],
    );
    assert.deepEqual(h.notifications[0]!.notification.token, token);
    assert.equal(h.notifications[0]!.notification.contentFormat, 0);
    assert.equal(finished, false);
    transport.forgetObservation(dev.peer, token);
    observer.write('24');
    const end = Date.now() + 2000;
    while (!finished && Date.now() < end) await sleep(20);
    assert.equal(finished, true, 'the RST ended the observation on the device');
    assert.equal(h.notifications.length, 3);
  } finally {
    await close(dev.server);
    await transport.stop();
  }
});
