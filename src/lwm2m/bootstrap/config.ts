/**
 * A bootstrap configuration: what the Bootstrap Server writes into one client (or into
 * any client without one of its own: the default). The same plain shape comes from the
 * bootstrap file (YAML) and from REST:
 *
 *   servers:  the LwM2M Server accounts, each a Security (/0/i) and a Server (/1/i) instance
 *   objects:  other instances to write, by path: { "/24/0": { "0": "mqtt://..." } }
 *   delete:   paths deleted first (default /0 and /1: the client keeps its bootstrap account)
 *   discover, readBack, contentFormat: optional steps and the first format to try
 *
 * Keys are Buffers and leave the gateway only towards the client they are for.
 */
import { LwM2mPath } from '../path.js';
import { MAX_PSK_IDENTITY_BYTES, MAX_PSK_KEY_BYTES, MAX_PUBLIC_KEY_BYTES, parseHex } from '../server/security.js';

export type AccountSecurityMode = 'psk' | 'rpk' | 'x509' | 'nosec';
export const ACCOUNT_SECURITY_MODES: readonly AccountSecurityMode[] = ['psk', 'rpk', 'x509', 'nosec'];

/** Security Mode resource /0/x/2 (LwM2M Core TS, object 0): 0 PSK, 1 RPK, 2 certificate, 3 NoSec. */
export const SECURITY_MODE_NUMBERS: Readonly<Record<AccountSecurityMode, number>> = { psk: 0, rpk: 1, x509: 2, nosec: 3 };

/** One LwM2M Server account for the client. */
export interface ServerAccount {
  readonly shortServerId: number;
  readonly uri: string;
  readonly securityMode: AccountSecurityMode;
  /** psk: the PSK identity (UTF-8) */
  readonly identity?: string;
  /** psk: the key */
  readonly key?: Buffer;
  /** rpk/x509: the client's public key or certificate, its private key, the server's key or certificate */
  readonly publicKey?: Buffer;
  readonly secretKey?: Buffer;
  readonly serverPublicKey?: Buffer;
  /** seconds (Server /1/x/1) */
  readonly lifetime: number;
  /** Server /1/x/7: "U", "UQ", "T", "M"... */
  readonly binding: string;
  /** Server /1/x/6 */
  readonly notificationStoring: boolean;
  readonly defaultMinPeriod?: number;
  readonly defaultMaxPeriod?: number;
}

export interface BootstrapConfig {
  readonly servers: readonly ServerAccount[];
  /** path ("/24/0") -> resource id -> plain value (turned into typed nodes by the object models) */
  readonly objects: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** paths deleted before the writes */
  readonly delete: readonly string[];
  /** Bootstrap-Discover of / first (learns the client's LwM2M version and its /0 instances) */
  readonly discover: boolean;
  /** Bootstrap-Read of /1 after the writes */
  readonly readBack: boolean;
  /** the first content format to try for the writes (default: the client's `pct`, else by version) */
  readonly contentFormat?: number;
}

/** the most of each list a config may hold */
export const BOOTSTRAP_LIMITS = { servers: 8, objects: 32, delete: 8, resources: 64, uriBytes: 255, stringBytes: 1024 } as const;

export const DEFAULT_DELETE: readonly string[] = Object.freeze(['/0', '/1']);

/** content formats a bootstrap write can use */
export const WRITE_FORMATS: readonly number[] = [11542, 112, 110, 11544];

/** A problem found in a config: the field (as written, from the config's top) and a message. */
export interface ConfigProblem {
  readonly field: readonly (string | number)[];
  readonly message: string;
}

export type ConfigParse = { ok: true; config: BootstrapConfig } | { ok: false; problems: ConfigProblem[] };

const SERVER_FIELDS = [
  'shortServerId', 'uri', 'securityMode', 'identity', 'key', 'publicKey', 'secretKey', 'serverPublicKey',
  'lifetime', 'binding', 'notificationStoring', 'defaultMinPeriod', 'defaultMaxPeriod',
];
const CONFIG_FIELDS = ['servers', 'objects', 'delete', 'discover', 'readBack', 'contentFormat'];
const URI_SCHEME = /^(coaps?|coap\+tcp|coaps\+tcp|mqtts?|https?):\/\/[^\s]/;
const BINDING = /^[UTSNQMH]{1,8}$/;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

