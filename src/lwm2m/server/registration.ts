/**
 * Register and Update parameters (`ep=...`, `lt=...`, as every binding hands them) turned
 * into validated values: parameter parsing, version and binding rules, lifetime policy, and the
 * link-format object list (alternate path, `ct`, object versions). Pure: no I/O.
 */
import { LwM2mPath } from '../path.js';
import { ContentFormat } from '../codec/codec.js';
import { DEFAULT_LINK_LIMITS, parseLinks } from '../codec/link-format.js';
import type { Link } from '../codec/link-format.js';
import type { Peer, UplinkErrorCode } from '../transport.js';
import type { Registration } from './types.js';
import { randomPool } from '../random-pool.js';
import { cachedList, shareList } from './object-lists.js';
import { DEFAULT_REGISTRATION_LIMITS } from './register-guard.js';
import { endpointNameProblem } from './endpoint-name.js';
import type { RefusalKind, RegistrationLimits } from './register-guard.js';

export const SUPPORTED_VERSIONS: readonly string[] = ['1.0', '1.1', '1.2'];

export interface LifetimePolicy {
  /** seconds; a smaller `lt` is raised to this (the client simply updates more often than needed) */
  min: number;
  /** seconds; a larger `lt` is refused with 4.00 (the client could not learn a shortened lifetime) */
  max: number;
  /** seconds, when the Register carries no `lt` */
  default: number;
}

export const DEFAULT_LIFETIME: LifetimePolicy = { min: 1, max: 10 * 365 * 86400, default: 86400 };

/** A refusal: the result code and a reason for the log (never sent to the device). */
export interface Refusal {
  ok: false;
  code: UplinkErrorCode;
  reason: string;
  /** a refusal the server counts (a bound or a hostile name), see register-guard.ts */
  kind?: RefusalKind;
  /** seconds after which the client may try again (too many Registers, server full) */
  retryAfter?: number;
}

/** The bounds an object list is checked against. */
export type ObjectListLimits = Pick<RegistrationLimits, 'maxLinks' | 'maxPayload'>;


export interface ObjectList {
  /** false when no link named the root (`rt="oma.lwm2m"` or `</>`): an Update then keeps the old root and `ct` */
  rootDeclared: boolean;
  rootPath: string;
  contentFormats: number[];
  objectLinks: Link[];
  objects: Map<number, { version: string; instances: number[] }>;
}

export interface RegisterParams extends Omit<ObjectList, 'rootDeclared'> {
  ok: true;
  endpoint: string;
  lifetime: number;
  version: string;
  binding: string;
  queueMode: boolean;
  smsNumber?: string;
  extra: Record<string, string>;
}

export interface UpdateParams {
  ok: true;
  lifetime?: number;
  binding?: string;
  /** valueless `Q` present */
  queueFlag: boolean;
  smsNumber?: string;
  /** a new object list replacing the whole old one */
  objectList?: ObjectList;
}

const refuse = (code: Refusal['code'], reason: string, kind?: RefusalKind): Refusal => ({ ok: false, code, reason, ...(kind ? { kind } : {}) });

/** Parameter items `k=v` or valueless `k`; a repeated name is refused. */
export function parseParams(items: readonly string[]): Map<string, string | true> | Refusal {
  const out = new Map<string, string | true>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    if (name === '') return refuse('badRequest', `query item without a name: "${item}"`);
    if (out.has(name)) return refuse('badRequest', `query parameter "${name}" repeated`);
    out.set(name, eq < 0 ? true : item.slice(eq + 1));
  }
  return out;
}

function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;
}

/** `lt`: decimal seconds, checked against the policy. */
export function checkLifetime(raw: string | true, policy: LifetimePolicy): number | Refusal {
  if (raw === true || !/^\d{1,10}$/.test(raw)) return refuse('badRequest', `bad lifetime "${String(raw)}"`);
  const lt = Number(raw);
  if (lt > policy.max) return refuse('badRequest', `lifetime ${lt} s above the maximum ${policy.max} s`);
  return Math.max(lt, policy.min);
}

/**
 * Binding letters: U (UDP), S (SMS), N (non-IP), T (TCP), M (MQTT), H (HTTP), and Q
 * (queue mode in LwM2M 1.0: UQ, SQ, UQS; accepted from any version).
 */
