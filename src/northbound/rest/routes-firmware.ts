/**
 * Firmware and software images and per-device updates:
 *
 *   POST   /api/firmware?name=&version=&deviceType=[&kind=software]   the image as the body (application/octet-stream)
 *   GET    /api/firmware                  the images
 *   GET    /api/firmware/{id}             one image
 *   DELETE /api/firmware/{id}             (409 while a job or an active campaign uses it)
 *   POST   /api/devices/{endpoint}/firmware   { imageId, method?: auto|push|pull } -> 202, the job; a software
 *          image installs on object 9 ({ instance?: 0, activate?: true })
 *   GET    /api/devices/{endpoint}/firmware   the running or last job
 *   DELETE /api/devices/{endpoint}/firmware   cancels a running job (not one of a campaign)
 *
 * and, before authentication (a device has no API token; the unguessable per-job token is
 * its right to it), `GET|HEAD /api/fw/{token}`: the image of a pull delivery, with ETag (its
 * SHA-256) and single byte ranges, so that an interrupted download resumes.
 */
import express, { type IRouter, type Request, type Response } from 'express';
import { createReadStream } from 'node:fs';
import { ImageError, InputError, type FirmwareApi, type ImageMeta, type JobProgress } from '../../firmware/index.js';
import { ProblemError } from './errors.js';
import type { Json } from './json.js';
import { bodyObject, queryString } from './params.js';

export const FIRMWARE_ROUTE = '/api/firmware';
export const DEVICE_FIRMWARE_ROUTE = '/api/devices/:endpoint/firmware';
export const DOWNLOAD_ROUTE = '/api/fw/:token';

export function imageJson(m: ImageMeta): Record<string, Json> {
  return { id: m.id, kind: m.kind, name: m.name, version: m.version, deviceType: m.deviceType, size: m.size, sha256: m.sha256, createdAt: new Date(m.createdAt).toISOString() };
}

