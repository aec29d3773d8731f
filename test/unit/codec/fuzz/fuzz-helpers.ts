/**
 * The decoder fuzz test, shared by one test file per codec (one file each keeps every
 * file far below the runner's per-file time limit on a loaded machine).
 *
 * For a codec, ITERATIONS random and mutated buffers (FUZZ_ITERATIONS to change) go through
 * every decoding entry of CodecRegistry for the content formats it declares. Each call must
 * return a CodecResult whose error, if any, is a CodecError with a known code other than
 * INTERNAL (INTERNAL means a TypeError or the like escaped the codec). Failures list
 * reproducers: entry, format, path and payload in hex. The PRNG is seeded (FUZZ_SEED, and
 * the codec's place in BUILTIN_CODECS), so a failure reproduces.
 *
 * Mutations: bit flips, truncation, insertion, length fields set to large values, repeated
 * slices, splices, CBOR/TLV/JSON structure bytes, deep nesting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_CODECS, CodecRegistry } from '../../../../src/lwm2m/codec/registry.js';
import { CodecError, isMultiNodeCodec, type CodecErrorCode, type CodecResult, type NodeCodec } from '../../../../src/lwm2m/codec/codec.js';
import type { LwM2mPath } from '../../../../src/lwm2m/path.js';
import { COMPOSITE_PATHS, DECODE_PATHS, GENERIC_SEEDS, INSTANCE_PATH, ctx, te, validSeeds, type Seed } from './fuzz-seeds.js';

export const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 100_000);
export const SEED = Number(process.env.FUZZ_SEED ?? 0x1f2e3d4c);

const KNOWN_CODES = new Set<CodecErrorCode>([
  'TRUNCATED',
  'MALFORMED',
  'BAD_NESTING',
  'TYPE_MISMATCH',
  'LIMIT_EXCEEDED',
  'PATH_MISMATCH',
  'UNSUPPORTED',
  'UNKNOWN_FORMAT',
  'INTERNAL',
]);

// ---- PRNG (mulberry32) ----

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/**
 * Runs `fn` with stack traces off. Nearly every fuzzed buffer is refused, and capturing
 * the stack of each CodecError was most of the loop's time; the checks never read a stack
 * (an escaped exception is reported by its name and message).
 */
export function withoutStacks<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// ---- mutation ----

const INTERESTING = [0x00, 0x01, 0x17, 0x18, 0x1a, 0x1b, 0x1f, 0x3f, 0x5f, 0x7f, 0x80, 0x9f, 0xbf, 0xc0, 0xc1, 0xc4, 0xd8, 0xf4, 0xf6, 0xf7, 0xf9, 0xfb, 0xff];
const TEXT_BITS = ['[', ']', '{', '}', '"', ',', ':', '\\', '\\u00', 'e', '-', '.', '1e999', 'null', 'true', '/', '<', '>', ';', '='].map((s) => te.encode(s));
const NEST_OPENERS = [0x81, 0x9f, 0xa1, 0xbf, 0x5b, 0x7b, 0xc4];
const BIG_LENGTHS = [Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff), Uint8Array.of(0xff, 0xff, 0xff, 0xff)];

