/**
 * Requests from devices against raw UDP peers: deduplication, separate responses,
 * pings, malformed datagrams, critical options, handler failures, IPv6.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import type { CoapResponse } from '../../../src/transport/coap/coap-request.js';
import { ACK, CON, NON, RST, codeText, emptyMessage } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import { Opt, stringOptions, uintOption } from '../../../src/transport/coap/options.js';
import { RawPeer, RecordingHandler, sleep, startTransport } from './helpers.js';

function post(mid: number, token: string, payload = 'x', type: typeof CON | typeof NON = CON): CoapMessage {
  return {
    type,
    code: 0x02,
    messageId: mid,
    token: Buffer.from(token, 'hex'),
    options: [...stringOptions(Opt.UriPath, ['dp']), uintOption(Opt.ContentFormat, 110)],
    payload: Buffer.from(payload),
  };
}

void test('the same CON twice while the handler is slow: handled once, both answered alike', async () => {
  const h = new RecordingHandler();
  h.onRequest = async () => {
    await sleep(200);
    return { code: '2.04', payload: new Uint8Array([1, 2]) };
  };
  const { transport, port } = await startTransport(h, { separateResponseAfterMs: 5000 });
  const dev = await RawPeer.open();
  try {
    dev.send(port, post(100, 'aabb'));
    await sleep(50);
    dev.send(port, post(100, 'aabb')); // retransmission while in progress
    const first = await dev.next();
    assert.equal(first.message?.type, ACK);
    assert.equal(first.message?.messageId, 100);
    assert.equal(codeText(first.message!.code), '2.04');
    assert.deepEqual(first.message?.token, Buffer.from('aabb', 'hex'));
    assert.equal((await dev.collect(100)).length, 0, 'the in-progress duplicate got no second answer');
    dev.send(port, post(100, 'aabb'));
    const replay = await dev.next();
    assert.ok(replay.raw.equals(first.raw), 'the duplicate gets the stored response');
    assert.equal(h.requests.length, 1);
    // same message id from another peer is another message
    const other = await RawPeer.open();
    other.send(port, post(100, 'aabb'));
    assert.equal((await other.nextMessage()).messageId, 100);
    assert.equal(h.requests.length, 2);
    await other.close();
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a NON request is deduplicated too and answered with a NON', async () => {
  const h = new RecordingHandler();
  h.onRequest = () => ({ code: '2.04' });
  const { transport, port } = await startTransport(h);
  const dev = await RawPeer.open();
  try {
    dev.send(port, post(7, '01', 'x', NON));
    const r = await dev.next();
    assert.equal(r.message?.type, NON);
    assert.deepEqual(r.message?.token, Buffer.from('01', 'hex'));
    dev.send(port, post(7, '01', 'x', NON));
    assert.ok((await dev.next()).raw.equals(r.raw));
    assert.equal(h.requests.length, 1);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('a slow handler: empty ACK first, then the response as a CON, retransmitted until ACKed', async () => {
  const h = new RecordingHandler();
  h.onRequest = async () => {
    await sleep(300);
    return { code: '2.01', location: ['rd', 'x1'] };
  };
  const { transport, port } = await startTransport(h, {
    separateResponseAfterMs: 100,
    timing: { ackTimeoutMs: 100, ackRandomFactor: 1 },
  });
  const dev = await RawPeer.open();
  try {
    const t0 = Date.now();
    dev.send(port, post(500, 'c0ffee'));
    const ack = await dev.next();
    assert.deepEqual([ack.message?.type, ack.message?.code, ack.message?.messageId], [ACK, 0, 500]);
    assert.ok(Date.now() - t0 >= 90);
    dev.send(port, post(500, 'c0ffee')); // retransmission after the empty ACK
    assert.ok((await dev.next()).raw.equals(ack.raw));
    const sep = await dev.next();
    assert.equal(sep.message?.type, CON);
    assert.notEqual(sep.message?.messageId, 500);
    assert.deepEqual(sep.message?.token, Buffer.from('c0ffee', 'hex'));
    assert.equal(codeText(sep.message!.code), '2.01');
    assert.deepEqual(
      sep.message!.options.filter((o) => o.number === Opt.LocationPath).map((o) => o.value.toString()),
      ['rd', 'x1'],
    );
    const again = await dev.next(); // not acknowledged: retransmitted
    assert.ok(again.raw.equals(sep.raw));
    dev.send(port, emptyMessage(ACK, sep.message!.messageId));
    assert.equal((await dev.collect(350)).length, 0);
    assert.equal(h.requests.length, 1);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('an empty CON (ping) gets a RST; an empty NON nothing', async () => {
  const { transport, port } = await startTransport(new RecordingHandler());
  const dev = await RawPeer.open();
  try {
    dev.send(port, Buffer.from('40001234', 'hex'));
    const r = await dev.next();
    assert.equal(r.raw.toString('hex'), '70001234');
    dev.send(port, Buffer.from('50001235', 'hex'));
    assert.equal((await dev.collect(100)).length, 0);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('garbage never crashes the listener; broken CON requests get 4.00, other broken CONs a RST', async () => {
  const h = new RecordingHandler();
  const { transport, port } = await startTransport(h);
  const dev = await RawPeer.open();
  try {
    const junk = ['', '00', 'ffffffff', '80011234', '5f01123401', '5100123401', 'deadbeefdeadbeef', '60451234ff'];
    for (const j of junk) dev.send(port, Buffer.from(j, 'hex'));
    for (let i = 0; i < 200; i++) {
      const b = Buffer.alloc(1 + (i % 30));
      for (let k = 0; k < b.length; k++) b[k] = (i * 31 + k * 17) & 0xff;
      b[0] = 0x50 | (9 + (i % 7)); // NON with a reserved token length: never answered
      dev.send(port, b);
    }
    assert.equal((await dev.collect(200)).length, 0, 'broken NON, ACK, RST and non-v1 datagrams are dropped');
    // CON POST with a token and an option running past the end
    dev.send(port, Buffer.from('42020a0b0102b5', 'hex'));
    const bad = await dev.nextMessage();
    assert.deepEqual([bad.type, codeText(bad.code), bad.messageId], [ACK, '4.00', 0x0a0b]);
    assert.deepEqual(bad.token, Buffer.from('0102', 'hex'));
    assert.equal(bad.payload.length, 0);
    // a CON response with a broken option, an empty CON with a token: RST
    dev.send(port, Buffer.from('40450a0cd1', 'hex'));
    const rst = await dev.nextMessage();
    assert.deepEqual([rst.type, rst.messageId], [RST, 0x0a0c]);
    dev.send(port, Buffer.from('41000a0d01', 'hex'));
    const rst2 = await dev.nextMessage();
    assert.deepEqual([rst2.type, rst2.messageId], [RST, 0x0a0d]);
    dev.send(port, post(1, '99'));
    const ok = await dev.nextMessage();
    assert.equal(codeText(ok.code), '2.04');
    assert.equal(h.requests.length, 1);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('unknown critical options: 4.02 for CON, RST for NON; unknown elective ones are ignored', async () => {
  const h = new RecordingHandler();
  const { transport, port } = await startTransport(h);
  const dev = await RawPeer.open();
  try {
    const crit = post(10, '01');
    crit.options.push({ number: 2051, value: Buffer.from([1]) });
    dev.send(port, crit);
    const r = await dev.nextMessage();
    assert.deepEqual([r.type, codeText(r.code), r.messageId, r.payload.length], [ACK, '4.02', 10, 0]);
    dev.send(port, { ...crit, type: NON, messageId: 11 });
    const r2 = await dev.nextMessage();
    assert.deepEqual([r2.type, r2.messageId], [RST, 11]);
    const twoAccepts = post(12, '02');
    twoAccepts.options.push(uintOption(Opt.Accept, 0), uintOption(Opt.Accept, 40));
    dev.send(port, twoAccepts);
    assert.equal(codeText((await dev.nextMessage()).code), '4.02');
    const proxy = post(13, '03');
    proxy.options.push({ number: Opt.ProxyUri, value: Buffer.from('coap://x/') });
    dev.send(port, proxy);
    assert.equal(codeText((await dev.nextMessage()).code), '5.05');
    const elective = post(14, '04');
    elective.options.push({ number: 2050, value: Buffer.from([1]) });
    dev.send(port, elective);
    assert.equal(codeText((await dev.nextMessage()).code), '2.04');
    dev.send(port, { ...post(15, '05'), code: 0x08 });
    assert.equal(codeText((await dev.nextMessage()).code), '4.05');
    assert.equal(h.requests.length, 1);
  } finally {
    await dev.close();
    await transport.stop();
  }
});

void test('handler failures become 5.00 with an empty payload', async () => {
  const h = new RecordingHandler();
  const answers: (() => Promise<CoapResponse> | CoapResponse)[] = [
    () => Promise.reject(new Error('secret database password wrong')),
    () => {
      throw new Error('sync failure');
    },
    () => ({ code: '9.99' }),
    () => ({ code: '0.01' }),
  ];
  let i = 0;
  h.onRequest = () => answers[i++]!();
  const { transport, port } = await startTransport(h);
  const dev = await RawPeer.open();
  try {
    for (let k = 0; k < answers.length; k++) {
      dev.send(port, post(20 + k, '0a'));
      const r = await dev.nextMessage();
      assert.deepEqual([codeText(r.code), r.payload.length, r.messageId], ['5.00', 0, 20 + k]);
    }
  } finally {
    await dev.close();
    await transport.stop();
  }
});

const hasIPv6 = Object.values(networkInterfaces()).some((l) => l?.some((i) => i.family === 'IPv6' && i.address === '::1'));

void test('dual-stack listener: IPv6 ::1 and IPv4 peers both served, downlinks reach both', { skip: !hasIPv6 }, async () => {
  const h = new RecordingHandler();
  const { transport, port } = await startTransport(h, { address: '::' });
  const v6 = await RawPeer.open('::1');
  const v4 = await RawPeer.open('127.0.0.1');
  try {
    v6.send(port, post(1, '06'));
    assert.equal(codeText((await v6.nextMessage()).code), '2.04');
    v4.send(port, post(1, '04'));
    assert.equal(codeText((await v4.nextMessage()).code), '2.04');
    assert.deepEqual(
      h.requests.map((r) => r.peer.key),
      [`udp:::1:${v6.port}`, `udp:127.0.0.1:${v4.port}`],
    );
    assert.equal(h.requests[1]!.peer.address, '127.0.0.1');
    for (const dev of [v6, v4]) {
      const p = transport.send(h.requests.find((r) => r.peer.port === dev.port)!.peer, {
        op: 'delete',
        path: LwM2mPath.parse('/1/1'),
      });
      const req = await dev.nextMessage();
      dev.send(port, { type: ACK, code: 0x42, messageId: req.messageId, token: req.token, options: [], payload: Buffer.alloc(0) });
      assert.equal((await p).code, '2.02');
    }
  } finally {
    await v6.close();
    await v4.close();
    await transport.stop();
  }
});

void test('an IPv4-only listener serves IPv4', async () => {
  const { transport, port } = await startTransport(new RecordingHandler(), { address: '0.0.0.0' });
  const dev = await RawPeer.open();
  try {
    assert.equal(transport.address()?.family, 'IPv4');
    dev.send(port, post(1, '01'));
    assert.equal(codeText((await dev.nextMessage()).code), '2.04');
  } finally {
    await dev.close();
    await transport.stop();
  }
});
