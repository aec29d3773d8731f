/**
 * Client-initiated bootstrap over plain CoAP/UDP against the whole gateway, with a client
 * written from the specification: the sequence (Delete /0 and /1, Write of the Security,
 * Server and listed instances, Finish), each content format, the 4.15 fallback, the
 * Discover that picks the format and the Security instance id, Bootstrap-Pack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CF, cborDecode, resolveSenml } from '../../helpers/lwm2m-test-client-formats.js';
import { PSK_HEX, SERVER_CONFIG, startBootstrap } from './fixture.js';

const writes = (c: { received: { method: string; path: string; contentFormat?: number }[] }): string[] =>
  c.received.filter((r) => r.method === 'PUT').map((r) => `${r.path} ${r.contentFormat}`);

void test('TLV (no pct): Delete /0 and /1, the accounts and /24/0 written, Finish; the bootstrap account kept', async () => {
  const f = await startBootstrap();
  try {
    f.configure('dev1', SERVER_CONFIG);
    const c = await f.client({ endpoint: 'dev1' });
    const ended = f.ended('dev1');
    assert.equal(await c.bootstrapRequest(), '2.04');
    assert.equal((await ended).type, 'finished');
    await c.finished;
    assert.deepEqual(
      c.received.map((r) => `${r.method} ${r.path} ${r.code}`),
      ['DELETE /0 2.02', 'DELETE /1 2.02', 'PUT /0/1 2.04', 'PUT /1/0 2.04', 'PUT /24/0 2.04', 'POST /bs 2.04'],
    );
    assert.deepEqual(writes(c), ['/0/1 11542', '/1/0 11542', '/24/0 11542']);
    assert.deepEqual(c.instances(0), [0, 1], 'the old account /0/5 deleted, the bootstrap account /0/0 kept');
    const sec = c.instance('/0/1')!;
    assert.equal(sec[0], 'coaps://gw.example:5684');
    assert.equal(sec[1], false);
    assert.equal(sec[2], 0, 'PSK mode');
    assert.equal(Buffer.from(sec[3] as Uint8Array).toString(), 'dev-id');
    assert.equal(Buffer.from(sec[5] as Uint8Array).toString('hex'), PSK_HEX);
    assert.equal(sec[10], 1);
    assert.deepEqual(c.instance('/1/0'), { 0: 1, 1: 300, 6: true, 7: 'U' });
    assert.deepEqual(c.instances(1), [0]);
    assert.deepEqual(c.instance('/24/0'), { 3: true, 5: 60, 6: 'dev-client' });
    // events: started, one per step, finished; the session kept for REST
    const types = f.events.filter((e) => e.endpoint === 'dev1').map((e) => e.type);
    assert.deepEqual(types, ['started', 'step', 'step', 'step', 'step', 'step', 'step', 'finished']);
    const [s] = f.gateway.bootstrap.sessions('dev1');
    assert.equal(s?.state, 'finished');
    assert.equal(s?.steps.length, 6);
    assert.ok(!JSON.stringify(f.events).includes(PSK_HEX), 'no key in an event');
  } finally {
    await f.stop();
  }
});

void test('SenML JSON when the client says pct=110; SenML CBOR with pct=112', async () => {
  const f = await startBootstrap();
  try {
    f.configure('', SERVER_CONFIG); // the default config serves both
    for (const [ep, pct] of [['j1', CF.SENML_JSON], ['c1', CF.SENML_CBOR]] as const) {
      const c = await f.client({ endpoint: ep, formats: [pct] });
      const ended = f.ended(ep);
      assert.equal(await c.bootstrapRequest(pct), '2.04');
      assert.equal((await ended).type, 'finished');
      assert.deepEqual(writes(c), [`/0/1 ${pct}`, `/1/0 ${pct}`, `/24/0 ${pct}`]);
      assert.deepEqual(c.instance('/1/0'), { 0: 1, 1: 300, 6: true, 7: 'U' });
      assert.equal(Buffer.from(c.instance('/0/1')![5] as Uint8Array).toString('hex'), PSK_HEX);
    }
  } finally {
    await f.stop();
  }
});

void test('a 4.15 moves to the next format (TLV, SenML CBOR, SenML JSON) and the session keeps the one that worked', async () => {
  const f = await startBootstrap();
  try {
    f.configure('dev2', SERVER_CONFIG);
    const c = await f.client({ endpoint: 'dev2', formats: [CF.SENML_JSON] });
    const ended = f.ended('dev2');
    assert.equal(await c.bootstrapRequest(), '2.04');
    assert.equal((await ended).type, 'finished');
    assert.deepEqual(writes(c), ['/0/1 11542', '/0/1 112', '/0/1 110', '/1/0 110', '/24/0 110']);
    const steps = f.gateway.bootstrap.sessions('dev2')[0]!.steps.filter((s) => s.step === 'write');
    assert.deepEqual(steps.map((s) => s.code), ['4.15', '4.15', '2.04', '2.04', '2.04']);
    assert.equal(c.instance('/0/1')![0], 'coaps://gw.example:5684');
  } finally {
    await f.stop();
  }
});

void test('Discover first: a 1.1 client gets SenML CBOR, and the Security instance takes an id the client does not hold', async () => {
  const f = await startBootstrap();
  try {
    f.configure('dev3', { ...SERVER_CONFIG, discover: true, readBack: true });
    const c = await f.client({ endpoint: 'dev3' });
    // the client holds /0/0 (bootstrap) and /0/5; make /0/1 taken too
    c.store.addInstance(0, 1, { 0: 'coap://other.example', 1: false, 2: 3 });
    const ended = f.ended('dev3');
    assert.equal(await c.bootstrapRequest(), '2.04');
    assert.equal((await ended).type, 'finished');
    assert.equal(c.received[0]!.method, 'GET');
    assert.equal(c.received[0]!.accept, CF.LINK);
    assert.deepEqual(writes(c), ['/0/2 112', '/1/0 112', '/24/0 112']);
    assert.deepEqual(c.instances(0), [0, 2]);
    const read = c.received.find((r) => r.method === 'GET' && r.path === '/1');
    assert.equal(read?.code, '2.05', 'read back of /1');
  } finally {
    await f.stop();
  }
});

void test('Bootstrap-Pack: the same instances in one SenML CBOR (or JSON) answer', async () => {
  const f = await startBootstrap();
  try {
    f.configure('dev4', SERVER_CONFIG);
    const c = await f.client({ endpoint: 'dev4' });
    const cbor = await c.bootstrapPack();
    assert.equal(cbor.code, '2.05');
    assert.equal(cbor.contentFormat, CF.SENML_CBOR);
    const names = resolveSenml(cborDecode(cbor.payload)).map((r) => r.n);
    assert.ok(names.some((n) => n === '/0/1/0'), names.join(' '));
    assert.ok(names.some((n) => n === '/1/0/7'));
    assert.ok(names.some((n) => n === '/24/0/6'));
    const json = await c.bootstrapPack(CF.SENML_JSON);
    assert.equal(json.contentFormat, CF.SENML_JSON);
    assert.ok(json.payload.toString().includes('dev-client'));
    assert.equal((await c.bootstrapPack(CF.TLV)).code, '4.06');
  } finally {
    await f.stop();
  }
});

void test('an account naming this gateway\'s own server: its PSK becomes the endpoint\'s server credentials', async () => {
  const f = await startBootstrap((c) => (c.bootstrap.ownServerUris = ['coaps://GW.example:5684/']));
  try {
    f.configure('dev5', SERVER_CONFIG);
    const c = await f.client({ endpoint: 'dev5' });
    const ended = f.ended('dev5');
    assert.equal(await c.bootstrapRequest(), '2.04');
    assert.equal((await ended).type, 'finished');
    const info = f.gateway.server.credentials.get('dev5');
    assert.equal(info?.mode, 'psk');
    assert.equal(info?.mode === 'psk' && info.identity, 'dev-id');
    assert.deepEqual(f.gateway.server.credentials.pskFor(Buffer.from('dev-id')), Buffer.from(PSK_HEX, 'hex'));
  } finally {
    await f.stop();
  }
});

void test('a 1.0 client answering 4.00 to Delete / is passed over (the writes replace anyway); the session finishes', async () => {
  const f = await startBootstrap();
  try {
    f.configure('old', { ...SERVER_CONFIG, delete: ['/'] });
    const c = await f.client({ endpoint: 'old', version: '1.0', formats: [CF.TLV] });
    const ended = f.ended('old');
    assert.equal(await c.bootstrapRequest(), '2.04');
    assert.equal((await ended).type, 'finished');
    const [del] = f.gateway.bootstrap.sessions('old')[0]!.steps;
    assert.deepEqual([del?.step, del?.path, del?.code, del?.ok, del?.note], ['delete', '/', '4.00', false, 'passed over']);
    assert.equal(c.instance('/0/1')![0], 'coaps://gw.example:5684');
  } finally {
    await f.stop();
  }
});

void test('bootstrap.file: configs from the file at start; a broken file stops the start naming bootstrap.file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsgw-'));
  try {
    const file = join(dir, 'bootstrap.yaml');
    writeFileSync(file, 'endpoints:\n  filed:\n    servers:\n      - { shortServerId: 3, uri: "coap://gw.example:5683", securityMode: nosec, lifetime: 60 }\n');
    const f = await startBootstrap((c) => (c.bootstrap.file = file));
    try {
      const c = await f.client({ endpoint: 'filed' });
      const ended = f.ended('filed');
      assert.equal(await c.bootstrapRequest(), '2.04');
      assert.equal((await ended).type, 'finished');
      assert.deepEqual(c.instance('/1/0'), { 0: 3, 1: 60, 6: true, 7: 'U' });
      assert.equal(c.instance('/0/1')![2], 3, 'NoSec');
    } finally {
      await f.stop();
    }
    writeFileSync(file, 'endpoints:\n  filed:\n    servers: 3\n');
    await assert.rejects(startBootstrap((c) => (c.bootstrap.file = file)), (e: Error) => e.name === 'StartError' && e.message.includes('bootstrap.file') && e.message.includes('endpoints.filed.servers'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
