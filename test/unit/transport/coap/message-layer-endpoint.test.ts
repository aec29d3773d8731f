/**
 * The CoAP message layer over a datagram endpoint that is not a UDP socket (as a DTLS
 * session layer will be): a Register comes in as a datagram and is answered, a Read goes
 * out and its answer comes back, all through the endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mServer } from '../../../../src/lwm2m/server/index.js';
import { ModelRegistry } from '../../../../src/lwm2m/model/registry.js';
import type { Peer } from '../../../../src/lwm2m/transport.js';
import { CoapMessageLayer } from '../../../../src/transport/coap/coap-message-layer.js';
import type { DatagramEndpoint } from '../../../../src/transport/coap/datagram-endpoint.js';
import { ACK, CON, encodeMessage, parseMessage } from '../../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../../src/transport/coap/message.js';
import { Opt, getStringOptions } from '../../../../src/transport/coap/options.js';
import { Lwm2mOverCoap } from '../../../../src/transport/coap/uplink-map.js';
import { MemoryStore } from '../../../../src/store/memory/memory-store.js';

/** Datagrams kept in a list: what a session layer would encrypt and send. */
class ListEndpoint implements DatagramEndpoint {
  readonly name = 'test-dgram';
  readonly isOpen = true;
  readonly sent: { peer: Peer; message: CoapMessage }[] = [];
  receive: (peer: Peer, datagram: Buffer) => void = () => {};
  onDatagram(receive: (peer: Peer, datagram: Buffer) => void): void {
    this.receive = receive;
  }
  send(peer: Peer, datagram: Buffer): void {
    const r = parseMessage(datagram);
    assert.ok(r.ok);
    this.sent.push({ peer, message: r.message });
  }
  peerFor(peer: Peer): Peer | undefined {
    return peer.transport === this.name ? peer : undefined;
  }
}

/** The layer with its stop exposed (a binding built on it does this in its own stop()). */
class Layer extends CoapMessageLayer {
  stop(): void {
    this.stopMessages();
  }
}

const peer: Peer = { transport: 'test-dgram', key: 'test-dgram:session-1', address: '192.0.2.1', port: 5684, identity: 'psk-1' };

void test('the message layer serves Register and Read over any datagram endpoint', async () => {
  const server = new LwM2mServer({ models: ModelRegistry.withBuiltins(), store: new MemoryStore() });
  // an authenticated identity registers the endpoint it has credentials for
  server.store.security.put({ endpoint: 'over-dgram', mode: 'psk', identity: 'psk-1', key: Buffer.from([1]) });
  const endpoint = new ListEndpoint();
  const layer = new Layer(endpoint, { handler: new Lwm2mOverCoap(server) });
  assert.equal(layer.name, 'test-dgram');
  server.addTransport(layer);
  server.start();
  const register: CoapMessage = {
    type: CON,
    code: 0x02,
    messageId: 100,
    token: Buffer.from([9]),
    options: [
      { number: Opt.UriPath, value: Buffer.from('rd') },
      { number: Opt.ContentFormat, value: Buffer.from([40]) },
      { number: Opt.UriQuery, value: Buffer.from('ep=over-dgram') },
    ],
    payload: Buffer.from('</>;rt="oma.lwm2m",</3/0>'),
  };
  endpoint.receive(peer, encodeMessage(register, 1280));
  await new Promise((r) => setImmediate(r));
  const ack = endpoint.sent.shift();
  assert.ok(ack);
  assert.equal(ack.message.type, ACK);
  assert.equal(ack.message.code, 0x41);
  const reg = server.getRegistration('over-dgram');
  assert.ok(reg);
  assert.deepEqual(getStringOptions(ack.message.options, Opt.LocationPath), ['rd', reg.id]);
  assert.equal(reg.peer.identity, 'psk-1');

  const read = server.read('over-dgram', '/3/0/0', { format: 0 });
  await new Promise((r) => setImmediate(r));
  const get = endpoint.sent.shift();
  assert.ok(get);
  assert.equal(get.message.code, 0x01);
  assert.deepEqual(getStringOptions(get.message.options, Opt.UriPath), ['3', '0', '0']);
  endpoint.receive(peer, encodeMessage({
    type: ACK,
    code: 0x45,
    messageId: get.message.messageId,
    token: get.message.token,
    options: [{ number: Opt.ContentFormat, value: Buffer.alloc(0) }],
    payload: Buffer.from('Open Mobile Alliance'),
  }, 1280));
  const result = await read;
  assert.equal(result.success, true);
  assert.equal(result.node?.kind === 'resource' ? result.node.value : undefined, 'Open Mobile Alliance');
  await server.stop();
  layer.stop();
  assert.deepEqual(layer.diagnostics(), { inFlight: 0, retransmitting: 0, observations: 0 });
});
