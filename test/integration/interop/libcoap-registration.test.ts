/**
 * libcoap's command-line client (coap-client-notls) as an LwM2M client of the whole
 * gateway: Register, Update, De-register, and malformed registrations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startGateway, nextEvent } from './gateway-fixture.js';

const CLIENT = '/usr/bin/coap-client-notls';
const skip = !existsSync(CLIENT) && 'coap-client-notls (Debian libcoap3-bin) is not installed';

interface Response {
  code: string;
  location: string[];
}

/** Runs the client with -v 6 and returns the last response it logged. */
function coap(args: string[]): Promise<Response> {
  return new Promise((resolve, reject) => {
    execFile(CLIENT, ['-B', '5', '-v', '6', ...args], { timeout: 10_000, encoding: 'utf8' }, (_err, stdout, stderr) => {
      const out = stdout + stderr;
      const lines = out.split('\n').filter((l) => /^v:1 t:(ACK|CON|NON) c:[2-5]\.\d\d/.test(l));
      const line = lines[lines.length - 1];
      if (!line) return reject(new Error(`no response logged:\n${out}`));
      const code = /c:([2-5]\.\d\d)/.exec(line)![1]!;
      const location = [...line.matchAll(/Location-Path:([^,\s\]]+)/g)].map((m) => m[1]!);
      resolve({ code, location });
    });
  });
}

void test('register, update, de-register with coap-client-notls', { skip }, async () => {
  const { gateway, port, stop } = await startGateway();
  try {
    const base = `coap://127.0.0.1:${port}`;
    const registered = nextEvent(gateway, 'registered', 'libcoap-1');
    const reg = await coap(['-m', 'post', '-t', '40', '-e', '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>;ver=1.1', `${base}/rd?ep=libcoap-1&lt=300&lwm2m=1.1&b=U`]);
    assert.equal(reg.code, '2.01');
    assert.equal(reg.location[0], 'rd');
    const id = reg.location[1];
    assert.ok(id, 'Location-Path carries the registration id');
    const r = await registered;
    assert.equal(r.id, id);
    assert.equal(r.lifetime, 300);
    assert.equal(r.version, '1.1');
    assert.deepEqual([...r.objects.keys()].sort((a, b) => a - b), [1, 3, 3303]);
    assert.equal(r.objects.get(3303)?.version, '1.1');
    assert.deepEqual(r.contentFormats, [110]);
    assert.equal(gateway.server.getRegistration('libcoap-1')?.id, id);

    const updated = nextEvent(gateway, 'updated', 'libcoap-1');
    const up = await coap(['-m', 'post', `${base}/rd/${id}?lt=600`]);
    assert.equal(up.code, '2.04');
    assert.equal((await updated).lifetime, 600);

    const unknown = await coap(['-m', 'post', `${base}/rd/no-such-id`]);
    assert.equal(unknown.code, '4.04');

    const gone = nextEvent(gateway, 'deregistered', 'libcoap-1');
    const del = await coap(['-m', 'delete', `${base}/rd/${id}`]);
    assert.equal(del.code, '2.02');
    await gone;
    assert.equal(gateway.server.getRegistration('libcoap-1'), undefined);
    assert.equal((await coap(['-m', 'delete', `${base}/rd/${id}`])).code, '4.04');
  } finally {
    await stop();
  }
});

void test('malformed registrations get 4.xx and leave the gateway serving', { skip }, async () => {
  const { gateway, port, stop } = await startGateway();
  try {
    const base = `coap://127.0.0.1:${port}`;
    // no endpoint name
    assert.equal((await coap(['-m', 'post', '-t', '40', '-e', '</3/0>', `${base}/rd?lt=60&lwm2m=1.1`])).code, '4.00');
    // lifetime not a number
    assert.equal((await coap(['-m', 'post', '-t', '40', '-e', '</3/0>', `${base}/rd?ep=bad-lt&lt=soon&lwm2m=1.1`])).code, '4.00');
    // empty object list
    assert.equal((await coap(['-m', 'post', '-t', '40', '-e', '', `${base}/rd?ep=no-objects&lwm2m=1.1`])).code, '4.00');
    // payload that is not link-format
    assert.equal((await coap(['-m', 'post', '-t', '40', '-e', '<<<,>>', `${base}/rd?ep=garbage&lwm2m=1.1`])).code, '4.00');
    // wrong method on the registration interface
    const get = await coap(['-m', 'get', `${base}/rd`]);
    assert.match(get.code, /^4\.0[45]$/);
    // an unsupported LwM2M version
    assert.equal((await coap(['-m', 'post', '-t', '40', '-e', '</3/0>', `${base}/rd?ep=v9&lwm2m=9.0`])).code, '4.12');
    assert.equal(gateway.server.registrations().length, 0);

    // the gateway still registers a good client afterwards
    const ok = await coap(['-m', 'post', '-t', '40', '-e', '</3/0>', `${base}/rd?ep=good&lwm2m=1.0`]);
    assert.equal(ok.code, '2.01');
    assert.equal(gateway.server.getRegistration('good')?.version, '1.0');
  } finally {
    await stop();
  }
});
