/**
 * CoAP option numbers (RFC 7252 section 12.2, RFC 7641, RFC 7959) and value helpers.
 */
export const Opt = {
  IfMatch: 1,
  UriHost: 3,
  ETag: 4,
  IfNoneMatch: 5,
  Observe: 6,
  UriPort: 7,
  LocationPath: 8,
  UriPath: 11,
  ContentFormat: 12,
  MaxAge: 14,
  UriQuery: 15,
  Accept: 17,
  LocationQuery: 20,
  Block2: 23,
  Block1: 27,
  Size2: 28,
  ProxyUri: 35,
  ProxyScheme: 39,
  Size1: 60,
} as const;

/** The names coap-packet gives the options it knows, back to their numbers. */
const NUMBER_BY_NAME: Record<string, number> = {
  'If-Match': 1,
  'Uri-Host': 3,
  ETag: 4,
  'If-None-Match': 5,
  Observe: 6,
  'Uri-Port': 7,
  'Location-Path': 8,
  OSCORE: 9,
  'Uri-Path': 11,
  'Content-Format': 12,
  'Max-Age': 14,
  'Uri-Query': 15,
  'Hop-Limit': 16,
  Accept: 17,
  'Q-Block1': 19,
  'Location-Query': 20,
  Block2: 23,
  Block1: 27,
  Size2: 28,
  'Q-Block2': 31,
  'Proxy-Uri': 35,
  'Proxy-Scheme': 39,
  Size1: 60,
  'No-Response': 258,
  'OCF-Accept-Content-Format-Version': 2049,
  'OCF-Content-Format-Version': 2053,
};

export function optionNumber(name: string | number): number {
  if (typeof name === 'number') return name;
  const known = NUMBER_BY_NAME[name];
  if (known !== undefined) return known;
  const n = Number(name);
  return Number.isInteger(n) ? n : -1;
}

/** Critical options have an odd number (5.4.1). */
export function isCritical(num: number): boolean {
  return (num & 1) === 1;
}

interface OptionRule {
  repeatable: boolean;
  minLen: number;
  maxLen: number;
}

/** Options this endpoint understands, with their length bounds (5.10, RFC 7641 2, RFC 7959 2.1/4). */
const RULES = new Map<number, OptionRule>([
  [Opt.UriHost, { repeatable: false, minLen: 1, maxLen: 255 }],
  [Opt.ETag, { repeatable: true, minLen: 1, maxLen: 8 }],
  [Opt.Observe, { repeatable: false, minLen: 0, maxLen: 3 }],
  [Opt.UriPort, { repeatable: false, minLen: 0, maxLen: 2 }],
  [Opt.LocationPath, { repeatable: true, minLen: 0, maxLen: 255 }],
  [Opt.UriPath, { repeatable: true, minLen: 0, maxLen: 255 }],
  [Opt.ContentFormat, { repeatable: false, minLen: 0, maxLen: 2 }],
  [Opt.MaxAge, { repeatable: false, minLen: 0, maxLen: 4 }],
  [Opt.UriQuery, { repeatable: true, minLen: 0, maxLen: 255 }],
  [Opt.Accept, { repeatable: false, minLen: 0, maxLen: 2 }],
  [Opt.LocationQuery, { repeatable: true, minLen: 0, maxLen: 255 }],
  [Opt.Block2, { repeatable: false, minLen: 0, maxLen: 3 }],
  [Opt.Block1, { repeatable: false, minLen: 0, maxLen: 3 }],
  [Opt.Size2, { repeatable: false, minLen: 0, maxLen: 4 }],
  [Opt.Size1, { repeatable: false, minLen: 0, maxLen: 4 }],
]);

export interface CoapOption {
  number: number;
  value: Buffer;
}

/**
 * The first critical option this endpoint does not understand, or whose value or
 * repetition breaks its rules (5.4.3, 5.4.5: such options count as unrecognized).
 * Elective options that break the rules are to be ignored, so they are not reported.
 */
export function firstBadCriticalOption(options: readonly CoapOption[]): number | undefined {
  const seen = new Set<number>();
  for (const o of options) {
    const rule = RULES.get(o.number);
    const repeated = seen.has(o.number);
    seen.add(o.number);
    if (!isCritical(o.number)) continue;
    if (!rule) return o.number;
    if (o.value.length < rule.minLen || o.value.length > rule.maxLen) return o.number;
    if (repeated && !rule.repeatable) return o.number;
  }
  return undefined;
}

/** Minimal big-endian unsigned encoding (3.2: zero is the empty string). */
export function encodeUint(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`bad uint option ${value}`);
  if (value === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  let v = value;
  while (v > 0) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return Buffer.from(bytes);
}

export function decodeUint(value: Buffer): number {
  let v = 0;
  for (const b of value) v = v * 256 + b;
  return v;
}

/** The value of the first option with this number, if any and if within the length bounds. */
export function getOption(options: readonly CoapOption[], num: number): Buffer | undefined {
  const o = options.find((x) => x.number === num);
  if (!o) return undefined;
  const rule = RULES.get(num);
  if (rule && (o.value.length < rule.minLen || o.value.length > rule.maxLen)) return undefined;
  return o.value;
}

export function getUintOption(options: readonly CoapOption[], num: number): number | undefined {
  const v = getOption(options, num);
  return v === undefined ? undefined : decodeUint(v);
}

export function getStringOptions(options: readonly CoapOption[], num: number): string[] {
  return options.filter((o) => o.number === num).map((o) => o.value.toString('utf8'));
}

export function uintOption(num: number, value: number): CoapOption {
  return { number: num, value: encodeUint(value) };
}

export function stringOptions(num: number, values: readonly string[]): CoapOption[] {
  return values.map((v) => ({ number: num, value: Buffer.from(v, 'utf8') }));
}
