/**
 * The whole gateway over coaps with openssl s_client as the device's DTLS stack: CoAP
 * messages written to it travel as DTLS application data; a Register arrives with the
 * PSK identity, and a Read from the core reaches the device encrypted and comes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { encodeMessage, parseMessage } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import { startGateway } from '../interop/gateway-fixture.js';
import { KEY_HEX, OPENSSL, noOpenssl, until } from './dtls-helpers.js';

void test('Register and a Read both ways over coaps, the registration carrying the PSK identity', { skip: noOpenssl }, async () => {
  const { gateway, stop } = await startGateway((c) => {
    c.dtls = { ...c.dtls, enabled: true, port: 0, address: '127.0.0.1' };
  });
  assert.ok(gateway.server.credentials.put({ endpoint: 'dev1', mode: 'psk', identity: 'dev1', key: Buffer.from(KEY_HEX, 'hex') }).ok);
  const port = gateway.ports['coaps'] as number;
  const child = spawn(OPENSSL, ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-psk_identity', 'dev1', '-psk', KEY_HEX, '-cipher', 'PSK-AES128-CCM8', '-quiet']);
  const received: CoapMessage[] = [];
  child.stdout.on('data', (d: Buffer) => {
    const p = parseMessage(d);
    if (p.ok) received.push(p.message);
  });
  child.stderr.resume();
  const exited = new Promise((r) => child.on('exit', r));
  try {
    const send = (m: CoapMessage): void => void child.stdin.write(encodeMessage(m, 1280));
    send({
      type: 0,
      code: 0x02,
      messageId: 1,
      token: Buffer.from([7]),
      options: [
        { number: 11, value: Buffer.from('rd') },
        { number: 12, value: Buffer.from([40]) },
        { number: 15, value: Buffer.from('ep=dev1') },
        { number: 15, value: Buffer.from('lt=300') },
      ],
      payload: Buffer.from('</3/0>'),
    });
    await until(() => received.some((m) => m.messageId === 1), 'the Register response');
    assert.equal(received.find((m) => m.messageId === 1)!.code, 0x41, '2.01');
    const reg = gateway.server.getRegistration('dev1');
    assert.equal(reg?.peer.transport, 'dtls');
    assert.equal(reg?.peer.identity, 'dev1');

    const read = gateway.server.read('dev1', '/3/0/0');
    await until(() => received.some((m) => m.code === 0x01), 'the GET at the device');
    const get = received.find((m) => m.code === 0x01)!;
    assert.deepEqual(get.options.filter((o) => o.number === 11).map((o) => o.value.toString()), ['3', '0', '0']);
    send({ type: 2, code: 0x45, messageId: get.messageId, token: get.token, options: [{ number: 12, value: Buffer.alloc(0) }], payload: Buffer.from('Dtls Corp') });
    const r = await read;
    assert.equal(r.code, '2.05');
    assert.ok(JSON.stringify(r.node).includes('Dtls Corp'));
  } finally {
    child.kill();
    await exited;
    await stop();
  }
});
