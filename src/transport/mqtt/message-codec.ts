/**
 * LwM2M-over-MQTT messages (CBOR maps with integer keys, operation-table.ts) to and from
 * bytes. Decoding is bounded: the payload size is checked before parsing, every parse
 * error is caught, and only the known keys with the right CBOR types are kept. A message
 * is a request (key 1 operation) or a response (key 18 result), never both.
 */
import { Decoder, Encoder } from 'cbor-x';
import { Key, MAX_KEY } from './operation-table.js';

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, variableMapSize: true });

/** A token as the map carries it (a CBOR unsigned integer), as text: the key of pending tables. */
export type TokenKey = string;

export interface MqttMessage {
  operation?: number;
  result?: number;
  token?: TokenKey;
  /** every other known key with its value (bytes, text or number as sent) */
  fields: Map<number, unknown>;
}

export type Decoded = { ok: true; message: MqttMessage } | { ok: false; reason: 'oversize' | 'malformed' | 'notMap' | 'badToken' | 'badOperation' };

function uint(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'bigint' && v >= 0n && v < 1n << 64n) return v;
  return undefined;
}

export function decodeMessage(bytes: Uint8Array, maxBytes: number): Decoded {
  if (bytes.length > maxBytes) return { ok: false, reason: 'oversize' };
  if (bytes.length === 0) return { ok: false, reason: 'malformed' };
  let value: unknown;
  try {
    value = decoder.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!(value instanceof Map)) return { ok: false, reason: 'notMap' };
  const fields = new Map<number, unknown>();
  let operation: number | undefined;
  let result: number | undefined;
  let token: TokenKey | undefined;
  for (const [k, v] of value as Map<unknown, unknown>) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_KEY) continue; // unknown keys are ignored
    if (k === Key.token) {
      const t = uint(v);
      if (t === undefined) return { ok: false, reason: 'badToken' };
      token = t.toString();
    } else if (k === Key.operation || k === Key.result) {
      const n = uint(v);
      if (n === undefined || n > 999n) return { ok: false, reason: 'badOperation' };
      if (k === Key.operation) operation = Number(n);
      else result = Number(n);
    } else fields.set(k, v);
  }
  if ((operation === undefined) === (result === undefined)) return { ok: false, reason: 'badOperation' };
  return { ok: true, message: { ...(operation !== undefined ? { operation } : {}), ...(result !== undefined ? { result } : {}), ...(token !== undefined ? { token } : {}), fields } };
}

/** A map of key -> value as CBOR; a token given as text (TokenKey) is written as an unsigned integer. */
export function encodeMessage(entries: ReadonlyArray<readonly [number, unknown]>): Buffer {
  const m = new Map<number, unknown>();
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    if (k === Key.token && typeof v === 'string') {
      const t = BigInt(v);
      m.set(k, t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : t);
    } else m.set(k, v);
  }
  return encoder.encode(m);
}

/** Field accessors that accept what real clients send (bytes or text for a payload). */
export function bytesField(m: MqttMessage, key: number): Uint8Array | undefined {
  const v = m.fields.get(key);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return undefined;
}

export function textField(m: MqttMessage, key: number, maxLength = 1024): string | undefined {
  const v = m.fields.get(key);
  if (typeof v === 'string' && v.length <= maxLength) return v;
  if (v instanceof Uint8Array && v.length <= maxLength) return Buffer.from(v).toString('utf8');
  return undefined;
}

export function uintField(m: MqttMessage, key: number): number | undefined {
  const v = m.fields.get(key);
  const n = uint(v);
  return n !== undefined && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}

/** Core tokens (bytes) as MQTT tokens (an unsigned integer, big-endian, at most 8 bytes). */
export function tokenOfBytes(token: Uint8Array): TokenKey {
  let v = 0n;
  for (const b of token.subarray(0, 8)) v = (v << 8n) | BigInt(b);
  return v.toString();
}
