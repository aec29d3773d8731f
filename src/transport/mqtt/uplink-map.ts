/**
 * A client's requests on its `rd` topic (Register 6, Update 7, De-register 8, Send 24;
 * Transport 1.2 Tbls 8.3.2-1 and 8.3.4-1) and on its `bs` topic (Bootstrap-Request 0,
 * Bootstrap-Pack-Request 6; Tbl 8.3.1-1) as core uplinks, and the core's results as
 * result numbers (key 18). Registration parameters are written in the LwM2M interface
 * notation the core reads (`ep=`, `lt=`, `lwm2m=`, `b=`, `sms=`); the endpoint is the
 * topic's, and a map whose `ep` (key 3) names another one is refused (section 8.2).
 */
import type { Uplink, UplinkResult } from '../../lwm2m/transport.js';
import { RESULT_NUMBERS } from '../../lwm2m/transport.js';
import { bytesField, textField, uintField, type MqttMessage } from './message-codec.js';
import { BootstrapOp, Key, Op, resultNumber } from './operation-table.js';

const LINK_FORMAT = 40;

/** What the map asks, or the result number to answer at once. */
export type MappedUplink = { uplink: Uplink } | { answer: number };

/** Registration ids by endpoint: the MQTT binding addresses a registration by its topic. */
export type RegistrationIds = Map<string, string>;

function registrationParams(m: MqttMessage, ep: string | undefined): string[] | number {
  const p: string[] = [];
  if (ep !== undefined) p.push(`ep=${ep}`);
  const lt = m.fields.get(Key.lifetime);
  if (lt !== undefined) {
    const n = uintField(m, Key.lifetime);
    if (n === undefined) return 400;
    p.push(`lt=${n}`);
  }
  for (const [key, name] of [
    [Key.version, 'lwm2m'],
    [Key.binding, 'b'],
    [Key.sms, 'sms'],
  ] as const) {
    if (!m.fields.has(key)) continue;
    // a version sent as a number (1.2) is a real-client quirk: read it as its text
    const raw = m.fields.get(key);
    const v = typeof raw === 'number' && key === Key.version ? raw.toFixed(1) : textField(m, key, 64);
    if (v === undefined) return 400;
    p.push(`${name}=${v}`);
  }
  return p;
}

export function mapUplink(m: MqttMessage, ep: string, ids: RegistrationIds): MappedUplink {
  switch (m.operation) {
    case Op.register: {
      const claimed = m.fields.get(Key.ep);
      if (claimed !== undefined && textField(m, Key.ep, 256) !== ep) return { answer: 400 };
      const params = registrationParams(m, ep);
      if (typeof params === 'number') return { answer: params };
      return { uplink: { kind: 'register', params, links: bytesField(m, Key.payload) ?? new Uint8Array(0), contentFormat: LINK_FORMAT } };
    }
    case Op.update: {
      const id = ids.get(ep);
      if (id === undefined) return { answer: 404 };
      const params = registrationParams(m, undefined);
      if (typeof params === 'number') return { answer: params };
      const links = bytesField(m, Key.payload) ?? new Uint8Array(0);
      return { uplink: { kind: 'update', registrationId: id, params, links, ...(links.length > 0 ? { contentFormat: LINK_FORMAT } : {}) } };
    }
    case Op.deregister: {
      const id = ids.get(ep);
      return id === undefined ? { answer: 404 } : { uplink: { kind: 'deregister', registrationId: id } };
    }
    case Op.send: {
      const payload = bytesField(m, Key.payload);
      if (!payload) return { answer: 400 };
      const cf = uintField(m, Key.contentFormat);
      return { uplink: { kind: 'send', payload, ...(cf !== undefined && cf <= 65535 ? { contentFormat: cf } : {}) } };
    }
    default:
      return { answer: 501 };
  }
}

/** Bootstrap-Request (0) and Bootstrap-Pack-Request (6) on `bs` (Tbl 8.3.1-1); pct (key 4) is the preferred format. */
export function mapBootstrapUplink(m: MqttMessage, ep: string): MappedUplink {
  const pct = uintField(m, Key.pct);
  if (m.fields.has(Key.pct) && (pct === undefined || pct > 65535)) return { answer: 400 };
  switch (m.operation) {
    case BootstrapOp.request:
      return { uplink: { kind: 'bootstrapRequest', params: [`ep=${ep}`, ...(pct !== undefined ? [`pct=${pct}`] : [])] } };
    case BootstrapOp.packRequest:
      return { uplink: { kind: 'bootstrapPack', params: [`ep=${ep}`], ...(pct !== undefined ? { accept: pct } : {}) } };
    default:
      return { answer: 501 };
  }
}

/** The core's result as the result number of the response map. */
export function resultOf(r: UplinkResult): number {
  return resultNumber(RESULT_NUMBERS[r.code]);
}
