/** The `rest` sections of a mapping file as written (per target, and for the whole file). */
import type { Ref } from '../types.js';

/** POST {path}/{name} of a mapped REST route: exactly one of execute, write, read. */
export interface RestCommandSpec {
  description?: string;
  execute?: Ref;
  write?: Ref;
  read?: Ref;
  /** default execute arguments */
  args?: string;
}

/** A target's friendly REST route (docs/rest.md, "Mapped endpoints"). */
export interface RestSpec {
  description?: string;
  path: string;
  resources?: Ref[];
  commands?: Record<string, RestCommandSpec>;
}

/** REST settings for every target of a file. */
export interface RestFileSpec {
  description?: string;
  /** put before every target's rest.path */
  prefix?: string;
}
