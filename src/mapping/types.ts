/**
 * Mapping types: the file as written (after schema validation), and what the compiler
 * hands the northbound adapters (plans, messages, commands).
 */
import type { Attributes, OperationRequest, OperationResult, Registration } from '../lwm2m/server/types.js';

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

export interface PublishSpec {
  description?: string;
  topic: string;
  resources?: Ref[];
  each?: 'resource' | 'instance';
  format?: 'json' | 'text' | 'senml';
  payload?: unknown;
  baseName?: string;
  transform?: TransformSpec;
  transforms?: Record<string, TransformSpec>;
  qos?: 0 | 1 | 2;
  retain?: boolean;
  /** a resource the device does not have, in a message naming several: omitted, or null (default) */
  absent?: 'omit' | 'null' | null;
}

export type CommandOperation = 'write' | 'execute' | 'read' | 'observe' | 'cancel';
export const COMMAND_OPERATIONS: readonly CommandOperation[] = ['write', 'execute', 'read', 'observe', 'cancel'];

export interface CommandSpec {
  description?: string;
  topic: string;
  write?: Ref | true;
  execute?: Ref | true;
  read?: Ref | true;
  observe?: Ref | true;
  cancel?: Ref | true;
  attributes?: Attributes;
  response?: string;
  transform?: TransformSpec;
  qos?: 0 | 1 | 2;
}

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

export interface TargetSpec {
  description?: string;
  object: Ref;
  instances?: number[];
  observe?: OneOrList<ObserveSpec>;
  mqtt?: { publish?: OneOrList<PublishSpec>; commands?: OneOrList<CommandSpec> };
  rest?: RestSpec;
  onem2m?: Record<string, unknown>;
}

export interface MappingFileSpec {
  description?: string;
  enabled?: boolean;
  devices?: { endpoint?: string | string[]; endpointPattern?: string; objects?: Ref[] };
  targets: TargetSpec[];
  rest?: RestFileSpec;
  onem2m?: Record<string, unknown>;
}

// ---- what the compiler produces ----

/** One MQTT message to publish. */
export interface OutboundMessage {
  topic: string;
  payload: Buffer | string;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** name of the mapping file that produced it */
  mapping: string;
}

/** An observation to start for a device when it registers. */
export interface PlannedObservation {
  /** "/3303/0/5700" ... ; several when composite */
  paths: string[];
  composite: boolean;
  /** written to every path (Write-Attributes) before observing */
  attributes?: Attributes;
  mapping: string;
}

/** A command topic that matched, turned into an operation request. */
export interface CommandOk {
  ok: true;
  endpoint: string;
  request: OperationRequest;
  /** requests to send before `request` (Write-Attributes of an observe command) */
  prepare?: OperationRequest[];
  correlationId?: string;
  mapping: string;
  /** the message that carries the result to the response topic (undefined: no response topic) */
  respond(result: OperationResult): OutboundMessage | undefined;
}

/** A command topic that matched but whose message could not become a request. */
export interface CommandFailed {
  ok: false;
  endpoint: string;
  error: string;
  correlationId?: string;
  mapping: string;
  /** the error, for the response topic (undefined: no response topic) */
  response?: OutboundMessage;
}

export type CommandMatch = CommandOk | CommandFailed;

export interface ParseCommandOptions {
  /**
   * Looks the endpoint up; when given, a command whose file does not select this device
   * (devices: endpoint / objects) is skipped, and the next matching command is tried.
   */
  registrationOf?: (endpoint: string) => Registration | undefined;
  /** MQTT 5 correlation data, used when the payload carries no correlationId */
  correlationId?: string;
  /** ms since epoch for {timestamp} in response topics (default Date.now()) */
  now?: number;
}
