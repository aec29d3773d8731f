/**
 * Random and malformed requests never produce a 5xx from the gateway itself, always a
 * JSON or problem+json answer, and the API keeps serving afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RestFixture } from './fixture.js';

const segment = fc.oneof(
  fc.constantFrom('3', '0', '9', '3303', '5700', '65534', '65535', '-1', '1e3', '..', '%00', '%zz', 'discover', 'observe', 'attributes', 'composite', ''),
  fc.string({ maxLength: 8 }).map(encodeURIComponent),
  fc.integer({ min: 0, max: 70_000 }).map(String),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json().map((j) => ({ raw: j })),
  fc.string({ maxLength: 40 }).map((s) => ({ raw: s })),
  fc.record({ value: fc.jsonValue() }).map((b) => ({ raw: JSON.stringify(b) })),
  fc.record({ values: fc.dictionary(fc.constantFrom('/3/0/14', '/3/0/x', '/3', '/3311/0/5851'), fc.jsonValue()) }).map((b) => ({ raw: JSON.stringify(b) })),
);
const query = fc.constantFrom('', '?format=tlv', '?format=bogus', '?timeout=0.5', '?timeout=x', '?paths=/3/0/9,/x', '?depth=9', '?passive', '?format=1&format=2');

describe('REST robustness', () => {
  let f: RestFixture;
  before(async () => {
    f = await RestFixture.start();
    await f.registered({ endpoint: 'fuzz' });
  });
  after(() => f.stop());

  it('answers random requests without a gateway error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'PATCH', 'POST', 'DELETE'),
        fc.array(segment, { minLength: 0, maxLength: 6 }),
        query,
        body,
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
        async (method, segs, q, b, type) => {
          const path = ['/api/devices/fuzz', ...segs].join('/') + q;
          const r = await f.api(method, path, b && method !== 'GET' ? { raw: b.raw, contentType: type } : {});
          assert.ok(r.status < 500 || r.status === 502 || r.status === 503 || r.status === 504, `${method} ${path} -> ${r.status} ${r.text}`);
          if (r.status >= 400) assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/, `${method} ${path}`);
          else if (r.status !== 204) assert.match(r.headers.get('content-type') ?? '', /json/, `${method} ${path}`);
        },
      ),
      { numRuns: 300, seed: 5 },
    );
    const ok = await f.api('GET', '/api/devices/fuzz/3/0/9');
    assert.equal(ok.status, 200);
  });
});
