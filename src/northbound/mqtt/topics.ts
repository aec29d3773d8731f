/**
 * Topic names of the MQTT northbound: `{prefix}/{endpoint}/...` per device and
 * `{prefix}/$gateway/status` for the gateway itself. An endpoint name fills one topic
 * level, percent-encoded where MQTT gives a character a meaning or forbids it, and at a
 * leading `$` (`urn/x` -> `urn%2Fx`, see src/topic-level.ts), so every endpoint has its
 * own level and none can collide with `$gateway`. Mapped topics encode `{endpoint}` the
 * same way.
 */
import { decodeLevel, encodeLevel } from '../../topic-level.js';

export { decodeLevel, encodeLevel };

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
