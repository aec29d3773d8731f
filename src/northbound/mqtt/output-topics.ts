/**
 * The gateway's own output topics, where only the gateway publishes: device and gateway
 * status (`{prefix}/+/status`, `{prefix}/$gateway/status`), the generic API's replies and
 * events (`{prefix}/+/up/#`), and the topics of the mapping files' publish outputs and
 * command responses (each template as a filter, `+` for a placeholder level). A topic the
 * gateway listens on (`{prefix}/+/dn/#`, the mapping command topics) stays open to clients
 * even when an output filter also covers it.
 */
import type { CompiledMappings } from '../../mapping/index.js';
import { topicMatches } from './link-subscriptions.js';

export interface OutputTopics {
  /** filters of the topics only the gateway publishes to */
  outputs: readonly string[];
  /** filters of the topics the gateway listens on */
  inputs: readonly string[];
}

/** The gateway's output and input filters for a topic prefix and a set of mappings. */
export function gatewayTopics(prefix: string, mappings?: CompiledMappings): OutputTopics {
  const outputs = new Set([`${prefix}/+/status`, `${prefix}/+/up/#`]);
  const inputs = new Set([`${prefix}/+/dn/#`]);
  for (const file of mappings?.files ?? []) {
    for (const t of file.targets) {
      if (!t.mqtt) continue;
      for (const p of t.mqtt.publish) if (p.topicFilter !== undefined) outputs.add(p.topicFilter);
      for (const c of t.mqtt.commands) {
        inputs.add(c.subscription);
        if (c.responseFilter !== undefined) outputs.add(c.responseFilter);
      }
    }
  }
  return { outputs: [...outputs], inputs: [...inputs] };
}

/** True when a client must not publish to `topic`: an output topic, not an input one. */
export function isGatewayOutput(topics: OutputTopics, topic: string): boolean {
  if (!topics.outputs.some((f) => topicMatches(f, topic))) return false;
  return !topics.inputs.some((f) => topicMatches(f, topic));
}

/**
 * The output topics of a prefix and a changing set of mappings (a reload replaces the set),
 * computed once per set.
 */
export function gatewayTopicsOf(prefix: string, current?: () => CompiledMappings | undefined): () => OutputTopics {
  let last: CompiledMappings | undefined;
  let topics = gatewayTopics(prefix);
  return () => {
    const m = current?.();
    if (m !== last) {
      last = m;
      topics = gatewayTopics(prefix, m);
    }
    return topics;
  };
}
