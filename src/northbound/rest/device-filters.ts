/**
 * The state of a registered device and the fleet filters of `GET /api/devices` beside
 * `endpoint`, `object` and `online`: `state` (online, sleeping, offline), `version`,
 * `binding`, `queued` (has requests waiting), `seenWithin` / `silentFor` (seconds since
 * the latest message). Every filter is bounded and parsed without a regular expression
 * over more than a few characters.
 */
import type { Request } from 'express';
import type { Registration } from '../../lwm2m/server/types.js';
import { ProblemError } from './errors.js';
import { flagOf, listOf, queryString } from './params.js';

/**
 * `online`: a request goes out at once (not in queue mode, or in its awake window);
 * `sleeping`: a queue-mode device between its wake-ups (requests wait for it);
 * `offline`: its lifetime has run out without an Update and the gateway holds it only
 * for the expiry grace (requests will most likely fail).
 */
export type DeviceState = 'online' | 'sleeping' | 'offline';
export const DEVICE_STATES: readonly DeviceState[] = ['online', 'sleeping', 'offline'];

export interface StateView {
  isAwake(endpoint: string): boolean;
  now(): number;
}

export function deviceState(reg: Registration, view: StateView): DeviceState {
  if (reg.expiresAt <= view.now()) return 'offline';
  if (reg.queueMode && !view.isAwake(reg.endpoint)) return 'sleeping';
  return 'online';
}

/** The longest `seenWithin` / `silentFor` accepted: ten years, in seconds. */
export const MAX_SEEN_SECONDS = 10 * 366 * 86_400;
const VERSIONS = ['1.0', '1.1', '1.2'];
/** binding letters of LwM2M 1.0 to 1.2: UDP, TCP, SMS, Non-IP, MQTT, HTTP, and Q (queue mode in 1.0) */
const BINDING_LETTERS = new Set(['U', 'T', 'S', 'N', 'M', 'H', 'Q']);

function seconds(req: Request, name: string): number | undefined {
  const v = queryString(req, name);
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,9}$/.test(v) || Number(v) > MAX_SEEN_SECONDS) throw new ProblemError('BAD_QUERY', `${name} must be a number of seconds from 0 to ${MAX_SEEN_SECONDS}`);
  return Number(v);
}

export interface FleetQuery {
  /** what a device must satisfy (all filters of this module) */
  test(reg: Registration, lastSeen: number): boolean;
}

/** The filters of this module in the request, as one predicate. */
export function fleetFilters(req: Request, view: StateView & { queuedRequests(endpoint: string): number }): FleetQuery {
  const checks: ((reg: Registration, lastSeen: number) => boolean)[] = [];
  const states = listOf(req, 'state');
  if (states && states.length > 0) {
    const bad = states.find((s) => !(DEVICE_STATES as readonly string[]).includes(s));
    if (bad !== undefined) throw new ProblemError('BAD_QUERY', `state "${bad.slice(0, 20)}" is not one of ${DEVICE_STATES.join(', ')}`);
    const wanted = new Set(states);
    checks.push((r) => wanted.has(deviceState(r, view)));
  }
  const versions = listOf(req, 'version');
  if (versions && versions.length > 0) {
    const bad = versions.find((v) => !VERSIONS.includes(v));
    if (bad !== undefined) throw new ProblemError('BAD_QUERY', `version "${bad.slice(0, 20)}" is not one of ${VERSIONS.join(', ')}`);
    const wanted = new Set(versions);
    checks.push((r) => wanted.has(r.version));
  }
  const binding = queryString(req, 'binding');
  if (binding !== undefined && binding !== '') {
    const letters = [...binding.toUpperCase()];
    if (letters.length > 8 || letters.some((l) => !BINDING_LETTERS.has(l))) throw new ProblemError('BAD_QUERY', `binding takes letters of ${[...BINDING_LETTERS].join('')} (each one the device's binding must have)`);
    checks.push((r) => letters.every((l) => r.binding.includes(l) || (l === 'Q' && r.queueMode)));
  }
  const queued = flagOf(req, 'queued');
  if (queued !== undefined) checks.push((r) => view.queuedRequests(r.endpoint) > 0 === queued);
  const within = seconds(req, 'seenWithin');
  if (within !== undefined) checks.push((_r, seen) => view.now() - seen <= within * 1000);
  const silent = seconds(req, 'silentFor');
  if (silent !== undefined) checks.push((_r, seen) => view.now() - seen >= silent * 1000);
  return { test: (reg, seen) => checks.every((c) => c(reg, seen)) };
}
