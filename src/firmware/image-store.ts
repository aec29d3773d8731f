/**
 * Firmware and software images kept under `<data.dir>/firmware/images/`: the bytes in
 * `<id>.bin` and what is known of them in `<id>.json` (name, version, target device type,
 * size, SHA-256). The id is random and the only thing in a file name: nothing a user
 * sends names a file. Files are written to a temporary name, then renamed; the folder is
 * 0700 and the files 0600. What is read back is checked like input (a bad entry is
 * skipped with a warning).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';

export type ImageKind = 'firmware' | 'software';

export interface ImageMeta {
  id: string;
  kind: ImageKind;
  name: string;
  version: string;
  /** the device type it is meant for (free text: a model name, a product family) */
  deviceType: string;
  size: number;
  /** hex */
  sha256: string;
  /** ms since the epoch */
  createdAt: number;
}

export interface ImageInput {
  kind?: ImageKind;
  name: string;
  version: string;
  deviceType: string;
}

/** A refusal a user can fix (bad field, too large, too many). */
export class ImageError extends Error {
  constructor(
    readonly code: 'BAD_IMAGE' | 'TOO_LARGE' | 'TOO_MANY' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

const ID = /^[0-9a-f]{32}$/;
/** printable ASCII without control characters, 1..100 characters */
const LABEL = /^[\x20-\x7e]{1,100}$/;

/** Why a name, version or device type is refused, or undefined. */
export function labelProblem(field: string, v: unknown): string | undefined {
  if (typeof v !== 'string' || !LABEL.test(v) || v.trim() !== v) return `${field} must be 1 to 100 printable ASCII characters without leading or trailing spaces`;
  return undefined;
}

function checkMeta(v: unknown): ImageMeta | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (typeof m.id !== 'string' || !ID.test(m.id)) return undefined;
  if (m.kind !== 'firmware' && m.kind !== 'software') return undefined;
  for (const f of ['name', 'version', 'deviceType']) if (labelProblem(f, m[f])) return undefined;
  if (typeof m.size !== 'number' || !Number.isSafeInteger(m.size) || m.size < 0) return undefined;
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) return undefined;
  if (typeof m.createdAt !== 'number' || !Number.isFinite(m.createdAt)) return undefined;
  return { id: m.id, kind: m.kind, name: m.name as string, version: m.version as string, deviceType: m.deviceType as string, size: m.size, sha256: m.sha256, createdAt: m.createdAt };
}

export interface ImageStoreOptions {
  /** the folder (created 0700) */
  dir: string;
  maxImageBytes: number;
  maxImages: number;
  logger: Logger;
  now?: () => number;
}

export class ImageStore {
  private readonly images = new Map<string, ImageMeta>();
  private readonly now: () => number;

  constructor(private readonly o: ImageStoreOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Reads what the folder holds (it is created with the first image). */
  load(): void {
    if (!existsSync(this.o.dir)) return;
    for (const f of readdirSync(this.o.dir)) {
      if (!f.endsWith('.json')) continue;
      const id = f.slice(0, -5);
      if (!ID.test(id)) continue;
      try {
        const meta = checkMeta(JSON.parse(readFileSync(join(this.o.dir, f), 'utf8')));
        if (!meta || meta.id !== id) throw new Error('not an image description');
        if (statSync(this.binPath(id)).size !== meta.size) throw new Error('the image file has another size');
        this.images.set(id, meta);
      } catch (e) {
        this.o.logger.warn('firmware: image skipped', { id, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  list(kind?: ImageKind): ImageMeta[] {
    return [...this.images.values()].filter((m) => kind === undefined || m.kind === kind).sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): ImageMeta | undefined {
    return this.images.get(id);
  }

  /** The file of an image (to stream it); never a name from outside. */
  binPath(id: string): string {
    if (!ID.test(id)) throw new ImageError('NOT_FOUND', 'no such image');
    return join(this.o.dir, `${id}.bin`);
  }

  /** The whole image (for a push). */
  async bytes(id: string): Promise<Buffer> {
    if (!this.images.has(id)) throw new ImageError('NOT_FOUND', 'no such image');
    return readFile(this.binPath(id));
  }

  async add(input: ImageInput, body: Buffer): Promise<ImageMeta> {
    for (const f of ['name', 'version', 'deviceType'] as const) {
      const p = labelProblem(f, input[f]);
      if (p) throw new ImageError('BAD_IMAGE', p);
    }
    if (body.length === 0) throw new ImageError('BAD_IMAGE', 'the image is empty');
    if (body.length > this.o.maxImageBytes) throw new ImageError('TOO_LARGE', `an image is at most ${this.o.maxImageBytes} bytes (firmware.maxImageBytes)`);
    if (this.images.size >= this.o.maxImages) throw new ImageError('TOO_MANY', `at most ${this.o.maxImages} images are kept (firmware.maxImages): delete one first`);
    const id = randomBytes(16).toString('hex');
    const meta: ImageMeta = {
      id,
      kind: input.kind ?? 'firmware',
      name: input.name,
      version: input.version,
      deviceType: input.deviceType,
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      createdAt: this.now(),
    };
    this.images.set(id, meta); // counted at once: two uploads at a time cannot pass the bound
    try {
      mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
      await writeFile(this.binPath(id) + '.tmp', body, { mode: 0o600 });
      await rename(this.binPath(id) + '.tmp', this.binPath(id));
      const json = join(this.o.dir, `${id}.json`);
      await writeFile(json + '.tmp', JSON.stringify(meta), { mode: 0o600 });
      await rename(json + '.tmp', json);
    } catch (e) {
      this.images.delete(id);
      await this.removeFiles(id);
      throw e;
    }
    return meta;
  }

  async remove(id: string): Promise<boolean> {
    if (!this.images.delete(id)) return false;
    await this.removeFiles(id);
    return true;
  }

  private async removeFiles(id: string): Promise<void> {
    for (const f of [`${id}.json`, `${id}.json.tmp`, `${id}.bin`, `${id}.bin.tmp`]) await unlink(join(this.o.dir, f)).catch(() => {});
  }
}
