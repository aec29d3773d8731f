/**
 * The embedded broker's topic rights, output topics and packet framing, without sockets:
 * pattern matching with %u/%c, patterns covering subscription filters, mapping templates as
 * filters, and the Remaining Length reader behind the maximum packet size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patternCoversFilter, patternMatchesTopic, patternProblem } from '../../../src/northbound/mqtt/broker-acl.js';
import { gatewayTopics, isGatewayOutput } from '../../../src/northbound/mqtt/output-topics.js';
import { PacketFraming } from '../../../src/northbound/mqtt/packet-size-guard.js';
import { checkPasswordHash, hashPassword, verifyPassword } from '../../../src/northbound/mqtt/password-hash.js';
import { topicTemplateFilter } from '../../../src/mapping/template.js';

const who = { username: 'alice', clientId: 'c1' };
const levels = (p: string): string[] => p.split('/');

test('patterns match topics, %u and %c as whole levels compared as text', () => {
  const cases: [string, string, boolean][] = [
    ['a/+/c', 'a/b/c', true],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', '$SYS/x', false],
    ['+/x', '$x/x', false],
    ['users/%u/#', 'users/alice/t', true],
    ['users/%u/#', 'users/bob/t', false],
    ['c/%c', 'c/c1', true],
    ['c/%c', 'c/c2', false],
  ];
  for (const [p, t, want] of cases) assert.equal(patternMatchesTopic(levels(p), t, who), want, `${p} ~ ${t}`);
  // a name that is no single topic level matches nothing
  for (const username of ['+', '#', 'a/b', '', undefined]) {
    assert.equal(patternMatchesTopic(levels('u/%u'), `u/${username ?? ''}`, { username, clientId: 'c' }), false, String(username));
    assert.equal(patternCoversFilter(levels('u/%u/#'), 'u/+/#', { username, clientId: 'c' }), false, String(username));
  }
});

test('a pattern grants a filter only when it covers every topic the filter matches', () => {
  const cases: [string, string, boolean][] = [
    ['a/#', 'a/+/b', true],
    ['a/#', 'a/#', true],
    ['a/#', 'a', true],
    ['a/+', 'a/x', true],
    ['a/+', 'a/+', true],
    ['a/+', 'a/#', false],
    ['a/x', 'a/+', false],
    ['#', '#', true],
    ['#', '$SYS/#', false],
    ['users/%u/#', 'users/alice/+', true],
    ['users/%u/#', 'users/+/x', false],
  ];
  for (const [p, f, want] of cases) assert.equal(patternCoversFilter(levels(p), f, who), want, `${p} covers ${f}`);
});

test('pattern problems are named', () => {
  assert.equal(patternProblem('a/+/#'), undefined);
  assert.equal(patternProblem('a/%u/%c'), undefined);
  assert.match(patternProblem('a/#/b') ?? '', /"#"/);
  assert.match(patternProblem('a/x+') ?? '', /"\+"/);
  assert.match(patternProblem('a/u-%u') ?? '', /%u/);
  assert.match(patternProblem('') ?? '', /empty/);
});

test('mapping topic templates as filters: a placeholder level is +, {path} opens the rest', () => {
  assert.equal(topicTemplateFilter('devices/{endpoint}/temperature/{instanceId}'), 'devices/+/temperature/+');
  assert.equal(topicTemplateFilter('devices/dev-{endpoint}/t'), 'devices/+/t');
  assert.equal(topicTemplateFilter('plain/topic'), 'plain/topic');
  assert.equal(topicTemplateFilter('d/{endpoint}{path}'), 'd/+/#');
  assert.equal(topicTemplateFilter('d/{path}/x'), 'd/+/#');
  assert.equal(topicTemplateFilter('{{x}}/{endpoint}'), '{x}/+');
  assert.equal(topicTemplateFilter('bad/#/{endpoint}'), undefined);
});

test('output topics: status, up/ and mapped outputs closed, inputs under them open', () => {
  const t = { ...gatewayTopics('gw'), outputs: [...gatewayTopics('gw').outputs, 'dev/+/+'], inputs: [...gatewayTopics('gw').inputs, 'dev/+/set'] };
  for (const topic of ['gw/ep/status', 'gw/$gateway/status', 'gw/ep/up/resp', 'gw/ep/up/notify/x', 'dev/ep/temp']) assert.equal(isGatewayOutput(t, topic), true, topic);
  for (const topic of ['gw/ep/dn/read', 'gw/ep/other', 'dev/ep/set', 'dev/ep/temp/x', 'gwx/ep/status']) assert.equal(isGatewayOutput(t, topic), false, topic);
});

test('packet framing: sizes from the Remaining Length, across chunk boundaries', () => {
  // two packets of 4 bytes (header, length 2, body 2) in odd chunks, limit 4: fine
  const ok = new PacketFraming(4);
  const bytes = Buffer.from([0x30, 0x02, 0xaa, 0xbb, 0xc0, 0x02, 0x01, 0x02]);
  for (const b of bytes) assert.equal(ok.feed(Buffer.from([b])), true);
  // one byte over
  assert.equal(new PacketFraming(4).feed(Buffer.from([0x30, 0x03])), false);
  // a 4-byte Remaining Length split over chunks: 200 MB
  const big = new PacketFraming(256 * 1024);
  assert.equal(big.feed(Buffer.from([0xc0, 0x02, 0x00, 0x00, 0x30, 0x80, 0x80])), true);
  assert.equal(big.feed(Buffer.from([0x80, 0x64])), false);
  assert.equal(big.feed(Buffer.from([0x00])), false, 'stays refused');
  // a fifth length byte is malformed
  assert.equal(new PacketFraming(1 << 30).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), false);
});

test('password hashes: scrypt made here, pbkdf2-sha512, refusals', async () => {
  const h = await hashPassword('pw');
  assert.equal(checkPasswordHash(h), undefined);
  assert.equal(await verifyPassword(Buffer.from('pw'), { passwordHash: h }), true);
  assert.equal(await verifyPassword(Buffer.from('pW'), { passwordHash: h }), false);
  assert.equal(await verifyPassword(undefined, { passwordHash: h }), false);
  assert.equal(await verifyPassword(Buffer.from('x'), { password: 'x' }), true);
  assert.equal(await verifyPassword(undefined, { password: '' }), false, 'no password is not an empty one');
  assert.match(checkPasswordHash('scrypt$1000$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==') ?? '', /power of two/);
  assert.match(checkPasswordHash('sha1$x') ?? '', /unknown/);
});
