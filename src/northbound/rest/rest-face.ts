/** The REST face: the HTTP API (RestNorthbound) with the mapped routes of the mapping files in force. */
import type { GatewayConfig } from '../../config/schema.js';
import { exposedHost } from '../../config/exposure.js';
import { readTlsFiles } from '../../config/tls-files.js';
import { DEFAULT_CONSOLE_CONFIG } from '../../config/console-config.js';
import { resolve } from 'node:path';
import { FaceStartError, faceTls } from '../face.js';
import type { Face, FaceDeps, FaceKind, FacePorts } from '../face.js';
import { RestNorthbound } from './rest-northbound.js';

export class RestFace implements Face {
  readonly name = 'rest';
  northbound: RestNorthbound | undefined;

  constructor(private readonly d: FaceDeps) {}

  async start(): Promise<FacePorts> {
    const store = this.d.mappings;
    const rest = this.d.config.rest;
    const exposure = exposedHost({ key: 'rest', host: rest.host, credentials: rest.tokens.length > 0, allowAnonymous: rest.allowAnonymous, credentialKey: 'rest.tokens' });
    if ('error' in exposure) throw new FaceStartError(exposure.error);
    if (exposure.notice) this.d.logger.warn(exposure.notice);
    const tls = faceTls(() => readTlsFiles(rest.tls, this.d.baseDir, 'rest.tls'));
    const consoleConfig = this.d.config.console ?? DEFAULT_CONSOLE_CONFIG;
    this.northbound = new RestNorthbound({
      server: this.d.core,
      models: this.d.models,
      config: { ...rest, host: exposure.host },
      ...(tls ? { tls } : {}),
      logger: this.d.logger,
      ...(this.d.bootstrap ? { bootstrap: this.d.bootstrap } : {}),
      ...(this.d.firmware ? { firmware: this.d.firmware } : {}),
      ...(this.d.readiness ? { readiness: this.d.readiness } : {}),
      ...(this.d.metrics ? { metrics: this.d.metrics } : {}),
      ...(store ? { mappings: () => store.current } : {}),
      version: this.d.version,
      ...(consoleConfig.enabled ? { console: consoleConfig.assetsDir ? { dir: resolve(this.d.baseDir, consoleConfig.assetsDir) } : {} } : {}),
    });
    return { rest: (await this.northbound.start()).port };
  }

  /** Nothing to do: every request asks the store for the mappings in force. */
  mappingsReloaded(): void {}

  stopAccepting(): void {
    this.northbound?.stopAccepting();
  }

  async stop(): Promise<void> {
    await this.northbound?.stop();
    this.northbound = undefined;
  }
}

export const restFace: FaceKind = {
  name: 'rest',
  enabled: (config: GatewayConfig) => config.rest.enabled,
  create: (deps) => new RestFace(deps),
};
