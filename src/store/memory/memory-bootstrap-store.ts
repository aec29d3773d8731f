/** The in-memory BootstrapConfigStore: configs by endpoint. Nothing survives the process. */
import type { BootstrapConfig } from '../../lwm2m/bootstrap/config.js';
import type { BootstrapConfigStore } from '../../lwm2m/bootstrap/store.js';

export class MemoryBootstrapStore implements BootstrapConfigStore {
  private readonly byEndpoint = new Map<string, BootstrapConfig>();

  put(endpoint: string, config: BootstrapConfig): BootstrapConfig | undefined {
    const previous = this.byEndpoint.get(endpoint);
    this.byEndpoint.set(endpoint, config);
    return previous;
  }

  get(endpoint: string): BootstrapConfig | undefined {
    return this.byEndpoint.get(endpoint);
  }

  remove(endpoint: string): BootstrapConfig | undefined {
    const c = this.byEndpoint.get(endpoint);
    this.byEndpoint.delete(endpoint);
    return c;
  }

  endpoints(): string[] {
    return [...this.byEndpoint.keys()];
  }

  get size(): number {
    return this.byEndpoint.size;
  }
}
