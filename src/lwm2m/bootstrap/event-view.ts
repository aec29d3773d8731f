/** A bootstrap event as plain JSON for the faces (REST events, MQTT): never a key in it. */
import type { BootstrapEvent } from './bootstrap-server.js';

export type EventJson = { [k: string]: string | number | boolean | EventJson };

export function bootstrapEventView(e: BootstrapEvent): EventJson {
  const out: EventJson = { type: e.type, endpoint: e.endpoint, session: e.session, at: new Date(e.at).toISOString() };
  if (e.step) {
    const { step, path, code, contentFormat, ok, note } = e.step;
    out.step = { step, path, ok, ...(code !== undefined ? { code } : {}), ...(contentFormat !== undefined ? { contentFormat } : {}), ...(note !== undefined ? { note } : {}) };
  }
  if (e.reason !== undefined) out.reason = e.reason;
  return out;
}