class Checker {
  readonly problems: ConfigProblem[] = [];
  add(field: readonly (string | number)[], message: string): undefined {
    this.problems.push({ field, message });
    return undefined;
  }
  unknownFields(v: Record<string, unknown>, allowed: readonly string[], at: (string | number)[]): void {
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.add([...at, k], `unknown field (fields: ${allowed.join(', ')})`);
  }
  int(v: unknown, at: (string | number)[], min: number, max: number): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    return this.add(at, `an integer from ${min} to ${max}`);
  }
  bool(v: unknown, at: (string | number)[], dflt: boolean): boolean {
    if (v === undefined) return dflt;
    if (typeof v === 'boolean') return v;
    this.add(at, 'true or false');
    return dflt;
  }
  text(v: unknown, at: (string | number)[], maxBytes: number): string | undefined {
    if (typeof v === 'string' && v !== '' && Buffer.byteLength(v, 'utf8') <= maxBytes) return v;
    return this.add(at, `a string of 1 to ${maxBytes} bytes`);
  }
  hex(v: unknown, at: (string | number)[], maxBytes: number): Buffer | undefined {
    const b = typeof v === 'string' ? parseHex(v, maxBytes) : undefined;
    return b ?? this.add(at, `hex digits, an even number of them, 1 to ${maxBytes} bytes`);
  }
}

function hexFields(c: Checker, s: Record<string, unknown>, at: (string | number)[], mode: AccountSecurityMode): Partial<ServerAccount> {
  const need: Record<AccountSecurityMode, readonly string[]> = {
    psk: ['identity', 'key'],
    rpk: ['publicKey', 'secretKey', 'serverPublicKey'],
    x509: ['publicKey', 'secretKey', 'serverPublicKey'],
    nosec: [],
  };
  const out: { -readonly [K in keyof ServerAccount]?: ServerAccount[K] } = {};
  for (const k of ['identity', 'key', 'publicKey', 'secretKey', 'serverPublicKey']) {
    if (s[k] !== undefined && !need[mode].includes(k)) c.add([...at, k], `not used with securityMode ${mode}`);
  }
  for (const k of need[mode]) {
    if (s[k] === undefined) {
      c.add([...at, k], `required with securityMode ${mode}`);
      continue;
    }
    if (k === 'identity') out.identity = c.text(s[k], [...at, k], MAX_PSK_IDENTITY_BYTES);
    else if (k === 'key') out.key = c.hex(s[k], [...at, k], MAX_PSK_KEY_BYTES);
    else out[k as 'publicKey' | 'secretKey' | 'serverPublicKey'] = c.hex(s[k], [...at, k], MAX_PUBLIC_KEY_BYTES * 8);
  }
  return out;
}

function serverOf(c: Checker, raw: unknown, at: (string | number)[]): ServerAccount | undefined {
  if (!isMap(raw)) return c.add(at, 'a server is a map: { shortServerId, uri, securityMode, ... }');
  c.unknownFields(raw, SERVER_FIELDS, at);
  const shortServerId = c.int(raw.shortServerId, [...at, 'shortServerId'], 1, 65534);
  const uri = c.text(raw.uri, [...at, 'uri'], BOOTSTRAP_LIMITS.uriBytes);
  if (uri !== undefined && !URI_SCHEME.test(uri)) c.add([...at, 'uri'], 'a URI: coap://, coaps://, mqtt://, mqtts://, http(s)://...');
  const mode = raw.securityMode;
  if (typeof mode !== 'string' || !(ACCOUNT_SECURITY_MODES as readonly string[]).includes(mode)) {
    return c.add([...at, 'securityMode'], `one of ${ACCOUNT_SECURITY_MODES.join(', ')}`);
  }
  const keys = hexFields(c, raw, at, mode as AccountSecurityMode);
  const lifetime = raw.lifetime === undefined ? 86400 : c.int(raw.lifetime, [...at, 'lifetime'], 0, 2 ** 31 - 1);
  const binding = raw.binding === undefined ? 'U' : typeof raw.binding === 'string' && BINDING.test(raw.binding) ? raw.binding : c.add([...at, 'binding'], 'binding letters: U, T, S, N, Q, M, H');
  const notificationStoring = c.bool(raw.notificationStoring, [...at, 'notificationStoring'], true);
  const pmin = raw.defaultMinPeriod === undefined ? undefined : c.int(raw.defaultMinPeriod, [...at, 'defaultMinPeriod'], 0, 2 ** 31 - 1);
  const pmax = raw.defaultMaxPeriod === undefined ? undefined : c.int(raw.defaultMaxPeriod, [...at, 'defaultMaxPeriod'], 0, 2 ** 31 - 1);
  if (shortServerId === undefined || uri === undefined || lifetime === undefined || binding === undefined) return undefined;
  return {
    shortServerId,
    uri,
    securityMode: mode as AccountSecurityMode,
    ...keys,
    lifetime,
    binding,
    notificationStoring,
    ...(pmin !== undefined ? { defaultMinPeriod: pmin } : {}),
    ...(pmax !== undefined ? { defaultMaxPeriod: pmax } : {}),
  };
}

