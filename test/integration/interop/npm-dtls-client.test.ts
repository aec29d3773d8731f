/**
 * npm's node-dtls-client (an independent DTLS 1.2 PSK client) as a device's DTLS stack
 * against the whole gateway's coaps binding, once per PSK suite the gateway offers
 * (TLS_PSK_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CBC_SHA256): a wrong key gets a
 * decrypt_error alert and leaves no registration; the right key registers (2.01, the PSK
 * identity on the registration's peer), and a Read from the core reaches the device
 * decrypted and resolves with the value the device answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodeDtls from 'node-dtls-client';
import { encodeMessage, parseMessage } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import { until } from '../transport/dtls-helpers.js';
import { startGateway } from './gateway-fixture.js';

const { dtls } = nodeDtls;
type Suite = 'TLS_PSK_WITH_AES_128_CCM_8' | 'TLS_PSK_WITH_AES_128_CBC_SHA256';

interface Device {
  received: CoapMessage[];
  send(m: CoapMessage): void;
  close(): Promise<void>;
}

/** Opens a DTLS session with one PSK and one suite; rejects when the handshake fails or times out. */
function connect(port: number, identity: string, key: string, suite: Suite): Promise<Device> {
  return new Promise((resolve, reject) => {
    const socket = dtls.createSocket({ type: 'udp4', address: '127.0.0.1', port, psk: { [identity]: key }, timeout: 3000, ciphers: [suite] });
    const received: CoapMessage[] = [];
    // a clean close ends with 'close'; a failure ('error') has already closed the UDP socket and emits no 'close'
    let ended = false;
    let end = (): void => {};
    const gone = new Promise<void>((r) => (end = () => ((ended = true), r())));
    socket.once('close', end);
    socket.on('message', (d: Buffer) => {
      const p = parseMessage(d);
      if (p.ok) received.push(p.message);
    });
    socket.once('connected', () => {
      socket.on('error', () => {}); // after the handshake, failures show up as missing responses
      const close = async (): Promise<void> => {
        if (!ended) socket.close();
        await gone;
      };
      resolve({ received, send: (m) => socket.send(encodeMessage(m, 1280)), close });
    });
    socket.once('error', (err: Error) => (end(), reject(err)));
  });
}

/** POST /rd?ep=..&lt=300&lwm2m=1.1 with two object links, confirmable. */
const register = (messageId: number, ep: string): CoapMessage => ({
  type: 0,
  code: 0x02,
  messageId,
  token: Buffer.from([messageId]),
  options: [
    { number: 11, value: Buffer.from('rd') },
    { number: 12, value: Buffer.from([40]) },
    { number: 15, value: Buffer.from(`ep=${ep}`) },
    { number: 15, value: Buffer.from('lt=300') },
    { number: 15, value: Buffer.from('lwm2m=1.1') },
  ],
  payload: Buffer.from('</1/0>,</3/0>'),
});

for (const suite of ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_CBC_SHA256'] as const) {
  void test(`node-dtls-client with ${suite}: a wrong key is refused, the right one registers and answers a Read`, async () => {
    const { gateway, stop } = await startGateway((c) => {
      c.dtls = { ...c.dtls, enabled: true, port: 0, address: '127.0.0.1' };
    });
    const devices: Device[] = [];
    try {
      // the device's credentials, as security.file or PUT /api/clients/{endpoint}/security put them
      assert.ok(gateway.server.credentials.put({ endpoint: 'ndc-dev', mode: 'psk', identity: 'ndc-id', key: Buffer.from('s3cret-key') }).ok);
      const port = gateway.ports['coaps'];
      assert.ok(typeof port === 'number' && port > 0, 'the coaps binding listens');

      // the right identity with a wrong key: the handshake fails, so the device cannot even send its Register
      await assert.rejects(connect(port, 'ndc-id', 'wrong-key', suite), /fatal alert: decrypt_error/, 'the gateway answers the wrong key with a decrypt_error alert');
      assert.equal(gateway.server.getRegistration('ndc-dev'), undefined, 'no registration with a wrong key');

      const dev = await connect(port, 'ndc-id', 's3cret-key', suite);
      devices.push(dev);
      dev.send(register(1, 'ndc-dev'));
      await until(() => dev.received.some((m) => m.messageId === 1), 'the Register response');
      const created = dev.received.find((m) => m.messageId === 1)!;
      assert.equal(created.code, 0x41, '2.01 Created');
      const location = created.options.filter((o) => o.number === 8).map((o) => o.value.toString());
      assert.equal(location[0], 'rd');
      assert.equal(location.length, 2, 'Location-Path rd/{id}');
      const reg = gateway.server.getRegistration('ndc-dev');
      assert.equal(reg?.peer.transport, 'dtls');
      assert.equal(reg?.peer.identity, 'ndc-id');

      // a Read from the core: the GET arrives at the device through the session, the answer comes back
      const read = gateway.server.read('ndc-dev', '/3/0/0');
      await until(() => dev.received.some((m) => m.code === 0x01), 'the GET at the device');
      const get = dev.received.find((m) => m.code === 0x01)!;
      assert.deepEqual(get.options.filter((o) => o.number === 11).map((o) => o.value.toString()), ['3', '0', '0']);
      dev.send({ type: 2, code: 0x45, messageId: get.messageId, token: get.token, options: [{ number: 12, value: Buffer.alloc(0) }], payload: Buffer.from('Ndc Corp') });
      const r = await read;
      assert.equal(r.code, '2.05');
      assert.equal((r.node as { value?: unknown }).value, 'Ndc Corp');
    } finally {
      for (const d of devices) await d.close();
      await stop();
    }
  });
}
