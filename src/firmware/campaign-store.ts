/**
 * Campaigns on disk: one JSON file per campaign under `<data.dir>/firmware/campaigns/`,
 * named by its random id, replaced atomically (temporary file, rename). Writes are
 * coalesced: a campaign changed many times in a turn (or while its last write is on its
 * way) is written once more, with its latest state, and at most every `minIntervalMs`
 * (a campaign of 100,000 devices is a few MB of JSON). A device whose end was not written
 * yet when the process died runs again after the restart, and finds its device on the new
 * version at once. What is read back is checked; a bad
 * file is set aside as `<file>.corrupt` with a warning.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { CampaignRecord } from './campaign.js';

export const CAMPAIGN_ID = /^[0-9a-f]{16}$/;

const STATUSES = new Set(['scheduled', 'running', 'paused', 'cancelled', 'stopped', 'finished']);
const DEVICE_STATUSES = new Set(['pending', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'cancelled']);

function check(v: unknown): CampaignRecord {
  const r = v as CampaignRecord;
  if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || !CAMPAIGN_ID.test(r.id)) throw new Error('no campaign id');
  if (!STATUSES.has(r.status) || typeof r.createdAt !== 'number') throw new Error('bad status');
  const s = r.spec;
  if (typeof s !== 'object' || s === null || typeof s.imageId !== 'string' || typeof s.name !== 'string' || !Array.isArray(s.endpoints)) throw new Error('bad spec');
  for (const k of ['concurrency', 'deviceTimeoutSec', 'retries', 'backoffSec', 'failureThreshold', 'minFinished'] as const) if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) throw new Error(`bad ${k}`);
  if (!Array.isArray(r.devices)) throw new Error('no devices');
  for (const d of r.devices) {
    if (typeof d !== 'object' || d === null || typeof d.endpoint !== 'string' || !DEVICE_STATUSES.has(d.status) || typeof d.attempts !== 'number' || typeof d.bytes !== 'number') throw new Error('bad device');
  }
  return r;
}

export class CampaignStore {
  private readonly dirty = new Map<string, CampaignRecord>();
  private writing: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly minIntervalMs = 250,
  ) {}

  load(): CampaignRecord[] {
    const out: CampaignRecord[] = [];
    if (!existsSync(this.dir)) return out;
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json') || !CAMPAIGN_ID.test(f.slice(0, -5))) continue;
      const file = join(this.dir, f);
      try {
        const r = check(JSON.parse(readFileSync(file, 'utf8')));
        if (r.id !== f.slice(0, -5)) throw new Error('the id is not the file name');
        out.push(r);
      } catch (e) {
        this.log.warn('firmware: campaign file set aside', { file: f, error: e instanceof Error ? e.message : String(e) });
        try {
          renameSync(file, `${file}.corrupt`);
        } catch {
          // it stays, and is skipped again next time
        }
      }
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Writes `r` soon (coalesced). */
  save(r: CampaignRecord): void {
    this.dirty.set(r.id, r);
    this.writing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (let first = true; this.dirty.size > 0; first = false) {
      if (!first) await new Promise((r) => setTimeout(r, this.minIntervalMs));
      const batch = [...this.dirty.values()];
      this.dirty.clear();
      for (const r of batch) {
        const file = join(this.dir, `${r.id}.json`);
        try {
          await writeFile(`${file}.tmp`, JSON.stringify(r), { mode: 0o600 });
          await rename(`${file}.tmp`, file);
        } catch (e) {
          this.log.error('firmware: campaign not written', { id: r.id, error: e instanceof Error ? e.message : String(e) });
        }
      }
    }
    this.writing = undefined;
  }

  /** Waits for what is pending. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async remove(id: string): Promise<void> {
    this.dirty.delete(id);
    await this.flush();
    await unlink(join(this.dir, `${id}.json`)).catch(() => {});
  }
}
