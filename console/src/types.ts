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

/** A firmware or software image (GET /api/firmware). */
export interface FirmwareImage {
  id: string;
  kind: 'firmware' | 'software';
  name: string;
  version: string;
  deviceType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

export type JobPhase = 'starting' | 'checking' | 'delivering' | 'downloaded' | 'updating' | 'verifying' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

/** A device's update (GET /api/devices/{endpoint}/firmware, and the `fota` events). */
export interface FirmwareJob {
  endpoint: string;
  imageId: string;
  phase: JobPhase;
  method?: 'push' | 'pull';
  state?: number;
  result?: number;
  resultText?: string;
  bytes: number;
  size: number;
  startedAt?: string;
  updatedAt?: string;
  seconds?: number;
  firmwareVersion?: string;
  error?: { code: string; message: string };
  note?: string;
  campaignId?: string;
}

export type CampaignStatus = 'scheduled' | 'running' | 'paused' | 'cancelled' | 'stopped' | 'finished';

export interface CampaignTotals {
  devices: number;
  pending: number;
  running: number;
  retrying: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  bytes: number;
}

/** A campaign as listed (GET /api/campaigns, and the `campaign` events). */
export interface CampaignSummary {
  id: string;
  name: string;
  imageId: string;
  status: CampaignStatus;
  createdAt?: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  reason?: string;
  totals: CampaignTotals;
}

export interface CampaignDevice {
  endpoint: string;
  status: 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  attempts: number;
  bytes: number;
  phase?: JobPhase;
  startedAt?: string;
  finishedAt?: string;
  seconds?: number;
  nextAttemptAt?: string;
  error?: { code: string; message: string };
}

/** One campaign with its spec and devices (GET /api/campaigns/{id}). */
export interface CampaignDetail extends CampaignSummary {
  spec: {
    method: string;
    concurrency: number;
    deviceTimeout: number;
    retries: number;
    backoff: number;
    failureThreshold: number;
    minFinished: number;
    filter?: Record<string, string>;
    window?: { start: string | null; end: string | null };
  };
  devices: CampaignDevice[];
}
