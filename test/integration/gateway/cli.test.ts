/**
 * The command line as users run it: start on a config file, stop on SIGTERM, refuse a
 * taken port or a broken config with one clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempConfig } from '../../helpers/cli-run.js';

const run = runCli;

void test('starts on a config file, then stops cleanly on SIGTERM', async () => {
  const cfg = tempConfig(
    'coap:\n  port: 0\n  address: 127.0.0.1\nmqtt:\n  embedded:\n    port: 0\n    host: 127.0.0.1\n' +
      'rest:\n  port: 0\n  host: 127.0.0.1\nmappings:\n  dir: null\nlog:\n  level: info\n',
  );
  try {
    let sent = false;
    const exit = await run(['--config', cfg.file], (text, kill) => {
      if (!sent && /REST API listening .*port=\d+/.test(text)) {
        sent = true;
        kill('SIGTERM');
      }
    });
    assert.ok(sent, exit.stderr);
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stderr, /LwM2M server listening .*port=\d+/);
    assert.match(exit.stderr, /mqtt northbound started/);
    assert.match(exit.stderr, /stopping signal=SIGTERM/);
  } finally {
    cfg.done();
  }
});

void test('a taken UDP port is reported in one line naming coap.port', async () => {
  const blocker = createSocket('udp4');
  await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
  const port = blocker.address().port;
  const cfg = tempConfig(`coap:\n  port: ${port}\n  address: 127.0.0.1\n`);
  try {
    const exit = await run(['--config', cfg.file]);
    assert.equal(exit.code, 1);
    const lines = exit.stderr.trim().split('\n').filter((l) => !/ (INFO|WARN) /.test(l));
    assert.equal(lines.length, 1, exit.stderr);
    assert.match(lines[0]!, new RegExp(`port ${port} is already in use.*coap\\.port`));
  } finally {
    cfg.done();
    blocker.close();
  }
});

void test('a taken MQTT port is reported in one line naming mqtt.embedded.port', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const cfg = tempConfig(`coap:\n  port: 0\n  address: 127.0.0.1\nmqtt:\n  embedded:\n    port: ${port}\n    host: 127.0.0.1\nmappings:\n  dir: null\n`);
  try {
    const exit = await run(['--config', cfg.file]);
    assert.equal(exit.code, 1);
    const lines = exit.stderr.trim().split('\n').filter((l) => !/ (INFO|WARN) /.test(l));
    assert.equal(lines.length, 1, exit.stderr);
    assert.match(lines[0]!, new RegExp(`port ${port} is already in use.*mqtt\\.embedded\\.port`));
  } finally {
    cfg.done();
    blocker.close();
  }
});

void test('a broken mapping file stops the start with file, line and field', async () => {
  const cfg = tempConfig('coap:\n  port: 0\n  address: 127.0.0.1\nmqtt:\n  enabled: false\nrest:\n  enabled: false\nmappings:\n  dir: maps\n');
  const dir = join(cfg.file, '..', 'maps');
  mkdirSync(dir);
  writeFileSync(join(dir, 'bad.yaml'), 'targets:\n  - object: 3303\n    observe:\n      resources: [99999]\n');
  try {
    const exit = await run(['--config', cfg.file]);
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /bad\.yaml:4:\d+: targets\[0\]\.observe\.resources/);
    assert.doesNotMatch(exit.stderr, /listening/);
  } finally {
    cfg.done();
  }
});

void test('a broken config names file, line and key, and the gateway does not start', async () => {
  const cfg = tempConfig('coap:\n  port: 70000\n');
  try {
    const exit = await run(['--config', cfg.file]);
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /gateway\.yaml:2:\d+: coap\.port/);
    assert.doesNotMatch(exit.stderr, /listening/);
  } finally {
    cfg.done();
  }
});

void test('unknown options print the usage and exit 2', async () => {
  const exit = await run(['--no-such-option']);
  assert.equal(exit.code, 2);
  assert.match(exit.stderr, /usage: lwm2m-gateway/);
});
