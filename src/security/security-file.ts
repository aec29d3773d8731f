/**
 * The security file (`security.file`): a YAML list of credentials, one entry per endpoint:
 *
 *   - { endpoint: dev1, mode: psk, identity: dev1-id, key: 000102030405060708090a0b0c0d0e0f }
 *   - { endpoint: dev2, mode: rpk, publicKey: 3059301306072a8648ce3d0201... }
 *   - { endpoint: dev3, mode: x509 }
 *   - { endpoint: dev1, mode: psk, identity: dev1-bs, key: ..., bootstrap: true }
 *
 * An entry with `bootstrap: true` is the endpoint's bootstrap account: the credentials
 * it proves to the Bootstrap Server (kept apart, `ServerStore.bootstrapSecurity`). An
 * endpoint has at most one entry of each kind.
 *
 * Errors carry file, line, column and field, like the mapping files'; a key's value is
 * never quoted in one.
 */
import type { ErrorSink} from '../mapping/errors.js';
import { positionOf, type MappingError } from '../mapping/errors.js';
import { parseYaml } from '../yaml-file.js';
import { SECURITY_MODES, parseHex, securityInfoProblem, type SecurityInfo, type SecurityMode } from '../lwm2m/server/security.js';

/** the largest security file read, bytes, and the most entries it may hold */
export const MAX_SECURITY_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_SECURITY_ENTRIES = 250_000;

/** an entry and where it is in the file ("[3]", line, column) */
export interface SecurityFileEntry {
  readonly info: SecurityInfo;
  /** the bootstrap account (`bootstrap: true`), not the server account */
  readonly bootstrap: boolean;
  readonly field: string;
  readonly line: number;
  readonly column: number;
}

export type SecurityFileResult = { ok: true; entries: SecurityFileEntry[] } | { ok: false; errors: MappingError[] };

const FIELDS: Record<SecurityMode, readonly string[]> = {
  psk: ['endpoint', 'mode', 'identity', 'key', 'bootstrap'],
  rpk: ['endpoint', 'mode', 'publicKey', 'bootstrap'],
  x509: ['endpoint', 'mode', 'bootstrap'],
};

function entryOf(raw: unknown, at: (string | number)[], sink: ErrorSink): SecurityInfo | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    sink.add(at, 'an entry is a map: { endpoint, mode, ... }');
    return undefined;
  }
  const e = raw as Record<string, unknown>;
  const mode = e.mode;
  if (typeof mode !== 'string' || !(SECURITY_MODES as readonly string[]).includes(mode)) {
    sink.add([...at, 'mode'], `mode must be one of ${SECURITY_MODES.join(', ')}`);
    return undefined;
  }
  const m = mode as SecurityMode;
  let bad = false;
  for (const k of Object.keys(e)) {
    if (!FIELDS[m].includes(k)) {
      sink.add([...at, k], `unknown field for mode ${m} (fields: ${FIELDS[m].join(', ')})`, { atKey: true });
      bad = true;
    }
  }
  const str = (k: string): string | undefined => {
    const v = e[k];
    if (typeof v === 'string' && v !== '') return v;
    sink.add([...at, k], `${k} is required: a non-empty string`);
    bad = true;
    return undefined;
  };
  const hex = (k: string, max: number): Buffer | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    const b = parseHex(v, max);
    if (!b) {
      sink.add([...at, k], `${k} must be hex digits, an even number of them, at most ${max} bytes`);
      bad = true;
    }
    return b;
  };
  const endpoint = str('endpoint');
  let info: SecurityInfo | undefined;
  if (m === 'psk') {
    const identity = str('identity');
    const key = hex('key', 64);
    if (endpoint !== undefined && identity !== undefined && key) info = { endpoint, mode: m, identity, key };
  } else if (m === 'rpk') {
    const publicKey = hex('publicKey', 512);
    if (endpoint !== undefined && publicKey) info = { endpoint, mode: m, publicKey };
  } else if (endpoint !== undefined) info = { endpoint, mode: m };
  if (bad || !info) return undefined;
  const problem = securityInfoProblem(info);
  if (problem) {
    sink.add(at, problem);
    return undefined;
  }
  return info;
}

/** Parses the text of a security file; every error found, or the entries. */
export function parseSecurityFile(file: string, text: string): SecurityFileResult {
  const y = parseYaml(file, text);
  if (!y.ok) return y;
  const { data, sink, doc, lc } = y;
  if (data === null || data === undefined) return { ok: true, entries: [] };
  if (!Array.isArray(data)) {
    sink.add([], 'the security file is a list of entries: - { endpoint, mode, ... }');
    return { ok: false, errors: sink.errors };
  }
  if (data.length > MAX_SECURITY_ENTRIES) {
    sink.add([], `more than ${MAX_SECURITY_ENTRIES} entries`);
    return { ok: false, errors: sink.errors };
  }
  const entries: SecurityFileEntry[] = [];
  const endpoints = new Map<string, number>();
  const identities = new Map<string, number>();
  data.forEach((raw, index) => {
    const info = entryOf(raw, [index], sink);
    if (!info) return;
    const flag = (raw as Record<string, unknown>).bootstrap ?? false;
    if (typeof flag !== 'boolean') return sink.add([index, 'bootstrap'], 'bootstrap is true or false');
    const kind = flag ? 'b:' : 's:';
    const sameEp = endpoints.get(kind + info.endpoint);
    if (sameEp !== undefined) return sink.add([index, 'endpoint'], `endpoint already in entry ${sameEp}`);
    endpoints.set(kind + info.endpoint, index);
    if (info.mode === 'psk') {
      const sameId = identities.get(kind + info.identity);
      if (sameId !== undefined) return sink.add([index, 'identity'], `identity already in entry ${sameId}`);
      identities.set(kind + info.identity, index);
    }
    entries.push({ info, bootstrap: flag, field: `[${index}]`, ...positionOf(doc, lc, [index]) });
  });
  return sink.errors.length ? { ok: false, errors: sink.errors } : { ok: true, entries };
}
