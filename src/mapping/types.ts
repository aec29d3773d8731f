/**
 * Mapping types shared by every face: the file as written (after schema validation) and
 * the observations it plans. Each face's section has its types in its own folder
 * (mqtt/types.ts, rest/types.ts, onem2m/section.ts).
 */
import type { Attributes } from '../lwm2m/server/types.js';
import type { MqttSectionSpec } from './mqtt/types.js';
import type { OneM2mSectionSpec } from './onem2m/section.js';
import type { RestFileSpec, RestSpec } from './rest/types.js';

// ---- the file as written ----

export type Ref = number | string;
export type OneOrList<T> = T | T[];

export interface TransformSpec {
  scale?: number;
  offset?: number;
  round?: number;
  map?: Record<string, string | number | boolean>;
  boolean?: { true: string | number; false: string | number };
}

export interface ObserveSpec {
  resources?: Ref[];
  attributes?: Attributes;
  composite?: boolean;
}

export interface TargetSpec {
  description?: string;
  object: Ref;
  instances?: number[];
  observe?: OneOrList<ObserveSpec>;
  mqtt?: MqttSectionSpec;
  rest?: RestSpec;
  onem2m?: OneM2mSectionSpec;
}

export interface MappingFileSpec {
  description?: string;
  enabled?: boolean;
  devices?: { endpoint?: string | string[]; endpointPattern?: string; objects?: Ref[] };
  targets: TargetSpec[];
  rest?: RestFileSpec;
  onem2m?: OneM2mSectionSpec;
}

// ---- what the compiler produces for every face ----

/** An observation to start for a device when it registers. */
export interface PlannedObservation {
  /** "/3303/0/5700" ... ; several when composite */
  paths: string[];
  composite: boolean;
  /** written to every path (Write-Attributes) before observing */
  attributes?: Attributes;
  mapping: string;
}

