/**
 * A CoAP datagram as one trace record (see MessageTraceRecord): decoded again only for a
 * traced peer, with every field bounded (a few options, short values, a short hex
 * payload prefix), so nothing a device sends reaches a log line raw or unbounded.
 */
import type { MessageTraceRecord } from '../../lwm2m/transport.js';
import { codeText, parseMessage } from './message.js';
import type { CoapOption } from './options.js';

const TYPES = ['CON', 'NON', 'ACK', 'RST'];
/** the options shown, by number: name and how to show the value */
const OPTION_NAMES: Record<number, [string, 'text' | 'uint' | 'hex']> = {
  1: ['If-Match', 'hex'],
  3: ['Uri-Host', 'text'],
  4: ['ETag', 'hex'],
  5: ['If-None-Match', 'hex'],
  6: ['Observe', 'uint'],
  7: ['Uri-Port', 'uint'],
  8: ['Location-Path', 'text'],
  11: ['Uri-Path', 'text'],
  12: ['Content-Format', 'uint'],
  14: ['Max-Age', 'uint'],
  15: ['Uri-Query', 'text'],
  17: ['Accept', 'uint'],
  20: ['Location-Query', 'text'],
  23: ['Block2', 'uint'],
  27: ['Block1', 'uint'],
  28: ['Size2', 'uint'],
  60: ['Size1', 'uint'],
};
const MAX_OPTIONS = 16;
const MAX_VALUE_CHARS = 32;
const MAX_PAYLOAD_HEX_BYTES = 32;

function hexCut(b: Buffer, max: number): string {
  return b.length > max ? `${b.subarray(0, max).toString('hex')}...` : b.toString('hex');
}

/** Printable ASCII as is, anything else as \xNN; at most MAX_VALUE_CHARS characters of input. */
function safeText(b: Buffer): string {
  let out = '';
  const n = Math.min(b.length, MAX_VALUE_CHARS);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    out += c >= 0x21 && c <= 0x7e && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return b.length > n ? `${out}...` : out;
}

function showOption(o: CoapOption): string {
  const known = OPTION_NAMES[o.number];
  if (!known) return `${o.number}=${hexCut(o.value, 8)}`;
  const [name, how] = known;
  if (how === 'uint') return `${name}=${o.value.length <= 4 ? o.value.reduce((n, byte) => n * 256 + byte, 0) : hexCut(o.value, 8)}`;
  return `${name}=${how === 'text' ? safeText(o.value) : hexCut(o.value, 8)}`;
}

export function traceRecord(direction: 'in' | 'out', datagram: Buffer): MessageTraceRecord {
  const parsed = parseMessage(datagram);
  if (!parsed.ok) return { direction, size: datagram.length, malformed: parsed.reason };
  const m = parsed.message;
  const shown = m.options.slice(0, MAX_OPTIONS).map(showOption);
  if (m.options.length > MAX_OPTIONS) shown.push(`(+${m.options.length - MAX_OPTIONS} more)`);
  return {
    direction,
    size: datagram.length,
    type: TYPES[m.type] ?? String(m.type),
    code: codeText(m.code),
    mid: m.messageId,
    token: m.token.toString('hex'),
    options: shown.join(' '),
    payloadSize: m.payload.length,
    ...(m.payload.length > 0 ? { payloadHex: hexCut(m.payload, MAX_PAYLOAD_HEX_BYTES) } : {}),
  };
}
