/**
 * Keeps the store's credentials in step with the security file (`security.file`): the
 * first load must be clean (the gateway refuses to start otherwise); then a change of the
 * file reloads it (debounced). A clean file replaces the entries the previous version put
 * (entries set over REST stay, unless the file names their endpoint); a broken one keeps
 * the last good set and reports.
 */
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { MappingError } from '../mapping/errors.js';
import type { SecurityInfo, SecurityStore } from '../lwm2m/server/security.js';
import { MAX_SECURITY_FILE_BYTES, parseSecurityFile, type SecurityFileEntry } from './security-file.js';

export interface SecurityFileOptions {
  file: string;
  store: SecurityStore;
  /** quiet time after the last file event before reloading, ms (default 150) */
  debounceMs?: number;
  /** a reload applied the file: entries put and removed */
  onReload?: (counts: { entries: number; put: number; removed: number }) => void;
  /** a load failed (nothing changed), or an entry could not be stored */
  onError?: (errors: readonly MappingError[]) => void;
}

export class SecurityFileLoadError extends Error {
  constructor(readonly errors: readonly MappingError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'SecurityFileLoadError';
  }
}

function sameInfo(a: SecurityInfo, b: SecurityInfo): boolean {
  if (a.endpoint !== b.endpoint || a.mode !== b.mode) return false;
  if (a.mode === 'psk' && b.mode === 'psk') return a.identity === b.identity && a.key.equals(b.key);
  if (a.mode === 'rpk' && b.mode === 'rpk') return a.publicKey.equals(b.publicKey);
  return true;
}

export class SecurityFileSource {
  /** what the file put in the store, by endpoint (the very objects stored) */
  private applied = new Map<string, SecurityInfo>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SecurityFileOptions) {}

  /** Reads and applies the file; throws SecurityFileLoadError when it is broken (nothing applied). */
  load(): void {
    const r = this.read();
    if (!r.ok) throw new SecurityFileLoadError(r.errors);
    this.apply(r.entries);
  }

  /** Reads the file again now; a broken file keeps the credentials in force. */
  reload(): boolean {
    const r = this.read();
    if (!r.ok) {
      this.options.onError?.(r.errors);
      return false;
    }
    this.apply(r.entries);
    return true;
  }

  private read(): ReturnType<typeof parseSecurityFile> {
    const file = this.options.file;
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > MAX_SECURITY_FILE_BYTES) return { ok: false, errors: [new MappingError(file, 1, 1, '', `larger than ${MAX_SECURITY_FILE_BYTES} bytes`)] };
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return { ok: false, errors: [new MappingError(file, 1, 1, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`)] };
    }
    return parseSecurityFile(file, text);
  }

  private apply(entries: readonly SecurityFileEntry[]): void {
    const { store } = this.options;
    const next = new Map<string, SecurityInfo>();
    const errors: MappingError[] = [];
    const named = new Set(entries.map((e) => e.info.endpoint));
    let removed = 0;
    for (const [endpoint, info] of this.applied) {
      if (named.has(endpoint)) continue;
      // only what the file put: an entry set since over REST stays
      if (store.get(endpoint) === info) {
        store.remove(endpoint);
        removed++;
      }
    }
    let put = 0;
    for (const { info, field, line, column } of entries) {
      const before = this.applied.get(info.endpoint);
      // unchanged in the file: whatever is stored stays (it may have been set over REST since)
      if (before && sameInfo(before, info)) {
        next.set(info.endpoint, before);
        continue;
      }
      const r = store.put(info);
      if (r.ok) {
        next.set(info.endpoint, info);
        put++;
      } else errors.push(new MappingError(this.options.file, line, column, field, r.reason));
    }
    this.applied = next;
    this.options.onReload?.({ entries: entries.length, put, removed });
    if (errors.length) this.options.onError?.(errors);
  }

  /** Watches the file's folder (editors replace files); a change of the file reloads after the debounce time. */
  watch(): void {
    if (this.watcher) return;
    const name = basename(this.options.file);
    this.watcher = watch(dirname(this.options.file), { persistent: true }, (_event, changed) => {
      if (changed !== null && String(changed) !== name) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        try {
          this.reload();
        } catch (e) {
          this.options.onError?.([new MappingError(this.options.file, 1, 1, '', `reloading failed: ${e instanceof Error ? e.message : String(e)}`)]);
        }
      }, this.options.debounceMs ?? 150);
    });
    this.watcher.on('error', (e: NodeJS.ErrnoException) => {
      this.options.onError?.([new MappingError(this.options.file, 1, 1, '', `watching the file failed (${e.code ?? 'error'})`)]);
    });
  }

  /** Stops watching; leaves no handle open. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}
