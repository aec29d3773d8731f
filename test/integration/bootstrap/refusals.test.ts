/**
 * Bootstrap sessions that go wrong, each ending with an event and the gateway still
 * serving: an unknown endpoint, a write answered 4.00, a Finish never answered or
 * refused, a client that goes silent, two Bootstrap-Requests of one endpoint, a request
 * over plain UDP for an endpoint with bootstrap credentials, bad parameters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVER_CONFIG, startBootstrap, type BootstrapFixture } from './fixture.js';

/** The gateway still bootstraps a well-behaved client after whatever happened. */
async function stillServes(f: BootstrapFixture): Promise<void> {
  f.configure('healthy', SERVER_CONFIG);
  const c = await f.client({ endpoint: 'healthy' });
  const ended = f.ended('healthy');
  assert.equal(await c.bootstrapRequest(), '2.04');
  assert.equal((await ended).type, 'finished');
}

void test('unknown endpoint and no default: 4.04, a failed event, the session listed; with a default: 2.04', async () => {
  const f = await startBootstrap();
  try {
    const c = await f.client({ endpoint: 'stranger' });
    const ended = f.ended('stranger');
    assert.equal(await c.bootstrapRequest(), '4.04');
    const e = await ended;
    assert.equal(e.type, 'failed');
    assert.match(e.reason ?? '', /no bootstrap config/);
    assert.equal(f.gateway.bootstrap.sessions('stranger')[0]?.state, 'failed');
    assert.equal(c.received.length, 0, 'nothing sent to it');
    f.configure('', SERVER_CONFIG);
    const ended2 = f.ended('stranger');
    assert.equal(await c.bootstrapRequest(), '2.04');
    assert.equal((await ended2).type, 'finished');
  } finally {
    await f.stop();
  }
});

void test('a write answered 4.00: the session fails with the reason, no Finish is sent', async () => {
  const f = await startBootstrap();
  try {
    f.configure('dev1', SERVER_CONFIG);
    const c = await f.client({ endpoint: 'dev1', failWrites: { '/1/0': '4.00' } });
    const ended = f.ended('dev1');
    assert.equal(await c.bootstrapRequest(), '2.04');
    const e = await ended;
    assert.equal(e.type, 'failed');
    assert.equal(e.reason, 'write /1/0 answered 4.00');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!c.received.some((r) => r.path === '/bs'), 'no Bootstrap-Finish');
    assert.ok(!c.received.some((r) => r.path === '/24/0'), 'nothing after the failed write');
    await stillServes(f);
  } finally {
    await f.stop();
  }
});

void test('Finish never answered: the session fails on the request timeout; Finish answered 4.06: fails with it', async () => {
  const f = await startBootstrap((c) => (c.bootstrap.requestTimeout = 1));
  try {
    f.configure('', SERVER_CONFIG);
    const c = await f.client({ endpoint: 'mute', neverFinish: true });
    const ended = f.ended('mute');
    assert.equal(await c.bootstrapRequest(), '2.04');
    const e = await ended;
    assert.equal(e.type, 'failed');
    assert.equal(e.reason, 'no answer to finish / (TIMEOUT)');
    const c2 = await f.client({ endpoint: 'picky', finishCode: '4.06' });
    const ended2 = f.ended('picky');
    assert.equal(await c2.bootstrapRequest(), '2.04');
    assert.equal((await ended2).reason, 'Bootstrap-Finish answered 4.06');
    await stillServes(f);
  } finally {
    await f.stop();
  }
});

void test('a client that answers nothing: the first request times out and the session fails', async () => {
  const f = await startBootstrap((c) => (c.bootstrap.requestTimeout = 1));
  try {
    f.configure('', SERVER_CONFIG);
    const c = await f.client({ endpoint: 'gone', silent: true });
    const ended = f.ended('gone');
    assert.equal(await c.bootstrapRequest(), '2.04');
    const e = await ended;
    assert.equal(e.reason, 'no answer to delete /0 (TIMEOUT)');
    const s = f.gateway.bootstrap.sessions('gone')[0]!;
    assert.equal(s.steps[0]?.note, 'no answer (TIMEOUT)');
    assert.equal(f.gateway.bootstrap.isRunning('gone'), false);
  } finally {
    await f.stop();
  }
});

void test('two Bootstrap-Requests of one endpoint: the newer replaces the running session, which sends nothing more', async () => {
  const f = await startBootstrap((c) => (c.bootstrap.requestTimeout = 3));
  try {
    f.configure('twin', SERVER_CONFIG);
    const first = await f.client({ endpoint: 'twin', silent: true });
    const second = await f.client({ endpoint: 'twin' });
    const firstEnded = f.ended('twin');
    assert.equal(await first.bootstrapRequest(), '2.04');
    assert.equal(await second.bootstrapRequest(), '2.04');
    const e = await firstEnded;
    assert.equal(e.type, 'failed');
    assert.equal(e.reason, 'replaced by a newer Bootstrap-Request');
    assert.equal((await f.ended('twin')).type, 'finished', 'the second session');
    const sessions = f.gateway.bootstrap.sessions('twin');
    assert.deepEqual(sessions.map((s) => s.state), ['failed', 'finished']);
    assert.equal(sessions[1]!.peer, `udp 127.0.0.1:${(second as unknown as { link: { port: number } }).link.port}`);
  } finally {
    await f.stop();
  }
});

void test('plain UDP for an endpoint with bootstrap credentials: 4.03 and a failed event; bad parameters: 4.00', async () => {
  const f = await startBootstrap();
  try {
    f.configure('', SERVER_CONFIG);
    assert.ok(f.gateway.server.store.bootstrapSecurity.put({ endpoint: 'secure', mode: 'psk', identity: 'secure-bs', key: Buffer.from('aabb', 'hex') }).ok);
    const c = await f.client({ endpoint: 'secure' });
    const ended = f.ended('secure');
    assert.equal(await c.bootstrapRequest(), '4.03');
    const e = await ended;
    assert.equal(e.type, 'failed');
    assert.match(e.reason ?? '', /not authenticated/);
    assert.equal(c.received.length, 0);
    assert.equal(await c.bootstrapRequest(undefined, []), '4.00', 'no ep');
    assert.equal(await c.bootstrapRequest(undefined, ['ep=x', 'pct=abc']), '4.00');
    assert.equal(await c.bootstrapRequest(undefined, ['ep=a', 'ep=b']), '4.00');
    assert.equal(await c.bootstrapRequest(undefined, ['ep=' + 'x'.repeat(400)]), '4.02', 'an option longer than CoAP allows');
    assert.equal(await c.bootstrapRequest(undefined, Array.from({ length: 40 }, (_, i) => `x${i}=1`)), '4.00');
    await stillServes(f);
  } finally {
    await f.stop();
  }
});
