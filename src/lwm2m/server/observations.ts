/**
 * Observations the server started, by token and by (registration, path set). At most one
 * observation per registration and path set: a newer one replaces the older (pitfall 7).
 * An observation is "pending" from the moment its request leaves (so an early
 * notification is still recognised) until the client accepts it.
 */
import { randomBytes } from 'node:crypto';
import type { LwM2mPath } from '../path.js';
import type { DownlinkRequest } from '../transport.js';
import type { Observation, OperationRequest } from './types.js';

export interface ObservationEntry {
  observation: Observation;
  /** the observe / observeComposite request, reused to decode notifications */
  request: OperationRequest;
  downlink: DownlinkRequest;
  /** the client accepted it (answered 2.xx with Observe) */
  established: boolean;
}

export const TOKEN_LENGTH = 8;

/** The identity of a path set: order does not matter, composite and single differ. */
export function pathSetKey(paths: readonly LwM2mPath[], composite: boolean): string {
  const names = paths.map((p) => p.toString()).sort();
  return (composite ? 'c:' : 's:') + names.join(',');
}

export function tokenHex(token: Uint8Array): string {
  return Buffer.from(token).toString('hex');
}

export class ObservationRegistry {
  private readonly byToken = new Map<string, ObservationEntry>();
  private readonly byId = new Map<string, ObservationEntry>();
  /** registration id -> path set key -> established entry */
  private readonly byRegistration = new Map<string, Map<string, ObservationEntry>>();
  /** registration id -> every entry, pending or established */
  private readonly entries = new Map<string, Set<ObservationEntry>>();

  /** A fresh random token no live observation uses. */
  newToken(): Uint8Array {
    for (;;) {
      const t = new Uint8Array(randomBytes(TOKEN_LENGTH));
      if (!this.byToken.has(tokenHex(t))) return t;
    }
  }

  newId(): string {
    for (;;) {
      const id = randomBytes(9).toString('base64url');
      if (!this.byId.has(id)) return id;
    }
  }

  /** Tracks an observation whose request is on its way. */
  addPending(entry: ObservationEntry): void {
    this.byToken.set(tokenHex(entry.observation.token), entry);
    this.byId.set(entry.observation.id, entry);
    const regId = entry.observation.registrationId;
    let set = this.entries.get(regId);
    if (!set) {
      set = new Set();
      this.entries.set(regId, set);
    }
    set.add(entry);
  }

  /** The client accepted it; returns the observation of the same path set it replaces. */
  establish(entry: ObservationEntry): ObservationEntry | undefined {
    const obs = entry.observation;
    entry.established = true;
    let perReg = this.byRegistration.get(obs.registrationId);
    if (!perReg) {
      perReg = new Map();
      this.byRegistration.set(obs.registrationId, perReg);
    }
    const key = pathSetKey(obs.paths, obs.composite);
    const old = perReg.get(key);
    perReg.set(key, entry);
    if (old && old !== entry) {
      this.byToken.delete(tokenHex(old.observation.token));
      this.byId.delete(old.observation.id);
      this.entries.get(obs.registrationId)?.delete(old);
      return old;
    }
    return undefined;
  }

  /** Forgets one observation (pending or established); false if it was not known. */
  remove(entry: ObservationEntry): boolean {
    const obs = entry.observation;
    const known = this.byId.get(obs.id) === entry;
    if (known) {
      this.byId.delete(obs.id);
      this.byToken.delete(tokenHex(obs.token));
    }
    const perReg = this.byRegistration.get(obs.registrationId);
    const key = pathSetKey(obs.paths, obs.composite);
    if (perReg?.get(key) === entry) {
      perReg.delete(key);
      if (perReg.size === 0) this.byRegistration.delete(obs.registrationId);
    }
    const set = this.entries.get(obs.registrationId);
    if (set?.delete(entry) && set.size === 0) this.entries.delete(obs.registrationId);
    return known;
  }

  byTokenOf(token: Uint8Array): ObservationEntry | undefined {
    return this.byToken.get(tokenHex(token));
  }

  get(id: string): ObservationEntry | undefined {
    return this.byId.get(id);
  }

  /** The established observation of this path set, if any. */
  find(registrationId: string, paths: readonly LwM2mPath[], composite: boolean): ObservationEntry | undefined {
    return this.byRegistration.get(registrationId)?.get(pathSetKey(paths, composite));
  }

  /** Established observations of a registration. */
  list(registrationId: string): ObservationEntry[] {
    return [...(this.byRegistration.get(registrationId)?.values() ?? [])];
  }

  /** Removes every observation of a registration (pending ones too) and returns the established ones. */
  removeRegistration(registrationId: string): ObservationEntry[] {
    const established = this.list(registrationId);
    for (const e of [...(this.entries.get(registrationId) ?? [])]) this.remove(e);
    this.byRegistration.delete(registrationId);
    this.entries.delete(registrationId);
    return established;
  }

  clear(): void {
    this.byToken.clear();
    this.byId.clear();
    this.byRegistration.clear();
    this.entries.clear();
  }

  get size(): number {
    return this.byId.size;
  }
}
