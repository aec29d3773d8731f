/**
 * The web console's files on the REST port: `GET /` is its page, `/console/*` its
 * scripts and styles, from the folder `npm run build` writes (dist/console) or
 * `console.assetsDir`. Served before authentication (the page itself holds nothing: it
 * asks for a token and calls the API with it). Strict headers: the page may load only
 * its own files and talk only to this origin.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { sendProblem } from './errors.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the built console is: dist/console beside dist/northbound/rest, or from src/ (tsx) the build output. */
export function builtConsoleDir(): string | undefined {
  const candidates = [resolve(here, '../../console'), resolve(here, '../../../dist/console')];
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function headers(res: Response): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cache-control', 'no-cache');
}

/** Adds the console's routes to `app` (call before authentication); `dir` undefined: the page says how to build it. */
export function consoleRoutes(app: Express, folder: string | undefined): void {
  const dir = folder !== undefined && existsSync(join(folder, 'index.html')) ? folder : undefined;
  const missing = (res: Response): void => sendProblem(res, 'NOT_FOUND', 'the web console is not built: run `npm run build` (or set console.enabled: false)');
  app.get('/', (_req: Request, res: Response) => {
    headers(res);
    if (!dir) return missing(res);
    res.sendFile(join(dir, 'index.html'), (err) => {
      if (err && !res.headersSent) missing(res);
    });
  });
  if (!dir) return;
  const files = express.static(join(dir, 'console'), { index: false, dotfiles: 'deny', etag: true, lastModified: false, fallthrough: true, redirect: false });
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    headers(res);
    files(req, res, next);
  });
}
