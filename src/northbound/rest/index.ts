/** The REST northbound: generic device API, live events, queued requests, OpenAPI. */
export { RestNorthbound, RestStartError, type RestNorthboundOptions } from './rest-northbound.js';
export { PROBLEMS, ProblemError, type ProblemCode, type ProblemBody } from './errors.js';
export { openApiDocument, UNDOCUMENTED_ROUTES } from './openapi.js';
export { registeredRoutes } from './app.js';
export type { QueuedRequest, RequestState, RequestStoreOptions } from './request-store.js';
export { RestFace, restFace } from './rest-face.js';
