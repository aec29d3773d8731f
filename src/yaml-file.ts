/**
 * What the YAML files the gateway reads at run time (security file, bootstrap file)
 * share: reading with a size bound, parsing with positions for the errors, and watching
 * the file with a debounce (editors replace files, so the folder is watched).
 */
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ErrorSink, MappingError } from './mapping/errors.js';

export type YamlRead = { ok: true; data: unknown; sink: ErrorSink; doc: Document; lc: LineCounter } | { ok: false; errors: MappingError[] };

/** Parses YAML text into plain data; the sink locates later errors in it. */
export function parseYaml(file: string, text: string): YamlRead {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    const sink = new ErrorSink(file, undefined, lc);
    sink.add([], `YAML error: ${e instanceof Error ? e.message.split('\n')[0] : 'unreadable'}`);
    return { ok: false, errors: sink.errors };
  }
  const sink = new ErrorSink(file, doc, lc);
  if (doc.errors.length) {
    sink.add([], `YAML error: ${doc.errors[0]!.message.split('\n')[0]}`);
    return { ok: false, errors: sink.errors };
  }
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: 100 }), sink, doc, lc };
  } catch {
    sink.add([], 'YAML error: aliases (*name) expand too much');
    return { ok: false, errors: sink.errors };
  }
}

/** The file's text, or one error when it is larger than `maxBytes` or unreadable. */
export function readBoundedFile(file: string, maxBytes: number): { ok: true; text: string } | { ok: false; errors: MappingError[] } {
  try {
    const size = statSync(file).size;
    if (size > maxBytes) return { ok: false, errors: [new MappingError(file, 1, 1, '', `larger than ${maxBytes} bytes`)] };
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { ok: false, errors: [new MappingError(file, 1, 1, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`)] };
  }
}

/** Calls `onChange` after `debounceMs` of quiet following changes of `file`; `onError` for watch failures. */
export class FileWatch {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly debounceMs: number,
    private readonly onChange: () => void,
    private readonly onError: (errors: MappingError[]) => void,
  ) {}

  start(): void {
    if (this.watcher) return;
    const name = basename(this.file);
    this.watcher = watch(dirname(this.file), { persistent: true }, (_event, changed) => {
      if (changed !== null && String(changed) !== name) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        try {
          this.onChange();
        } catch (e) {
          this.onError([new MappingError(this.file, 1, 1, '', `reloading failed: ${e instanceof Error ? e.message : String(e)}`)]);
        }
      }, this.debounceMs);
    });
    this.watcher.on('error', (e: NodeJS.ErrnoException) => {
      this.onError([new MappingError(this.file, 1, 1, '', `watching the file failed (${e.code ?? 'error'})`)]);
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

/** What a file source is built from: the file, the debounce of its watch, where its errors go. */
export interface FileSourceOptions {
  file: string;
  /** quiet time after the last file event before reloading, ms (default 150) */
  debounceMs?: number;
  /** a load failed (nothing changed), or an entry could not be applied */
  onError?: (errors: readonly MappingError[]) => void;
}

/** A file that failed to load at start: every error, one per line. */
export class FileLoadError extends Error {
  constructor(readonly errors: readonly MappingError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'FileLoadError';
  }
}

/**
 * A YAML file kept in force: the first load must be clean (throws FileLoadError); then a
 * change of the file reloads it (debounced), and a broken version keeps what is in force
 * and reports. Subclasses parse the text and apply the entries.
 */
export abstract class WatchedFileSource<E> {
  private watcher: FileWatch | undefined;

  constructor(
    private readonly source: FileSourceOptions,
    private readonly maxBytes: number,
  ) {}

  protected abstract parse(file: string, text: string): { ok: true; entries: E[] } | { ok: false; errors: MappingError[] };
  protected abstract apply(entries: readonly E[]): void;
  /** the error `load()` throws for a broken file */
  protected loadError(errors: readonly MappingError[]): Error {
    return new FileLoadError(errors);
  }

  /** Reads and applies the file; throws when it is broken (nothing applied). */
  load(): void {
    const r = this.read();
    if (!r.ok) throw this.loadError(r.errors);
    this.apply(r.entries);
  }

  /** Reads the file again now; a broken file keeps what is in force. */
  reload(): boolean {
    const r = this.read();
    if (!r.ok) {
      this.source.onError?.(r.errors);
      return false;
    }
    this.apply(r.entries);
    return true;
  }

  private read(): { ok: true; entries: E[] } | { ok: false; errors: MappingError[] } {
    const r = readBoundedFile(this.source.file, this.maxBytes);
    return r.ok ? this.parse(this.source.file, r.text) : r;
  }

  /** Watches the file's folder (editors replace files); a change of the file reloads after the debounce time. */
  watch(): void {
    this.watcher ??= new FileWatch(this.source.file, this.source.debounceMs ?? 150, () => this.reload(), (e) => this.source.onError?.(e));
    this.watcher.start();
  }

  /** Stops watching; leaves no handle open. */
  stop(): void {
    this.watcher?.stop();
  }
}
