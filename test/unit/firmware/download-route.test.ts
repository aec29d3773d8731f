/** The pull download route: ETag, Range, If-Range, 304, 416, HEAD, unknown tokens, progress. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { firmwareDownloadRoute, parseRange } from '../../../src/northbound/rest/routes-firmware.js';
import type { FirmwareApi } from '../../../src/firmware/index.js';

void test('parseRange: the single-range forms, and what is refused or ignored', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
  assert.equal(parseRange('bytes=100-', 100), 'bad');
  assert.equal(parseRange('bytes=9-2', 100), 'bad');
  assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseRange('items=0-1', 100), undefined);
  assert.equal(parseRange(undefined, 100), undefined);
  assert.equal(parseRange('bytes=' + '9'.repeat(5000) + '-', 100), undefined);
});

void test('the download: whole, a range, If-Range with another ETag, If-None-Match, 416, HEAD, unknown token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-'));
  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  const file = join(dir, 'x.bin');
  writeFileSync(file, body);
  let served = 0;
  const fw = {
    download: (t: string) => (t === 'T'.repeat(32) ? { image: { id: 'i', size: body.length, sha256: 'ab'.repeat(32) }, file, served: (n: number) => (served += n) } : undefined),
  } as unknown as FirmwareApi;
  const app = express();
  firmwareDownloadRoute(app, fw);
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(err.status ?? 500).end());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/fw/${'T'.repeat(32)}`;
  try {
    const all = await fetch(url);
    assert.equal(all.status, 200);
    const etag = all.headers.get('etag');
    assert.equal(etag, `"${'ab'.repeat(32)}"`);
    assert.deepEqual(Buffer.from(await all.arrayBuffer()), body);
    const part = await fetch(url, { headers: { range: 'bytes=600-', 'if-range': etag! } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 600-999/1000');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), body.subarray(600));
    const changed = await fetch(url, { headers: { range: 'bytes=600-', 'if-range': '"other"' } });
    assert.equal(changed.status, 200, 'another representation: the whole of it');
    await changed.arrayBuffer();
    assert.equal((await fetch(url, { headers: { 'if-none-match': etag! } })).status, 304);
    const bad = await fetch(url, { headers: { range: 'bytes=1000-' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get('content-range'), 'bytes */1000');
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), '1000');
    assert.equal((await fetch(url.replace(/T+$/, 'U'.repeat(32)))).status, 404);
    assert.equal(served, 1000 + 400 + 1000);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
