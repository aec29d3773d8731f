/**
 * TLS at the gateway level: a config file naming PEM files relative to itself turns on
 * the broker's mqtts and wss listeners and HTTPS for the REST API; the exposure rules of
 * the plain listeners hold for them; a missing or unreadable file is one line naming its key.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { basename, join } from 'node:path';
import mqtt from 'mqtt';
import { loadConfig } from '../../../src/config/load.js';
import { Gateway, StartError } from '../../../src/gateway.js';
import { healthcheckCommand } from '../../../src/healthcheck-command.js';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';

const pki = noOpensslCli ? undefined : new TestPki();
after(() => pki?.remove());
const skip = noOpensslCli;

function writeConfig(name: string, yaml: string): string {
  const file = join(pki!.dir, name);
  writeFileSync(file, yaml);
  return file;
}

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const base = `coap: { port: 0, address: 127.0.0.1 }
store: { type: memory }
mappings: { dir: null, watch: false }
log: { level: silent }
`;

test('PEM files relative to the config file: mqtts, wss and HTTPS answer clients that trust the CA; plain HTTP does not', { skip }, async () => {
  const issued = pki!.issue('gw', 'localhost');
  const file = writeConfig(
    'tls-gateway.yaml',
    `${base}mqtt:
  embedded: { port: 0, tls: { port: 0, wssPort: 0, cert: ${basename(issued.cert)}, key: ${basename(issued.key)} } }
rest: { port: 0, tls: { cert: ${basename(issued.cert)}, key: ${basename(issued.key)} } }
`,
  );
  const loaded = loadConfig(file, {});
  assert.equal(loaded.config.mqtt.embedded.tls.cert, issued.cert);
  const gateway = new Gateway(loaded.config, { configFile: file });
  await gateway.start();
  const ca = readFileSync(pki!.caFile);
  try {
    const { rest, mqtts, mqttWss } = gateway.ports;
    assert.ok(typeof mqtts === 'number' && mqtts > 0 && typeof mqttWss === 'number' && mqttWss > 0);
    const health = await httpsGet(`https://127.0.0.1:${rest}/healthz`, ca);
    assert.equal(health.status, 200);
    await assert.rejects(fetch(`http://127.0.0.1:${rest}/healthz`));
    for (const url of [`mqtts://127.0.0.1:${mqtts}`, `wss://127.0.0.1:${mqttWss}/mqtt`]) {
      const client = await mqtt.connectAsync(url, { ca, reconnectPeriod: 0 });
      await client.endAsync();
    }
    // the container's healthcheck asks /readyz over HTTPS when rest.tls is set
    loaded.config.rest.port = rest!;
    assert.equal(await healthcheckCommand(loaded), 0);
  } finally {
    await gateway.stop();
  }
});

test('a TLS listener follows the exposure rules: no logins and a public host is refused as for plain MQTT', { skip }, async () => {
  const issued = pki!.issue('gw-open', 'localhost');
  const file = writeConfig(
    'tls-open.yaml',
    `${base}mqtt:
  embedded: { port: 0, host: 0.0.0.0, tls: { port: 0, cert: ${issued.cert}, key: ${issued.key} } }
rest: { enabled: false }
`,
  );
  const gateway = new Gateway(loadConfig(file, {}).config, { configFile: file });
  try {
    await assert.rejects(gateway.start(), (e: Error) => {
      assert.ok(e instanceof StartError);
      assert.match(e.message, /^mqtt\.embedded\.host is 0\.0\.0\.0 but no mqtt\.embedded\.users .* are configured/);
      return true;
    });
  } finally {
    await gateway.stop();
  }
});

test('half a TLS pair or an unreadable file stops the start with one line naming the key', { skip }, async () => {
  const issued = pki!.issue('gw-half', 'localhost');
  const cases: [string, RegExp][] = [
    [`mqtt: { embedded: { port: 0, tls: { port: 0, cert: ${issued.cert} } } }\nrest: { enabled: false }`, /^mqtt\.embedded\.tls\.cert is set but mqtt\.embedded\.tls\.key is not/],
    [`mqtt: { enabled: false }\nrest: { port: 0, tls: { cert: missing.pem, key: ${issued.key} } }`, /^rest\.tls\.cert: cannot read .*missing\.pem \(ENOENT\)$/],
    [`mqtt: { embedded: { port: 0, tls: { port: 0, cert: ${issued.cert}, key: ${issued.key}, ca: tls-half.yaml } } }\nrest: { enabled: false }`, /^mqtt\.embedded\.tls\.ca: .* is not a PEM file$/],
  ];
  for (const [yaml, expected] of cases) {
    const file = writeConfig('tls-half.yaml', `${base}${yaml}\n`);
    const gateway = new Gateway(loadConfig(file, {}).config, { configFile: file });
    try {
      await assert.rejects(gateway.start(), (e: Error) => {
        assert.ok(e instanceof StartError, String(e));
        assert.match(e.message, expected);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    } finally {
      await gateway.stop();
    }
  }
});
