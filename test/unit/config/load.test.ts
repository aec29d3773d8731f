import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, ConfigError, envOverrides } from '../../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';

function withFile(text: string, fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'gwcfg-'));
  try {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, text);
    fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('the shipped config/gateway.yaml loads and equals the defaults but for oneM2M on, with the mappings and data folders next to config/', () => {
  const { config } = loadConfig('config/gateway.yaml', {});
  assert.equal(config.mappings.dir, resolve('mappings'));
  assert.equal(config.data.dir, resolve('data'));
  // npm start offers a oneM2M surface with no other server (the embedded CSE on loopback)
  assert.equal(config.onem2m.enabled, true);
  assert.equal(config.onem2m.cse.url, null);
  const onem2m = { ...config.onem2m, enabled: DEFAULT_CONFIG.onem2m.enabled };
  assert.deepEqual({ ...config, mappings: DEFAULT_CONFIG.mappings, data: DEFAULT_CONFIG.data, onem2m }, DEFAULT_CONFIG);
});

void test('no file gives the defaults, paths relative to the working directory', () => {
  const { config } = loadConfig(undefined, {});
  assert.equal(config.mappings.dir, resolve('mappings'));
  assert.equal(config.data.dir, resolve('data'));
  assert.deepEqual({ ...config, mappings: DEFAULT_CONFIG.mappings, data: DEFAULT_CONFIG.data }, DEFAULT_CONFIG);
  assert.equal(DEFAULT_CONFIG.mappings.dir, 'mappings', 'the defaults themselves are never changed');
});

void test('paths in a file are relative to the file, defaults and environment values to the working directory', () => {
  withFile('models:\n  dir: vendor\nmqtt:\n  external:\n    tls:\n      ca: certs/ca.pem\n', (f) => {
    const base = dirname(resolve(f));
    const a = loadConfig(f, {}).config;
    assert.equal(a.models.dir, join(base, 'vendor'));
    assert.equal(a.mqtt.external.tls.ca, join(base, 'certs/ca.pem'));
    assert.equal(a.mappings.dir, resolve('mappings'));
    const b = loadConfig(f, { LWM2MGW_MAPPINGS__DIR: 'elsewhere' }).config;
    assert.equal(b.mappings.dir, resolve('elsewhere'));
  });
});

void test('a partial file is merged over the defaults', () => {
  withFile('coap:\n  port: 5690\n', (f) => {
    const { config } = loadConfig(f, {});
    assert.equal(config.coap.port, 5690);
    assert.equal(config.coap.address, '::');
    assert.equal(config.lwm2m.lifetime.default, 86400);
  });
});

void test('an unknown key is named with file, line and column', () => {
  withFile('coap:\n  port: 5683\n  prot: 1\n', (f) => {
    assert.throws(() => loadConfig(f, {}), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /gateway\.yaml:3:3: coap\.prot: unknown key/);
      return true;
    });
  });
});

void test('a wrong type names the key and its line', () => {
  withFile('log:\n  level: info\ncoap:\n  port: "abc"\n', (f) => {
    assert.throws(() => loadConfig(f, {}), /gateway\.yaml:4:9: coap\.port: must be integer/);
  });
});

void test('a YAML syntax error gives file:line:col', () => {
  withFile('coap:\n  port: [1, 2\n', (f) => {
    assert.throws(() => loadConfig(f, {}), /gateway\.yaml:\d+:\d+: YAML error/);
  });
});

void test('YAML aliases: 150 uses of one anchor load, an alias bomb is a ConfigError', () => {
  const origins = ['    - &o "https://a.example"', ...Array<string>(150).fill('    - *o')].join('\n');
  withFile(`rest:\n  corsOrigins:\n${origins}\n`, (f) => {
    assert.equal(loadConfig(f, {}).config.rest.corsOrigins.length, 151);
  });
  const levels = 'abcdefghi'.split('');
  const bomb = [`a: &a ["x","x","x","x","x","x","x","x","x"]`, ...levels.slice(1).map((l, i) => `${l}: &${l} [${Array(9).fill(`*${levels[i]}`).join(',')}]`)];
  withFile(bomb.join('\n') + '\n', (f) => {
    assert.throws(() => loadConfig(f, {}), (e: unknown) => e instanceof ConfigError && /gateway\.yaml:1:1: YAML error: Excessive alias count/.test(e.message));
  });
});

void test('inconsistent lifetimes are refused', () => {
  withFile('lwm2m:\n  lifetime:\n    min: 100\n    max: 50\n', (f) => {
    assert.throws(() => loadConfig(f, {}), /lwm2m\.lifetime: need min <= default <= max/);
  });
});

void test('environment variables override keys, case-insensitively', () => {
  const { overrides, keys } = envOverrides({ LWM2MGW_COAP__PORT: '5999', LWM2MGW_LWM2M__QUEUE__MAXPERDEVICE: '7', OTHER: 'x' });
  assert.deepEqual(overrides, { coap: { port: 5999 }, lwm2m: { queue: { maxPerDevice: 7 } } });
  assert.deepEqual(keys.sort(), ['coap.port', 'lwm2m.queue.maxPerDevice']);
  const { config } = loadConfig(undefined, { LWM2MGW_COAP__PORT: '5999' });
  assert.equal(config.coap.port, 5999);
});

void test('lists and mappings come from the environment as JSON', () => {
  const { config } = loadConfig(undefined, {
    LWM2MGW_REST__TOKENS: '[{"token":"a-long-enough-token","scope":"read"}]',
    LWM2MGW_DTLS__CIPHERSUITES: '["TLS_PSK_WITH_AES_128_CCM_8"]',
    LWM2MGW_REST__METRICS: '{"enabled":false,"token":null}',
  });
  assert.deepEqual(config.rest.tokens, [{ token: 'a-long-enough-token', scope: 'read' }]);
  assert.deepEqual(config.dtls.cipherSuites, ['TLS_PSK_WITH_AES_128_CCM_8']);
  assert.deepEqual(config.rest.metrics, { enabled: false, token: null });
  assert.throws(() => loadConfig(undefined, { LWM2MGW_REST__TOKENS: '[not json' }), /LWM2MGW_REST__TOKENS: rest\.tokens: must be array/);
});

void test('a bad environment value is refused naming the variable', () => {
  assert.throws(() => loadConfig(undefined, { LWM2MGW_COAP__PORT: 'abc' }), /LWM2MGW_COAP__PORT: coap\.port: must be integer/);
});

void test('models.dir is resolved against the config file folder', () => {
  withFile('models:\n  dir: ./vendor\n', (f) => {
    const { config, baseDir } = loadConfig(f, {});
    assert.equal(config.models.dir, join(baseDir, 'vendor'));
  });
});

void test('a missing config file is a clear error', () => {
  assert.throws(() => loadConfig('/nonexistent/gw.yaml', {}), /\/nonexistent\/gw\.yaml: cannot read config file \(ENOENT\)/);
});
