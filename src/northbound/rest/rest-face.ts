/** The REST face: the HTTP API (RestNorthbound) with the mapped routes of the mapping files in force. */
import type { GatewayConfig } from '../../config/schema.js';
import type { Face, FaceDeps, FaceKind, FacePorts } from '../face.js';
import { RestNorthbound } from './rest-northbound.js';

export class RestFace implements Face {
  readonly name = 'rest';
  northbound: RestNorthbound | undefined;

  constructor(private readonly d: FaceDeps) {}

  async start(): Promise<FacePorts> {
    const store = this.d.mappings;
    this.northbound = new RestNorthbound({
      server: this.d.core,
      models: this.d.models,
      config: this.d.config.rest,
      logger: this.d.logger,
      ...(this.d.bootstrap ? { bootstrap: this.d.bootstrap } : {}),
      ...(store ? { mappings: () => store.current } : {}),
    });
    return { rest: (await this.northbound.start()).port };
  }

  /** Nothing to do: every request asks the store for the mappings in force. */
  mappingsReloaded(): void {}

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
