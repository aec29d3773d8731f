/**
 * Bearer-token authentication with read and write scopes, and CORS.
 *
 * With no token configured the API is open. Otherwise every request under `/api` except
 * the public ones (the OpenAPI document, health) needs `Authorization: Bearer <token>`:
 * none or an unknown one is 401 UNAUTHORIZED; a `read` token may GET/HEAD only, anything
 * else is 403 FORBIDDEN. Tokens are compared in constant time. The caller's scope stays in
 * `res.locals.scope` (scopeOf): answers show a device's registration id to `write` only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './errors.js';

export interface TokenConfig {
  token: string;
  scope: 'read' | 'write';
}

export type Scope = TokenConfig['scope'];

/**
 * The scope of the request's caller, kept in `res.locals` by bearerAuth (`read` when it
 * did not say). Without tokens configured the API is open and every caller may write,
 * so the scope is `write`.
 */
export function scopeOf(res: Response): Scope {
  return (res.locals as { scope?: Scope }).scope ?? 'read';
}

/** True when the caller may see a device's secrets (its registration id): write scope. */
export function showsSecrets(res: Response): boolean {
  return scopeOf(res) === 'write';
}

export const PUBLIC_PATHS = new Set(['/api/openapi.json', '/api/health', '/healthz', '/readyz']);

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function bearerAuth(tokens: readonly TokenConfig[]): (req: Request, res: Response, next: NextFunction) => void {
  const known = tokens.map((t) => ({ hash: digest(t.token), scope: t.scope }));
  return (req, res, next) => {
    if (known.length === 0) {
      res.locals.scope = 'write';
      next();
      return;
    }
    if (req.method === 'OPTIONS' || PUBLIC_PATHS.has(req.path)) {
      res.locals.scope = 'read';
      next();
      return;
    }
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const hash = m ? digest(m[1]!) : undefined;
    // compare against every token, so the time taken does not tell which one matched
    let scope: 'read' | 'write' | undefined;
    for (const k of known) if (hash && timingSafeEqual(hash, k.hash) && scope !== 'write') scope = k.scope;
    if (!scope) {
      res.setHeader('www-authenticate', m ? 'Bearer error="invalid_token"' : 'Bearer');
      sendProblem(res, 'UNAUTHORIZED', m ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required');
      return;
    }
    if (scope === 'read' && req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('www-authenticate', 'Bearer error="insufficient_scope"');
      sendProblem(res, 'FORBIDDEN', `a read-only token cannot ${req.method}`);
      return;
    }
    res.locals.scope = scope;
    next();
  };
}

const ALLOW_METHODS = 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, Last-Event-ID';
const EXPOSE_HEADERS = 'Location, Link, WWW-Authenticate';

/** CORS for the configured origins ("*": any). Answers preflights with 204. */
export function cors(origins: readonly string[]): (req: Request, res: Response, next: NextFunction) => void {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    const ok = origin !== undefined && (any || allowed.has(origin));
    if (ok) {
      res.setHeader('access-control-allow-origin', any ? '*' : origin);
      if (!any) res.vary('Origin');
      res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (ok) {
        res.setHeader('access-control-allow-methods', ALLOW_METHODS);
        res.setHeader('access-control-allow-headers', ALLOW_HEADERS);
        res.setHeader('access-control-max-age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}
