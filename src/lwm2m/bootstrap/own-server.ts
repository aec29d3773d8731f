/**
 * When a bootstrap config points a client at this gateway's own LwM2M server, the
 * credentials written into the client's Security instance become the endpoint's server
 * credentials in the security store, so that its DTLS handshake and Register that follow
 * the Bootstrap-Finish are accepted at once. Put when the writes have succeeded, before
 * Bootstrap-Finish goes out (the client's handshake may start as soon as it answers it).
 */
import type { SecurityInfo, SecurityStore } from '../server/security.js';
import type { BootstrapConfig, ServerAccount } from './config.js';

function infoOf(endpoint: string, s: ServerAccount): SecurityInfo | undefined {
  switch (s.securityMode) {
    case 'psk':
      return s.identity !== undefined && s.key ? { endpoint, mode: 'psk', identity: s.identity, key: s.key } : undefined;
    case 'rpk':
      return s.publicKey ? { endpoint, mode: 'rpk', publicKey: s.publicKey } : undefined;
    case 'x509':
      return { endpoint, mode: 'x509' };
    case 'nosec':
      return undefined;
  }
}

/** Puts the credentials of the accounts that name this gateway; returns a note when the store refused them. */
export function installOwnCredentials(store: SecurityStore, endpoint: string, config: BootstrapConfig, isOwnServer: ((uri: string) => boolean) | undefined): string | undefined {
  if (!isOwnServer) return undefined;
  for (const s of config.servers) {
    if (!isOwnServer(s.uri)) continue;
    const info = infoOf(endpoint, s);
    if (!info) continue;
    const r = store.put(info);
    if (!r.ok) return `server credentials not stored: ${r.reason}`;
  }
  return undefined;
}

/** A matcher of this gateway's own server URIs (config `bootstrap.ownServerUris`): scheme and host compared without case, a trailing slash ignored. */
export function ownServerMatcher(uris: readonly string[]): (uri: string) => boolean {
  const norm = (u: string): string => u.trim().replace(/\/$/, '').toLowerCase();
  const set = new Set(uris.map(norm));
  return (uri) => set.has(norm(uri));
}
