/**
 * A campaign as a user asks for it (REST JSON), checked field by field with bounds, and
 * its devices chosen: an endpoint list and/or globs over the registered endpoints; the
 * attribute filter (firmware version, manufacturer, model) is checked on each device
 * when its turn comes (a read of /3/0).
 */
import { globListProblem, globsMatcher } from '../glob.js';
import type { CampaignSpec } from './campaign.js';
import { labelProblem } from './image-store.js';
import type { DeviceFilter } from './update-job.js';

export class InputError extends Error {}

const MAX_ENDPOINT = 256;

function int(v: unknown, field: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InputError(`${field} must be a whole number from ${min} to ${max}`);
  return v;
}

function time(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const t = typeof v === 'string' && v.length <= 40 ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new InputError(`${field} must be an ISO 8601 date-time`);
  return t;
}

export interface CampaignInputLimits {
  maxDevices: number;
  defaultDeviceTimeoutSec: number;
}

/** `body` checked into a spec; `registered` are the endpoints registered now (for `match`). */
export function campaignSpecOf(body: unknown, registered: () => Iterable<string>, limits: CampaignInputLimits): CampaignSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = ['name', 'imageId', 'endpoints', 'match', 'filter', 'method', 'concurrency', 'deviceTimeout', 'retries', 'backoff', 'window', 'failureThreshold', 'minFinished'];
  const extra = Object.keys(b).filter((k) => !known.includes(k));
  if (extra.length > 0) throw new InputError(`unknown field ${JSON.stringify(extra[0]!.slice(0, 50))} (known: ${known.join(', ')})`);
  const nameProblem = labelProblem('name', b.name);
  if (nameProblem) throw new InputError(nameProblem);
  if (typeof b.imageId !== 'string' || !/^[0-9a-f]{32}$/.test(b.imageId)) throw new InputError('imageId must name an image (32 hex digits)');
  const list = (v: unknown, field: string, max: number): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > max || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= MAX_ENDPOINT)) {
      throw new InputError(`${field} must be a list of at most ${max} names of 1 to ${MAX_ENDPOINT} characters`);
    }
    return v as string[];
  };
  const endpoints = list(b.endpoints, 'endpoints', limits.maxDevices);
  const match = list(b.match, 'match', 32);
  const globProblem = globListProblem(match);
  if (globProblem) throw new InputError(`match: ${globProblem}`);
  const chosen = new Set(endpoints);
  if (match.length > 0) {
    const m = globsMatcher(match);
    for (const ep of registered()) if (m(ep)) chosen.add(ep);
  }
  if (chosen.size === 0) throw new InputError('no device chosen: give endpoints, or match globs that match registered devices');
  if (chosen.size > limits.maxDevices) throw new InputError(`at most ${limits.maxDevices} devices in a campaign (firmware.maxCampaignDevices)`);
  let filter: DeviceFilter | undefined;
  if (b.filter !== undefined) {
    if (typeof b.filter !== 'object' || b.filter === null) throw new InputError('filter must be an object');
    const f = b.filter as Record<string, unknown>;
    filter = {};
    for (const k of Object.keys(f)) {
      if (k !== 'firmwareVersion' && k !== 'manufacturer' && k !== 'model') throw new InputError('filter takes firmwareVersion, manufacturer and model');
      const p = labelProblem(`filter.${k}`, f[k]);
      if (p) throw new InputError(p);
      filter[k] = f[k] as string;
    }
  }
  const method = b.method ?? 'auto';
  if (method !== 'auto' && method !== 'push' && method !== 'pull') throw new InputError('method must be auto, push or pull');
  const ft = b.failureThreshold ?? 1;
  if (typeof ft !== 'number' || !(ft >= 0 && ft <= 1)) throw new InputError('failureThreshold must be a number from 0 to 1');
  let window: CampaignSpec['window'];
  if (b.window !== undefined) {
    if (typeof b.window !== 'object' || b.window === null) throw new InputError('window must be { "start"?, "end"? }');
    const w = b.window as Record<string, unknown>;
    const start = time(w.start, 'window.start');
    const end = time(w.end, 'window.end');
    if (start !== undefined && end !== undefined && end <= start) throw new InputError('window.end must come after window.start');
    window = { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
  }
  return {
    name: b.name as string,
    imageId: b.imageId,
    endpoints: [...chosen],
    ...(filter ? { filter } : {}),
    method,
    concurrency: int(b.concurrency, 'concurrency', 1, 10_000, 10),
    deviceTimeoutSec: int(b.deviceTimeout, 'deviceTimeout', 1, 604_800, limits.defaultDeviceTimeoutSec),
    retries: int(b.retries, 'retries', 0, 100, 2),
    backoffSec: int(b.backoff, 'backoff', 0, 86_400, 60),
    ...(window ? { window } : {}),
    failureThreshold: ft,
    minFinished: int(b.minFinished, 'minFinished', 1, 1_000_000, 10),
  };
}