function pathOf(c: Checker, text: unknown, at: (string | number)[]): LwM2mPath | undefined {
  if (typeof text !== 'string' || text.length > 32) return c.add(at, 'a path: /o or /o/i');
  try {
    return LwM2mPath.parse(text);
  } catch {
    return c.add(at, 'a path: /o or /o/i');
  }
}

function objectsOf(c: Checker, raw: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (raw === undefined) return out;
  if (!isMap(raw)) return (c.add(['objects'], 'a map of instance paths to resource values: { "/24/0": { "0": ... } }'), out);
  const entries = Object.entries(raw);
  if (entries.length > BOOTSTRAP_LIMITS.objects) return (c.add(['objects'], `at most ${BOOTSTRAP_LIMITS.objects} instances`), out);
  for (const [k, v] of entries) {
    const p = pathOf(c, k, ['objects', k]);
    if (!p) continue;
    if (p.depth !== 2) c.add(['objects', k], 'an instance path: /o/i');
    else if (p.objectId === 0 || p.objectId === 1) c.add(['objects', k], 'Security and Server instances come from servers');
    else if (!isMap(v) || Object.keys(v).length > BOOTSTRAP_LIMITS.resources) c.add(['objects', k], `a map of resource ids to values (at most ${BOOTSTRAP_LIMITS.resources})`);
    else if (Object.keys(v).some((r) => !/^\d{1,5}$/.test(r))) c.add(['objects', k], 'resource ids are numbers');
    else out[p.toString()] = v;
  }
  return out;
}

function deleteOf(c: Checker, raw: unknown): string[] {
  if (raw === undefined) return [...DEFAULT_DELETE];
  if (!Array.isArray(raw) || raw.length > BOOTSTRAP_LIMITS.delete) return (c.add(['delete'], `a list of at most ${BOOTSTRAP_LIMITS.delete} paths`), []);
  const out: string[] = [];
  raw.forEach((t, i) => {
    const p = pathOf(c, t, ['delete', i]);
    if (p && p.depth > 2) c.add(['delete', i], 'an object or instance path (or /)');
    else if (p) out.push(p.toString());
  });
  return out;
}

/** Checks a plain value (parsed YAML or JSON) as a bootstrap config; every problem found, or the config. */
export function parseBootstrapConfig(raw: unknown): ConfigParse {
  const c = new Checker();
  if (!isMap(raw)) return { ok: false, problems: [{ field: [], message: 'a bootstrap config is a map: { servers, objects, delete, ... }' }] };
  c.unknownFields(raw, CONFIG_FIELDS, []);
  const servers: ServerAccount[] = [];
  if (!Array.isArray(raw.servers) || raw.servers.length > BOOTSTRAP_LIMITS.servers) {
    c.add(['servers'], `a list of 0 to ${BOOTSTRAP_LIMITS.servers} server accounts`);
  } else {
    const ids = new Set<number>();
    raw.servers.forEach((s: unknown, i: number) => {
      const a = serverOf(c, s, ['servers', i]);
      if (!a) return;
      if (ids.has(a.shortServerId)) c.add(['servers', i, 'shortServerId'], 'already used by another server');
      ids.add(a.shortServerId);
      servers.push(a);
    });
  }
  const objects = objectsOf(c, raw.objects);
  const del = deleteOf(c, raw.delete);
  const discover = c.bool(raw.discover, ['discover'], false);
  const readBack = c.bool(raw.readBack, ['readBack'], false);
  let contentFormat: number | undefined;
  if (raw.contentFormat !== undefined) {
    if (typeof raw.contentFormat === 'number' && WRITE_FORMATS.includes(raw.contentFormat)) contentFormat = raw.contentFormat;
    else c.add(['contentFormat'], `one of ${WRITE_FORMATS.join(', ')}`);
  }
  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  const config: BootstrapConfig = { servers, objects, delete: del, discover, readBack, ...(contentFormat !== undefined ? { contentFormat } : {}) };
  return { ok: true, config };
}

