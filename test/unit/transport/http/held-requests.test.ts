/**
 * The HTTP binding's DeviceTransport without sockets: requests held per client until a
 * poll fetches them, answers by token, and every bound (held, polls, timeout, stop).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../../src/lwm2m/path.js';
import { TransportError } from '../../../../src/lwm2m/transport.js';
import type { DownlinkRequest, Peer } from '../../../../src/lwm2m/transport.js';
import { HeldRequests } from '../../../../src/transport/http/held-requests.js';
import { toWire } from '../../../../src/transport/http/downlink-wire.js';

const peer = (key: string): Peer => ({ transport: 'http', key, address: '127.0.0.1', port: 0 });
const read = (path: string): DownlinkRequest => ({ op: 'read', path: LwM2mPath.parse(path) });
const never = (): void => {};

void test('a request waits for a poll, is fetched once, and its answer by token resolves it', async () => {
  const held = new HeldRequests({ maxHeld: 4, maxPolls: 1 });
  const sent = held.send(peer('a'), read('/3/0/0'), { timeoutMs: 1000 });
  assert.equal(await held.next('b', 0, never), undefined, 'not for another client');
  const h = await held.next('a', 0, never);
  assert.ok(h);
  assert.equal(await held.next('a', 0, never), undefined, 'fetched once');
  assert.equal(held.take('b', h.token), undefined, 'not by another client');
  held.take('a', h.token)?.resolve({ code: '2.05', payload: new Uint8Array([0x41]) });
  assert.equal((await sent).code, '2.05');
  assert.equal(held.heldCount, 0);
  held.stop();
});

void test('a waiting poll takes the next request at once', async () => {
  const held = new HeldRequests({ maxHeld: 4, maxPolls: 2 });
  const poll = held.next('a', 5000, never);
  const sent = held.send(peer('a'), read('/3/0/1'), { timeoutMs: 1000 });
  const h = await poll;
  assert.equal(h?.request.path.toString(), '/3/0/1');
  held.take('a', h!.token)?.resolve({ code: '2.05', payload: new Uint8Array() });
  await sent;
  held.stop();
});

void test('bounds: held requests per client, polls per client, the timeout, Observe, stop', async () => {
  const held = new HeldRequests({ maxHeld: 1, maxPolls: 1 });
  const first = held.send(peer('a'), read('/3/0/0'), { timeoutMs: 30 });
  await assert.rejects(held.send(peer('a'), read('/3/0/1')), (e: unknown) => e instanceof TransportError && e.code === 'UNREACHABLE');
  await assert.rejects(first, (e: unknown) => e instanceof TransportError && e.code === 'TIMEOUT');
  await assert.rejects(held.send(peer('a'), { op: 'observe', path: LwM2mPath.parse('/3/0/0') }), (e: unknown) => e instanceof TransportError && e.code === 'UNREACHABLE');

  const older = held.next('a', 5000, never);
  const newer = held.next('a', 5000, never);
  assert.equal(await older, undefined, 'one poll more ends the oldest');
  const pending = held.send(peer('b'), read('/3/0/0'), { timeoutMs: 5000 });
  held.stop();
  assert.equal(await newer, undefined);
  await assert.rejects(pending, (e: unknown) => e instanceof TransportError && e.code === 'STOPPED');
  await assert.rejects(held.send(peer('a'), read('/3/0/0')), (e: unknown) => e instanceof TransportError && e.code === 'STOPPED');
});

void test('the wire form of a request: operation, method, path after the alternate root, query, media types', () => {
  const w = toWire('00112233aabbccdd', { op: 'writeAttributes', path: LwM2mPath.parse('/3303/0/5700'), rootPath: '/lwm2m', query: ['pmin=10', 'gt=2.5', 'st'] });
  assert.deepEqual(w.headers, {
    'lwm2m-token': '00112233aabbccdd',
    'lwm2m-operation': 'write-attributes',
    'lwm2m-method': 'PUT',
    'lwm2m-path': '/lwm2m/3303/0/5700',
    'lwm2m-query': 'pmin=10&gt=2.5&st',
  });
  const d = toWire('00112233aabbccdd', { op: 'discover', path: LwM2mPath.parse('/3'), payload: new Uint8Array([1]) });
  assert.equal(d.headers['accept'], 'application/link-format');
  assert.equal(d.body.length, 0, 'no body on a GET');
  const c = toWire('00112233aabbccdd', { op: 'writeComposite', path: LwM2mPath.parse('/'), contentFormat: 112, payload: new Uint8Array([0x80]) });
  assert.deepEqual([c.headers['lwm2m-method'], c.headers['lwm2m-path'], c.headers['content-type'], c.body.length], ['IPATCH', '/', 'application/senml+cbor', 1]);
});
