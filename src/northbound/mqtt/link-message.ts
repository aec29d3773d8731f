/** What the links keep in their buffers, and the small types both link implementations share. */
import type { PublishOptions, ReceivedProperties } from './link.js';

/** A message as buffered by a link (payload already a Buffer). */
export interface LinkMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
  properties?: PublishOptions['properties'];
}

/** A gateway state message: the last will ("offline") or the birth message ("online"). */
export interface LinkWill {
  topic: string;
  payload: string | Buffer;
  /** default 1 */
  qos?: 0 | 1;
  /** default true */
  retain?: boolean;
}

export type ConnectionListener = (connected: boolean) => void;

export function toMessage(w: LinkWill): LinkMessage {
  return {
    topic: w.topic,
    payload: typeof w.payload === 'string' ? Buffer.from(w.payload) : w.payload,
    qos: w.qos ?? 1,
    retain: w.retain ?? true,
  };
}

/** The MQTT 5 properties a handler may use, from those of a received PUBLISH (undefined: none). */
export function receivedProperties(p: { correlationData?: Buffer; responseTopic?: string; contentType?: string } | undefined): ReceivedProperties | undefined {
  if (!p || !(p.correlationData || p.responseTopic || p.contentType)) return undefined;
  return {
    ...(p.correlationData ? { correlationData: p.correlationData } : {}),
    ...(p.responseTopic ? { responseTopic: p.responseTopic } : {}),
    ...(p.contentType ? { contentType: p.contentType } : {}),
  };
}
