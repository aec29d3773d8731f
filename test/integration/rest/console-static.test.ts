/**
 * The web console's files on the REST port (console-static.ts), over real HTTP: the page
 * at / and its files under /console/ without a token (the API behind them still wants
 * one), strict headers, nothing outside the folder, a clear answer when the console is
 * not built, and no console at all when it is off.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestFixture } from './fixture.js';
import { UNDOCUMENTED_ROUTES, registeredRoutes } from '../../../src/northbound/rest/index.js';

const TOKENS = [{ token: 'static-test-token-1', scope: 'write' as const }];

describe('REST: the web console files', () => {
  let dir: string;
  let f: RestFixture;
  let notBuilt: RestFixture;
  let off: RestFixture;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-static-'));
    mkdirSync(join(dir, 'console'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'console', 'console.js'), 'export {};');
    writeFileSync(join(dir, 'console', '.hidden'), 'no');
    writeFileSync(join(dir, 'secret.txt'), 'outside /console');
    f = await RestFixture.start({ rest: { tokens: TOKENS }, northbound: { console: { dir } } });
    notBuilt = await RestFixture.start({ northbound: { console: { dir: join(dir, 'missing') } } });
    off = await RestFixture.start({ rest: { tokens: TOKENS } });
  });
  after(async () => {
    await f.stop();
    await notBuilt.stop();
    await off.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page and its files without a token, with strict headers; the API still wants one', async () => {
    const page = await fetch(`${f.base}/`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), '<!doctype html><title>console</title>');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const js = await fetch(`${f.base}/console/console.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await f.api('GET', '/api/devices')).status, 401);
    assert.equal((await f.api('GET', '/api/whoami')).status, 401);
    assert.deepEqual((await f.api('GET', '/api/whoami', { token: TOKENS[0]!.token })).body, { scope: 'write', tokens: true });
  });

  it('serves nothing outside its folder, no dot file, no listing', async () => {
    for (const p of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/.hidden', '/console/', '/console', '/secret.txt', '/index.html']) {
      const r = await fetch(f.base + p);
      assert.notEqual(r.status, 200, p);
      assert.doesNotMatch(await r.text(), /outside \/console|^no$/, p);
    }
    // a write is not served by the files (the API answers: a token is wanted)
    assert.equal((await fetch(`${f.base}/console/console.js`, { method: 'POST' })).status, 401);
  });

  it('adds only its page to the routes, left out of the OpenAPI document as not API', async () => {
    const on = registeredRoutes(f.rest.app).map((r) => `${r.method} ${r.path}`);
    const without = new Set(registeredRoutes(off.rest.app).map((r) => `${r.method} ${r.path}`));
    assert.deepEqual(on.filter((r) => !without.has(r)), ['GET /']);
    assert.ok(UNDOCUMENTED_ROUTES.some((r) => r.method === 'GET' && r.path === '/'));
    const doc = (await f.api('GET', '/api/openapi.json')).body;
    assert.equal(doc.paths['/'], undefined);
  });

  it('says how to build the console when its files are missing', async () => {
    const r = await notBuilt.api('GET', '/');
    assert.equal(r.status, 404);
    assert.match(r.body.detail, /npm run build/);
  });

  it('serves no console when it is off', async () => {
    assert.equal((await fetch(`${off.base}/`)).status, 401);
    assert.equal((await fetch(`${off.base}/console/console.js`)).status, 401);
  });
});
