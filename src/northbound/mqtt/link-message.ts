/** What the links keep in their buffers, and the small types both link implementations share. */
import type { Logger } from '../../log.js';
import type { Journal } from '../face.js';
import type { BoundedBuffer } from '../bounded-buffer.js';
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

/** MQTT 5 properties as read back: only the known ones, each of its type. */
function propertiesOf(v: unknown): LinkMessage['properties'] {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object') throw new Error('bad properties');
  const p = v as Record<string, unknown>;
  const out: NonNullable<LinkMessage['properties']> = {};
  if (typeof p.contentType === 'string') out.contentType = p.contentType;
  if (typeof p.responseTopic === 'string') out.responseTopic = p.responseTopic;
  if (Buffer.isBuffer(p.correlationData)) out.correlationData = p.correlationData;
  const u = p.userProperties;
  if (u !== null && typeof u === 'object' && Object.values(u).every((x) => typeof x === 'string')) out.userProperties = u as Record<string, string>;
  return out;
}

/** A buffered message as read back from a journal (a file: hostile-ish); throws on anything else. */
export function asLinkMessage(v: unknown): LinkMessage {
  const m = v as Partial<LinkMessage> | null;
  if (m === null || typeof m !== 'object' || typeof m.topic !== 'string' || m.topic.length === 0 || m.topic.length > 65_535) throw new Error('bad topic');
  if (!Buffer.isBuffer(m.payload) || (m.qos !== 0 && m.qos !== 1) || typeof m.retain !== 'boolean') throw new Error('bad message');
  const properties = propertiesOf(m.properties);
  return { topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, ...(properties ? { properties } : {}) };
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

/** Puts what a journal kept from before a restart into a link's (empty) buffer, oldest first. */
export function restoreInto(buffer: BoundedBuffer<LinkMessage>, journal: Journal<LinkMessage> | undefined, log: Logger): void {
  if (!journal) return;
  const items = journal.restored();
  for (const m of items) {
    const dropped = buffer.push(m);
    if (dropped) journal.done(dropped);
  }
  if (items.length > 0) log.info('mqtt: messages from before the restart wait for the broker', { count: items.length });
}
