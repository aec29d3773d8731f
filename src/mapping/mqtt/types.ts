/**
 * The `mqtt` section of a mapping target as written (publish outputs, command topics),
 * and what its compiled form hands the MQTT face: messages to publish, matched commands.
 */
import type { Attributes, OperationRequest, OperationResult, Registration } from '../../lwm2m/server/types.js';
import type { Ref, TransformSpec, OneOrList } from '../types.js';

// ---- the section as written ----

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

/** A target's `mqtt` section. */
export interface MqttSectionSpec {
  publish?: OneOrList<PublishSpec>;
  commands?: OneOrList<CommandSpec>;
}

// ---- what the compiled section produces ----

/** One MQTT message to publish. */
export interface OutboundMessage {
  topic: string;
  payload: Buffer | string;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** name of the mapping file that produced it */
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
