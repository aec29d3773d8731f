/**
 * The southbound bindings the gateway can run, keyed by scheme. Adding one (DTLS, the
 * LwM2M 1.2 MQTT or HTTP binding) is a folder under transport/ with a BindingFactory,
 * and one entry here.
 */
import type { Binding, BindingContext, BindingFactory } from './binding.js';
import { coapBinding } from './coap/coap-binding.js';
import { dtlsBinding } from './dtls/dtls-binding.js';
import { mqttBinding } from './mqtt/mqtt-binding.js';

export const BINDINGS: Readonly<Record<string, BindingFactory>> = {
  coap: coapBinding,
  coaps: dtlsBinding,
  mqtt: mqttBinding,
};

/** The bindings the config turns on, in the order of `factories`. */
export function createBindings(ctx: BindingContext, factories: Readonly<Record<string, BindingFactory>> = BINDINGS): Binding[] {
  const out: Binding[] = [];
  for (const make of Object.values(factories)) {
    const b = make(ctx);
    if (b) out.push(b);
  }
  return out;
}
