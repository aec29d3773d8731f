/**
 * The Bootstrap Server's listeners: the `coap` and `coaps` bindings again, built from the
 * `bootstrap` section (own ports: 5685 and 5686 by default) with the Bootstrap Server as
 * their handler and the bootstrap credentials for DTLS. Same message layer, same DTLS;
 * a start error names the bootstrap key to change. With the MQTT binding on, also its `bs`
 * topics (the same broker and prefix).
 */
import type { GatewayConfig } from '../config/schema.js';
import type { Binding, BindingContext } from './binding.js';
import { BindingStartError } from './binding.js';
import { coapBinding } from './coap/coap-binding.js';
import { dtlsBinding } from './dtls/dtls-binding.js';
import { mqttBinding } from './mqtt/mqtt-binding.js';

/** `b` whose start errors name `to` keys instead of `from` keys ("coap." -> "bootstrap."). */
function renamingStartErrors(b: Binding, from: string, to: string): Binding {
  const rename = (text: string): string =>
    text.replaceAll(from, to).replaceAll(`LWM2MGW_${from.replace('.', '').toUpperCase()}__`, `LWM2MGW_${to.replaceAll('.', '__').toUpperCase()}`);
  return {
    scheme: b.scheme,
    transport: b.transport,
    stop: () => b.stop(),
    start: () =>
      b.start().catch((e: unknown) => {
        throw e instanceof BindingStartError ? new BindingStartError(rename(e.key), rename(e.message)) : e;
      }),
  };
}

/** The bootstrap listeners the config turns on (none unless bootstrap.enabled). */
export function createBootstrapBindings(ctx: BindingContext): Binding[] {
  const c = ctx.config;
  const bs = c.bootstrap;
  if (!bs.enabled) return [];
  const out: Binding[] = [];
  const coapView: GatewayConfig = { ...c, coap: { ...c.coap, port: bs.port, address: bs.address } };
  out.push(renamingStartErrors(coapBinding({ ...ctx, config: coapView }), 'coap.', 'bootstrap.'));
  // the server's DTLS settings (suites, certificates, connection IDs) on the bootstrap port
  const dtlsView: GatewayConfig = { ...c, dtls: { ...c.dtls, ...bs.dtls } };
  const dtls = dtlsBinding({ ...ctx, config: dtlsView });
  if (dtls) out.push(renamingStartErrors(dtls, 'dtls.', 'bootstrap.dtls.'));
  // LwM2M over MQTT: the `bs` topics of the mqttBinding's broker and prefix
  const mqtt = mqttBinding(ctx, 'bs');
  if (mqtt) out.push(mqtt);
  return out;
}
