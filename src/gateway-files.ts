/**
 * The files the gateway reads besides its config, each loaded at start (a broken one stops
 * the start with a StartError naming its config key) and watched: the mapping files
 * (`mappings.dir`), the security file (`security.file`) and the bootstrap file
 * (`bootstrap.file`). A broken edit keeps what is in force and is logged.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GatewayConfig } from './config/schema.js';
import type { Logger } from './log.js';
import type { ModelRegistry } from './lwm2m/model/registry.js';
import type { LwM2mServer } from './lwm2m/server/index.js';
import { MappingLoadError, MappingStore } from './mapping/index.js';
import { SecurityFileSource } from './security/security-file-source.js';
import { BootstrapFileSource } from './bootstrap/bootstrap-file-source.js';
import { FileLoadError, type WatchedFileSource } from './yaml-file.js';
import { StartError } from './start-error.js';

export interface GatewayFilesDeps {
  config: GatewayConfig;
  /** relative paths of the config resolve against it */
  baseDir: string;
  models: ModelRegistry;
  server: LwM2mServer;
  log: Logger;
  /** a reloaded mapping set is in force */
  mappingsReloaded(): void;
}

export class GatewayFiles {
  /** the mapping files in force (undefined: mappings.dir is null or missing) */
  mappings: MappingStore | undefined;
  private securityFile: SecurityFileSource | undefined;
  private bootstrapFile: BootstrapFileSource | undefined;

  constructor(private readonly d: GatewayFilesDeps) {}

  /** Loads all three (each only when its key is set) and starts watching them. */
  load(): void {
    this.loadMappings();
    this.loadSecurityFile();
    this.loadBootstrapFile();
  }

  stop(): void {
    this.bootstrapFile?.stop();
    this.bootstrapFile = undefined;
    this.mappings?.stop();
    this.mappings = undefined;
    this.securityFile?.stop();
    this.securityFile = undefined;
  }

  private loadMappings(): void {
    const { dir, watch } = this.d.config.mappings;
    if (!dir) return;
    const log = this.d.log;
    const abs = resolve(this.d.baseDir, dir);
    if (!existsSync(abs)) {
      log.warn('no mapping folder: mapped topics and routes are off (set mappings.dir)', { dir: abs });
      return;
    }
    const store = new MappingStore({
      dir: abs,
      models: this.d.models,
      onReload: (_m, files) => {
        log.info('mappings reloaded', { files: files.length });
        this.d.mappingsReloaded();
      },
      onRecovered: () => log.info('mapping files are good again; the mappings in force are unchanged'),
      onError: (errors) => {
        log.error('mapping reload failed; the last good mappings stay in force', { errors: errors.length });
        for (const e of errors) log.error(e.message);
      },
    });
    try {
      const compiled = watch ? store.start() : store.load();
      log.info('mappings loaded', { dir: abs, files: compiled.files.length, watch });
    } catch (e) {
      store.stop();
      if (e instanceof MappingLoadError) throw new StartError(`mappings.dir: ${abs}: broken mapping files:\n${e.message}`);
      throw e;
    }
    this.mappings = store;
  }

  /** The log lines of a file source's errors: one summary, then the first 20. */
  private fileErrors(summary: string): (errors: readonly { message: string }[]) => void {
    return (errors) => {
      this.d.log.error(summary, { errors: errors.length });
      for (const e of errors.slice(0, 20)) this.d.log.error(e.message);
    };
  }

  /** Loads a file source named by the config `key` and watches it; a broken file stops the start. */
  private startFileSource<S extends WatchedFileSource<unknown>>(key: string, what: string, file: string, source: S): S {
    try {
      source.load();
    } catch (e) {
      if (e instanceof FileLoadError) throw new StartError(`${key}: ${file}: broken ${what}:\n${e.message}`);
      throw e;
    }
    source.watch();
    return source;
  }

  private loadSecurityFile(): void {
    const { config, server, log } = this.d;
    if (!config.security.file) return;
    const file = resolve(this.d.baseDir, config.security.file);
    const source = new SecurityFileSource({
      file,
      store: server.store.security,
      bootstrapStore: server.store.bootstrapSecurity,
      onReload: (counts) => log.info('security file loaded', counts),
      onError: this.fileErrors('security file: entries not applied; the credentials in force stay'),
    });
    this.securityFile = this.startFileSource('security.file', 'security file', file, source);
  }

  private loadBootstrapFile(): void {
    const { config, server, log } = this.d;
    if (!config.bootstrap.file) return;
    const file = resolve(this.d.baseDir, config.bootstrap.file);
    const source = new BootstrapFileSource({
      file,
      store: server.store.bootstrap,
      models: this.d.models,
      onReload: (counts) => log.info('bootstrap file loaded', counts),
      onError: this.fileErrors('bootstrap file: not applied; the bootstrap configs in force stay'),
    });
    this.bootstrapFile = this.startFileSource('bootstrap.file', 'bootstrap file', file, source);
  }
}