function mutateOnce(rng: Rng, b: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array {
  const pos = b.length ? rng.int(b.length) : 0;
  switch (rng.int(10)) {
    case 0: {
      // bit flips
      const out = b.slice();
      const n = 1 + rng.int(8);
      for (let i = 0; i < n && out.length; i++) {
        const at = rng.int(out.length);
        out[at] = (out[at] as number) ^ (1 << rng.int(8));
      }
      return out;
    }
    case 1:
      return b.subarray(0, rng.int(b.length + 1)); // truncation
    case 2:
      return concat(b.subarray(0, pos), rng.bytes(1 + rng.int(8)), b.subarray(pos)); // random bytes inserted
    case 3: {
      // length-field inflation: a large CBOR/TLV-style length at one place
      if (!b.length) return Uint8Array.of(0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
      const big = rng.int(4) === 3 ? rng.bytes(8) : (BIG_LENGTHS[rng.int(3)] as Uint8Array);
      const head = b[pos] as number;
      const form = rng.int(3);
      // CBOR: a longer argument; TLV: a 24-bit length field; or a break byte
      const byte = form === 0 ? (head & 0xe0) | rng.pick([0x18, 0x19, 0x1a, 0x1b]) : form === 1 ? head | 0x18 : 0xff;
      return concat(b.subarray(0, pos), Uint8Array.of(byte), big, b.subarray(pos + 1));
    }
    case 4: {
      // repeats of a slice
      if (!b.length) return b;
      const start = rng.int(b.length);
      const len = 1 + rng.int(Math.min(16, b.length - start));
      const times = 2 + rng.int(rng.next() < 0.1 ? 2000 : 50);
      const out = new Uint8Array(b.length + (times - 1) * len);
      out.set(b.subarray(0, start + len));
      const piece = b.subarray(start, start + len);
      let at = start + len;
      for (let i = 1; i < times; i++, at += len) out.set(piece, at);
      out.set(b.subarray(start + len), at);
      return out;
    }
    case 5: {
      // splice with another seed
      const other = rng.pick(seeds);
      return concat(b.subarray(0, pos), other.subarray(rng.int(other.length + 1)));
    }
    case 6: {
      // an interesting byte
      const out = b.slice();
      if (out.length) out[pos] = rng.pick(INTERESTING);
      return out;
    }
    case 7:
      return concat(b.subarray(0, pos), rng.pick(TEXT_BITS), b.subarray(pos)); // text structure characters
    case 8: {
      // deep nesting in front
      const depth = 1 + rng.int(rng.next() < 0.2 ? 5000 : 40);
      const out = new Uint8Array(depth + b.length).fill(rng.pick(NEST_OPENERS), 0, depth);
      out.set(b, depth);
      return out;
    }
    default:
      return concat(b.subarray(0, pos), b.subarray(pos + 1 + rng.int(4))); // bytes removed
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What fuzzInput draws from: a codec's own encodings, the hand-written payloads, and both (for splices). */
export interface SeedPool {
  own: readonly Seed[];
  generic: readonly Uint8Array[];
  all: readonly Uint8Array[];
}

export function seedPool(own: readonly Seed[], generic: readonly Uint8Array[]): SeedPool {
  return { own, generic, all: own.length ? [...generic, ...own.map((s) => s.bytes)] : generic };
}

/**
 * Random bytes (10%), or a seed mutated 1-3 times; the codec's own encodings are picked
 * twice as often as the hand-written payloads, so that mutants reach deep into its decoder.
 * Mutations copy; no seed is changed in place.
 */
export function fuzzInput(rng: Rng, pool: SeedPool): { payload: Uint8Array; path?: LwM2mPath } {
  if (rng.next() < 0.1) return { payload: rng.bytes(rng.int(rng.next() < 0.1 ? 512 : 48)) };
  const seed: Seed = pool.own.length && rng.next() < 0.67 ? rng.pick(pool.own) : { bytes: rng.pick(pool.generic) };
  let b = seed.bytes;
  const rounds = rng.next() < 0.6 ? 1 : 2 + rng.int(2);
  for (let i = 0; i < rounds; i++) b = mutateOnce(rng, b, pool.all);
  return { payload: b, path: seed.path };
}

// ---- checking ----

export interface Finding {
  entry: string;
  format: number;
  detail: string;
  payload: Uint8Array;
  iteration: number;
}

/** Why a decoding result breaks the contract, or undefined if it keeps it. */
export function verdict(r: unknown): string | undefined {
  if (typeof r !== 'object' || r === null || typeof (r as { ok?: unknown }).ok !== 'boolean') return 'not a CodecResult';
  const res = r as CodecResult<unknown>;
  if (res.ok) return undefined;
  if (!(res.error instanceof CodecError)) return `error is not a CodecError: ${String(res.error)}`;
  if (!KNOWN_CODES.has(res.error.code)) return `unknown code ${String(res.error.code)}`;
  if (res.error.code === 'INTERNAL') return `INTERNAL: ${res.error.message}`;
  return undefined;
}

export function report(name: string, findings: readonly Finding[], calls: number): string {
  const lines = [`${name}: ${findings.length} of ${calls} calls broke the contract (seed ${SEED}); first ones:`];
  for (const f of findings.slice(0, 12)) {
    const h = Buffer.from(f.payload.subarray(0, 160)).toString('hex');
    lines.push(`  ${f.entry} format ${f.format} (iteration ${f.iteration}): ${f.detail}\n    payload ${h}${f.payload.length > 160 ? `... (${f.payload.length} bytes)` : ''}`);
  }
  return lines.join('\n');
}

// ---- the test ----

/** Registers the fuzz test of one built-in codec's decoders. */
export function fuzzDecoders(codec: NodeCodec): void {
  const index = BUILTIN_CODECS.indexOf(codec);
  const formats = codec.formats;
  const skip = formats.length === 0 ? `${codec.name} declares no content format yet` : false;
  test(`fuzz: ${codec.name} decoders (${formats.join(', ') || 'none'})`, { skip }, (t) => {
    assert.ok(index >= 0, `${codec.name} is a built-in codec`);
    const registry = new CodecRegistry();
    const rng = new Rng(SEED + index * 7919);
    const own: Seed[] = [];
    for (const f of formats) own.push(...validSeeds(registry, f, codec));
    const pool = seedPool(own, GENERIC_SEEDS);
    const multi = isMultiNodeCodec(codec);
    const findings: Finding[] = [];
    const outcomes = new Map<string, number>();
    let calls = 0;
    const call = (entry: () => string, format: number, payload: Uint8Array, iteration: number, fn: () => unknown): void => {
      calls++;
      let detail: string | undefined;
      try {
        const r = fn();
        detail = verdict(r);
        const o = (r as CodecResult<unknown>).ok ? 'ok' : (r as { error: CodecError }).error.code;
        outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      } catch (e) {
        detail = `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      }
      if (detail) findings.push({ entry: entry(), format, detail, payload, iteration });
    };
    withoutStacks(() => {
      for (let i = 0; i < ITERATIONS; i++) {
        const { payload, path: seedPath } = fuzzInput(rng, pool);
        const format = formats[i % formats.length] as number;
        const path = seedPath && i % 3 !== 0 ? seedPath : (DECODE_PATHS[i % DECODE_PATHS.length] as LwM2mPath);
        call(() => `decode ${path}`, format, payload, i, () => registry.decode(format, path, payload, ctx));
        if (!multi) continue;
        const paths = i % 2 ? undefined : COMPOSITE_PATHS;
        call(() => `decodeNodes ${paths ? paths.join(' ') : '(no paths)'}`, format, payload, i, () => registry.decodeNodes(format, payload, paths, ctx));
        const tpath = i % 3 === 0 ? INSTANCE_PATH : undefined;
        call(() => `decodeTimestamped ${tpath ?? '(send)'}`, format, payload, i, () => registry.decodeTimestamped(format, tpath, payload, ctx));
        call(() => 'decodePaths', format, payload, i, () => registry.decodePaths(format, payload, ctx));
      }
    });
    t.diagnostic(`${calls} calls, ${own.length} own seeds; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.ok(calls >= ITERATIONS, 'every buffer was decoded');
    if (findings.length) assert.fail(report(codec.name, findings, calls));
  });
}
