/**
 * `GET /api/devices` over real HTTP: endpoint globs matched without backtracking and
 * bounded, pages of `limit` devices in endpoint order with an opaque cursor, object lists
 * only on request, and a path with bad percent-encoding answered as a bad path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture, type JsonBody } from './fixture.js';

const endpoints = (r: { body: JsonBody }): string[] => r.body.devices.map((d: { endpoint: string }) => d.endpoint);

describe('REST device list', () => {
  let f: RestFixture;
  // the longest endpoint name CoAP carries: "ep=" and the name fill one 255-byte Uri-Query
  const long = 'a'.repeat(252);

  before(async () => {
    f = await RestFixture.start();
    for (const ep of ['dev-c', 'dev-a', 'dev-b', 'other-1', 'dev-d']) await f.registered({ endpoint: ep });
    await f.registered({ endpoint: long });
  });
  after(() => f.stop());

  it('answers the backtracking attack glob on the longest endpoint name, and keeps serving', async () => {
    const started = Date.now();
    const attack = f.api('GET', '/api/devices?endpoint=*a*a*a*a*a*b');
    const concurrent = f.api('GET', '/api/health');
    const [a, h] = await Promise.all([attack, concurrent]);
    assert.equal(a.status, 200);
    assert.deepEqual(endpoints(a), []);
    assert.equal(h.status, 200);
    // a backtracking regexp takes minutes here; the bound is far above any normal run
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    const hit = await f.api('GET', '/api/devices?endpoint=*a*a*a*a*a*a');
    assert.equal(hit.body.devices.length, 1);
    assert.equal(hit.body.devices[0].endpoint.length, 252);
  });

  it('bounds the length and the number of endpoint globs, and the number of object ids (400 BAD_QUERY)', async () => {
    const tooLong = await f.api('GET', `/api/devices?endpoint=${'*a'.repeat(129)}`);
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.code, 'BAD_QUERY');
    assert.match(tooLong.headers.get('content-type') ?? '', /problem\+json/);
    const tooMany = await f.api('GET', `/api/devices?endpoint=${Array.from({ length: 33 }, (_, i) => `d${i}`).join(',')}`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.code, 'BAD_QUERY');
    const objects = await f.api('GET', `/api/devices?object=${Array.from({ length: 33 }, (_, i) => i).join(',')}`);
    assert.equal(objects.status, 400);
    assert.equal(objects.body.code, 'BAD_QUERY');
    const events = await f.api('GET', `/api/events?endpoint=${'x'.repeat(300)}`);
    assert.equal(events.status, 400);
    assert.equal(events.body.code, 'BAD_QUERY');
  });

  it('pages through the devices in endpoint order with an opaque cursor', async () => {
    const first = await f.api('GET', '/api/devices?endpoint=dev-*,other-?&limit=2');
    assert.equal(first.status, 200);
    assert.deepEqual(endpoints(first), ['dev-a', 'dev-b']);
    assert.equal(first.body.count, 2);
    assert.equal(first.body.total, 5);
    assert.equal(first.body.limit, 2);
    assert.equal(typeof first.body.next, 'string');
    assert.doesNotMatch(first.body.next, /dev-b/);
    const link = first.headers.get('link') ?? '';
    assert.match(link, /rel="next"/);
    const second = await f.api('GET', /<([^>]+)>/.exec(link)![1]!);
    assert.deepEqual(endpoints(second), ['dev-c', 'dev-d']);
    const third = await f.api('GET', `/api/devices?endpoint=dev-*,other-?&limit=2&cursor=${second.body.next}`);
    assert.deepEqual(endpoints(third), ['other-1']);
    assert.equal(third.body.next, null);
    assert.equal(third.headers.get('link'), null);
  });

  it('uses a default page size and refuses bad limits and cursors', async () => {
    const all = await f.api('GET', '/api/devices');
    assert.equal(all.body.limit, 100);
    assert.equal(all.body.count, 6);
    assert.equal(all.body.next, null);
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'limit=1.5', 'cursor=***', 'cursor=', 'cursor=ZGV2LWE', 'cursor=ZGV2LWE=', `cursor=${'A'.repeat(5000)}`, 'cursor=_w']) {
      const r = await f.api('GET', `/api/devices?${q}`);
      assert.equal(r.status, q === 'cursor=ZGV2LWE' ? 200 : 400, q);
      if (r.status === 400) assert.equal(r.body.code, 'BAD_QUERY', q);
    }
    const max = await f.api('GET', '/api/devices?limit=1000');
    assert.equal(max.status, 200);
  });

  it('leaves the object lists out of the list unless asked', async () => {
    const plain = await f.api('GET', '/api/devices?endpoint=dev-a');
    assert.equal(plain.body.devices[0].objects, undefined);
    assert.equal(plain.body.devices[0].endpoint, 'dev-a');
    assert.equal(typeof plain.body.devices[0].lifetime, 'number');
    const withObjects = await f.api('GET', '/api/devices?endpoint=dev-a&objects=true');
    assert.ok(withObjects.body.devices[0].objects.some((o: { id: number }) => o.id === 3303));
    const one = await f.api('GET', '/api/devices/dev-a');
    assert.ok(Array.isArray(one.body.objects));
    // no tokens configured: every caller may write, and sees the registration id
    assert.equal(one.body.registrationId, f.server.getRegistration('dev-a')!.id);
    assert.equal(plain.body.devices[0].registrationId, one.body.registrationId);
  });

  it('answers a path with bad percent-encoding as a bad path', async () => {
    for (const p of ['/api/devices/%ZZ', '/api/devices/%ZZ/3/0/9', '/api/devices/dev-a/%E0%A4%A/observe', '/api/requests/%C0']) {
      const r = await f.api('GET', p);
      assert.equal(r.status, 400, p);
      assert.equal(r.body.code, 'BAD_PATH_ENCODING', p);
    }
  });
});
