/**
 * Topic names of the MQTT northbound: `{prefix}/{endpoint}/...` per device and
 * `{prefix}/$gateway/status` for the gateway itself. An endpoint name fills one topic
 * level: the characters MQTT gives a meaning there (`/`, `+`, `#`, NUL), `%`, and a
 * leading `$` are percent-encoded (`urn/x` -> `urn%2Fx`), so every endpoint has its own
 * level and none can collide with `$gateway`.
 */

// eslint-disable-next-line no-control-regex -- NUL is not allowed in a topic
const SPECIAL = /[/+#%\u0000]/g;
// eslint-disable-next-line no-control-regex -- the same characters, for a test without replacing
const HAS_SPECIAL = /[/+#%\u0000]/;

/** The topic level for an endpoint name. */
export function encodeLevel(endpoint: string): string {
  // most names need no encoding: no copy, no replace callback
  if (endpoint !== '' && endpoint.charCodeAt(0) !== 0x24 && !HAS_SPECIAL.test(endpoint)) return endpoint;
  let s = endpoint.replace(SPECIAL, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  if (s.startsWith('$')) s = '%24' + s.slice(1);
  if (s === '') s = '%';
  return s;
}

/** The endpoint name of a topic level (the inverse of {@link encodeLevel}); undefined when malformed. */
export function decodeLevel(level: string): string | undefined {
  if (level === '%') return '';
  try {
    return decodeURIComponent(level);
  } catch {
    return undefined;
  }
}

export class Topics {
  constructor(readonly prefix: string) {}

  /** `{prefix}/{endpoint}/{rest}` */
  device(endpoint: string, rest: string): string {
    return `${this.prefix}/${encodeLevel(endpoint)}/${rest}`;
  }

  /** `{prefix}/+/{rest}`: the filter for `rest` of every device */
  everyDevice(rest: string): string {
    return `${this.prefix}/+/${rest}`;
  }

  get gatewayStatus(): string {
    return `${this.prefix}/$gateway/status`;
  }

  /** The endpoint of `{prefix}/{endpoint}/...`; undefined for another topic. */
  endpointOf(topic: string): string | undefined {
    if (!topic.startsWith(this.prefix + '/')) return undefined;
    const rest = topic.slice(this.prefix.length + 1);
    const slash = rest.indexOf('/');
    const level = slash < 0 ? rest : rest.slice(0, slash);
    if (level === '' || level.startsWith('$')) return undefined;
    return decodeLevel(level);
  }
}
