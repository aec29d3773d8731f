/** The image store: bounds, SHA-256, what a restart reads back, bad files skipped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageError, ImageStore } from '../../../src/firmware/image-store.js';
import { silentLogger } from '../../../src/log.js';

function store(dir: string, o: { maxImageBytes?: number; maxImages?: number } = {}): ImageStore {
  return new ImageStore({ dir, maxImageBytes: o.maxImageBytes ?? 1000, maxImages: o.maxImages ?? 3, logger: silentLogger });
}

void test('an image is kept with its size and SHA-256 in files named by a random id, and read back', async () => {
  const root = mkdtempSync(join(tmpdir(), 'img-'));
  const dir = join(root, 'images');
  try {
    const s = store(dir);
    s.load(); // no folder yet: nothing, and nothing created
    assert.throws(() => statSync(dir));
    const body = Buffer.from('firmware bytes');
    const m = await s.add({ name: '../../etc/passwd', version: '1.2.3', deviceType: 'TD-1' }, body);
    assert.equal(m.size, body.length);
    assert.equal(m.sha256, createHash('sha256').update(body).digest('hex'));
    assert.deepEqual(readdirSync(dir).sort(), [`${m.id}.bin`, `${m.id}.json`]);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, `${m.id}.bin`)).mode & 0o777, 0o600);
    const again = store(dir);
    again.load();
    assert.deepEqual(again.get(m.id), m);
    assert.deepEqual(await again.bytes(m.id), body);
    assert.ok(await again.remove(m.id));
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('bounds: size, count, labels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'img-'));
  try {
    const s = store(dir, { maxImageBytes: 10, maxImages: 1 });
    const ok = { name: 'n', version: 'v', deviceType: 't' };
    await assert.rejects(s.add(ok, Buffer.alloc(11)), (e: unknown) => e instanceof ImageError && e.code === 'TOO_LARGE');
    await assert.rejects(s.add(ok, Buffer.alloc(0)), (e: unknown) => e instanceof ImageError && e.code === 'BAD_IMAGE');
    await assert.rejects(s.add({ ...ok, version: 'a\nb' }, Buffer.alloc(1)), (e: unknown) => e instanceof ImageError && e.code === 'BAD_IMAGE');
    await assert.rejects(s.add({ ...ok, name: 'x'.repeat(101) }, Buffer.alloc(1)), (e: unknown) => e instanceof ImageError && e.code === 'BAD_IMAGE');
    await s.add(ok, Buffer.alloc(1));
    await assert.rejects(s.add(ok, Buffer.alloc(1)), (e: unknown) => e instanceof ImageError && e.code === 'TOO_MANY');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('what is read back is checked: a bad description or a file of another size is skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'img-'));
  try {
    const s = store(dir);
    const good = await s.add({ name: 'n', version: 'v', deviceType: 't' }, Buffer.alloc(5));
    const short = await s.add({ name: 'n', version: 'w', deviceType: 't' }, Buffer.alloc(5));
    writeFileSync(join(dir, `${short.id}.bin`), Buffer.alloc(4));
    writeFileSync(join(dir, `${'a'.repeat(32)}.json`), '{"id":"x"}');
    writeFileSync(join(dir, 'not-an-id.json'), '{}');
    const again = store(dir);
    again.load();
    assert.deepEqual(again.list().map((m) => m.id), [good.id]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
