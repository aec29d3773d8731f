/**
 * Errors as problem+json: unknown device, bad paths, bad JSON, device error codes,
 * device timeout (504) while the gateway keeps serving other requests, 405 and 404.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestFixture } from './fixture.js';
import type { Lwm2mTestClient } from '../../helpers/lwm2m-test-client.js';

describe('REST errors', () => {
  let f: RestFixture;
  let dev: Lwm2mTestClient;

  before(async () => {
    f = await RestFixture.start();
    ({ client: dev } = await f.registered({ endpoint: 'dev-err' }));
    await f.registered({ endpoint: 'dev-ok' });
  });
  after(() => f.stop());

  const problem = (r: { status: number; headers: Headers; body: { code: string; status: number; type: string; title: string } }, status: number, code: string): void => {
    assert.equal(r.status, status);
    assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(r.body.code, code);
    assert.equal(r.body.status, status);
    assert.equal(r.body.type, `urn:lwm2m-gateway:problem:${code}`);
    assert.equal(typeof r.body.title, 'string');
  };

  it('answers 404 DEVICE_NOT_FOUND for an unknown device', async () => {
    problem(await f.api('GET', '/api/devices/nobody'), 404, 'DEVICE_NOT_FOUND');
    problem(await f.api('GET', '/api/devices/nobody/3/0/9'), 404, 'DEVICE_NOT_FOUND');
    problem(await f.api('PUT', '/api/devices/nobody/3/0/14', { body: { value: 'x' } }), 404, 'DEVICE_NOT_FOUND');
  });

  it('answers 400 BAD_PATH for paths that are not LwM2M paths', async () => {
    for (const p of ['/abc', '/3/zero', '/3/0/1/2/5', '/70000', '/3/0/-1', '/3/0/1/2/discover']) {
      problem(await f.api('GET', `/api/devices/dev-err${p}`), 400, 'BAD_PATH');
    }
    problem(await f.api('PUT', '/api/devices/dev-err/3/x/1', { body: { value: 1 } }), 400, 'BAD_PATH');
  });

  it('answers 400 BAD_JSON for a body that is not JSON, 415 for another media type', async () => {
    const r = await f.api('PUT', '/api/devices/dev-err/3/0/14', { raw: '{"value": "+01:00"' });
    problem(r, 400, 'BAD_JSON');
    problem(await f.api('PUT', '/api/devices/dev-err/3/0/14', { raw: '{"value": "+01:00"}', contentType: 'application/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    problem(await f.api('PUT', '/api/devices/dev-err/3/0/14', { body: ['+01:00'] }), 400, 'BAD_BODY');
    problem(await f.api('PUT', '/api/devices/dev-err/3/0/14', { body: { val: '+01:00' } }), 400, 'BAD_BODY');
    assert.equal(dev.value('/3/0/14'), '+01:00');
  });

  it('maps the device answers to HTTP statuses', async () => {
    const nf = await f.api('GET', '/api/devices/dev-err/3/5');
    problem(nf, 404, 'DEVICE_PATH_NOT_FOUND');
    assert.equal((nf.body as unknown as { deviceCode: string }).deviceCode, '4.04');
    problem(await f.api('PUT', '/api/devices/dev-err/3/0/9', { body: { value: 5 } }), 405, 'DEVICE_METHOD_NOT_ALLOWED');
    problem(await f.api('DELETE', '/api/devices/dev-err/3303/9'), 404, 'DEVICE_PATH_NOT_FOUND');
  });

  it('answers 400 BAD_REQUEST for what the core cannot send', async () => {
    // a partial update of a single resource is not an LwM2M operation
    problem(await f.api('PATCH', '/api/devices/dev-err/3/0/14', { body: { value: 'x' } }), 400, 'BAD_REQUEST');
    problem(await f.api('GET', '/api/devices/dev-err/3/0/9?timeout=-1'), 400, 'BAD_QUERY');
  });

  it('answers 405 with Allow for a method the route does not take, 404 for unknown routes', async () => {
    const r = await f.api('POST', '/api/devices/dev-err/3/0');
    problem(r, 405, 'METHOD_NOT_ALLOWED');
    assert.deepEqual(r.headers.get('allow')?.split(', ').sort(), ['DELETE', 'GET', 'PATCH', 'PUT']);
    problem(await f.api('GET', '/api/nothing'), 404, 'NOT_FOUND');
    problem(await f.api('GET', '/api/requests/unknown-id'), 404, 'REQUEST_NOT_FOUND');
  });

  it('answers 504 when the device does not answer in time, and keeps serving others meanwhile', async () => {
    dev.sleep();
    try {
      const slow = f.api('GET', '/api/devices/dev-err/3/0/9?timeout=1.5');
      let slowDone = false;
      void slow.then(() => (slowDone = true));
      // other requests are answered while the first one waits
      const other = await f.api('GET', '/api/devices/dev-ok/3/0/9');
      assert.equal(other.status, 200);
      assert.equal(other.body.value, 87);
      const list = await f.api('GET', '/api/devices');
      assert.equal(list.status, 200);
      assert.equal(slowDone, false);
      const r = await slow;
      problem(r, 504, 'DEVICE_TIMEOUT');
      assert.equal((r.body as unknown as { errorCode: string }).errorCode, 'TIMEOUT');
    } finally {
      await dev.wake({ update: false });
    }
    const again = await f.api('GET', '/api/devices/dev-err/3/0/9');
    assert.equal(again.status, 200);
  });
});
