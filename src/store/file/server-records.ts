/**
 * Checks of the values read back from disk, one per record kind of the file store: a value
 * of the wrong shape throws RecordError (the replay stops there) instead of reaching the
 * core. Shapes only; a registration's content was checked when the device sent it.
 */
import { LwM2mPath } from '../../lwm2m/path.js';
import { securityInfoProblem } from '../../lwm2m/server/security.js';
import type { SecurityInfo } from '../../lwm2m/server/security.js';
import type { QueuedRequest, StoredObservation } from '../../lwm2m/server/store.js';
import type { Registration } from '../../lwm2m/server/types.js';
import { RecordError } from './record-log.js';

type Obj = Record<string, unknown>;

const MAX_TEXT = 4096;

function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Map || v instanceof Uint8Array) throw new RecordError(`bad ${what}`);
  return v as Obj;
}

function str(o: Obj, key: string, optional = false): void {
  const v = o[key];
  if (optional && v === undefined) return;
  if (typeof v !== 'string' || v.length > MAX_TEXT) throw new RecordError(`bad ${key}`);
}

function num(o: Obj, key: string, optional = false): void {
  const v = o[key];
  if (optional && v === undefined) return;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new RecordError(`bad ${key}`);
}

function paths(v: unknown): void {
  if (!Array.isArray(v) || v.length === 0 || v.some((p) => !(p instanceof LwM2mPath))) throw new RecordError('bad paths');
}

export function asRegistration(v: unknown): Registration {
  const r = obj(v, 'registration');
  for (const k of ['id', 'endpoint', 'version', 'binding', 'rootPath']) str(r, k);
  str(r, 'smsNumber', true);
  for (const k of ['lifetime', 'registeredAt', 'lastUpdateAt', 'expiresAt']) num(r, k);
  if (typeof r.queueMode !== 'boolean') throw new RecordError('bad queueMode');
  if (!Array.isArray(r.contentFormats) || r.contentFormats.some((c) => typeof c !== 'number')) throw new RecordError('bad contentFormats');
  if (!Array.isArray(r.objectLinks)) throw new RecordError('bad objectLinks');
  for (const l of r.objectLinks) {
    const link = obj(l, 'link');
    str(link, 'uri');
    if (!(link.attributes instanceof Map)) throw new RecordError('bad link attributes');
  }
  if (!(r.objects instanceof Map)) throw new RecordError('bad objects');
  for (const [id, o] of r.objects as Map<unknown, unknown>) {
    const entry = obj(o, 'object entry');
    if (typeof id !== 'number' || typeof entry.version !== 'string' || !Array.isArray(entry.instances)) throw new RecordError('bad object entry');
  }
  const peer = obj(r.peer, 'peer');
  for (const k of ['transport', 'key', 'address']) str(peer, k);
  str(peer, 'identity', true);
  num(peer, 'port');
  const extra = obj(r.extra, 'extra');
  for (const k of Object.keys(extra)) str(extra, k);
  return r as unknown as Registration;
}

export function asObservation(v: unknown): StoredObservation {
  const s = obj(v, 'observation');
  const o = obj(s.observation, 'observation');
  for (const k of ['id', 'registrationId', 'endpoint']) str(o, k);
  num(o, 'createdAt');
  num(o, 'format', true);
  paths(o.paths);
  if (typeof o.composite !== 'boolean') throw new RecordError('bad composite');
  if (!(o.token instanceof Uint8Array) || o.token.length === 0 || o.token.length > 8) throw new RecordError('bad token');
  const req = obj(s.request, 'observe request');
  if (req.op === 'observe') {
    if (!(req.path instanceof LwM2mPath)) throw new RecordError('bad observe path');
  } else if (req.op === 'observeComposite') paths(req.paths);
  else throw new RecordError('bad observe request');
  const dl = obj(s.downlink, 'downlink');
  if ((dl.op !== 'observe' && dl.op !== 'observeComposite') || !(dl.path instanceof LwM2mPath)) throw new RecordError('bad downlink');
  num(dl, 'accept', true);
  return s as unknown as StoredObservation;
}

/** A queue as stored: the requests of `endpoint`, oldest first. */
export function asQueue(endpoint: string, v: unknown, max: number): QueuedRequest[] {
  if (!Array.isArray(v) || v.length > max) throw new RecordError('bad queue');
  for (const item of v) {
    const q = obj(item, 'queued request');
    if (q.endpoint !== endpoint) throw new RecordError('queued request of another endpoint');
    num(q, 'queuedAt');
    num(q, 'expiresAt');
    const req = obj(q.request, 'queued request');
    str(req, 'op');
  }
  return v as QueuedRequest[];
}

export function asSecurityInfo(v: unknown): SecurityInfo {
  const s = obj(v, 'credentials');
  if (s.mode === 'psk' && !Buffer.isBuffer(s.key)) throw new RecordError('bad key');
  if (s.mode === 'rpk' && !Buffer.isBuffer(s.publicKey)) throw new RecordError('bad public key');
  str(s, 'endpoint');
  if (s.mode === 'psk') str(s, 'identity');
  // the same check as put(): lengths, names, mode
  if (securityInfoProblem(s as unknown as SecurityInfo)) throw new RecordError('bad credentials');
  return s as unknown as SecurityInfo;
}
