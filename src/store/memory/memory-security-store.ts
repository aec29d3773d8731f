/**
 * The in-memory SecurityStore: entries by endpoint, endpoints by authenticated identity,
 * PSK keys by the hex of the identity's bytes (the handshake looks them up by the bytes
 * the client sent, exactly). Nothing survives the process.
 */
import { MAX_PSK_IDENTITY_BYTES, authenticatedIdentity, securityInfoProblem } from '../../lwm2m/server/security.js';
import type { SecurityInfo, SecurityPut, SecurityStore } from '../../lwm2m/server/security.js';

export class MemorySecurityStore implements SecurityStore {
  private readonly byEndpoint = new Map<string, SecurityInfo>();
  /** authenticated identity -> endpoint */
  private readonly byIdentity = new Map<string, string>();
  /** hex of the PSK identity's UTF-8 bytes -> key */
  private readonly keys = new Map<string, Buffer>();

  put(info: SecurityInfo): SecurityPut {
    const problem = securityInfoProblem(info);
    if (problem) return { ok: false, reason: problem };
    const owner = this.byIdentity.get(authenticatedIdentity(info));
    if (owner !== undefined && owner !== info.endpoint) return { ok: false, reason: 'identity already used by another endpoint' };
    const previous = this.remove(info.endpoint);
    this.byEndpoint.set(info.endpoint, info);
    this.byIdentity.set(authenticatedIdentity(info), info.endpoint);
    if (info.mode === 'psk') this.keys.set(Buffer.from(info.identity, 'utf8').toString('hex'), info.key);
    return { ok: true, previous };
  }

  get(endpoint: string): SecurityInfo | undefined {
    return this.byEndpoint.get(endpoint);
  }

  remove(endpoint: string): SecurityInfo | undefined {
    const info = this.byEndpoint.get(endpoint);
    if (!info) return undefined;
    this.byEndpoint.delete(endpoint);
    this.byIdentity.delete(authenticatedIdentity(info));
    if (info.mode === 'psk') this.keys.delete(Buffer.from(info.identity, 'utf8').toString('hex'));
    return info;
  }

  all(): SecurityInfo[] {
    return [...this.byEndpoint.values()];
  }

  get size(): number {
    return this.byEndpoint.size;
  }

  pskFor(identity: Buffer): Buffer | undefined {
    if (identity.length === 0 || identity.length > MAX_PSK_IDENTITY_BYTES) return undefined;
    return this.keys.get(identity.toString('hex'));
  }

  endpointOf(identity: string): string | undefined {
    return this.byIdentity.get(identity);
  }
}
