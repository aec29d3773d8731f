/** The shapes of the REST API's answers that the console reads (see /api/openapi.json). */

export type DeviceState = 'online' | 'sleeping' | 'offline';

export interface Registration {
  endpoint: string;
  registrationId?: string;
  version: string;
  binding: string;
  lifetime: number;
  queueMode: boolean;
  awake: boolean;
  state?: DeviceState;
  queuedRequests: number;
  smsNumber?: string;
  rootPath: string;
  contentFormats: number[];
  objects?: { id: number; version: string; instances: number[] }[];
  address: { transport: string; address: string; port: number };
  registeredAt: string;
  lastUpdateAt: string;
  lastSeen: string;
  expiresAt: string;
  extra: Record<string, string>;
}

export interface DeviceList {
  count: number;
  total: number;
  limit: number;
  next: string | null;
  devices: Registration[];
}

export interface ResourceModel {
  id: number;
  name: string;
  operations: '' | 'R' | 'W' | 'RW' | 'E';
  multiple: boolean;
  mandatory: boolean;
  type: string;
  range: string;
  units: string;
}

export interface ObjectModel {
  id: number;
  name: string;
  version: string;
  multiple: boolean;
  mandatory: boolean;
  resources: ResourceModel[];
}

export interface DeviceModel {
  endpoint: string;
  objects: { id: number; version: string; instances: number[]; model: ObjectModel | null }[];
}

export interface Observation {
  id: string;
  paths: string[];
  composite: boolean;
}

export interface MappingTarget {
  objectId: number;
  objectName: string;
  instances: number[] | null;
  observe: { resources: number[] | null; composite: boolean; attributes: Record<string, number> }[];
  mqtt?: { publish: string[]; commands: string[] };
  rest?: string;
  onem2m?: boolean;
}

export interface MappingFile {
  name: string;
  description?: string;
  targets: MappingTarget[];
}

export interface GatewaySummary {
  version: string | null;
  time: string;
  devices: { total: number; online: number; sleeping: number; offline: number };
  queuedRequests: number;
  ready: boolean;
  parts: { name: string; ready: boolean; detail?: string }[];
  mappings: number;
}

export type Scope = 'read' | 'write';
