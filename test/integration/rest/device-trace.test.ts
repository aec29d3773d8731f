/**
 * Per-device message traces switched at run time over REST, against simulated devices on
 * real CoAP/UDP: only the traced device's messages become info log lines (endpoint,
 * direction, type, code, mid, token, options, payload size and a hex prefix) and `trace`
 * events; DELETE and the time limit end it; it follows the device to a new address;
 * PUT and DELETE need write scope.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/log.js';
import { RestFixture, collectEvents, type JsonBody } from './fixture.js';
import { sleep } from '../lwm2m/fixture.js';

const WRITE = 'trace-write-token-0001';
const READ = 'trace-read-token-00001';

describe('REST device trace', () => {
  let f: RestFixture;
  const lines: JsonBody[] = [];
  const traceLines = (endpoint?: string): JsonBody[] => lines.filter((l) => l.msg === 'coap trace' && (endpoint === undefined || l.endpoint === endpoint));

  before(async () => {
    const logger = createLogger('info', (l) => lines.push(JSON.parse(l)), 'json');
    f = await RestFixture.start({
      server: { logger },
      rest: {
        tokens: [
          { token: WRITE, scope: 'write' },
          { token: READ, scope: 'read' },
        ],
      },
    });
    await f.registered({ endpoint: 'dev-trace', version: '1.1' });
    await f.registered({ endpoint: 'dev-quiet', version: '1.1' });
  });
  after(() => f.stop());

  it('nothing is traced until asked; a read token may not switch a trace on', async () => {
    assert.equal((await f.api('GET', '/api/devices/dev-trace/3/0/9', { token: READ })).status, 200);
    assert.deepEqual(traceLines(), []);
    const denied = await f.api('PUT', '/api/devices/dev-trace/trace', { token: READ, body: { enabled: true } });
    assert.equal(denied.status, 403);
    const state = await f.api('GET', '/api/devices/dev-trace/trace', { token: READ });
    assert.deepEqual(state.body, { endpoint: 'dev-trace', enabled: false });
  });

  it('traces the messages of the one device asked for, to the log and the events', async () => {
    const before = Date.now();
    const on = await f.api('PUT', '/api/devices/dev-trace/trace', { token: WRITE, body: { enabled: true, seconds: 600 } });
    assert.equal(on.status, 200);
    assert.equal(on.body.enabled, true);
    const until = Date.parse(on.body.until);
    assert.ok(until >= before + 599_000 && until <= Date.now() + 601_000, on.body.until);
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const events = collectEvents(`${f.base}/api/events?events=trace`, (e) => e.length >= 2, { headers: { authorization: `Bearer ${READ}` }, onOpen: () => opened() });
    await open;
    const read = await f.api('GET', '/api/devices/dev-trace/3/0/9', { token: READ });
    assert.equal(read.status, 200);
    assert.equal((await f.api('GET', '/api/devices/dev-quiet/3/0/9', { token: READ })).status, 200);
    const got = traceLines('dev-trace');
    assert.equal(traceLines().length, got.length, 'no line for the device not traced');
    const out = got.find((l) => l.direction === 'out' && l.code === '0.01');
    const back = got.find((l) => l.direction === 'in' && l.code === '2.05');
    assert.ok(out && back, JSON.stringify(got));
    assert.equal(out.level, 'info');
    assert.equal(out.type, 'CON');
    assert.equal(out.transport, 'udp');
    assert.match(out.options, /^Uri-Path=3 Uri-Path=0 Uri-Path=9( |$)/);
    assert.match(out.token, /^[0-9a-f]+$/);
    assert.equal(back.type, 'ACK');
    assert.equal(back.mid, out.mid, 'a piggybacked answer: the same message id');
    assert.equal(back.token, out.token);
    assert.ok(back.payloadSize > 0 && back.payloadSize < back.size);
    assert.match(back.payloadHex, /^[0-9a-f]+(\.\.\.)?$/);
    const seen = await events;
    assert.deepEqual(
      seen.slice(0, 2).map((e) => [e.data.endpoint, e.data.direction, e.data.code]),
      [
        ['dev-trace', 'out', '0.01'],
        ['dev-trace', 'in', '2.05'],
      ],
    );
  });

  it('follows the device when it registers again from another port', async () => {
    const { client } = await f.registered({ endpoint: 'dev-trace', version: '1.1' });
    const count = traceLines('dev-trace').length;
    assert.equal((await f.api('GET', '/api/devices/dev-trace/3/0/9', { token: READ })).status, 200);
    const fresh = traceLines('dev-trace').slice(count);
    assert.ok(fresh.some((l) => l.direction === 'in' && l.code === '2.05'), JSON.stringify(fresh));
    assert.equal(f.server.getRegistration('dev-trace')?.peer.port, client.port);
  });

  it('DELETE ends it (write scope); a second DELETE is 404', async () => {
    assert.equal((await f.api('DELETE', '/api/devices/dev-trace/trace', { token: READ })).status, 403);
    assert.equal((await f.api('DELETE', '/api/devices/dev-trace/trace', { token: WRITE })).status, 204);
    const count = traceLines().length;
    assert.equal((await f.api('GET', '/api/devices/dev-trace/3/0/9', { token: READ })).status, 200);
    assert.equal(traceLines().length, count);
    const again = await f.api('DELETE', '/api/devices/dev-trace/trace', { token: WRITE });
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'TRACE_NOT_FOUND');
  });

  it('a trace ends by itself after its seconds; { enabled: false } ends it too', async () => {
    assert.equal((await f.api('PUT', '/api/devices/dev-trace/trace', { token: WRITE, body: { enabled: true, seconds: 1 } })).status, 200);
    await sleep(1300);
    assert.deepEqual((await f.api('GET', '/api/devices/dev-trace/trace', { token: READ })).body, { endpoint: 'dev-trace', enabled: false });
    assert.ok(lines.some((l) => l.msg === 'coap trace off' && l.endpoint === 'dev-trace' && l.why === 'time is up'));
    assert.equal((await f.api('PUT', '/api/devices/dev-trace/trace', { token: WRITE, body: { enabled: true } })).status, 200);
    const off = await f.api('PUT', '/api/devices/dev-trace/trace', { token: WRITE, body: { enabled: false } });
    assert.deepEqual(off.body, { endpoint: 'dev-trace', enabled: false });
    assert.equal(f.server.deviceTrace('dev-trace'), undefined);
  });

  it('refuses an unknown device and bad bodies', async () => {
    const unknown = await f.api('PUT', '/api/devices/nobody/trace', { token: WRITE, body: { enabled: true } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'DEVICE_NOT_FOUND');
    for (const body of [{}, { enabled: 'yes' }, { enabled: true, seconds: 0 }, { enabled: true, seconds: 86_401 }, { enabled: true, seconds: 1.5 }, { enabled: true, extra: 1 }]) {
      const r = await f.api('PUT', '/api/devices/dev-trace/trace', { token: WRITE, body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.code, 'BAD_BODY');
    }
  });
});
