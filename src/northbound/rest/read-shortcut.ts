/**
 * The API's hot path: `GET /api/devices/{endpoint}/{object}[/{instance}[/{resource}[/{ri}]]]`
 * (a read) handed straight to the read handler, after CORS and authentication (the same
 * bearerAuth the other routes pass), instead of walking the router's hundred-odd routes
 * and the body parsers first.
 *
 * It takes only a request the router would give the generic read route anyway: GET, no
 * body, 1 to 4 segments of digits after a plain endpoint segment. Anything else (a
 * trailing slash or an empty segment, an action such as `/discover`, upper case, odd
 * characters, an endpoint that is not valid percent-encoding, a body) goes on through
 * the router, which answers it as before. No other GET route matches segments of digits
 * (test/integration/rest/read-shortcut.test.ts checks the route table).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

const PREFIX = '/api/devices/';
const ID_SEGMENTS = ['objectId', 'instanceId', 'resourceId', 'resourceInstanceId'] as const;
/**
 * An endpoint segment as it may stand in a URL path (RFC 3986 pchar): no `#`, `?`,
 * space or control character, which the router's URL parser would treat otherwise.
 * One character class, linear.
 */
const PLAIN_SEGMENT = /^[\w.~%!$&'()*+,;=:@-]+$/;

/** 1..5 decimal digits (the router's parameter; pathOf checks the range). */
function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 5) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The body-parser test: a request has a body when it says a length or an encoding. */
function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || headers['content-length'] !== undefined;
}

/**
 * The route parameters the router would give the generic read route for `method url`,
 * or undefined when the router should decide (the request is not certainly a read).
 */
export function readRouteParams(method: string, url: string, headers: IncomingHttpHeaders): Record<string, string> | undefined {
  if (method !== 'GET' || !url.startsWith(PREFIX) || hasBody(headers)) return undefined;
  const q = url.indexOf('?', PREFIX.length);
  const segs = (q < 0 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, q)).split('/', 6);
  if (segs.length < 2 || segs.length > 5) return undefined;
  const encoded = segs[0]!;
  if (!PLAIN_SEGMENT.test(encoded)) return undefined;
  let endpoint = encoded;
  if (encoded.includes('%')) {
    try {
      endpoint = decodeURIComponent(encoded);
    } catch {
      return undefined; // the router answers 400 BAD_PATH_ENCODING
    }
  }
  const params: Record<string, string> = { endpoint };
  for (let k = 1; k < segs.length; k++) {
    if (!isDigits(segs[k]!)) return undefined;
    params[ID_SEGMENTS[k - 1]!] = segs[k]!;
  }
  return params;
}

/**
 * The middleware: a read goes through `auth` (the API's authentication, which answers a
 * refusal itself) to `read`; anything else to the next handler (the router).
 */
export function readShortcut(read: (req: Request, res: Response) => Promise<void>, auth: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const params = readRouteParams(req.method, req.url, req.headers);
    if (!params) {
      next();
      return;
    }
    void auth(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(err);
        return;
      }
      req.params = params;
      read(req, res).catch(next);
    });
  };
}
