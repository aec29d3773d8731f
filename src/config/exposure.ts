/**
 * Secure by default, as Mosquitto 2 is: a face that serves without credentials listens on
 * loopback only, unless its config opts in with `allowAnonymous: true`. `host: null` (the
 * default) means every address once credentials are set.
 */

export interface ExposureInput {
  /** the face's config key: "rest", "mqtt.embedded" */
  key: string;
  host: string | null;
  /** logins or tokens are configured */
  credentials: boolean;
  allowAnonymous: boolean;
  /** what to set to add credentials, for the messages: "rest.tokens" */
  credentialKey: string;
}

export type Exposure = { host: string; notice?: string } | { error: string };

/** 127.0.0.0/8, ::1, localhost (and their IPv4-mapped form) */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h.startsWith('127.') || h.startsWith('::ffff:127.');
}

/** Where a face may listen, and the one line the start log says about it. */
export function exposedHost(i: ExposureInput): Exposure {
  if (i.credentials) return { host: i.host ?? '0.0.0.0' };
  if (i.allowAnonymous) {
    const host = i.host ?? '0.0.0.0';
    return isLoopback(host) ? { host } : { host, notice: `${i.key}: serving without login on ${host} (${i.key}.allowAnonymous: true)` };
  }
  if (i.host === null) {
    return {
      host: '127.0.0.1',
      notice: `${i.key}: no ${i.credentialKey} configured, so listening on 127.0.0.1 only; set ${i.credentialKey} (or ${i.key}.allowAnonymous: true) to listen on every address`,
    };
  }
  if (isLoopback(i.host)) return { host: i.host };
  return { error: `${i.key}.host is ${i.host} but no ${i.credentialKey} are configured: set ${i.credentialKey}, or ${i.key}.allowAnonymous: true to serve without login` };
}
