/** The embedded broker's users and limits in the config file: accepted, and mistakes named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../../src/config/load.js';

function load(text: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'gwcfg-'));
  try {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, text);
    return loadConfig(file, {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('mqtt.embedded.users, maxPacketSize and maxConnections load', () => {
  const { config } = load(
    [
      'mqtt:',
      '  embedded:',
      '    maxPacketSize: 65536',
      '    maxConnections: null',
      '    users:',
      '      - username: app',
      '        passwordHash: "$7$101$GMM6TO95jIyhng/Y$jCgQ66MBzBSGGu0Oh4yOarsE2WuFYW0bkeZq5U/taHRCtRqdfLkq5Jaf0HgFSNQ/pJza+9D8hJG+GPnVhfgQvg=="',
      '        publish: ["lwm2m/+/dn/#"]',
      '        subscribe: ["lwm2m/#", "c/%c/#"]',
      '',
    ].join('\n'),
  );
  assert.equal(config.mqtt.embedded.maxPacketSize, 65536);
  assert.equal(config.mqtt.embedded.maxConnections, null);
  assert.deepEqual(config.mqtt.embedded.users.map((u) => [u.username, u.publish, u.subscribe]), [['app', ['lwm2m/+/dn/#'], ['lwm2m/#', 'c/%c/#']]]);
});

test('an unknown user key and a tiny packet size are refused with their key', () => {
  assert.throws(() => load('mqtt:\n  embedded:\n    users:\n      - username: a\n        pasword: x\n'), (e: Error) => e instanceof ConfigError && /users/.test(e.message));
  assert.throws(() => load('mqtt:\n  embedded:\n    maxPacketSize: 10\n'), (e: Error) => e instanceof ConfigError && /maxPacketSize/.test(e.message));
});
