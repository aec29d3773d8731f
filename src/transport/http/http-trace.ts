/**
 * HTTP requests and answers of a traced device as trace records (MessageTraceRecord):
 * `code` is the method ("POST") or the status ("204"), `options` a few headers, every value
 * cut short and shown as printable ASCII only, the body as a short hex prefix. Made only
 * for a traced peer: an untraced one costs one map lookup per request.
 */
import type { MessageTraceRecord, MessageTraceSink, Peer } from '../../lwm2m/transport.js';

const MAX_VALUE_CHARS = 48;
const MAX_PAYLOAD_HEX_BYTES = 32;
/** the headers shown, in this order */
const SHOWN = ['content-type', 'accept', 'location', 'retry-after', 'lwm2m-operation', 'lwm2m-path', 'lwm2m-query', 'lwm2m-status'];

function safe(text: string): string {
  let out = '';
  const n = Math.min(text.length, MAX_VALUE_CHARS);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x21 && c <= 0x7e && c !== 0x5c ? text[i]! : `\\x${(c & 0xff).toString(16).padStart(2, '0')}`;
  }
  return text.length > n ? `${out}...` : out;
}

export interface TraceParts {
  /** method or status */
  code: string;
  /** the request's path and query (requests only) */
  target?: string;
  headers: Record<string, unknown>;
  body: Uint8Array;
}

export function httpTraceRecord(direction: 'in' | 'out', p: TraceParts): MessageTraceRecord {
  const shown: string[] = [];
  if (p.target !== undefined) shown.push(`Target=${safe(p.target)}`);
  for (const name of SHOWN) {
    const v = p.headers[name];
    if (typeof v === 'string' || typeof v === 'number') shown.push(`${name}=${safe(String(v))}`);
  }
  const body = Buffer.from(p.body.buffer, p.body.byteOffset, p.body.byteLength);
  const r: MessageTraceRecord = { direction, size: body.length, code: safe(p.code), options: shown.join(' '), payloadSize: body.length };
  if (body.length > 0) r.payloadHex = body.length > MAX_PAYLOAD_HEX_BYTES ? `${body.subarray(0, MAX_PAYLOAD_HEX_BYTES).toString('hex')}...` : body.toString('hex');
  return r;
}

/** The sinks of traced peers, by peer key. */
export class HttpTracers {
  private readonly sinks = new Map<string, MessageTraceSink>();

  set(peer: Peer, sink: MessageTraceSink | undefined): void {
    if (sink) this.sinks.set(peer.key, sink);
    else this.sinks.delete(peer.key);
  }

  get(key: string): MessageTraceSink | undefined {
    return this.sinks.size === 0 ? undefined : this.sinks.get(key);
  }
}