/** Secret resources of the objects a config may write: OSCORE Master Secret and Salt (21), COSE Key (23), MQTT Server Password (24). */
const SECRET_RESOURCES: Readonly<Record<number, readonly string[]>> = { 21: ['0', '5'], 23: ['2'], 24: ['8'] };

/** The objects to write, their secret resources left out (their paths listed in `hidden`). */
function objectsView(objects: BootstrapConfig['objects']): { objects: Record<string, Record<string, unknown>>; hidden: string[] } {
  const out: Record<string, Record<string, unknown>> = {};
  const hidden: string[] = [];
  for (const [path, resources] of Object.entries(objects)) {
    const secret = SECRET_RESOURCES[Number(path.split('/')[1])] ?? [];
    const shown: Record<string, unknown> = {};
    for (const [id, value] of Object.entries(resources)) {
      if (secret.includes(id)) hidden.push(`${path}/${id}`);
      else shown[id] = value;
    }
    out[path] = shown;
  }
  return { objects: out, hidden };
}

/** What may be shown of a config (REST GET, events): everything but the keys and secret resources. */
export function configView(config: BootstrapConfig): Record<string, unknown> & { servers: unknown[] } {
  return {
    servers: config.servers.map((s) => ({
      shortServerId: s.shortServerId,
      uri: s.uri,
      securityMode: s.securityMode,
      ...(s.identity !== undefined ? { identity: s.identity } : {}),
      ...(s.publicKey ? { publicKey: s.publicKey.toString('hex') } : {}),
      ...(s.serverPublicKey ? { serverPublicKey: s.serverPublicKey.toString('hex') } : {}),
      lifetime: s.lifetime,
      binding: s.binding,
      notificationStoring: s.notificationStoring,
      ...(s.defaultMinPeriod !== undefined ? { defaultMinPeriod: s.defaultMinPeriod } : {}),
      ...(s.defaultMaxPeriod !== undefined ? { defaultMaxPeriod: s.defaultMaxPeriod } : {}),
    })),
    ...objectsView(config.objects),
    delete: [...config.delete],
    discover: config.discover,
    readBack: config.readBack,
    ...(config.contentFormat !== undefined ? { contentFormat: config.contentFormat } : {}),
  };
}

/**
 * The config in the plain form parseBootstrapConfig takes, keys included (hex): what a
 * persistent store writes, so that reading it back checks it again. Never shown.
 */
export function configSource(config: BootstrapConfig): Record<string, unknown> {
  const view = configView(config);
  view.objects = config.objects;
  delete view.hidden;
  view.servers = config.servers.map((s, i) => ({
    ...(view.servers[i] as Record<string, unknown>),
    ...(s.key ? { key: s.key.toString('hex') } : {}),
    ...(s.secretKey ? { secretKey: s.secretKey.toString('hex') } : {}),
  }));
  return view;
}

/** Whether two configs are the same (the file reloader keeps what did not change). */
export function sameConfig(a: BootstrapConfig, b: BootstrapConfig): boolean {
  const keys = (s: ServerAccount): string => [s.key, s.secretKey].map((k) => k?.toString('hex') ?? '').join(':');
  return (
    JSON.stringify(configView(a)) === JSON.stringify(configView(b)) &&
    a.servers.every((s, i) => b.servers[i] !== undefined && keys(s) === keys(b.servers[i]))
  );
}
