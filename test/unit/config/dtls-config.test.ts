/** The `dtls` certificate keys: paths resolved against the config file, suites by name, a bad key file stops the start naming its key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../../src/config/schema.js';
import { Gateway, StartError } from '../../../src/gateway.js';

void test('dtls.certificate, .privateKey and .trustedCertificates are resolved against the config file; cipherSuites are names from the list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwcfg-dtls-'));
  try {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'dtls:\n  privateKey: keys/gw.key\n  certificate: keys/gw.pem\n  trustedCertificates: /etc/ca.pem\n  cipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8]\n');
    const { config } = loadConfig(file, {});
    assert.equal(config.dtls.privateKey, join(dir, 'keys/gw.key'));
    assert.equal(config.dtls.certificate, join(dir, 'keys/gw.pem'));
    assert.equal(config.dtls.trustedCertificates, '/etc/ca.pem');
    assert.deepEqual(config.dtls.cipherSuites, ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8']);
    assert.equal(DEFAULT_CONFIG.dtls.privateKey, null);
    assert.equal(DEFAULT_CONFIG.dtls.cipherSuites.length, 4);
    writeFileSync(file, 'dtls:\n  cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n');
    assert.throws(() => loadConfig(file, {}), (e: unknown) => e instanceof ConfigError && e.message.includes('dtls.cipherSuites'));
    writeFileSync(file, 'dtls:\n  cipherSuites: []\n');
    assert.throws(() => loadConfig(file, {}), ConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a private key file that is not a key, or ECDHE suites alone without a key, stop the start naming dtls.privateKey', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwcfg-dtls-'));
  const config = structuredClone(DEFAULT_CONFIG);
  config.store.type = 'memory'; // nothing of a test outlives it
  Object.assign(config.coap, { port: 0, address: '127.0.0.1' });
  Object.assign(config.dtls, { enabled: true, port: 0, address: '127.0.0.1', privateKey: join(dir, 'gw.key') });
  Object.assign(config, { mappings: { dir: null, watch: false } });
  config.mqtt.enabled = false;
  config.rest.enabled = false;
  writeFileSync(join(dir, 'gw.key'), 'not a key');
  const gateway = new Gateway(config);
  const ecdheOnly = structuredClone(config);
  Object.assign(ecdheOnly.dtls, { privateKey: null, cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] });
  const keyless = new Gateway(ecdheOnly);
  try {
    await assert.rejects(gateway.start(), (e: unknown) => e instanceof StartError && e.message.startsWith('dtls.privateKey: ') && !e.message.includes('\n'));
    await assert.rejects(keyless.start(), (e: unknown) => e instanceof StartError && e.message.includes('need dtls.privateKey'));
  } finally {
    await gateway.stop();
    await keyless.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
