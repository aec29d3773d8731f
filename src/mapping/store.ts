/**
 * Holds the current compiled mappings of a folder: the first load must be clean (the
 * gateway refuses to start otherwise); then file changes reload the folder (debounced),
 * a clean result replaces the set, a broken one keeps the last good set and reports.
 */
import { watch, type FSWatcher } from 'node:fs';
import { CompiledMappings, type MappingSource } from './compiled-mappings.js';
import { MappingError } from './errors.js';
import { isMappingFile, loadMappingDir, MappingLoadError } from './load.js';
import type { MappingModels } from './models.js';

export interface MappingStoreOptions {
  dir: string;
  models: MappingModels;
  /** quiet time after the last file event before reloading, ms (default 150) */
  debounceMs?: number;
  /** a reload succeeded and replaced the mappings */
  onReload?: (mappings: CompiledMappings, files: string[]) => void;
  /** a reload failed; the previous mappings stay in use */
  onError?: (errors: readonly MappingError[]) => void;
  /** after a failed reload, the files are good again but equal to the mappings in use */
  onRecovered?: () => void;
}

export type ReloadOutcome = { ok: true; changed: boolean; mappings: CompiledMappings } | { ok: false; errors: readonly MappingError[] };

function sameSources(a: readonly MappingSource[], b: readonly MappingSource[]): boolean {
  return a.length === b.length && a.every((s, i) => s.file === b[i]!.file && s.text === b[i]!.text);
}

export class MappingStore {
  private failing = false;
  private mappings: CompiledMappings = CompiledMappings.empty();
  private sources: MappingSource[] = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly options: MappingStoreOptions) {}

  /** The mappings in use. Read it on each event: a reload replaces it. */
  get current(): CompiledMappings {
    return this.mappings;
  }

  /** First load; throws MappingLoadError listing every error. */
  load(): CompiledMappings {
    const r = loadMappingDir(this.options.dir, this.options.models);
    if (r.errors.length) throw new MappingLoadError(r.errors);
    this.mappings = r.mappings;
    this.sources = r.sources;
    this.started = true;
    return r.mappings;
  }

  /** First load, then watch the folder. Throws like load(). */
  start(): CompiledMappings {
    const m = this.load();
    this.watch();
    return m;
  }

  /** Reads the folder again now. Whatever the files hold, a failed reload keeps the mappings in use. */
  reload(): ReloadOutcome {
    const r = loadMappingDir(this.options.dir, this.options.models);
    if (r.errors.length) {
      this.failing = true;
      this.options.onError?.(r.errors);
      return { ok: false, errors: r.errors };
    }
    const recovered = this.failing;
    this.failing = false;
    if (this.started && sameSources(r.sources, this.sources)) {
      if (recovered) this.options.onRecovered?.();
      return { ok: true, changed: false, mappings: this.mappings };
    }
    this.mappings = r.mappings;
    this.sources = r.sources;
    this.started = true;
    this.options.onReload?.(r.mappings, r.files);
    return { ok: true, changed: true, mappings: r.mappings };
  }

  /** Watches the folder; a change to a mapping file reloads after the debounce time. */
  watch(): void {
    if (this.watcher) return;
    this.watcher = watch(this.options.dir, { persistent: true }, (_event, name) => {
      if (name !== null && !isMappingFile(String(name))) return;
      this.schedule();
    });
    this.watcher.on('error', (e: NodeJS.ErrnoException) => {
      this.options.onError?.([new MappingError(this.options.dir, 1, 1, '', `watching the mapping folder failed (${e.code ?? e.message})`)]);
    });
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.reload();
      } catch (e) {
        // a throwing callback must not end the process from a timer
        this.options.onError?.([new MappingError(this.options.dir, 1, 1, '', `reloading the mappings failed: ${e instanceof Error ? e.message : String(e)}`)]);
      }
    }, this.options.debounceMs ?? 150);
  }

  /** Stops watching; leaves no handle open. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

