/**
 * The whole gateway over coaps with a client that negotiates a connection ID (RFC 9146):
 * it registers, then its source port changes (a NAT rebinding: a new socket, same session):
 * the answer to a Read it got before comes from the new port and completes the Read, a
 * notification of an observation made before is taken from the new port, its Update and a
 * further Read are served there, and the registration's address in the core follows, with
 * an addressChanged event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, parseMessage } from '../../../src/transport/coap/message.js';
import type { CoapMessage } from '../../../src/transport/coap/message.js';
import type { Peer } from '../../../src/lwm2m/transport.js';
import type { Registration } from '../../../src/lwm2m/server/types.js';
import { startGateway } from '../interop/gateway-fixture.js';
import { DtlsTestClient } from '../../helpers/dtls-test-client.js';
import { until } from './dtls-helpers.js';

const KEY = Buffer.from('cid-secret-key');

function messages(c: DtlsTestClient): CoapMessage[] {
  return c.received.map((d) => parseMessage(d)).flatMap((p) => (p.ok ? [p.message] : []));
}

void test('Register, then a new source port with the same connection ID: Update and Read served there, the registration moves', async () => {
  const { gateway, stop } = await startGateway((c) => {
    c.dtls = { ...c.dtls, enabled: true, port: 0, address: '127.0.0.1' };
  });
  assert.ok(gateway.server.credentials.put({ endpoint: 'cid1', mode: 'psk', identity: 'cid1', key: KEY }).ok);
  const port = gateway.ports['coaps'] as number;
  const moves: { from: Peer; to: Peer; cause: string }[] = [];
  gateway.server.on('addressChanged', (r: Registration, previous: Peer, cause: string) => moves.push({ from: previous, to: r.peer, cause }));
  const c = await DtlsTestClient.connect({ port, identity: 'cid1', psk: KEY, connectionId: Buffer.from('0c1d', 'hex') });
  try {
    assert.equal(c.serverCid.length, 6);
    const send = (m: CoapMessage): void => c.send(encodeMessage(m, 1280));
    const uri = (path: string[], query: string[] = []) => [...path.map((p) => ({ number: 11, value: Buffer.from(p) })), ...query.map((q) => ({ number: 15, value: Buffer.from(q) }))];
    send({ type: 0, code: 0x02, messageId: 1, token: Buffer.from([1]), options: [...uri(['rd']), { number: 12, value: Buffer.from([40]) }, ...uri([], ['ep=cid1', 'lt=300'])], payload: Buffer.from('</3/0>') });
    await until(() => messages(c).some((m) => m.messageId === 1), 'the Register response');
    const created = messages(c).find((m) => m.messageId === 1)!;
    assert.equal(created.code, 0x41, '2.01');
    const location = created.options.filter((o) => o.number === 8).map((o) => o.value.toString());
    const before = gateway.server.getRegistration('cid1')!;
    assert.equal(before.peer.port, c.port);
    assert.equal(before.peer.identity, 'cid1');

    const getAt = (n: number): CoapMessage[] => messages(c).filter((m) => m.code === 0x01).slice(n);
    const text = { number: 12, value: Buffer.alloc(0) };
    const answer = (get: CoapMessage, payload: string): void =>
      send({ type: 2, code: 0x45, messageId: get.messageId, token: get.token, options: [text], payload: Buffer.from(payload) });
    const notes: string[] = [];
    gateway.server.on('notification', (e) => notes.push(JSON.stringify(e.node)));
    const observing = gateway.server.observe('cid1', '/3/0/0');
    await until(() => getAt(0).length === 1, 'the Observe GET');
    const observe = getAt(0)[0]!;
    send({ type: 2, code: 0x45, messageId: observe.messageId, token: observe.token, options: [{ number: 6, value: Buffer.from([1]) }, text], payload: Buffer.from('First Corp') });
    assert.equal((await observing).code, '2.05');

    const inFlight = gateway.server.read('cid1', '/3/0/0');
    await until(() => getAt(1).length === 1, 'the GET at the old port');
    const oldPort = c.port;
    await c.rebind();
    assert.notEqual(c.port, oldPort);
    send({ type: 1, code: 0x45, messageId: 900, token: observe.token, options: [{ number: 6, value: Buffer.from([2]) }, text], payload: Buffer.from('Second Corp') });
    await until(() => notes.some((n) => n.includes('Second Corp')), 'the notification from the new port');
    answer(getAt(1)[0]!, 'Before Corp'); // the answer leaves from the new port
    const early = await inFlight;
    assert.equal(early.code, '2.05', 'a request in flight across the move completes');
    assert.ok(JSON.stringify(early.node).includes('Before Corp'));

    send({ type: 0, code: 0x02, messageId: 2, token: Buffer.from([2]), options: uri(location), payload: Buffer.alloc(0) });
    await until(() => messages(c).some((m) => m.messageId === 2), 'the Update response at the new port');
    assert.equal(messages(c).find((m) => m.messageId === 2)!.code, 0x44, '2.04');
    const after = gateway.server.getRegistration('cid1')!;
    assert.equal(after.peer.port, c.port, 'the registration has the new port');
    assert.equal(after.peer.identity, 'cid1');
    assert.equal(after.peer.key, before.peer.key, 'the same peer, at a new address');
    await until(() => moves.length > 0, 'the addressChanged event');
    assert.equal(moves[0]!.from.port, oldPort);
    assert.equal(moves[0]!.to.port, c.port);

    const read = gateway.server.read('cid1', '/3/0/0');
    await until(() => getAt(2).length === 1, 'the GET at the new port');
    const get = getAt(2)[0]!;
    assert.deepEqual(get.options.filter((o) => o.number === 11).map((o) => o.value.toString()), ['3', '0', '0']);
    answer(get, 'Moved Corp');
    const r = await read;
    assert.equal(r.code, '2.05');
    assert.ok(JSON.stringify(r.node).includes('Moved Corp'));
  } finally {
    await c.close();
    await stop();
  }
});
