/**
 * Observations the server started, by token and by (registration, path set). At most one
 * observation per registration and path set: a newer one replaces the older (pitfall 7).
 * An observation is "pending" from the moment its request leaves (so an early
 * notification is still recognised) until the client accepts it.
 */
import type { LwM2mPath } from '../path.js';
import type { DownlinkRequest } from '../transport.js';
import type { Observation, OperationRequest } from './types.js';
import { randomPool } from '../random-pool.js';

export interface ObservationEntry {
  observation: Observation;
  /** the observe / observeComposite request, reused to decode notifications */
  request: OperationRequest;
  /** what decoding a notification needs of the request that left (op, path, accept) */
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

function samePathSet(obs: Observation, paths: readonly LwM2mPath[], composite: boolean): boolean {
  if (obs.composite !== composite || obs.paths.length !== paths.length) return false;
  if (paths.length === 1) return obs.paths[0]!.toString() === paths[0]!.toString();
  return pathSetKey(obs.paths, composite) === pathSetKey(paths, composite);
}

export function tokenHex(token: Uint8Array): string {
  return Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString('hex');
}

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

export class ObservationRegistry {
  private readonly byToken = new Map<string, ObservationEntry>();
  private readonly byId = new Map<string, ObservationEntry>();
  /** registration id -> every entry, pending or established, in the order they were started (few per device) */
  private readonly entries = new Map<string, ObservationEntry[]>();
  private readonly tokens = new TokenChunks();

  /** A fresh random token no live observation uses. */
  newToken(): Uint8Array {
    for (;;) {
      const t = this.tokens.next(TOKEN_LENGTH);
      if (!this.byToken.has(tokenHex(t))) return t;
    }
  }

  newId(): string {
    for (;;) {
      const id = randomPool.base64url(9);
      if (!this.byId.has(id)) return id;
    }
  }

  /** Tracks an observation whose request is on its way. */
  addPending(entry: ObservationEntry): void {
    this.byToken.set(tokenHex(entry.observation.token), entry);
    this.byId.set(entry.observation.id, entry);
    const regId = entry.observation.registrationId;
    // a copy of exact length (concat): push() or spread would leave room for 17 entries
    const list = this.entries.get(regId);
    this.entries.set(regId, list ? list.concat([entry]) : [entry]);
  }

  /** The client accepted it; returns the observation of the same path set it replaces. */
  establish(entry: ObservationEntry): ObservationEntry | undefined {
    const obs = entry.observation;
    const old = this.find(obs.registrationId, obs.paths, obs.composite);
    entry.established = true;
    if (old && old !== entry) {
      this.byToken.delete(tokenHex(old.observation.token));
      this.byId.delete(old.observation.id);
      this.unlist(old);
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
    this.unlist(entry);
    return known;
  }

  private unlist(entry: ObservationEntry): void {
    const regId = entry.observation.registrationId;
    const list = this.entries.get(regId);
    if (!list) return;
    if (!list.includes(entry)) return;
    if (list.length === 1) this.entries.delete(regId);
    else this.entries.set(regId, without(list, entry));
  }

  byTokenOf(token: Uint8Array): ObservationEntry | undefined {
    return this.byToken.get(tokenHex(token));
  }

  get(id: string): ObservationEntry | undefined {
    return this.byId.get(id);
  }

  /** The established observation of this path set, if any. */
  find(registrationId: string, paths: readonly LwM2mPath[], composite: boolean): ObservationEntry | undefined {
    const list = this.entries.get(registrationId);
    if (!list) return undefined;
    for (const e of list) if (e.established && samePathSet(e.observation, paths, composite)) return e;
    return undefined;
  }

  /** Established observations of a registration. */
  list(registrationId: string): ObservationEntry[] {
    return (this.entries.get(registrationId) ?? []).filter((e) => e.established);
  }

  /** Removes every observation of a registration (pending ones too) and returns the established ones. */
  removeRegistration(registrationId: string): ObservationEntry[] {
    const all = this.entries.get(registrationId);
    if (!all) return [];
    this.entries.delete(registrationId);
    const established: ObservationEntry[] = [];
    for (const e of all) {
      if (this.byId.get(e.observation.id) === e) {
        this.byId.delete(e.observation.id);
        this.byToken.delete(tokenHex(e.observation.token));
      }
      if (e.established) established.push(e);
    }
    return established;
  }

  clear(): void {
    this.byToken.clear();
    this.byId.clear();
    this.entries.clear();
  }

  get size(): number {
    return this.byId.size;
  }
}
