import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, escapeLogText } from '../../src/log.js';
import type { LogFormat } from '../../src/log.js';

function capture(format: LogFormat = 'text'): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (l) => lines.push(l), format) };
}

/** Every character a device could use to end a line or steer a terminal. */
const HOSTILE = ['\n', '\r', '\u001b', '\u0000', '\u0007', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029', '\ud800'];
// eslint-disable-next-line no-control-regex -- control characters are what the test looks for
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

void test('text: a field with a newline and ESC stays on one line without raw control characters', () => {
  const { lines, log } = capture();
  log.warn('lwm2m: register refused', { endpoint: 'evil\n2026-01-01T00:00:00.000Z INFO  forged\u001b[31m', peer: 'udp:1.2.3.4:5' });
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  assert.ok(!line.includes('\n'), line);
  assert.ok(!line.includes('\u001b'), line);
  assert.match(line, /endpoint="evil\\n2026-01-01T00:00:00\.000Z INFO {2}forged\\u001b\[31m"/);
  assert.match(line, / peer=udp:1\.2\.3\.4:5$/);
});

void test('text: every control character, U+2028/U+2029 and lone surrogates are escaped in messages, keys and values', () => {
  const { lines, log } = capture();
  for (const c of HOSTILE) {
    log.info(`msg ${c} end`, { [`k${c}`]: `v${c}`, plain: `x${c}y`, nested: { s: `n${c}` }, list: [`a${c}`] });
  }
  assert.equal(lines.length, HOSTILE.length);
  for (const line of lines) assert.ok(!RAW.test(line), JSON.stringify(line));
  assert.match(lines[2]!, /INFO {2}msg \\u001b end k\\u001b="v\\u001b" plain="x\\u001by" nested=\{"s":"n\\u001b"\} list=\["a\\u001b"\]/);
});

void test('text: ordinary values keep their plain form, backslashes and quotes cannot fake an escape', () => {
  const { lines, log } = capture();
  log.info('registered', { endpoint: 'dev-1', lifetime: 300, from: '127.0.0.1:5683', note: 'two words', q: 'a"b', bs: 'a\\nb', empty: '' });
  assert.match(lines[0]!, /INFO {2}registered endpoint=dev-1 lifetime=300 from=127\.0\.0\.1:5683 note="two words" q="a\\"b" bs="a\\\\nb" empty=""$/);
  assert.equal(escapeLogText('a\\n'), 'a\\\\n');
  assert.equal(escapeLogText('ok \u00e9 \u2603 \ud83d\ude00'), 'ok \u00e9 \u2603 \ud83d\ude00', 'printable non-ASCII text is kept');
});

void test('text and json: values JSON cannot write (bigint, cycles) do not throw', () => {
  for (const format of ['text', 'json'] as const) {
    const { lines, log } = capture(format);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.error('odd values', { big: 10n, cyclic, fn: () => 1 });
    assert.equal(lines.length, 1);
  }
});

void test('json: one object per line with time, level, msg and the fields; hostile text round-trips', () => {
  const { lines, log } = capture('json');
  const nasty = 'evil\nname\u001b[2J\u0000\u0085\u2028';
  log.warn(`refused ${nasty}`, { endpoint: nasty, count: 3, time: 'device-said', nested: { a: [1, nasty] } });
  log.debug('plain');
  assert.equal(lines.length, 2);
  for (const line of lines) assert.ok(!RAW.test(line), JSON.stringify(line));
  const o = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.match(String(o.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(o.level, 'warn');
  assert.equal(o.msg, `refused ${nasty}`);
  assert.equal(o.endpoint, nasty);
  assert.equal(o.count, 3);
  assert.equal(o._time, 'device-said', 'a field named like a fixed key is kept under _<name>');
  assert.deepEqual(o.nested, { a: [1, nasty] });
  assert.deepEqual(JSON.parse(lines[1]!), { time: (JSON.parse(lines[1]!) as { time: string }).time, level: 'debug', msg: 'plain' });
});

void test('levels below the minimum write nothing, in either format', () => {
  for (const format of ['text', 'json'] as const) {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l), format);
    log.debug('no');
    log.info('no');
    log.warn('yes');
    log.error('yes');
    assert.equal(lines.length, 2);
  }
});
