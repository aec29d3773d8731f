/** Mapping files: load, compile, render, parse commands, watch. */
export { MAPPING_SCHEMA } from './schema.js';
export { MappingError, formatField } from './errors.js';
export { CompiledMappings, compileMappings, type MappingSource, type RestRouteEntry } from './compiled-mappings.js';
export type { CompiledRestRoute, RestCommand, RestOperation, RestRouteMatch, RouteSegment } from './rest/routes.js';
export type { CompiledFile, CompiledTarget, CompiledObserve } from './compile-file.js';
export { DevicePlan, type SeedAnswer } from './plan.js';
export type { InstanceGroup, PlannedOutput } from './planned-output.js';
export { LastValues } from './last-values.js';
export { loadMappingDir, readMappingDir, MappingLoadError, type LoadResult } from './load.js';
export { MappingStore, type MappingStoreOptions, type ReloadOutcome } from './store.js';
export { validateMappings, type ValidateResult } from './validate.js';
export { slugify, type MappingModels } from './models.js';
export { BUILTINS as TEMPLATE_PLACEHOLDERS } from './template.js';
export type * from './types.js';
export type * from './mqtt/types.js';
export type * from './rest/types.js';
export type { CompiledMqttSection } from './mqtt/section.js';
export type { OneM2mSectionSpec, CompiledOneM2mSection } from './onem2m/section.js';
