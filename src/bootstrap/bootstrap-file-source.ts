/**
 * Keeps the store's bootstrap configs in step with the bootstrap file (`bootstrap.file`):
 * the first load must be clean (the gateway refuses to start otherwise); then a change of
 * the file reloads it (debounced). A clean file replaces the configs the previous version
 * put (configs set over REST stay, unless the file names their endpoint); a broken one
 * keeps the configs in force and reports.
 */
import type { MappingError } from '../mapping/errors.js';
import type { ModelProvider } from '../lwm2m/model/types.js';
import { sameConfig, type BootstrapConfig, type BootstrapConfigStore } from '../lwm2m/bootstrap/index.js';
import { FileWatch, readBoundedFile } from '../yaml-file.js';
import { MAX_BOOTSTRAP_FILE_BYTES, parseBootstrapFile, type BootstrapFileEntry } from './bootstrap-file.js';

export interface BootstrapFileOptions {
  file: string;
  store: BootstrapConfigStore;
  models: ModelProvider;
  /** quiet time after the last file event before reloading, ms (default 150) */
  debounceMs?: number;
  onReload?: (counts: { configs: number; put: number; removed: number }) => void;
  onError?: (errors: readonly MappingError[]) => void;
}

export class BootstrapFileLoadError extends Error {
  constructor(readonly errors: readonly MappingError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'BootstrapFileLoadError';
  }
}

export class BootstrapFileSource {
  /** what the file put in the store, by endpoint (the very objects stored) */
  private applied = new Map<string, BootstrapConfig>();
  private watcher: FileWatch | undefined;

  constructor(private readonly options: BootstrapFileOptions) {}

  /** Reads and applies the file; throws BootstrapFileLoadError when it is broken (nothing applied). */
  load(): void {
    const r = this.read();
    if (!r.ok) throw new BootstrapFileLoadError(r.errors);
    this.apply(r.entries);
  }

  /** Reads the file again now; a broken file keeps the configs in force. */
  reload(): boolean {
    const r = this.read();
    if (!r.ok) {
      this.options.onError?.(r.errors);
      return false;
    }
    this.apply(r.entries);
    return true;
  }

  private read(): ReturnType<typeof parseBootstrapFile> {
    const r = readBoundedFile(this.options.file, MAX_BOOTSTRAP_FILE_BYTES);
    return r.ok ? parseBootstrapFile(this.options.file, r.text, this.options.models) : r;
  }

  private apply(entries: readonly BootstrapFileEntry[]): void {
    const { store } = this.options;
    const next = new Map<string, BootstrapConfig>();
    const named = new Set(entries.map((e) => e.endpoint));
    let removed = 0;
    for (const [endpoint, config] of this.applied) {
      // only what the file put: a config set since over REST stays
      if (!named.has(endpoint) && store.get(endpoint) === config) {
        store.remove(endpoint);
        removed++;
      }
    }
    let put = 0;
    for (const { endpoint, config } of entries) {
      const before = this.applied.get(endpoint);
      if (before && sameConfig(before, config)) {
        next.set(endpoint, before);
        continue;
      }
      store.put(endpoint, config);
      next.set(endpoint, config);
      put++;
    }
    this.applied = next;
    this.options.onReload?.({ configs: entries.length, put, removed });
  }

  /** Watches the file; a change reloads after the debounce time. */
  watch(): void {
    this.watcher ??= new FileWatch(this.options.file, this.options.debounceMs ?? 150, () => this.reload(), (e) => this.options.onError?.(e));
    this.watcher.start();
  }

  /** Stops watching; leaves no handle open. */
  stop(): void {
    this.watcher?.stop();
  }
}
