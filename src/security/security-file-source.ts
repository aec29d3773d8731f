/**
 * Keeps the store's credentials in step with the security file (`security.file`): the
 * first load must be clean (the gateway refuses to start otherwise); then a change of the
 * file reloads it (debounced). A clean file replaces the entries the previous version put
 * (entries set over REST stay, unless the file names their endpoint); a broken one keeps
 * the last good set and reports.
 */
import { MappingError } from '../mapping/errors.js';
import { FileLoadError, WatchedFileSource, type FileSourceOptions } from '../yaml-file.js';
import type { SecurityInfo, SecurityStore } from '../lwm2m/server/security.js';
import { MAX_SECURITY_FILE_BYTES, parseSecurityFile, type SecurityFileEntry } from './security-file.js';

export interface SecurityFileOptions extends FileSourceOptions {
  store: SecurityStore;
  /** where entries with `bootstrap: true` go (ServerStore.bootstrapSecurity); without it they are refused */
  bootstrapStore?: SecurityStore;
  /** a reload applied the file: entries put and removed */
  onReload?: (counts: { entries: number; put: number; removed: number }) => void;
}

export class SecurityFileLoadError extends FileLoadError {
  constructor(errors: readonly MappingError[]) {
    super(errors);
    this.name = 'SecurityFileLoadError';
  }
}

function sameInfo(a: SecurityInfo, b: SecurityInfo): boolean {
  if (a.endpoint !== b.endpoint || a.mode !== b.mode) return false;
  if (a.mode === 'psk' && b.mode === 'psk') return a.identity === b.identity && a.key.equals(b.key);
  if (a.mode === 'rpk' && b.mode === 'rpk') return a.publicKey.equals(b.publicKey);
  return true;
}

export class SecurityFileSource extends WatchedFileSource<SecurityFileEntry> {
  /** what the file put in the stores, by kind and endpoint (the very objects stored) */
  private applied = new Map<string, SecurityInfo>();

  constructor(private readonly options: SecurityFileOptions) {
    super(options, MAX_SECURITY_FILE_BYTES);
  }

  protected parse(file: string, text: string): ReturnType<typeof parseSecurityFile> {
    return parseSecurityFile(file, text);
  }

  protected override loadError(errors: readonly MappingError[]): Error {
    return new SecurityFileLoadError(errors);
  }

  /** the store of an entry's kind */
  private storeOf(bootstrap: boolean): SecurityStore | undefined {
    return bootstrap ? this.options.bootstrapStore : this.options.store;
  }

  protected apply(entries: readonly SecurityFileEntry[]): void {
    const next = new Map<string, SecurityInfo>();
    const errors: MappingError[] = [];
    const keyOf = (bootstrap: boolean, endpoint: string): string => (bootstrap ? 'b:' : 's:') + endpoint;
    const named = new Set(entries.map((e) => keyOf(e.bootstrap, e.info.endpoint)));
    let removed = 0;
    for (const [key, info] of this.applied) {
      if (named.has(key)) continue;
      // only what the file put: an entry set since over REST stays
      const store = this.storeOf(key.startsWith('b:'));
      if (store?.get(info.endpoint) === info) {
        store.remove(info.endpoint);
        removed++;
      }
    }
    let put = 0;
    for (const { info, bootstrap, field, line, column } of entries) {
      const key = keyOf(bootstrap, info.endpoint);
      const before = this.applied.get(key);
      // unchanged in the file: whatever is stored stays (it may have been set over REST since)
      if (before && sameInfo(before, info)) {
        next.set(key, before);
        continue;
      }
      const store = this.storeOf(bootstrap);
      const r = store ? store.put(info) : { ok: false as const, reason: 'no bootstrap credentials store' };
      if (r.ok) {
        next.set(key, info);
        put++;
      } else errors.push(new MappingError(this.options.file, line, column, field, r.reason));
    }
    this.applied = next;
    this.options.onReload?.({ entries: entries.length, put, removed });
    if (errors.length) this.options.onError?.(errors);
  }
}
