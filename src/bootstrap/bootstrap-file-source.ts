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
import { FileLoadError, WatchedFileSource, type FileSourceOptions } from '../yaml-file.js';
import { MAX_BOOTSTRAP_FILE_BYTES, parseBootstrapFile, type BootstrapFileEntry } from './bootstrap-file.js';

export interface BootstrapFileOptions extends FileSourceOptions {
  store: BootstrapConfigStore;
  models: ModelProvider;
  onReload?: (counts: { configs: number; put: number; removed: number }) => void;
}

export class BootstrapFileLoadError extends FileLoadError {
  constructor(errors: readonly MappingError[]) {
    super(errors);
    this.name = 'BootstrapFileLoadError';
  }
}

export class BootstrapFileSource extends WatchedFileSource<BootstrapFileEntry> {
  /** what the file put in the store, by endpoint (the very objects stored) */
  private applied = new Map<string, BootstrapConfig>();

  constructor(private readonly options: BootstrapFileOptions) {
    super(options, MAX_BOOTSTRAP_FILE_BYTES);
  }

  protected parse(file: string, text: string): ReturnType<typeof parseBootstrapFile> {
    return parseBootstrapFile(file, text, this.options.models);
  }

  protected override loadError(errors: readonly MappingError[]): Error {
    return new BootstrapFileLoadError(errors);
  }

  protected apply(entries: readonly BootstrapFileEntry[]): void {
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
}
