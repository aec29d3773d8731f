/**
 * Observations the server started. An observation is "pending" from the moment its
 * request leaves (so an early notification is still recognised) until the client accepts
 * it; pending ones are request state and live here. Accepted ones belong to the
 * ServerStore, with their registration: at most one per registration and path set, a
 * newer one replaces the older (pitfall 7).
 */
import type { LwM2mPath } from '../path.js';
import { randomPool } from '../random-pool.js';
import { samePathSet, tokenHex } from './store.js';
import type { ServerStore, StoredObservation } from './store.js';

/** An observation the server started: pending here until the client accepts it, then the store's. */
export type ObservationEntry = StoredObservation;

export const TOKEN_LENGTH = 8;

/**
 * Tokens are views into shared 4 KiB chunks of random bytes (each byte handed out once),
 * not an ArrayBuffer each: an observation's token costs its view only.
 */
class TokenChunks {
  private chunk: Uint8Array = new Uint8Array(0);
  private offset = 0;

  next(n: number): Uint8Array {
    if (this.offset + n > this.chunk.length) {
      this.chunk = randomPool.bytes(4096);
      this.offset = 0;
    }
    const t = this.chunk.subarray(this.offset, this.offset + n);
    this.offset += n;
    return t;
  }
}

/** `list` without `entry`, in an array of exact length (filter() leaves spare room) */
function without(list: readonly ObservationEntry[], entry: ObservationEntry): ObservationEntry[] {
  const out = new Array<ObservationEntry>(list.length - 1);
  let n = 0;
  for (const e of list) if (e !== entry) out[n++] = e;
  return out;
}

/** What remove() found: nothing, a pending observation, or one the client had accepted. */
export type Removed = undefined | 'pending' | 'established';

export class ObservationRegistry {
  private readonly pendingByToken = new Map<string, ObservationEntry>();
  private readonly pendingById = new Map<string, ObservationEntry>();
  /** registration id -> its pending entries (few per device) */
  private readonly pendingOf = new Map<string, ObservationEntry[]>();
  private readonly tokens = new TokenChunks();

  constructor(private readonly store: ServerStore) {}

  /** A fresh random token no live observation uses. */
  newToken(): Uint8Array {
    for (;;) {
      const t = this.tokens.next(TOKEN_LENGTH);
      if (!this.pendingByToken.has(tokenHex(t)) && !this.store.getObservationByToken(t)) return t;
    }
  }

  newId(): string {
    for (;;) {
      const id = randomPool.base64url(9);
      if (!this.pendingById.has(id) && !this.store.getObservation(id)) return id;
    }
  }

  /** Tracks an observation whose request is on its way. */
  addPending(entry: ObservationEntry): void {
    this.pendingByToken.set(tokenHex(entry.observation.token), entry);
    this.pendingById.set(entry.observation.id, entry);
    const regId = entry.observation.registrationId;
    // a copy of exact length (concat): push() or spread would leave room for 17 entries
    const list = this.pendingOf.get(regId);
    this.pendingOf.set(regId, list ? list.concat([entry]) : [entry]);
  }

  /** Whether `entry` still waits for the client's answer (false: it ended meanwhile). */
  isPending(entry: ObservationEntry): boolean {
    return this.pendingById.get(entry.observation.id) === entry;
  }

  /** The client accepted it: into the store; returns the observation of the same path set it replaces. */
  establish(entry: ObservationEntry): StoredObservation | undefined {
    this.unpend(entry);
    return this.store.addObservation(entry);
  }

  /** Forgets one observation, pending or established. */
  remove(entry: StoredObservation): Removed {
    const obs = entry.observation;
    if (this.pendingById.get(obs.id) === entry) {
      this.unpend(entry);
      return 'pending';
    }
    if (this.store.getObservation(obs.id) !== entry) return undefined;
    this.store.removeObservation(obs.id);
    return 'established';
  }

  private unpend(entry: ObservationEntry): void {
    const obs = entry.observation;
    if (this.pendingById.get(obs.id) !== entry) return;
    this.pendingById.delete(obs.id);
    this.pendingByToken.delete(tokenHex(obs.token));
    const list = this.pendingOf.get(obs.registrationId);
    if (!list?.includes(entry)) return;
    if (list.length === 1) this.pendingOf.delete(obs.registrationId);
    else this.pendingOf.set(obs.registrationId, without(list, entry));
  }

  /** The notification path: an established observation, else a pending one (an early notification). */
  byTokenOf(token: Uint8Array): StoredObservation | undefined {
    return this.store.getObservationByToken(token) ?? (this.pendingByToken.size > 0 ? this.pendingByToken.get(tokenHex(token)) : undefined);
  }

  /** The established observation of this path set, if any. */
  find(registrationId: string, paths: readonly LwM2mPath[], composite: boolean): StoredObservation | undefined {
    for (const e of this.store.getObservations(registrationId)) if (samePathSet(e.observation, paths, composite)) return e;
    return undefined;
  }

  /** Established observations of a registration. */
  list(registrationId: string): readonly StoredObservation[] {
    return this.store.getObservations(registrationId);
  }

  /** Forgets the pending observations of a registration that ended (the store removed the established ones with it). */
  removePending(registrationId: string): void {
    const list = this.pendingOf.get(registrationId);
    if (!list) return;
    this.pendingOf.delete(registrationId);
    for (const e of list) {
      this.pendingById.delete(e.observation.id);
      this.pendingByToken.delete(tokenHex(e.observation.token));
    }
  }

  /** Forgets every pending observation (server stop); established ones stay in the store. */
  clearPending(): void {
    this.pendingByToken.clear();
    this.pendingById.clear();
    this.pendingOf.clear();
  }
}
