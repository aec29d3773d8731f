/** Credentials over REST: PUT, GET and DELETE /api/clients/{endpoint}/security, write scope, keys never returned. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture } from './fixture.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const RW = { token: 'rw-secret-token-1' };
const RO = { token: 'ro-secret-token-1' };

describe('REST credentials', () => {
  let f: RestFixture;

  before(async () => {
    f = await RestFixture.start({
      rest: {
        tokens: [
          { token: RW.token, scope: 'write' },
          { token: RO.token, scope: 'read' },
        ],
      },
    });
  });
  after(() => f.stop());

  it('PUT stores a PSK (201, then 200 on replace); GET shows mode and identity, never the key', async () => {
    const put = await f.api('PUT', '/api/clients/dev-a/security', { ...RW, body: { mode: 'psk', identity: 'dev-a-id', key: KEY } });
    assert.equal(put.status, 201, put.text);
    assert.deepEqual(put.body, { endpoint: 'dev-a', mode: 'psk', identity: 'dev-a-id' });
    assert.deepEqual(f.server.credentials.pskFor(Buffer.from('dev-a-id')), Buffer.from(KEY, 'hex'));
    const again = await f.api('PUT', '/api/clients/dev-a/security', { ...RW, body: { mode: 'psk', identity: 'dev-a-id2', key: 'ff' } });
    assert.equal(again.status, 200);
    assert.equal(f.server.credentials.pskFor(Buffer.from('dev-a-id')), undefined);
    const get = await f.api('GET', '/api/clients/dev-a/security', RW);
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, { endpoint: 'dev-a', mode: 'psk', identity: 'dev-a-id2' });
    assert.ok(!get.text.toLowerCase().includes(KEY) && !/"key"/.test(get.text));
  });

  it('rpk and x509 entries: the public key is shown in hex', async () => {
    const spki = '3059301306072a8648ce3d020106082a8648ce3d03010703420004' + 'ab'.repeat(64);
    assert.equal((await f.api('PUT', '/api/clients/dev-r/security', { ...RW, body: { mode: 'rpk', publicKey: spki.toUpperCase() } })).status, 201);
    assert.deepEqual((await f.api('GET', '/api/clients/dev-r/security', RW)).body, { endpoint: 'dev-r', mode: 'rpk', publicKey: spki });
    assert.equal((await f.api('PUT', '/api/clients/dev-x/security', { ...RW, body: { mode: 'x509' } })).status, 201);
    assert.equal(f.server.credentials.endpointOf('dev-x'), 'dev-x');
  });

  it('DELETE removes (204), then 404; GET of unknown credentials is 404', async () => {
    await f.api('PUT', '/api/clients/dev-d/security', { ...RW, body: { mode: 'x509' } });
    assert.equal((await f.api('DELETE', '/api/clients/dev-d/security', RW)).status, 204);
    assert.equal(f.server.credentials.get('dev-d'), undefined);
    const gone = await f.api('DELETE', '/api/clients/dev-d/security', RW);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'CREDENTIALS_NOT_FOUND');
    assert.equal((await f.api('GET', '/api/clients/nobody/security', RW)).status, 404);
  });

  it('a read-only token may not PUT, GET or DELETE credentials (403)', async () => {
    await f.api('PUT', '/api/clients/dev-s/security', { ...RW, body: { mode: 'psk', identity: 'dev-s-id', key: KEY } });
    for (const method of ['PUT', 'GET', 'DELETE']) {
      const r = await f.api(method, '/api/clients/dev-s/security', { ...RO, ...(method === 'PUT' ? { body: { mode: 'x509' } } : {}) });
      assert.equal(r.status, 403, method);
      assert.equal(r.body.code, 'FORBIDDEN');
    }
    assert.equal(f.server.credentials.get('dev-s')?.mode, 'psk');
  });

  it('bad input is a problem+json 400 that never quotes the key; an identity of another endpoint is 409', async () => {
    const secret = 'abcdef0123456789zz';
    const bad: unknown[] = [
      { mode: 'nosec' },
      { identity: 'x', key: KEY },
      { mode: 'psk', identity: 'x', key: secret },
      { mode: 'psk', identity: 'x', key: 'abc' },
      { mode: 'psk', identity: 'x', key: '' },
      { mode: 'psk', identity: 'x', key: '00'.repeat(65) },
      { mode: 'psk', identity: 'x'.repeat(129), key: KEY },
      { mode: 'psk', identity: '', key: KEY },
      { mode: 'psk', identity: 7, key: KEY },
      { mode: 'psk', identity: 'x', key: KEY, extra: 1 },
      { mode: 'rpk', publicKey: 'xyz' },
      { mode: 'x509', key: KEY },
      [1, 2],
      'text',
    ];
    for (const body of bad) {
      const r = await f.api('PUT', '/api/clients/dev-b/security', { ...RW, body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.ok(!r.text.includes(secret) && !r.text.includes(KEY), r.text);
    }
    const ctl = await f.api('PUT', `/api/clients/${encodeURIComponent('a\nb')}/security`, { ...RW, body: { mode: 'x509' } });
    assert.equal(ctl.status, 400);
    assert.equal(ctl.body.code, 'BAD_CREDENTIALS');
    await f.api('PUT', '/api/clients/dev-c1/security', { ...RW, body: { mode: 'psk', identity: 'shared', key: KEY } });
    const clash = await f.api('PUT', '/api/clients/dev-c2/security', { ...RW, body: { mode: 'psk', identity: 'shared', key: KEY } });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, 'CREDENTIALS_CONFLICT');
    assert.equal(f.server.credentials.get('dev-b'), undefined);
    assert.equal(f.server.credentials.get('dev-c2'), undefined);
  });
});
