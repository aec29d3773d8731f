/**
 * Secrets from files, for Docker and Kubernetes secrets: a secret key (`password`,
 * `passwordHash`, `token`, anywhere in the config, lists included) may hold
 * `file:<path>` instead of the secret; the file's content (one trailing line break
 * dropped) replaces it. The environment does the same with a `_FILE` suffix:
 * `LWM2MGW_MQTT__EXTERNAL__PASSWORD_FILE=/run/secrets/mqtt` (see envOverrides).
 * A secret's value is never put in an error message or a log line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** leaf key names whose values are secrets */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'passwordHash', 'token']);

export const FILE_REF = 'file:';

/** a secret file larger than this is refused (a secret is a password or a token, not a document) */
export const MAX_SECRET_BYTES = 64 * 1024;

export class SecretFileError extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'SecretFileError';
  }
}

/** Reads one secret file: bounded size, UTF-8, one trailing `\n` or `\r\n` dropped. `key` only names the setting in errors. */
export function readSecretFile(path: string, key: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new SecretFileError(`${key}: cannot read secret file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, key);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_SECRET_BYTES) throw new SecretFileError(`${key}: secret file ${path} is larger than ${MAX_SECRET_BYTES} bytes`, key);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    let text = buf.subarray(0, got).toString('utf8');
    if (text.endsWith('\r\n')) text = text.slice(0, -2);
    else if (text.endsWith('\n')) text = text.slice(0, -1);
    if (text.length === 0) throw new SecretFileError(`${key}: secret file ${path} is empty`, key);
    return text;
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces every `file:` reference held by a secret key of `tree` (in place) with the
 * file's content; a relative path resolves against `baseDir` (the config file's folder
 * for the file, the working directory for the environment).
 */
export function resolveSecretFiles(tree: unknown, baseDir: string): void {
  const walk = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, String(i)]));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      const here = [...path, k];
      if (SECRET_KEYS.has(k) && typeof v === 'string' && v.startsWith(FILE_REF)) {
        const raw = v.slice(FILE_REF.length);
        const file = isAbsolute(raw) ? raw : resolve(baseDir, raw);
        obj[k] = readSecretFile(file, here.join('.'));
      } else walk(v, here);
    }
  };
  walk(tree, []);
}
