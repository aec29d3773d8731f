/**
 * Subscriptions held by a link: filter -> handlers, MQTT topic filter matching, and the
 * dispatch of one received message to every handler of its filter. The broker is asked for a
 * filter once, however many handlers share it; it is released when the last one leaves.
 */
import type { Logger } from '../../log.js';
import { hasForbiddenChars } from '../../topic-level.js';
import type { MessageHandler, ReceivedProperties } from './link.js';

/**
 * Does `topic` match the MQTT topic filter `filter` (`+` one level, `#` the rest)?
 * A filter starting with a wildcard does not match topics starting with `$` (MQTT 4.7.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * A valid MQTT topic filter: non-empty, `#` only last and alone in its level, `+` alone in
 * its level, no NUL, control character or noncharacter.
 */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || hasForbiddenChars(filter)) return false;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i] as string;
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return false;
    if (l.includes('+') && l !== '+') return false;
  }
  return true;
}

/**
 * A valid topic to publish to: non-empty, no wildcard, at most 65,535 bytes (MQTT 4.7.3), no
 * NUL, control character or noncharacter (MQTT 1.5.4: Mosquitto closes the connection of a
 * client that publishes one, and the message would be sent again on every reconnection).
 */
export function isValidTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !hasForbiddenChars(topic) && Buffer.byteLength(topic) <= 65_535;
}

export class SubscriptionTable {
  private readonly byFilter = new Map<string, Set<MessageHandler>>();

  constructor(private readonly logger: Logger) {}

  /** Adds a handler; returns true when the filter is new (the broker must be asked for it). */
  add(filter: string, handler: MessageHandler): boolean {
    let set = this.byFilter.get(filter);
    const isNew = set === undefined;
    if (!set) {
      set = new Set();
      this.byFilter.set(filter, set);
    }
    set.add(handler);
    return isNew;
  }

  /** Removes a handler; returns true when the filter has no handler left (release it at the broker). */
  remove(filter: string, handler: MessageHandler): boolean {
    const set = this.byFilter.get(filter);
    if (!set || !set.delete(handler)) return false;
    if (set.size > 0) return false;
    this.byFilter.delete(filter);
    return true;
  }

  has(filter: string): boolean {
    return this.byFilter.has(filter);
  }

  filters(): string[] {
    return [...this.byFilter.keys()];
  }

  /** Calls the handlers of `filter` (when it matches); a handler that throws is logged, not propagated. */
  deliverTo(filter: string, topic: string, payload: Buffer): void {
    const set = this.byFilter.get(filter);
    if (!set || !topicMatches(filter, topic)) return;
    for (const h of [...set]) this.call(h, topic, payload);
  }

  /** Calls the handlers of every filter that matches `topic`, each handler once. */
  deliver(topic: string, payload: Buffer, properties?: ReceivedProperties): void {
    const seen = new Set<MessageHandler>();
    for (const [filter, set] of this.byFilter) {
      if (!topicMatches(filter, topic)) continue;
      for (const h of set) {
        if (seen.has(h)) continue;
        seen.add(h);
        this.call(h, topic, payload, properties);
      }
    }
  }

  clear(): void {
    this.byFilter.clear();
  }

  private call(h: MessageHandler, topic: string, payload: Buffer, properties?: ReceivedProperties): void {
    try {
      if (properties) h(topic, payload, properties);
      else h(topic, payload);
    } catch (e) {
      this.logger.error('mqtt: a message handler threw', { topic, error: (e as Error).message });
    }
  }
}