function checkBinding(raw: string | true): { binding: string; queue: boolean } | Refusal {
  if (raw === true || !/^[USNTMHQ]{1,7}$/.test(raw)) return refuse('badRequest', `bad binding "${String(raw)}"`);
  return { binding: BINDINGS.get(raw) ?? raw, queue: raw.includes('Q') };
}

function text(v: string | true | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Content formats listed in `ct`: `110`, `"110 112"`, or unquoted with spaces or commas. */
function parseCt(v: string | true): number[] {
  if (v === true) return [];
  const out: number[] = [];
  for (const part of v.split(/[\s,]+/)) {
    if (/^\d{1,5}$/.test(part)) {
      const n = Number(part);
      if (n <= 65535 && !out.includes(n)) out.push(n);
    }
  }
  return out;
}

function trimUri(uri: string): string {
  let u = uri.trim();
  if (u.length > 1 && u.endsWith('/')) u = u.slice(0, -1);
  return u === '' ? '/' : u;
}

/**
 * The object list of a Register or Update payload. A link with `rt="oma.lwm2m"` names the
 * root (alternate path when it is not `/`) and may carry `ct`; object and instance links
 * below the root fill `objects`; anything else is ignored. Unknown objects are kept.
 */
export function interpretLinks(links: readonly Link[], defaultRoot = '/'): ObjectList {
  let rootPath = defaultRoot;
  let contentFormats: number[] = [];
  let rootDeclared = false;
  for (const link of links) {
    if (link.attributes.get('rt') === 'oma.lwm2m') {
      rootDeclared = true;
      rootPath = trimUri(link.uri);
      const ct = link.attributes.get('ct');
      if (ct !== undefined) contentFormats = parseCt(ct);
    }
  }
  // a plain `</>` link may carry `ct` without `rt` (root path "/")
  if (!rootDeclared) {
    const root = links.find((l) => trimUri(l.uri) === '/');
    if (root) {
      rootDeclared = true;
      rootPath = '/';
      const ct = root.attributes.get('ct');
      if (ct !== undefined) contentFormats = parseCt(ct);
    }
  }
  const prefix = rootPath === '/' ? '' : rootPath;
  const objectLinks: Link[] = [];
  const objects = new Map<number, { version: string; instances: number[] }>();
  for (const link of links) {
    const uri = trimUri(link.uri);
    if (link.attributes.get('rt') === 'oma.lwm2m' || uri === '/' || uri === rootPath) continue;
    // objects belong below the alternate path; a client that lists them at "/" anyway is taken at its word
    const local = prefix && uri.startsWith(prefix + '/') ? uri.slice(prefix.length) : uri;
    let path: LwM2mPath;
    try {
      path = LwM2mPath.parse(local);
    } catch {
      continue;
    }
    if (path.depth < 1 || path.depth > 2 || path.objectId === undefined) continue;
    objectLinks.push(link);
    let entry = objects.get(path.objectId);
    if (!entry) {
      entry = { version: '1.0', instances: [] };
      objects.set(path.objectId, entry);
    }
    const ver = link.attributes.get('ver');
    if (typeof ver === 'string' && ver.trim() !== '') entry.version = ver.trim();
    if (path.instanceId !== undefined && !entry.instances.includes(path.instanceId)) entry.instances.push(path.instanceId);
  }
  for (const e of objects.values()) e.instances.sort((a, b) => a - b);
  return { rootDeclared, rootPath, contentFormats, objectLinks, objects };
}

function payloadText(payload: Uint8Array): string {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

/**
 * The link-format payload of Register/Update, within `limits` (payload bytes: 4.13;
 * object and instance links: 4.00). Register and Update need at least one object. Lists
 * are shared between registrations (object-lists.ts): frozen, never mutated.
 */
export function parseObjectList(
  payload: Uint8Array,
  contentFormat: number | undefined,
  defaultRoot = '/',
  limits: ObjectListLimits = DEFAULT_REGISTRATION_LIMITS,
): ObjectList | Refusal {
  if (payload.byteLength > limits.maxPayload) {
    return refuse('requestEntityTooLarge', `object list of ${payload.byteLength} bytes, more than ${limits.maxPayload}`, 'payload');
  }
  if (contentFormat !== undefined && contentFormat !== ContentFormat.LINK) {
    return refuse('unsupportedContentFormat', `object list in content format ${contentFormat}, expected ${ContentFormat.LINK}`);
  }
  const text = payloadText(payload);
  const key = `${defaultRoot}\n${text}`;
  // a cached list passed another server's limits, maybe not these: the link bound is checked anyway
  const list = cachedList(key) ?? parseNew(text, key, defaultRoot, limits);
  if (isRefusal(list)) return list;
  if (list.objectLinks.length > limits.maxLinks) {
    return refuse('badRequest', `${list.objectLinks.length} object links, more than ${limits.maxLinks}`, 'links');
  }
  return list;
}

function parseNew(text: string, key: string, defaultRoot: string, limits: ObjectListLimits): ObjectList | Refusal {
  let links: Link[];
  try {
    // the parser stops early on a flood of links: a few more than the bound (root and other links) are let through
    links = parseLinks(text, {
      ...DEFAULT_LINK_LIMITS,
      maxLength: Math.max(DEFAULT_LINK_LIMITS.maxLength, limits.maxPayload),
      maxLinks: limits.maxLinks + 16,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.includes(`more than ${limits.maxLinks + 16} links`)) return refuse('badRequest', `more than ${limits.maxLinks} links`, 'links');
    return refuse('badRequest', `bad link-format payload: ${message}`);
  }
  const list = interpretLinks(links, defaultRoot);
  if (list.objects.size === 0) return refuse('badRequest', 'empty object list');
  if (list.objectLinks.length > limits.maxLinks) return list; // refused by the caller, not cached
  return shareList(key, list);
}

/** One copy of each common value: registrations keep these strings instead of slices of their query. */
const VERSIONS = new Map(SUPPORTED_VERSIONS.map((v) => [v, v]));
const BINDINGS = new Map(['U', 'UQ', 'S', 'SQ', 'US', 'UQS', 'T', 'TQ', 'N', 'NQ', 'M', 'MQ', 'H', 'HQ'].map((b) => [b, b]));
const NO_EXTRA: Record<string, string> = Object.freeze({}) as Record<string, string>;

const KNOWN_REGISTER = new Set(['ep', 'lt', 'lwm2m', 'b', 'sms', 'Q']);

/** Register: `ep` required; `lwm2m` absent means 1.0 (lenient); payload required. */
export function parseRegister(
  params: readonly string[],
  payload: Uint8Array,
  contentFormat: number | undefined,
  policy: LifetimePolicy,
  limits: ObjectListLimits = DEFAULT_REGISTRATION_LIMITS,
): RegisterParams | Refusal {
  const q = parseParams(params);
  if (isRefusal(q)) return q;
  const ep = q.get('ep');
  if (typeof ep !== 'string' || ep === '') return refuse('badRequest', 'missing endpoint name (ep)');
  const badName = endpointNameProblem(ep);
  if (badName) return refuse('badRequest', badName, 'endpointName');
  const v = q.get('lwm2m');
  let version = '1.0';
  if (v !== undefined) {
    if (v === true || !/^\d{1,3}\.\d{1,3}$/.test(v)) return refuse('badRequest', `bad LwM2M version "${String(v)}"`);
    if (!SUPPORTED_VERSIONS.includes(v)) return refuse('preconditionFailed', `unsupported LwM2M version ${v}`);
    version = VERSIONS.get(v) ?? v;
  }
  let lifetime = Math.max(policy.default, policy.min);
  const lt = q.get('lt');
  if (lt !== undefined) {
    const r = checkLifetime(lt, policy);
    if (isRefusal(r)) return r;
    lifetime = r;
  }
  let binding = 'U';
  let queueMode = q.has('Q');
  const b = q.get('b');
  if (b !== undefined) {
    const r = checkBinding(b);
    if (isRefusal(r)) return r;
    binding = r.binding;
    queueMode ||= r.queue;
  }
  const sms = q.get('sms');
  if (sms === true) return refuse('badRequest', 'sms without a number');
  const parsed = parseObjectList(payload, contentFormat, '/', limits);
  if (isRefusal(parsed)) return parsed;
  let extra = NO_EXTRA;
  for (const [k, val] of q) {
    if (KNOWN_REGISTER.has(k)) continue;
    if (extra === NO_EXTRA) extra = {};
    extra[k] = val === true ? '' : val;
  }
  return {
    ok: true,
    endpoint: ep,
    lifetime,
    version,
    binding,
    queueMode,
    ...(sms !== undefined ? { smsNumber: sms } : {}),
    extra,
    rootPath: parsed.rootPath,
    contentFormats: parsed.contentFormats,
    objectLinks: parsed.objectLinks,
    objects: parsed.objects,
  };
}

/** Update: every parameter optional; an empty one is a lifetime refresh. `ep` (old clients) is ignored. */
export function parseUpdate(
  params: readonly string[],
  payload: Uint8Array,
  contentFormat: number | undefined,
  policy: LifetimePolicy,
  /** the registration's root path, for a payload that does not repeat the root link */
  currentRoot = '/',
  limits: ObjectListLimits = DEFAULT_REGISTRATION_LIMITS,
): UpdateParams | Refusal {
  const q = parseParams(params);
  if (isRefusal(q)) return q;
  const out: UpdateParams = { ok: true, queueFlag: q.has('Q') };
  const lt = q.get('lt');
  if (lt !== undefined) {
    const r = checkLifetime(lt, policy);
    if (isRefusal(r)) return r;
    out.lifetime = r;
  }
  const b = q.get('b');
  if (b !== undefined) {
    const r = checkBinding(b);
    if (isRefusal(r)) return r;
    out.binding = r.binding;
  }
  const sms = q.get('sms');
  if (sms === true) return refuse('badRequest', 'sms without a number');
  if (sms !== undefined) out.smsNumber = text(sms);
  if (payload.length > 0) {
    const list = parseObjectList(payload, contentFormat, currentRoot, limits);
    if (isRefusal(list)) return list;
    out.objectList = list;
  }
  return out;
}

export { isRefusal };

export function buildRegistration(id: string, p: RegisterParams, peer: Peer, now: number): Registration {
  return {
    id,
    endpoint: p.endpoint,
    lifetime: p.lifetime,
    version: p.version,
    binding: p.binding,
    queueMode: p.queueMode,
    ...(p.smsNumber !== undefined ? { smsNumber: p.smsNumber } : {}),
    rootPath: p.rootPath,
    contentFormats: p.contentFormats,
    objectLinks: p.objectLinks,
    objects: p.objects,
    peer,
    registeredAt: now,
    lastUpdateAt: now,
    expiresAt: now + p.lifetime * 1000,
    extra: p.extra,
  };
}

/**
 * The registration after an Update. Queue mode: a 1.0 client states it in `b` (so `b=U`
 * turns it off); 1.1+ clients with `Q` (or Q inside `b`) turn it on, otherwise it stays.
 */
export function applyUpdate(prev: Registration, u: UpdateParams, peer: Peer, now: number): Registration {
  const lifetime = u.lifetime ?? prev.lifetime;
  const bindingQueue = u.binding !== undefined && u.binding.includes('Q');
  let queueMode = prev.queueMode;
  if (u.queueFlag || bindingQueue) queueMode = true;
  else if (u.binding !== undefined && prev.version === '1.0') queueMode = false;
  const next: Registration = {
    ...prev,
    lifetime,
    binding: u.binding ?? prev.binding,
    queueMode,
    peer,
    lastUpdateAt: now,
    expiresAt: now + lifetime * 1000,
  };
  if (u.smsNumber !== undefined) next.smsNumber = u.smsNumber;
  if (u.objectList) {
    if (u.objectList.rootDeclared) {
      next.rootPath = u.objectList.rootPath;
      next.contentFormats = u.objectList.contentFormats;
    }
    next.objectLinks = u.objectList.objectLinks;
    next.objects = u.objectList.objects;
  }
  return next;
}

/** 12 characters of base64url from 72 random bits: unique in practice, not guessable. */
export function newRegistrationId(): string {
  return randomPool.base64url(9);
}
