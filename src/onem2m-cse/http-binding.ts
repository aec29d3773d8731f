/**
 * The oneM2M HTTP binding on the CSE side (TS-0009): the method gives the operation (POST
 * with `ty` in Content-Type: create; GET: retrieve, or discovery with fu=1; PUT: update;
 * DELETE: delete), X-M2M-Origin the originator, X-M2M-RI the request id (echoed), X-M2M-RVI
 * the release; the answer carries X-M2M-RSC and its HTTP status, and `m2m:dbg` on failure.
 * Bodies are bounded; a header or body that is not well formed is refused with 4000.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CseCore, CseRequest, CseResponse, DiscoveryFilter } from './cse.js';
import { MAX_DISCOVERY_RESULTS } from './cse.js';
import { CseError, httpStatusOf, RSC } from './status.js';

const RELEASES = new Set(['2a', '3', '4', '5']);
/** printable ASCII without spaces, 1 to 256 characters: safe to echo in a header */
const TOKEN = /^[\x21-\x7e]{1,256}$/;
const JSON_TYPES = new Set(['application/json', 'application/vnd.onem2m-res+json']);

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The media type and the `ty` parameter of a Content-Type header. */
function contentType(header: string | undefined): { media: string; ty?: number } {
  const [media = '', ...params] = (header ?? '').split(';').map((s) => s.trim());
  let ty: number | undefined;
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k?.trim().toLowerCase() !== 'ty') continue;
    if (v === undefined || !/^\d{1,4}$/.test(v.trim())) throw new CseError(RSC.BAD_REQUEST, 'bad ty parameter');
    ty = Number(v.trim());
  }
  return ty === undefined ? { media: media.toLowerCase() } : { media: media.toLowerCase(), ty };
}

function filterOf(q: URLSearchParams): DiscoveryFilter {
  const ty = q.getAll('ty').slice(0, 8).map(Number);
  const lbl = q.getAll('lbl').slice(0, 8);
  if (ty.some((t) => !Number.isInteger(t)) || lbl.some((l) => l.length > 128)) throw new CseError(RSC.BAD_REQUEST, 'bad filter criteria');
  const lim = q.has('lim') ? Number(q.get('lim')) : MAX_DISCOVERY_RESULTS;
  if (!Number.isInteger(lim) || lim < 0) throw new CseError(RSC.BAD_REQUEST, 'bad lim');
  const drt = q.get('drt') === '2' ? 2 : 1;
  const rn = q.get('rn');
  return { ty, lbl, lim, drt, ...(rn !== null ? { rn: rn.slice(0, 64) } : {}) };
}

/** Turns an HTTP request into a request primitive (throws CseError on a malformed one). */
async function toPrimitive(req: IncomingMessage, bodyLimit: number): Promise<CseRequest> {
  const url = new URL(req.url ?? '/', 'http://cse');
  if (url.pathname.length > 1024) throw new CseError(RSC.BAD_REQUEST, 'target too long');
  let to: string;
  try {
    to = decodeURIComponent(url.pathname);
  } catch {
    throw new CseError(RSC.BAD_REQUEST, 'bad target');
  }
  const fr = req.headers['x-m2m-origin'];
  if (typeof fr !== 'string' || (fr !== '' && !TOKEN.test(fr))) throw new CseError(RSC.BAD_REQUEST, 'X-M2M-Origin missing or malformed');
  const base = { to, fr };
  switch (req.method) {
    case 'GET':
    case 'DELETE':
      if (req.method === 'DELETE') return { ...base, op: 'delete' };
      return url.searchParams.get('fu') === '1' ? { ...base, op: 'discovery', filter: filterOf(url.searchParams) } : { ...base, op: 'retrieve' };
    case 'POST':
    case 'PUT': {
      const ct = contentType(req.headers['content-type']);
      if (!JSON_TYPES.has(ct.media)) throw new CseError(RSC.UNSUPPORTED_MEDIA_TYPE, 'only JSON is supported');
      const text = await readBody(req, bodyLimit);
      let pc: unknown;
      try {
        pc = JSON.parse(text);
      } catch {
        throw new CseError(RSC.BAD_REQUEST, 'the body is not JSON');
      }
      if (req.method === 'PUT') return { ...base, op: 'update', pc };
      if (ct.ty === undefined) throw new CseError(RSC.BAD_REQUEST, 'ty missing in Content-Type (notifications are not accepted here)');
      return { ...base, op: 'create', ty: ct.ty, pc };
    }
    default:
      throw new CseError(RSC.OPERATION_NOT_ALLOWED, 'method not supported');
  }
}

function send(res: ServerResponse, rvi: string, ri: string | undefined, out: CseResponse): void {
  res.statusCode = httpStatusOf(out.rsc);
  res.setHeader('x-m2m-rsc', String(out.rsc));
  res.setHeader('x-m2m-rvi', rvi);
  if (ri !== undefined) res.setHeader('x-m2m-ri', ri);
  if (out.location !== undefined) res.setHeader('content-location', out.location);
  if (out.pc === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(out.pc));
}

/** The request handler of the CSE's HTTP server. */
export function httpHandler(core: CseCore, bodyLimit: number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const riHeader = req.headers['x-m2m-ri'];
    const ri = typeof riHeader === 'string' && TOKEN.test(riHeader) ? riHeader : undefined;
    const rviHeader = req.headers['x-m2m-rvi'];
    const rvi = typeof rviHeader === 'string' && RELEASES.has(rviHeader) ? rviHeader : '3';
    const fail = (e: unknown): void => {
      if (e instanceof BodyTooLarge) res.setHeader('connection', 'close');
      const err = e instanceof CseError ? e : new CseError(RSC.BAD_REQUEST, e instanceof BodyTooLarge ? 'body too large' : 'bad request');
      send(res, rvi, ri, { rsc: err.rsc, pc: { 'm2m:dbg': err.message } });
    };
    if (ri === undefined) return fail(new CseError(RSC.BAD_REQUEST, 'X-M2M-RI missing or malformed'));
    // no X-M2M-RVI means release 1, which this CSE (like ACME) does not serve (TS-0009 clause 6.4.18)
    if (typeof rviHeader !== 'string' || !RELEASES.has(rviHeader)) return fail(new CseError(RSC.RELEASE_VERSION_NOT_SUPPORTED, 'release version missing or not supported'));
    toPrimitive(req, bodyLimit)
      .then((p) => core.handle(p))
      .then((out) => send(res, rvi, ri, out))
      .catch(fail);
  };
}
