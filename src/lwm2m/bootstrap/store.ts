/**
 * Where bootstrap configurations are kept: beside the registrations and credentials, in
 * the same store (`ServerStore.bootstrap`), so that a persistent store keeps them too.
 * Synchronous like ServerStore: a Bootstrap-Request is answered in the turn it arrived; a
 * store whose data lives elsewhere keeps an in-memory copy and writes through.
 *
 * The default configuration (for a client without one of its own) is kept under
 * DEFAULT_CONFIG_KEY, the empty name, which no endpoint can have.
 *
 * Implementations pass the bootstrap part of test/helpers/store-contract.ts.
 */
import type { BootstrapConfig } from './config.js';

export const DEFAULT_CONFIG_KEY = '';

export interface BootstrapConfigStore {
  /** Stores `config` for `endpoint` (DEFAULT_CONFIG_KEY: the default); returns the config it replaced. */
  put(endpoint: string, config: BootstrapConfig): BootstrapConfig | undefined;
  /** The endpoint's own config (not the default). */
  get(endpoint: string): BootstrapConfig | undefined;
  /** Removes the endpoint's config; returns it. */
  remove(endpoint: string): BootstrapConfig | undefined;
  /** every endpoint with a config (the default as DEFAULT_CONFIG_KEY), no order promised */
  endpoints(): string[];
  readonly size: number;
}

/** The config that applies to `endpoint`: its own, else the default. */
export function configFor(store: BootstrapConfigStore, endpoint: string): BootstrapConfig | undefined {
  return store.get(endpoint) ?? store.get(DEFAULT_CONFIG_KEY);
}
