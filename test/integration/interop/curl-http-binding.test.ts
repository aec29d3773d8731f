/**
 * The HTTP binding's profile with curl as the device's HTTP stack (HTTPS, a client
 * certificate): Register, a Read fetched by long poll and answered, Send, De-register,
 * all as curl command lines a device integrator would write.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startGateway } from './gateway-fixture.js';
import { TestPki, noOpensslCli } from '../../helpers/test-pki.js';
import type { Issued } from '../../helpers/test-pki.js';

const CURL = '/usr/bin/curl';
const skip = (!existsSync(CURL) && 'curl is not installed') || noOpensslCli;

let pki: TestPki;
let server: Issued;
let device: Issued;
before(() => {
  if (skip) return;
  pki = new TestPki();
  server = pki.issue('server', 'localhost');
  device = pki.issue('curl-dev', 'curl-dev');
});
after(() => pki?.remove());

interface CurlReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** curl -i with the device's certificate; the status line, headers (lower-cased) and body. */
function curl(args: string[]): Promise<CurlReply> {
  const base = ['-s', '-i', '--cacert', pki.caFile, '--cert', device.cert, '--key', device.key];
  return new Promise((resolve, reject) => {
    execFile(CURL, [...base, ...args], { encoding: 'latin1' }, (err, stdout) => {
      if (err) return reject(err);
      const split = stdout.indexOf('\r\n\r\n');
      const head = stdout.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(head[0]!.split(' ')[1]), headers, body: stdout.slice(split + 4) });
    });
  });
}

void test('curl as the device: register, a read by long poll, send, de-register over HTTPS with a client certificate', { skip }, async () => {
  const g = await startGateway((c) => {
    c.http = { ...c.http, enabled: true, port: 0, address: '127.0.0.1', tls: { cert: server.cert, key: server.key, ca: pki.caFile } };
  });
  assert.ok(g.gateway.server.credentials.put({ endpoint: 'curl-dev', mode: 'x509' }).ok);
  const port = g.gateway.ports['http'] as number;
  const url = `https://127.0.0.1:${port}`;
  try {
    const reg = await curl(['-X', 'POST', '-H', 'Content-Type: application/link-format', '--data-binary', '</3/0>,</3303/0>', `${url}/rd?ep=curl-dev&lt=300&lwm2m=1.2&b=H`]);
    assert.equal(reg.status, 201);
    const location = reg.headers['location'];
    assert.match(location ?? '', /^\/rd\//);

    const read = g.gateway.server.read('curl-dev', '/3/0/0', { format: 0 });
    const poll = await curl([`${url}/dm?wait=5`]);
    assert.equal(poll.status, 200);
    assert.equal(poll.headers['lwm2m-path'], '/3/0/0');
    const token = poll.headers['lwm2m-token']!;
    const answer = await curl(['-X', 'POST', '-H', 'Lwm2m-Status: 205', '-H', 'Content-Type: text/plain', '--data-binary', 'Curl Inc', `${url}/dm/${token}`]);
    assert.equal(answer.status, 204);
    assert.ok(JSON.stringify((await read).node).includes('Curl Inc'));

    const sent = await curl(['-X', 'POST', '-H', 'Content-Type: application/senml+json', '--data-binary', '[{"n":"/3303/0/5700","v":19.5}]', `${url}/dp`]);
    assert.equal(sent.status, 204);
    assert.equal((await curl(['-X', 'DELETE', `${url}${location}`])).status, 204);
    assert.equal(g.gateway.server.getRegistration('curl-dev'), undefined);
  } finally {
    await g.stop();
  }
});
