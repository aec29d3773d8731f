import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { MAX_SECRET_BYTES } from '../../../src/config/secrets.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'gw-secrets-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('secret keys in the config file take file: references, relative to the config file', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'mqtt.pw'), 's3cret-pass\n');
    writeFileSync(join(dir, 'token'), 'abcdefghijklmnop-read-token\r\n');
    writeFileSync(join(dir, 'user.pw'), 'user-pass');
    const file = join(dir, 'gw.yaml');
    writeFileSync(
      file,
      [
        'mqtt:',
        '  external: { password: "file:mqtt.pw" }',
        '  embedded:',
        '    users: [{ username: dev, password: "file:user.pw" }]',
        'rest:',
        '  tokens: [{ token: "file:token", scope: read }]',
        '',
      ].join('\n'),
    );
    const { config } = loadConfig(file, {});
    assert.equal(config.mqtt.external.password, 's3cret-pass');
    assert.equal(config.rest.tokens[0]!.token, 'abcdefghijklmnop-read-token');
    assert.equal(config.mqtt.embedded.users[0]!.password, 'user-pass');
  });
});

test('a non-secret key keeps a value that starts with file: as it is', () => {
  withDir((dir) => {
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, 'mqtt:\n  external: { clientId: "file:x" }\n');
    assert.equal(loadConfig(file, {}).config.mqtt.external.clientId, 'file:x');
  });
});

test('an environment secret with the _FILE suffix reads the file', () => {
  withDir((dir) => {
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'from-env-file\n');
    const { config } = loadConfig(undefined, { LWM2MGW_MQTT__EXTERNAL__PASSWORD_FILE: pw });
    assert.equal(config.mqtt.external.password, 'from-env-file');
  });
});

test('a missing, empty or oversized secret file is a config error naming key and file, never the content', () => {
  withDir((dir) => {
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, 'mqtt:\n  external:\n    password: "file:nope.pw"\n');
    assert.throws(
      () => loadConfig(file, {}),
      (e: unknown) => e instanceof ConfigError && /gw\.yaml:3:\d+: mqtt\.external\.password: cannot read secret file .*nope\.pw \(ENOENT\)/.test(e.message),
    );
    writeFileSync(join(dir, 'empty.pw'), '');
    writeFileSync(file, 'mqtt:\n  external:\n    password: "file:empty.pw"\n');
    assert.throws(() => loadConfig(file, {}), /mqtt\.external\.password: secret file .*empty\.pw is empty/);
    const big = join(dir, 'big');
    writeFileSync(big, 'x'.repeat(MAX_SECRET_BYTES + 1));
    assert.throws(
      () => loadConfig(undefined, { LWM2MGW_MQTT__EXTERNAL__PASSWORD_FILE: big }),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith('environment: mqtt.external.password: secret file') && !e.message.includes('xxxx'),
    );
  });
});

test('_FILE on a key that is not a secret is not a file reference', () => {
  assert.throws(() => loadConfig(undefined, { LWM2MGW_COAP__PORT_FILE: '/etc/hostname' }), /coap\.port_file: unknown key/);
});
