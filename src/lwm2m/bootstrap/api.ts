/** What the northbound faces use of the Bootstrap Server: its configs, credentials, sessions and events. */
import type { SecurityStore } from '../server/security.js';
import type { BootstrapEvent, SessionView } from './bootstrap-server.js';
import type { ConfigParse } from './config.js';
import type { BootstrapConfigStore } from './store.js';

export interface BootstrapApi {
  /** the configs by endpoint, and the default (DEFAULT_CONFIG_KEY) */
  readonly configs: BootstrapConfigStore;
  /** the clients' bootstrap credentials */
  readonly credentials: SecurityStore;
  /** a plain value (JSON) checked as a config, its object values against the object models */
  checkConfig(raw: unknown): ConfigParse;
  /** the endpoint's last sessions, oldest first */
  sessions(endpoint: string): SessionView[];
  isRunning(endpoint: string): boolean;
  on(event: 'bootstrap', listener: (e: BootstrapEvent) => void): unknown;
  off(event: 'bootstrap', listener: (e: BootstrapEvent) => void): unknown;
}
