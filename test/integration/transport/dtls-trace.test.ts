/**
 * A message trace of one device over coaps (openssl s_client as its DTLS stack): the
 * trace shows the CoAP messages inside the DTLS records, both ways, and stops when asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, parseMessage } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import type { TraceEvent } from '../../../src/lwm2m/server/index.js';
import { startGateway } from '../interop/gateway-fixture.js';
import { KEY_HEX, noOpenssl, sClient, until } from './dtls-helpers.js';

void test('a traced device over coaps: its plaintext CoAP messages both ways, until the trace stops', { skip: noOpenssl }, async () => {
  const { gateway, stop } = await startGateway((c) => {
    c.dtls = { ...c.dtls, enabled: true, port: 0, address: '127.0.0.1' };
  });
  assert.ok(gateway.server.credentials.put({ endpoint: 'dtls-tr', mode: 'psk', identity: 'dtls-tr', key: Buffer.from(KEY_HEX, 'hex') }).ok);
  const port = gateway.ports['coaps'] as number;
  const device = sClient(port, 'dtls-tr', KEY_HEX);
  const received: CoapMessage[] = [];
  device.child.stdout.on('data', (d: Buffer) => {
    const p = parseMessage(d);
    if (p.ok) received.push(p.message);
  });
  const traced: TraceEvent[] = [];
  gateway.server.on('trace', (e) => traced.push(e));
  const send = (m: CoapMessage): void => void device.child.stdin.write(encodeMessage(m, 1280));
  /** a Read from the core, answered by the device with `text` */
  const readAnswered = async (text: string): Promise<void> => {
    const before = received.length;
    const read = gateway.server.read('dtls-tr', '/3/0/0');
    await until(() => received.slice(before).some((m) => m.code === 0x01), 'the GET at the device');
    const get = received.slice(before).find((m) => m.code === 0x01)!;
    send({ type: 2, code: 0x45, messageId: get.messageId, token: get.token, options: [{ number: 12, value: Buffer.alloc(0) }], payload: Buffer.from(text) });
    assert.equal((await read).code, '2.05');
  };
  try {
    const register = { number: 11, value: Buffer.from('rd') };
    send({ type: 0, code: 0x02, messageId: 1, token: Buffer.from([7]), options: [register, { number: 15, value: Buffer.from('ep=dtls-tr') }], payload: Buffer.from('</3/0>') });
    await until(() => gateway.server.getRegistration('dtls-tr') !== undefined, 'the registration');
    await readAnswered('untraced');
    assert.equal(traced.length, 0);

    const on = gateway.server.traceDevice('dtls-tr', 60);
    assert.ok(on.ok);
    await readAnswered('Dtls Corp');
    const out = traced.find((e) => e.record.direction === 'out' && e.record.code === '0.01');
    const back = traced.find((e) => e.record.direction === 'in' && e.record.code === '2.05');
    assert.ok(out && back, JSON.stringify(traced));
    assert.equal(out.endpoint, 'dtls-tr');
    assert.equal(out.transport, 'dtls');
    assert.equal(out.record.options, 'Uri-Path=3 Uri-Path=0 Uri-Path=0');
    assert.equal(back.record.payloadHex, Buffer.from('Dtls Corp').toString('hex'));
    assert.equal(back.record.mid, out.record.mid);

    assert.equal(gateway.server.stopTrace('dtls-tr'), true);
    const count = traced.length;
    await readAnswered('after');
    assert.equal(traced.length, count);
  } finally {
    await device.stop();
    await stop();
  }
});
