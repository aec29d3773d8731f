/** Bearer tokens with read and write scopes, and CORS, over real HTTP. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture, collectEvents } from './fixture.js';

describe('REST authentication and CORS', () => {
  let f: RestFixture;

  before(async () => {
    f = await RestFixture.start({
      rest: {
        tokens: [
          { token: 'rw-secret', scope: 'write' },
          { token: 'ro-secret', scope: 'read' },
        ],
        corsOrigins: ['https://console.example'],
      },
    });
    await f.registered({ endpoint: 'dev-auth' });
  });
  after(() => f.stop());

  it('answers 401 without a token or with an unknown one', async () => {
    const none = await f.api('GET', '/api/devices');
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'UNAUTHORIZED');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await f.api('GET', '/api/devices', { token: 'guess' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /invalid_token/);
    const basic = await f.api('GET', '/api/devices', { headers: { authorization: 'Basic cnctc2VjcmV0Og==' } });
    assert.equal(basic.status, 401);
    const events = await f.api('GET', '/api/events');
    assert.equal(events.status, 401);
  });

  it('lets a read-only token read but not write (403)', async () => {
    const read = await f.api('GET', '/api/devices/dev-auth/3/0/9', { token: 'ro-secret' });
    assert.equal(read.status, 200);
    assert.equal(read.body.value, 87);
    const write = await f.api('PUT', '/api/devices/dev-auth/3/0/14', { token: 'ro-secret', body: { value: '+03:00' } });
    assert.equal(write.status, 403);
    assert.equal(write.body.code, 'FORBIDDEN');
    const exec = await f.api('POST', '/api/devices/dev-auth/3/0/4', { token: 'ro-secret' });
    assert.equal(exec.status, 403);
  });

  it('lets a write token write', async () => {
    const write = await f.api('PUT', '/api/devices/dev-auth/3/0/14', { token: 'rw-secret', body: { value: '+03:00' } });
    assert.equal(write.status, 204, write.text);
  });

  it('shows the registration id to write tokens only', async () => {
    for (const [token, shown] of [['rw-secret', true], ['ro-secret', false]] as const) {
      const one = await f.api('GET', '/api/devices/dev-auth', { token });
      assert.equal(one.status, 200);
      assert.equal(one.body.endpoint, 'dev-auth');
      assert.equal('registrationId' in one.body, shown, token);
      if (shown) assert.equal(one.body.registrationId, f.server.getRegistration('dev-auth')!.id);
      const list = await f.api('GET', '/api/devices?objects=true', { token });
      const listed = list.body.devices.find((d: { endpoint: string }) => d.endpoint === 'dev-auth');
      assert.equal('registrationId' in listed, shown, token);
    }
  });

  it('shows the registration id in events to write tokens only', async () => {
    const opened: Promise<void>[] = [];
    const stream = (token: string): Promise<{ event: string; data: { registration: Record<string, unknown> } }[]> => {
      let open!: () => void;
      opened.push(new Promise<void>((resolve) => (open = resolve)));
      const evs = collectEvents(`${f.base}/api/events?events=registered`, (e) => e.length > 0, { headers: { authorization: `Bearer ${token}` }, onOpen: () => open() });
      return evs;
    };
    const [ro, rw] = [stream('ro-secret'), stream('rw-secret')];
    await Promise.all(opened);
    const { client, registration } = await f.registered({ endpoint: 'dev-auth-2' });
    const [readEvents, writeEvents] = await Promise.all([ro, rw]);
    assert.equal(readEvents[0]!.data.registration.endpoint, 'dev-auth-2');
    assert.equal('registrationId' in readEvents[0]!.data.registration, false);
    assert.equal(writeEvents[0]!.data.registration.registrationId, registration.id);
    await client.deregister();
  });

  it('serves the OpenAPI document and health without a token', async () => {
    assert.equal((await f.api('GET', '/api/openapi.json')).status, 200);
    assert.equal((await f.api('GET', '/api/health')).status, 200);
  });

  it('adds CORS headers for an allowed origin and answers preflights', async () => {
    const ok = await f.api('GET', '/api/devices', { token: 'ro-secret', headers: { origin: 'https://console.example' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://console.example');
    assert.match(ok.headers.get('access-control-expose-headers') ?? '', /Location/);
    const other = await f.api('GET', '/api/devices', { token: 'ro-secret', headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const pre = await f.api('OPTIONS', '/api/devices/dev-auth/3/0/14', {
      headers: { origin: 'https://console.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  });
});
