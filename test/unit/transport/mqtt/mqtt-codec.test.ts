/**
 * The MQTT binding's maps on hex fixtures written from the spec's examples (Transport 1.2
 * section 8.3: `{1: 9, 2: 56, 5: "/3/0/0"}` is a Read), the downlink encoding of each
 * operation, and the broker rule on the binding's topics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mPath } from '../../../../src/lwm2m/path.js';
import type { DownlinkRequest } from '../../../../src/lwm2m/transport.js';
import { decodeMessage, encodeMessage, tokenOfBytes } from '../../../../src/transport/mqtt/message-codec.js';
import { encodeDownlink, decodeResponse } from '../../../../src/transport/mqtt/downlink-encode.js';
import { bindingTopicRule } from '../../../../src/transport/mqtt/broker-rule.js';

void test('the spec example Read map decodes; a result map encodes to its fixture', () => {
  // {1: 9, 2: 56, 5: "/3/0/0"}
  const d = decodeMessage(Buffer.from('a30109021838056' + '62f332f302f30', 'hex'), 1024);
  assert.ok(d.ok);
  assert.equal(d.message.operation, 9);
  assert.equal(d.message.token, '56');
  assert.equal(d.message.fields.get(5), '/3/0/0');
  // {18: 205, 2: 56}
  assert.equal(encodeMessage([[18, 205], [2, '56']]).toString('hex'), 'a21218cd021838');
});

void test('decoding refuses what is no binding map, and bounds the size', () => {
  const no = (hex: string, max = 1024): string => {
    const d = decodeMessage(Buffer.from(hex, 'hex'), max);
    assert.equal(d.ok, false);
    return (d as { reason: string }).reason;
  };
  assert.equal(no('ff00'), 'malformed');
  assert.equal(no(''), 'malformed');
  assert.equal(no('83010203'), 'notMap');
  assert.equal(no('a2010602626162'), 'badToken'); // token "ab"
  assert.equal(no('a2010602' + '23'), 'badToken'); // token -4
  assert.equal(no('a1021801'), 'badOperation'); // neither operation nor result
  assert.equal(no('a3010612' + '18c9' + '0201'), 'badOperation'); // both
  assert.equal(no('a20106' + '0201', 4), 'oversize');
  // unknown keys are ignored
  const d = decodeMessage(Buffer.from('a3010602011863f5', 'hex'), 1024);
  assert.ok(d.ok && !d.message.fields.has(99));
  // a 64-bit token survives
  const big = decodeMessage(encodeMessage([[1, 23], [2, tokenOfBytes(Buffer.from('ffeeddccbbaa9988', 'hex'))]]), 1024);
  assert.ok(big.ok);
  assert.equal(BigInt(big.message.token!), 0xffeeddccbbaa9988n);
});

void test('each downlink becomes its operation code with uri, payload and attribute keys', () => {
  const req = (r: Partial<DownlinkRequest>): DownlinkRequest => ({ op: 'read', path: LwM2mPath.parse('/3/0/0'), ...r }) as DownlinkRequest;
  const map = (r: DownlinkRequest): Map<number, unknown> => new Map(encodeDownlink(r, '7'));
  assert.deepEqual([...map(req({}))], [[1, 9], [2, '7'], [5, '/3/0/0']]);
  assert.equal(map(req({ op: 'write', contentFormat: 0, payload: Buffer.from('x') })).get(1), 12);
  assert.equal(map(req({ op: 'writePartial', contentFormat: 112, payload: Buffer.from('x') })).get(19), 112);
  const attrs = map(req({ op: 'writeAttributes', query: ['pmin=10', 'pmax=60', 'st=0.5'] }));
  assert.deepEqual([attrs.get(1), attrs.get(12), attrs.get(13), attrs.get(15)], [14, 10, 60, 0.5]);
  assert.throws(() => map(req({ op: 'writeAttributes', query: ['lt=3'] })), /no MQTT key/);
  assert.equal(map(req({ op: 'execute', payload: Buffer.from('0=1') })).get(1), 16);
  assert.equal(map(req({ op: 'create', path: LwM2mPath.parse('/3303'), contentFormat: 112, payload: Buffer.from('x') })).get(1), 17);
  assert.equal(map(req({ op: 'delete', path: LwM2mPath.parse('/3303/1') })).get(1), 18);
  assert.equal(map(req({ op: 'discover', query: ['depth=2'] })).get(22), 2);
  assert.equal(map(req({ op: 'observe' })).get(1), 20);
  assert.deepEqual([...map(req({ op: 'cancelObserve' }))], [[1, 22], [2, '7']]);
  const rc = map(req({ op: 'readComposite', path: LwM2mPath.ROOT, contentFormat: 320, payload: Buffer.from('[{"n":"/3/0/0"}]') }));
  assert.equal(rc.get(1), 10);
  assert.ok(rc.get(6) instanceof Uint8Array);
  assert.equal(map(req({ op: 'writeComposite', path: LwM2mPath.ROOT, contentFormat: 112, payload: Buffer.from('x') })).get(1), 15);
  // the Bootstrap interface (Tbl 8.3.1-1): write 1, read 2, delete 3, discover 4, finish 5
  assert.deepEqual([...map(req({ op: 'bootstrapFinish', path: LwM2mPath.ROOT }))], [[1, 5], [2, '7']]);
  assert.equal(map(req({ op: 'bootstrapWrite', path: LwM2mPath.parse('/0/1'), contentFormat: 11542, payload: Buffer.from('x') })).get(1), 1);
  assert.equal(map(req({ op: 'bootstrapDelete', path: LwM2mPath.parse('/1') })).get(1), 3);
  assert.equal(map(req({ op: 'bootstrapDiscover', path: LwM2mPath.ROOT })).get(1), 4);
  assert.equal(map(req({ op: 'bootstrapRead', path: LwM2mPath.parse('/1') })).get(1), 2);
  // an accepted observe carries observe 0 for the core
  const res = decodeResponse({ result: 205, token: '7', fields: new Map<number, unknown>([[19, 0], [7, Buffer.from('21')]]) }, 'observe');
  assert.deepEqual([res.code, res.contentFormat, res.observe, Buffer.from(res.payload).toString()], ['2.05', 0, 0, '21']);
});

void test('the broker rule: own endpoint topic only, the gateway everywhere there, other topics left to the broker', () => {
  const rule = bindingTopicRule('tenant', { username: 'gw', password: 'secret' });
  const a = { clientId: 'x', username: 'dev-a', gateway: false };
  const gw = { clientId: 'g', username: 'gw', gateway: true };
  assert.equal(rule.admits('gw', Buffer.from('secret')), true);
  assert.equal(rule.admits('gw', Buffer.from('wrong')), false);
  assert.equal(rule.mayPublish(a, 'tenant/lwm2m/rd/dev-a'), true);
  assert.equal(rule.mayPublish(a, 'tenant/lwm2m/rd/dev-b'), false);
  assert.equal(rule.mayPublish(a, 'tenant/lwm2m/bs/dev-a'), true);
  assert.equal(rule.mayPublish(a, 'tenant/lwm2m/rd/dev-a/extra'), undefined); // no binding topic
  assert.equal(rule.mayPublish(a, 'devices/dev-b/x'), undefined);
  assert.equal(rule.mayPublish(gw, 'tenant/lwm2m/rd/dev-b'), true);
  assert.equal(rule.maySubscribe(a, 'tenant/lwm2m/rd/+'), false);
  assert.equal(rule.maySubscribe(a, 'tenant/lwm2m/rd/dev-a'), true);
  assert.equal(rule.maySubscribe(a, '#'), undefined);
  assert.equal(rule.maySubscribe(gw, 'tenant/lwm2m/rd/+'), true);
  assert.equal(rule.mayReceive(a, 'tenant/lwm2m/rd/dev-b'), false);
  // a verified certificate's CN comes before a login name
  assert.equal(rule.mayPublish({ clientId: 'x', username: 'dev-a', certificateCn: 'dev-d', gateway: false }, 'tenant/lwm2m/rd/dev-a'), false);
  assert.equal(rule.mayPublish({ clientId: 'x', username: 'dev-a', certificateCn: 'dev-d', gateway: false }, 'tenant/lwm2m/rd/dev-d'), true);
  // without a login name, the client id is the identity
  assert.equal(rule.mayPublish({ clientId: 'dev-c', username: undefined, gateway: false }, 'tenant/lwm2m/rd/dev-c'), true);
});
