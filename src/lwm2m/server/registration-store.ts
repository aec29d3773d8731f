/**
 * Where registrations live. The interface is synchronous because the server answers
 * notifications synchronously; a persistent store (file, Redis) keeps the same
 * interface over an in-memory copy and writes through in the background.
 * Every mutation returns the state it replaced, so the caller can end what belonged to it.
 */
import type { Registration } from './types.js';

export interface RegistrationStore {
  /** Adds `reg`; returns the registration of the same endpoint it replaced, if any. */
  add(reg: Registration): Registration | undefined;
  /** Replaces the registration with `reg.id`; returns the previous one (undefined: unknown id, nothing stored). */
  update(reg: Registration): Registration | undefined;
  /** Removes by id; returns what was removed. */
  remove(id: string): Registration | undefined;
  get(id: string): Registration | undefined;
  getByEndpoint(endpoint: string): Registration | undefined;
  all(): Registration[];
  readonly size: number;
}

export class InMemoryRegistrationStore implements RegistrationStore {
  private readonly byId = new Map<string, Registration>();
  private readonly byEndpoint = new Map<string, string>();

  add(reg: Registration): Registration | undefined {
    const oldId = this.byEndpoint.get(reg.endpoint);
    const previous = oldId !== undefined ? this.byId.get(oldId) : undefined;
    if (oldId !== undefined) this.byId.delete(oldId);
    this.byId.set(reg.id, reg);
    this.byEndpoint.set(reg.endpoint, reg.id);
    return previous;
  }

  update(reg: Registration): Registration | undefined {
    const previous = this.byId.get(reg.id);
    if (!previous || previous.endpoint !== reg.endpoint) return undefined;
    this.byId.set(reg.id, reg);
    return previous;
  }

  remove(id: string): Registration | undefined {
    const reg = this.byId.get(id);
    if (!reg) return undefined;
    this.byId.delete(id);
    if (this.byEndpoint.get(reg.endpoint) === id) this.byEndpoint.delete(reg.endpoint);
    return reg;
  }

  get(id: string): Registration | undefined {
    return this.byId.get(id);
  }

  getByEndpoint(endpoint: string): Registration | undefined {
    const id = this.byEndpoint.get(endpoint);
    return id === undefined ? undefined : this.byId.get(id);
  }

  all(): Registration[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
