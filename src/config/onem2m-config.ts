/** The oneM2M face's config section (`onem2m`): the CSE, the IPE, device AEs, the embedded CSE, access control. */
import { port } from './schema-parts.js';

/** an operation an <accessControlPolicy> grants (TS-0004 accessControlOperations) */
export type OneM2mAccessOperation = 'create' | 'retrieve' | 'update' | 'delete' | 'notify' | 'discover';

export interface OneM2mConfig {
  /** the oneM2M IPE face: the gateway registers as an AE on a CSE over the HTTP binding */
  enabled: boolean;
  cse: {
    /** an external CSE (http://host:port); null: the embedded CSE is started */
    url: string | null;
    /** CSE-ID without the slash */
    id: string;
    /** CSEBase resource name */
    name: string;
  };
  /** the IPE's AE-ID, its X-M2M-Origin */
  originator: string;
  /** the IPE AE's resource name */
  aeName: string;
  /** X-M2M-RVI of every request ("3" or later) */
  release: string;
  /** the URL the CSE sends notifications to; null: http://<notify.host>:<notify port> */
  poa: string | null;
  /** the IPE's notification listener */
  notify: { host: string; port: number };
  /** a device's AE: its AE-ID and resource name ({endpoint} is the endpoint name, made safe) */
  deviceAe: { id: string; name: string };
  /** on de-registration and expiry: label the device AE offline, or delete it */
  onDeregister: 'offline' | 'delete';
  /** requests held while the CSE is unreachable; beyond it the oldest are dropped and counted */
  bufferSize: number;
  /** seconds between retries when the CSE is unreachable: doubles from min to max */
  retry: { min: number; max: number };
  /** the embedded CSE (when cse.url is null): the originator allowed everything, and per AE (name or AE-ID) the originators allowed on it */
  embedded: { port: number; host: string; admin: string; allowed: Record<string, string[]> };
  /** the <accessControlPolicy> the IPE gives each device AE: application originators granted access (none: no ACP), and the operations they get */
  accessControl: { originators: string[]; operations: OneM2mAccessOperation[] };
}

export const DEFAULT_ONEM2M_CONFIG: OneM2mConfig = {
  enabled: false,
  cse: { url: null, id: 'id-in', name: 'cse-in' },
  originator: 'CLwm2mIpe',
  aeName: 'lwm2m-ipe',
  release: '3',
  poa: null,
  notify: { host: '127.0.0.1', port: 8181 },
  deviceAe: { id: 'C{endpoint}', name: '{endpoint}' },
  onDeregister: 'offline',
  bufferSize: 10_000,
  retry: { min: 0.5, max: 30 },
  embedded: { port: 8282, host: '127.0.0.1', admin: 'CAdmin', allowed: {} },
  accessControl: { originators: [], operations: ['retrieve', 'create', 'discover'] },
};

export const ONEM2M_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    cse: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: ['string', 'null'], pattern: '^https?://' },
        id: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,64}$' },
        name: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,64}$' },
      },
    },
    originator: { type: 'string', pattern: '^[CS][A-Za-z0-9._~-]{1,63}$' },
    aeName: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,64}$' },
    release: { enum: ['3', '4', '5'] },
    poa: { type: ['string', 'null'], pattern: '^https?://' },
    notify: {
      type: 'object',
      additionalProperties: false,
      properties: { host: { type: 'string', minLength: 1 }, port },
    },
    deviceAe: {
      type: 'object',
      additionalProperties: false,
      properties: { id: { type: 'string', pattern: '^[CS].*\\{endpoint\\}' }, name: { type: 'string', pattern: '\\{endpoint\\}' } },
    },
    onDeregister: { enum: ['offline', 'delete'] },
    bufferSize: { type: 'integer', minimum: 1 },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: { min: { type: 'number', exclusiveMinimum: 0 }, max: { type: 'number', exclusiveMinimum: 0 } },
    },
    embedded: {
      type: 'object',
      additionalProperties: false,
      properties: {
        port,
        host: { type: 'string', minLength: 1 },
        admin: { type: 'string', pattern: '^[CS][A-Za-z0-9._~-]{1,63}$' },
        allowed: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } } },
      },
    },
    accessControl: {
      type: 'object',
      additionalProperties: false,
      properties: {
        originators: { type: 'array', maxItems: 64, uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9._~/-]{1,128}$' } },
        operations: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['create', 'retrieve', 'update', 'delete', 'notify', 'discover'] } },
      },
    },
  },
} as const;
