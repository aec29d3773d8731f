/** The LwM2M server core: what the gateway and embedding applications use. */
export { LwM2mServer } from './server.js';
export type { LwM2mServerOptions } from './server.js';
export type { RequestOptions } from './core.js';
export type { DeviceRouter } from './router.js';
export type { QueuedRequest, RemovedRegistration, ServerStore, StoredObservation } from './store.js';
export type { LifetimePolicy } from './registration.js';
export { DEFAULT_LIFETIME, SUPPORTED_VERSIONS } from './registration.js';
export type { QueueOptions } from './queue.js';
export { DEFAULT_QUEUE } from './queue.js';
export type * from './types.js';
export { DeviceManagementApi, type CoreApi, type DeviceTraceControl, type CredentialsDirectory, type RegistrationDirectory, type ValueContext } from './api.js';
export type { SecurityInfo, SecurityMode, SecurityPolicy, SecurityPut, SecurityStore } from './security.js';
export { MAX_PSK_IDENTITY_BYTES, MAX_PSK_KEY_BYTES, MAX_PUBLIC_KEY_BYTES, SECURITY_MODES, authenticatedIdentity, parseHex } from './security.js';
/** plain values (JSON, YAML, MQTT payloads) to typed nodes by the object models; OperationError: a value that does not fit */
export { OperationError, typedValue, valueNode } from './operations/index.js';
export { MAX_TRACE_SECONDS, type DeviceTrace, type TraceStartResult } from './device-traces.js';
export { endpointNameProblem } from './endpoint-name.js';
