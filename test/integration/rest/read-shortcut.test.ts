/**
 * The read shortcut (read-shortcut.ts): which requests it takes, that no other GET route
 * could have taken them, and that its answers are the router's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture } from './fixture.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';
import { readRouteParams } from '../../../src/northbound/rest/read-shortcut.js';
import { registeredRoutes } from '../../../src/northbound/rest/app.js';
import { DEPTH_ROUTES, DEVICE } from '../../../src/northbound/rest/routes-resources.js';

describe('readRouteParams', () => {
  it('takes GET of 1 to 4 ids after an endpoint, with or without a query', () => {
    assert.deepEqual(readRouteParams('GET', '/api/devices/dev-1/3303/0/5700', {}), { endpoint: 'dev-1', objectId: '3303', instanceId: '0', resourceId: '5700' });
    assert.deepEqual(readRouteParams('GET', '/api/devices/d/3?format=tlv&timeout=2', {}), { endpoint: 'd', objectId: '3' });
    assert.deepEqual(readRouteParams('GET', '/api/devices/d/3/0/7/1', {}), { endpoint: 'd', objectId: '3', instanceId: '0', resourceId: '7', resourceInstanceId: '1' });
    assert.deepEqual(readRouteParams('GET', '/api/devices/urn%3Aimei%3A1%20x/3/0', {}), { endpoint: 'urn:imei:1 x', objectId: '3', instanceId: '0' });
    // out of range: still the read route's (pathOf answers 400 BAD_PATH)
    assert.deepEqual(readRouteParams('GET', '/api/devices/d/99999', {}), { endpoint: 'd', objectId: '99999' });
  });

  it('leaves everything else to the router', () => {
    const no = [
      ['HEAD', '/api/devices/d/3/0/9'],
      ['PUT', '/api/devices/d/3/0/9'],
      ['GET', '/api/devices/d'],
      ['GET', '/api/devices/d/'],
      ['GET', '/api/devices/d/3/0/9/'],
      ['GET', '/api/devices/d//3'],
      ['GET', '/api/devices//3'],
      ['GET', '/api/devices/d/3/0/9/1/2'],
      ['GET', '/api/devices/d/3/0/discover'],
      ['GET', '/api/devices/d/3/0x1'],
      ['GET', '/api/devices/d/123456'],
      ['GET', '/api/devices/d/composite'],
      ['GET', '/api/devices/d/model'],
      ['GET', '/api/devices/%ZZ/3'],
      ['GET', '/api/devices/a#b/3'],
      ['GET', '/api/devices/a b/3'],
      ['GET', '/API/devices/d/3'],
      ['GET', '/api/devices'],
      ['GET', 'http://host/api/devices/d/3'],
    ];
    for (const [m, url] of no) assert.equal(readRouteParams(m!, url!, {}), undefined, `${m} ${url}`);
    assert.equal(readRouteParams('GET', '/api/devices/d/3', { 'content-length': '2' }), undefined);
    assert.equal(readRouteParams('GET', '/api/devices/d/3', { 'transfer-encoding': 'chunked' }), undefined);
  });
});

describe('REST read shortcut', () => {
  let f: RestFixture;

  before(async () => {
    f = await RestFixture.start();
    await f.registered({ endpoint: 'dev-sc' });
  });
  after(() => f.stop());

  it('takes only what the generic read route would have taken', () => {
    const reads = new Set(DEPTH_ROUTES.map((d) => DEVICE + d));
    const probes = ['/api/devices/x/1', '/api/devices/x/1/2', '/api/devices/x/1/2/3', '/api/devices/x/1/2/3/4'];
    for (const probe of probes) {
      // the first GET route matching (express tries them in order) must be the read
      const first = registeredRoutes(f.rest.app).find((r) => r.method === 'GET' && routeMatches(r.path, probe));
      assert.ok(first && reads.has(first.path), `${probe} would go to ${first?.path}`);
    }
  });

  it('answers a read as the router did: JSON with charset and length', async () => {
    const r = await f.api('GET', '/api/devices/dev-sc/3/0/9');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(Number(r.headers.get('content-length')), Buffer.byteLength(r.text));
    assert.deepEqual(r.body, { endpoint: 'dev-sc', path: '/3/0/9', value: 87, type: 'integer', contentFormat: 0 });
  });

  it('answers the read route problems (unknown device, id out of range, bad query) as problem+json', async () => {
    const unknown = await f.api('GET', '/api/devices/nobody/3/0/9');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'DEVICE_NOT_FOUND');
    assert.equal(unknown.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const range = await f.api('GET', '/api/devices/dev-sc/65535');
    assert.equal(range.status, 400);
    assert.equal(range.body.code, 'BAD_PATH');
    const query = await f.api('GET', '/api/devices/dev-sc/3/0/9?timeout=never');
    assert.equal(query.status, 400);
    assert.equal(query.body.code, 'BAD_QUERY');
  });

  it('leaves what it does not take to the router (bad encoding, actions, a body)', async () => {
    const enc = await f.api('GET', '/api/devices/%ZZ/3/0/9');
    assert.equal(enc.status, 400);
    assert.equal(enc.body.code, 'BAD_PATH_ENCODING');
    const discover = await f.api('GET', '/api/devices/dev-sc/3/0/discover');
    assert.equal(discover.status, 200);
    const slash = await f.api('GET', '/api/devices/dev-sc/3/0/9/');
    assert.equal(slash.status, 200);
    assert.equal(slash.body.value, 87);
  });
});

describe('REST read shortcut with tokens', () => {
  let f: RestFixture;
  let dev: Lwm2mTestClient;

  before(async () => {
    f = await RestFixture.start({ rest: { tokens: [{ token: 'ro-secret', scope: 'read' }], corsOrigins: ['https://console.example'] } });
    ({ client: dev } = await f.registered({ endpoint: 'dev-sc-auth' }));
  });
  after(() => f.stop());

  it('authenticates a read before it reaches the device', async () => {
    const sent = dev.received.length;
    const none = await f.api('GET', '/api/devices/dev-sc-auth/3/0/9');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await f.api('GET', '/api/devices/dev-sc-auth/3/0/9', { token: 'guess' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 'UNAUTHORIZED');
    const unknownDevice = await f.api('GET', '/api/devices/nobody/3/0/9');
    assert.equal(unknownDevice.status, 401, 'no answer tells a caller without a token which devices exist');
    assert.equal(dev.received.length, sent, 'a refused read never reaches the device');
    const ok = await f.api('GET', '/api/devices/dev-sc-auth/3/0/9', { token: 'ro-secret', headers: { origin: 'https://console.example' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.value, 87);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://console.example');
  });
});

/** An express path (`:name` segments) as the router matches it: whole path, optional trailing slash, any case. */
function routeMatches(path: string, url: string): boolean {
  const re = new RegExp('^' + path.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '/?$', 'i');
  return re.test(url);
}