export function jobJson(p: JobProgress & { campaignId?: string }): Record<string, Json> {
  const out: Record<string, Json> = {
    endpoint: p.endpoint,
    imageId: p.imageId,
    phase: p.phase,
    bytes: p.bytes,
    size: p.size,
    startedAt: new Date(p.startedAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
    seconds: Math.round((p.updatedAt - p.startedAt) / 100) / 10,
  };
  if (p.method) out.method = p.method;
  if (p.state !== undefined) out.state = p.state;
  if (p.result !== undefined) out.result = p.result;
  if (p.resultText !== undefined) out.resultText = p.resultText;
  if (p.firmwareVersion !== undefined) out.firmwareVersion = p.firmwareVersion;
  if (p.error) out.error = { code: p.error.code, message: p.error.message };
  if (p.note) out.note = p.note;
  if (p.campaignId) out.campaignId = p.campaignId;
  return out;
}

function send(res: Response, status: number, body: Json): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** The manager, or 404 FIRMWARE_OFF. */
export function firmwareOf(fw: FirmwareApi | undefined): FirmwareApi {
  if (!fw) throw new ProblemError('FIRMWARE_OFF', 'the gateway runs no firmware updates (firmware.enabled is false)');
  return fw;
}

/** A firmware error as a problem. */
export function firmwareProblem(e: unknown): unknown {
  if (e instanceof InputError) return new ProblemError('BAD_BODY', e.message);
  if (e instanceof ImageError) {
    if (e.code === 'NOT_FOUND') return new ProblemError('IMAGE_NOT_FOUND', e.message);
    if (e.code === 'TOO_LARGE') return new ProblemError('PAYLOAD_TOO_LARGE', e.message);
    if (e.code === 'TOO_MANY') return new ProblemError('FIRMWARE_CONFLICT', e.message);
    return new ProblemError('BAD_QUERY', e.message);
  }
  return e;
}

export function firmwareRoutes(router: IRouter, fw: FirmwareApi | undefined): void {
  const limit = fw?.config.maxImageBytes ?? 1;
  const raw = express.raw({ type: () => true, limit });

  router.post(FIRMWARE_ROUTE, raw, (req: Request, res: Response, next) => {
    const f = firmwareOf(fw);
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new ProblemError('BAD_BODY', 'the body must be the image (application/octet-stream)');
    const kind = queryString(req, 'kind') ?? 'firmware';
    if (kind !== 'firmware' && kind !== 'software') throw new ProblemError('BAD_QUERY', 'kind must be firmware or software');
    const input = { kind, name: queryString(req, 'name') ?? '', version: queryString(req, 'version') ?? '', deviceType: queryString(req, 'deviceType') ?? '' } as const;
    f.addImage(input, body).then(
      (m) => {
        res.setHeader('location', `${FIRMWARE_ROUTE}/${m.id}`);
        send(res, 201, imageJson(m));
      },
      (e: unknown) => next(firmwareProblem(e)),
    );
  });

  router.get(FIRMWARE_ROUTE, (_req: Request, res: Response) => {
    send(res, 200, { images: firmwareOf(fw).images.list().map(imageJson) });
  });

  const image = (req: Request): ImageMeta => {
    const m = firmwareOf(fw).images.get(String(req.params.id));
    if (!m) throw new ProblemError('IMAGE_NOT_FOUND', 'no such image');
    return m;
  };

  router.get(`${FIRMWARE_ROUTE}/:id`, (req: Request, res: Response) => send(res, 200, imageJson(image(req))));

  router.delete(`${FIRMWARE_ROUTE}/:id`, (req: Request, res: Response, next) => {
    firmwareOf(fw)
      .removeImage(String(req.params.id))
      .then((r) => {
        if (r === 'notFound') throw new ProblemError('IMAGE_NOT_FOUND', 'no such image');
        if (r === 'inUse') throw new ProblemError('FIRMWARE_CONFLICT', 'an update or an active campaign uses this image');
        res.status(204).end();
      })
      .catch(next);
  });

  router.post(DEVICE_FIRMWARE_ROUTE, (req: Request, res: Response) => {
    const f = firmwareOf(fw);
    const b = bodyObject(req);
    const extra = Object.keys(b).filter((k) => !['imageId', 'method', 'instance', 'activate'].includes(k));
    if (extra.length > 0 || typeof b.imageId !== 'string') throw new ProblemError('BAD_BODY', 'the body must be { "imageId": "...", "method"?: "auto"|"push"|"pull", "instance"?: 0..65534, "activate"?: true|false } (the last two for software)');
    const instance = b.instance ?? 0;
    if (typeof instance !== 'number' || !Number.isInteger(instance) || instance < 0 || instance > 65534) throw new ProblemError('BAD_BODY', 'instance must be a whole number from 0 to 65534');
    if (b.activate !== undefined && typeof b.activate !== 'boolean') throw new ProblemError('BAD_BODY', 'activate must be true or false');
    const method = b.method ?? 'auto';
    if (method !== 'auto' && method !== 'push' && method !== 'pull') throw new ProblemError('BAD_BODY', 'method must be auto, push or pull');
    const endpoint = String(req.params.endpoint);
    let p: JobProgress;
    try {
      if (!f.images.get(b.imageId)) throw new ProblemError('IMAGE_NOT_FOUND', 'no such image');
      p = f.updateDevice(endpoint, b.imageId, { method, instance, ...(b.activate !== undefined ? { activate: b.activate } : {}) });
    } catch (e) {
      if (e instanceof InputError) throw new ProblemError('FIRMWARE_CONFLICT', e.message);
      if (e instanceof ImageError && e.message.startsWith('no device')) throw new ProblemError('DEVICE_NOT_FOUND', e.message);
      throw firmwareProblem(e);
    }
    res.setHeader('location', `/api/devices/${encodeURIComponent(endpoint)}/firmware`);
    send(res, 202, jobJson(p));
  });

  router.get(DEVICE_FIRMWARE_ROUTE, (req: Request, res: Response) => {
    const p = firmwareOf(fw).job(String(req.params.endpoint));
    if (!p) throw new ProblemError('NOT_FOUND', 'no firmware update of this device is known');
    send(res, 200, jobJson(p));
  });

  router.delete(DEVICE_FIRMWARE_ROUTE, (req: Request, res: Response) => {
    if (!firmwareOf(fw).cancelJob(String(req.params.endpoint))) throw new ProblemError('FIRMWARE_CONFLICT', 'no update of this device runs outside a campaign');
    res.status(204).end();
  });
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`: one range, or undefined (serve it all), or 'bad'. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'bad' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m) return undefined; // several ranges or another unit: the whole image (RFC 9110 14.2 allows ignoring)
  const [a, b] = [m[1]!, m[2]!];
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'bad';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'bad';
  return { start, end };
}

/** The pull download, mounted before authentication. */
export function firmwareDownloadRoute(router: IRouter, fw: FirmwareApi | undefined): void {
  const serve = (req: Request, res: Response): void => {
    const d = fw?.download(String(req.params.token));
    if (!d) throw new ProblemError('DOWNLOAD_NOT_FOUND', 'no download is open under this token');
    const size = d.image.size;
    const etag = `"${d.image.sha256}"`;
    res.setHeader('etag', etag);
    res.setHeader('accept-ranges', 'bytes');
    res.setHeader('cache-control', 'no-store');
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    const ifRange = req.headers['if-range'];
    let range = ifRange !== undefined && ifRange !== etag ? undefined : parseRange(req.headers.range, size);
    if (range === 'bad') {
      res.setHeader('content-range', `bytes */${size}`);
      throw new ProblemError('RANGE_NOT_SATISFIABLE', `the image has ${size} bytes`);
    }
    range ??= { start: 0, end: size - 1 };
    const partial = range.start !== 0 || range.end !== size - 1;
    res.status(partial ? 206 : 200);
    res.setHeader('content-type', 'application/octet-stream');
    res.setHeader('content-length', String(range.end - range.start + 1));
    if (partial) res.setHeader('content-range', `bytes ${range.start}-${range.end}/${size}`);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(d.file, { start: range.start, end: range.end });
    stream.on('data', (chunk) => d.served(chunk.length));
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  };
  router.get(DOWNLOAD_ROUTE, serve);
  router.head(DOWNLOAD_ROUTE, serve);
}
