/** The LwM2M Bootstrap Server core: configs, sessions, Bootstrap-Pack. Imports no socket, no HTTP. */
export { BootstrapServer } from './bootstrap-server.js';
export type { BootstrapEvent, BootstrapEvents, BootstrapServerOptions, SessionView } from './bootstrap-server.js';
export type { AccountSecurityMode, BootstrapConfig, ConfigParse, ConfigProblem, ServerAccount } from './config.js';
export { ACCOUNT_SECURITY_MODES, BOOTSTRAP_LIMITS, configSource, configView, parseBootstrapConfig, sameConfig } from './config.js';
export type { BootstrapConfigStore } from './store.js';
export { DEFAULT_CONFIG_KEY, configFor } from './store.js';
export type { StepRecord, SessionState } from './session.js';
export { objectsProblem } from './plan.js';
export { ownServerMatcher } from './own-server.js';
export type { BootstrapApi } from './api.js';
export { bootstrapTriggerPath, BOOTSTRAP_TRIGGER_RESOURCE } from './trigger.js';
export { bootstrapEventView } from './event-view.js';
