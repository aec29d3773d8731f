/**
 * The credentials of a client: `PUT /api/clients/{endpoint}/security` with
 * `{ "mode": "psk", "identity": "...", "key": "<hex>" }`, `{ "mode": "rpk", "publicKey":
 * "<hex of the SubjectPublicKeyInfo>" }` or `{ "mode": "x509" }` (certificate CN =
 * endpoint); `GET` (mode, identity or public key: never the key) and `DELETE` beside it.
 * Write scope for all three. Nothing of a key goes into a response or a log line.
 */
import type { IRouter, Request, Response } from 'express';
import {
  MAX_PSK_IDENTITY_BYTES,
  MAX_PSK_KEY_BYTES,
  MAX_PUBLIC_KEY_BYTES,
  SECURITY_MODES,
  authenticatedIdentity,
  parseHex,
  type SecurityInfo,
  type SecurityMode,
  type SecurityStore,
} from '../../lwm2m/server/index.js';
import { ProblemError } from './errors.js';
import type { RestContext } from './context.js';
import type { Json } from './json.js';
import { showsSecrets } from './auth.js';
import { bodyObject } from './params.js';

export const SECURITY_ROUTE = '/api/clients/:endpoint/security';

const FIELDS: Record<SecurityMode, readonly string[]> = {
  psk: ['mode', 'identity', 'key'],
  rpk: ['mode', 'publicKey'],
  x509: ['mode'],
};

/** What a GET shows of an entry: never the PSK key. */
export function securityJson(info: SecurityInfo): Record<string, Json> {
  switch (info.mode) {
    case 'psk':
      return { endpoint: info.endpoint, mode: info.mode, identity: info.identity };
    case 'rpk':
      return { endpoint: info.endpoint, mode: info.mode, publicKey: info.publicKey.toString('hex') };
    case 'x509':
      return { endpoint: info.endpoint, mode: info.mode };
  }
}

function hexField(body: Record<string, unknown>, name: string, max: number): Buffer {
  const v = body[name];
  const b = typeof v === 'string' ? parseHex(v, max) : undefined;
  if (!b) throw new ProblemError('BAD_CREDENTIALS', `${name} must be a string of hex digits (an even number of them, 1 to ${max} bytes)`);
  return b;
}

/** The credentials a PUT body describes for `endpoint`, or a 400 BAD_CREDENTIALS. */
export function securityOfBody(endpoint: string, body: Record<string, unknown>): SecurityInfo {
  const mode = body.mode;
  if (typeof mode !== 'string' || !(SECURITY_MODES as readonly string[]).includes(mode)) {
    throw new ProblemError('BAD_CREDENTIALS', `mode must be one of ${SECURITY_MODES.join(', ')}`);
  }
  const m = mode as SecurityMode;
  const unknown = Object.keys(body).filter((k) => !FIELDS[m].includes(k));
  if (unknown.length > 0) throw new ProblemError('BAD_CREDENTIALS', `mode ${m} takes only ${FIELDS[m].join(', ')}`);
  if (m === 'psk') {
    const identity = body.identity;
    if (typeof identity !== 'string' || identity === '' || Buffer.byteLength(identity, 'utf8') > MAX_PSK_IDENTITY_BYTES) {
      throw new ProblemError('BAD_CREDENTIALS', `identity must be a string of 1 to ${MAX_PSK_IDENTITY_BYTES} bytes`);
    }
    return { endpoint, mode: m, identity, key: hexField(body, 'key', MAX_PSK_KEY_BYTES) };
  }
  if (m === 'rpk') return { endpoint, mode: m, publicKey: hexField(body, 'publicKey', MAX_PUBLIC_KEY_BYTES) };
  return { endpoint, mode: m };
}

export function endpointOf(req: Request): string {
  return String((req.params as Record<string, string>).endpoint ?? '');
}

export function writeScope(res: Response): void {
  if (!showsSecrets(res)) throw new ProblemError('FORBIDDEN', 'credentials need a write-scoped token');
}

export function json(res: Response, status: number, body: Json): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/**
 * The three routes on `route` over `store`: the server credentials by default; the
 * Bootstrap Server's credentials are the same routes on /api/bootstrap/{endpoint}/security.
 */
export function securityRoutes(router: IRouter, rc: RestContext, route = SECURITY_ROUTE, storeOf: () => SecurityStore = () => rc.server.credentials): void {
  router.put(route, (req: Request, res: Response) => {
    writeScope(res);
    const store = storeOf();
    const endpoint = endpointOf(req);
    const info = securityOfBody(endpoint, bodyObject(req));
    const owner = store.endpointOf(authenticatedIdentity(info));
    if (owner !== undefined && owner !== endpoint) throw new ProblemError('CREDENTIALS_CONFLICT', 'the identity belongs to another endpoint');
    const r = store.put(info);
    if (!r.ok) throw new ProblemError('BAD_CREDENTIALS', r.reason);
    rc.log.info('rest: credentials set', { endpoint, mode: info.mode });
    json(res, r.previous ? 200 : 201, securityJson(info));
  });

  router.get(route, (req: Request, res: Response) => {
    writeScope(res);
    const info = storeOf().get(endpointOf(req));
    if (!info) throw new ProblemError('CREDENTIALS_NOT_FOUND', 'no credentials for this endpoint');
    json(res, 200, securityJson(info));
  });

  router.delete(route, (req: Request, res: Response) => {
    writeScope(res);
    const removed = storeOf().remove(endpointOf(req));
    if (!removed) throw new ProblemError('CREDENTIALS_NOT_FOUND', 'no credentials for this endpoint');
    rc.log.info('rest: credentials removed', { endpoint: removed.endpoint });
    res.status(204).end();
  });
}
