/**
 * The PEM files of a TLS listener (mqtt.embedded.tls, rest.tls), read at start: on when
 * both cert and key are set; a missing half or an unreadable file is one line naming the key.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface TlsFileKeys {
  cert: string | null;
  key: string | null;
  ca?: string | null;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | null;
}

/** The most a PEM file may hold (a long chain is a few KiB). */
const MAX_PEM_BYTES = 1024 * 1024;

export class TlsFilesError extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'TlsFilesError';
  }
}

/** undefined when neither cert nor key is set (the listener is off); `section` is the config key: "rest.tls". */
export function readTlsFiles(files: TlsFileKeys | undefined, baseDir: string, section: string): TlsMaterial | undefined {
  if (!files || (files.cert === null && files.key === null)) return undefined;
  if (files.cert === null) throw new TlsFilesError(`${section}.key is set but ${section}.cert is not: set both (PEM files) or neither`, `${section}.cert`);
  if (files.key === null) throw new TlsFilesError(`${section}.cert is set but ${section}.key is not: set both (PEM files) or neither`, `${section}.key`);
  const read = (name: 'cert' | 'key' | 'ca', file: string): Buffer => {
    const path = resolve(baseDir, file);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      throw new TlsFilesError(`${section}.${name}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, `${section}.${name}`);
    }
    if (data.length > MAX_PEM_BYTES || !data.includes('-----BEGIN ')) throw new TlsFilesError(`${section}.${name}: ${path} is not a PEM file`, `${section}.${name}`);
    return data;
  };
  return { cert: read('cert', files.cert), key: read('key', files.key), ca: files.ca ? read('ca', files.ca) : null };
}
