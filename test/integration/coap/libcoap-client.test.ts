/**
 * libcoap's command-line client (coap-client-notls) against the transport's listener:
 * a POST with payload and query, Block1 uploads, Block2 downloads, NON requests and
 * options the listener must refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingHandler, startTransport } from './helpers.js';

const CLIENT = '/usr/bin/coap-client-notls';
const skip = !existsSync(CLIENT);

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

function client(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(CLIENT, ['-B', '5', ...args], { timeout: 10_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : err ? null : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

/** The response line that -v 6 logs, e.g. "v:1 t:ACK c:2.01 i:c3bd {01} [ Location-Path:rd ]". */
function responseLine(run: Run): string {
  const lines = (run.stdout + run.stderr).split('\n').filter((l) => /^v:1 t:(ACK|CON|NON) c:[2-5]\./.test(l));
  assert.ok(lines.length > 0, `no response logged:\n${run.stdout}\n${run.stderr}`);
  return lines[lines.length - 1]!;
}

void test('POST with payload, Content-Format and query: 2.01 with Location-Path', { skip }, async () => {
  const h = new RecordingHandler();
  h.onRequest = () => ({ code: '2.01', location: ['rd', 'L7'] });
  const { transport, port } = await startTransport(h);
  try {
    const run = await client(['-v', '6', '-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `coap://127.0.0.1:${port}/rd?ep=libcoap&lt=120&lwm2m=1.1`]);
    const line = responseLine(run);
    assert.match(line, /t:ACK c:2\.01 .*Location-Path:rd, Location-Path:L7/);
    assert.equal(h.requests.length, 1);
    const r = h.requests[0]!.request;
    assert.equal(r.method, 'POST');
    assert.deepEqual(r.uriPath, ['rd']);
    assert.deepEqual(r.uriQuery, ['ep=libcoap', 'lt=120', 'lwm2m=1.1']);
    assert.equal(r.contentFormat, 40);
    assert.equal(Buffer.from(r.payload).toString(), '</1/0>,</3/0>');
  } finally {
    await transport.stop();
  }
});

void test('a NON POST gets a NON answer', { skip }, async () => {
  const h = new RecordingHandler();
  h.onRequest = () => ({ code: '2.04' });
  const { transport, port } = await startTransport(h);
  try {
    const run = await client(['-v', '6', '-N', '-m', 'post', '-e', 'x', `coap://127.0.0.1:${port}/dp`]);
    assert.match(responseLine(run), /t:NON c:2\.04/);
    assert.equal(h.requests.length, 1);
  } finally {
    await transport.stop();
  }
});

void test('a 5000-byte upload with -b 64 arrives whole (Block1), once', { skip }, async () => {
  const h = new RecordingHandler();
  h.onRequest = () => ({ code: '2.04' });
  const { transport, port } = await startTransport(h);
  const dir = mkdtempSync(join(tmpdir(), 'coap-b1-'));
  try {
    const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37 + 11) & 0xff));
    const file = join(dir, 'body.bin');
    writeFileSync(file, body);
    const run = await client(['-v', '7', '-m', 'post', '-b', '64', '-t', '112', '-f', file, `coap://127.0.0.1:${port}/dp?x=1`]);
    assert.match(responseLine(run), /c:2\.04/);
    assert.match(run.stdout + run.stderr, /c:2\.31/, 'intermediate blocks were continued');
    assert.equal(h.requests.length, 1);
    assert.deepEqual(Buffer.from(h.requests[0]!.request.payload), body);
    assert.deepEqual(h.requests[0]!.request.uriQuery, ['x=1']);
    assert.equal(h.requests[0]!.request.contentFormat, 112);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await transport.stop();
  }
});

void test('a 3000-byte answer is downloaded whole (Block2)', { skip }, async () => {
  const h = new RecordingHandler();
  const body = Buffer.from(Array.from({ length: 3000 }, (_, i) => 65 + (i % 26)));
  h.onRequest = () => ({ code: '2.05', contentFormat: 0, payload: body });
  const { transport, port } = await startTransport(h);
  const dir = mkdtempSync(join(tmpdir(), 'coap-b2-'));
  try {
    const out = join(dir, 'out.bin');
    const run = await client(['-o', out, `coap://127.0.0.1:${port}/big`]);
    assert.equal(run.code, 0);
    assert.deepEqual(readFileSync(out), body);
    assert.equal(h.requests.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await transport.stop();
  }
});

void test('an unknown critical option or an Accept of bad length gets 4.02 and never reaches the core', { skip }, async () => {
  const h = new RecordingHandler();
  const { transport, port } = await startTransport(h);
  try {
    const unknown = await client(['-v', '6', '-O', '2051,0x01', `coap://127.0.0.1:${port}/x`]);
    assert.match(responseLine(unknown), /t:ACK c:4\.02/);
    const badAccept = await client(['-v', '6', '-O', '17,0x000001', `coap://127.0.0.1:${port}/x`]);
    assert.match(responseLine(badAccept), /t:ACK c:4\.02/);
    const elective = await client(['-v', '6', '-O', '2050,0x01', `coap://127.0.0.1:${port}/x`]);
    assert.match(responseLine(elective), /c:2\.04/);
    assert.equal(h.requests.length, 1);
  } finally {
    await transport.stop();
  }
});
