/** Topic filter matching and the handler table the links share (pure, no sockets). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionTable, isValidFilter, topicMatches } from '../../../src/northbound/mqtt/link-subscriptions.js';
import { createLogger, silentLogger } from '../../../src/log.js';

test('topic filters: exact levels, + for one level, # for the rest', () => {
  const yes: [string, string][] = [
    ['a/b', 'a/b'],
    ['a/+', 'a/b'],
    ['+/+', 'a/b'],
    ['a/#', 'a'],
    ['a/#', 'a/b/c'],
    ['#', 'a/b'],
    ['+', 'a'],
    ['a/+/c', 'a//c'],
    ['/+', '/x'],
    ['$SYS/#', '$SYS/broker/uptime'],
  ];
  const no: [string, string][] = [
    ['a/b', 'a/c'],
    ['a/+', 'a/b/c'],
    ['a/+', 'a'],
    ['a/b', 'a/b/c'],
    ['a/b/c', 'a/b'],
    ['#', '$SYS/broker'],
    ['+/broker', '$SYS/broker'],
  ];
  for (const [f, t] of yes) assert.equal(topicMatches(f, t), true, `${f} matches ${t}`);
  for (const [f, t] of no) assert.equal(topicMatches(f, t), false, `${f} does not match ${t}`);
});

test('filter validity', () => {
  for (const f of ['a', 'a/b', '#', 'a/#', '+', 'a/+/c', '+/#']) assert.equal(isValidFilter(f), true, f);
  for (const f of ['', 'a/#/b', 'a#', 'a/b+', '#/a', 'a\u0000b']) assert.equal(isValidFilter(f), false, f);
});

test('the table asks for a filter once and releases it with its last handler', () => {
  const t = new SubscriptionTable(silentLogger);
  const h1 = (): void => undefined;
  const h2 = (): void => undefined;
  assert.equal(t.add('a/#', h1), true);
  assert.equal(t.add('a/#', h2), false);
  assert.deepEqual(t.filters(), ['a/#']);
  assert.equal(t.remove('a/#', h1), false);
  assert.equal(t.remove('a/#', h1), false, 'removing twice does nothing');
  assert.equal(t.remove('a/#', h2), true);
  assert.deepEqual(t.filters(), []);
});

test('deliver calls each matching handler once; a throwing handler is logged and does not stop the others', () => {
  const lines: string[] = [];
  const t = new SubscriptionTable(createLogger('debug', (l) => lines.push(l)));
  const got: string[] = [];
  const shared = (topic: string): void => void got.push(`shared ${topic}`);
  t.add('a/+', shared);
  t.add('a/#', shared);
  t.add('a/#', () => {
    throw new Error('boom');
  });
  t.add('a/b', (topic, payload) => void got.push(`exact ${topic} ${payload.toString()}`));
  t.add('x/#', () => void got.push('never'));
  t.deliver('a/b', Buffer.from('v'));
  assert.deepEqual(got.sort(), ['exact a/b v', 'shared a/b']);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /ERROR.*handler threw.*boom/);
  got.length = 0;
  t.deliverTo('a/+', 'a/b', Buffer.from('v'));
  assert.deepEqual(got, ['shared a/b']);
});
