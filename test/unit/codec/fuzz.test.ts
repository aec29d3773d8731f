/**
 * Fuzz test of every decoder: for each built-in codec and each content format it declares,
 * 100,000 random and mutated buffers (FUZZ_ITERATIONS to change) go through every decoding
 * entry of CodecRegistry. Each call must return a CodecResult whose error, if any, is a
 * CodecError with a known code other than INTERNAL (INTERNAL means a TypeError or the like
 * escaped the codec). Failures list reproducers: entry, format, path and payload in hex.
 * The PRNG is seeded (FUZZ_SEED), so a failure reproduces.
 *
 * Mutations start from valid encodings that each codec makes of a Device object, and from
 * hand-written payloads of every format: bit flips, truncation, insertion, length fields
 * set to large values, repeated slices, splices, CBOR/TLV/JSON structure bytes, deep
 * nesting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_CODECS, CodecRegistry } from '../../../src/lwm2m/codec/registry.js';
import {
  CodecError,
  DEFAULT_LIMITS,
  isMultiNodeCodec,
  type CodecContext,
  type CodecErrorCode,
  type CodecResult,
  type NodeCodec,
} from '../../../src/lwm2m/codec/codec.js';
import { parseLinks } from '../../../src/lwm2m/codec/link-format.js';
import { ModelRegistry } from '../../../src/lwm2m/model/registry.js';
import type { ModelProvider } from '../../../src/lwm2m/model/types.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import { instance, multiResource, object, resource, type LwM2mNode } from '../../../src/lwm2m/node.js';
import { objectModelFor, registryOf, resourceModelFor } from '../../helpers/node-arbitraries.js';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x1f2e3d4c);

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

class Rng {
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

// ---- models and sample nodes ----

function modelProvider(): ModelProvider {
  const withBuiltins = (ModelRegistry as unknown as { withBuiltins?: () => ModelProvider }).withBuiltins;
  if (typeof withBuiltins === 'function') return withBuiltins.call(ModelRegistry);
  return registryOf(
    objectModelFor(3, [
      resourceModelFor(0, 'string', false),
      resourceModelFor(1, 'string', false),
      resourceModelFor(4, 'none', false),
      resourceModelFor(6, 'integer', true),
      resourceModelFor(9, 'integer', false),
      resourceModelFor(10, 'integer', false),
      resourceModelFor(11, 'integer', true),
      resourceModelFor(13, 'time', false),
      resourceModelFor(16, 'string', false),
    ]),
    objectModelFor(9000, [
      resourceModelFor(0, 'unsigned', false),
      resourceModelFor(1, 'float', false),
      resourceModelFor(2, 'boolean', false),
      resourceModelFor(3, 'opaque', false),
      resourceModelFor(4, 'objlnk', true),
      resourceModelFor(5, 'corelnk', false),
    ]),
  );
}

const ctx: CodecContext = { model: modelProvider(), limits: DEFAULT_LIMITS };
const P = (s: string): LwM2mPath => LwM2mPath.parse(s);
const DECODE_PATHS = ['/3', '/3/0', '/3/0/0', '/3/0/6', '/3/0/6/1', '/9000/0/1'].map(P);

const deviceInstance = instance(0, [
  resource(0, 'string', 'Open Mobile Alliance'),
  resource(1, 'string', 'Lightweight M2M Client'),
  multiResource(6, 'integer', { 0: 1, 1: 5 }),
  resource(9, 'integer', 100),
  resource(10, 'integer', 15),
  multiResource(11, 'integer', { 0: 0 }),
  resource(13, 'time', 1367491215),
  resource(16, 'string', 'U'),
]);
const samples: Array<[string, LwM2mNode]> = [
  ['/3', object(3, [deviceInstance])],
  ['/3/0', deviceInstance],
  ['/3/0/0', resource(0, 'string', 'Open Mobile Alliance')],
  ['/3/0/9', resource(9, 'integer', 100)],
  ['/3/0/6', multiResource(6, 'integer', { 0: 1, 1: 5 })],
  ['/3/0/6/1', { kind: 'resourceInstance', id: 1, type: 'integer', value: 5 }],
  ['/9000/0/1', resource(1, 'float', 3.25)],
  ['/9000/0/3', resource(3, 'opaque', Uint8Array.of(0, 1, 2, 0xff))],
  ['/9000/0/4', multiResource(4, 'objlnk', { 0: { objectId: 3, instanceId: 0 } })],
];

const te = new TextEncoder();
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
/** Payloads of every format, written by hand, so that mutation has structure even where a codec cannot encode yet. */
const GENERIC_SEEDS: Uint8Array[] = [
  te.encode('123'),
  te.encode('-4.5e3'),
  te.encode('Open Mobile Alliance'),
  te.encode('3:0'),
  te.encode('AAECAw=='),
  hex('c8 00 14 4f 70 65 6e 20 4d 6f 62 69 6c 65 20 41 6c 6c 69 61 6e 63 65'), // TLV resource 0
  hex('86 06 41 00 01 41 01 05'), // TLV multiple resource 6
  hex('08 00 0a c1 09 64 c1 0a 0f c1 10 55'), // TLV instance 0
  te.encode('[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"9","v":100},{"n":"6/0","v":1},{"n":"13","v":1367491215}]'),
  te.encode('[{"bn":"/3/0/","bt":1.7e9,"n":"9","v":95,"t":-5},{"n":"16","vs":"U"},{"n":"/9000/0/3","vd":"AAEC"}]'),
  te.encode('[{"n":"/3/0/0"},{"n":"/3/0/9"}]'),
  te.encode('{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"9","v":100},{"n":"6/0","v":1}]}'),
  hex('82 a3 21 66 2f 33 2f 30 2f 00 61 30 03 63 61 62 63 a2 00 61 39 02 18 64'), // SenML CBOR
  hex('a1 82 03 00 a2 00 61 78 06 a2 00 01 01 05'), // LwM2M CBOR
  hex('fb 40 09 21 f9 f0 1b 86 6e'), // CBOR double
  hex('1b 00 00 00 01 00 00 00 00'), // CBOR uint64
  te.encode('</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>;ver=1.1'),
];

/** A payload to mutate, with the path it was encoded for. */
interface Seed {
  bytes: Uint8Array;
  path?: LwM2mPath;
}

function validSeeds(reg: CodecRegistry, format: number, codec: NodeCodec): Seed[] {
  const seeds: Seed[] = [];
  const keep = (r: CodecResult<Uint8Array>, path?: LwM2mPath): void => {
    if (r.ok && r.value.length > 0) seeds.push({ bytes: r.value, path });
  };
  for (const [path, node] of samples) keep(reg.encode(format, P(path), node, ctx), P(path));
  if (isMultiNodeCodec(codec)) {
    const nodes = new Map<string, LwM2mNode | null>([
      ['/3/0/0', resource(0, 'string', 'Open Mobile Alliance')],
      ['/3/0/6', multiResource(6, 'integer', { 0: 1, 1: 5 })],
      ['/9000/0/1', resource(1, 'float', 3.25)],
      ['/5/0', null],
    ]);
    keep(reg.encodeNodes(format, nodes, ctx));
    const timed = [
      { time: 1700000000, nodes: new Map<string, LwM2mNode>([['/3/0/9', resource(9, 'integer', 90)]]) },
      { time: 1700000060, nodes: new Map<string, LwM2mNode>([['/3/0/9', resource(9, 'integer', 89)]]) },
    ];
    keep(reg.encodeTimestamped(format, undefined, timed, ctx));
    keep(reg.encodeTimestamped(format, undefined, [{ time: undefined, nodes: timed[0]!.nodes }], ctx));
    keep(reg.encodePaths(format, [P('/3/0/0'), P('/3/0/9'), P('/1')]));
  }
  return seeds;
}

// ---- mutation ----

const INTERESTING = [0x00, 0x01, 0x17, 0x18, 0x1a, 0x1b, 0x1f, 0x3f, 0x5f, 0x7f, 0x80, 0x9f, 0xbf, 0xc0, 0xc1, 0xc4, 0xd8, 0xf4, 0xf6, 0xf7, 0xf9, 0xfb, 0xff];
const TEXT_BITS = ['[', ']', '{', '}', '"', ',', ':', '\\', '\\u00', 'e', '-', '.', '1e999', 'null', 'true', '/', '<', '>', ';', '='].map((s) => te.encode(s));

function mutateOnce(rng: Rng, input: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array {
  const b = input;
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
      return b.slice(0, rng.int(b.length + 1)); // truncation
    case 2: {
      // insertion of random bytes
      const ins = rng.bytes(1 + rng.int(8));
      return concat(b.subarray(0, pos), ins, b.subarray(pos));
    }
    case 3: {
      // length-field inflation: a large CBOR/TLV-style length at one place
      const out = b.slice();
      if (!out.length) return Uint8Array.of(0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
      const head = out[pos] as number;
      const big = rng.pick([Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff), Uint8Array.of(0xff, 0xff, 0xff, 0xff), rng.bytes(8)]);
      const form = rng.int(3);
      if (form === 0) out[pos] = (head & 0xe0) | rng.pick([0x18, 0x19, 0x1a, 0x1b]); // CBOR: longer argument
      else if (form === 1) out[pos] = head | 0x18; // TLV: 24-bit length field
      else out[pos] = 0xff;
      return concat(out.subarray(0, pos + 1), big, out.subarray(pos + 1));
    }
    case 4: {
      // repeats of a slice
      if (!b.length) return b;
      const start = rng.int(b.length);
      const len = 1 + rng.int(Math.min(16, b.length - start));
      const times = 2 + rng.int(rng.next() < 0.1 ? 2000 : 50);
      const piece = b.subarray(start, start + len);
      const parts: Uint8Array[] = [b.subarray(0, start)];
      for (let i = 0; i < times; i++) parts.push(piece);
      parts.push(b.subarray(start + len));
      return concat(...parts);
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
      // text structure characters
      return concat(b.subarray(0, pos), rng.pick(TEXT_BITS), b.subarray(pos));
    case 8: {
      // deep nesting in front
      const depth = 1 + rng.int(rng.next() < 0.2 ? 5000 : 40);
      const opener = rng.pick([0x81, 0x9f, 0xa1, 0xbf, 0x5b, 0x7b, 0xc4]);
      return concat(new Uint8Array(depth).fill(opener), b);
    }
    default:
      // bytes removed
      return concat(b.subarray(0, pos), b.subarray(pos + 1 + rng.int(4)));
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

/**
 * Random bytes (10%), or a seed mutated 1-3 times; the codec's own encodings are picked
 * twice as often as the hand-written payloads, so that mutants reach deep into its decoder.
 */
function fuzzInput(rng: Rng, own: readonly Seed[], generic: readonly Uint8Array[]): { payload: Uint8Array; path?: LwM2mPath } {
  if (rng.next() < 0.1) return { payload: rng.bytes(rng.int(rng.next() < 0.1 ? 512 : 48)) };
  const seed: Seed = own.length && rng.next() < 0.67 ? rng.pick(own) : { bytes: rng.pick(generic) };
  const pool = own.length ? [...generic, ...own.map((s) => s.bytes)] : generic;
  let b = seed.bytes;
  const rounds = rng.next() < 0.6 ? 1 : 2 + rng.int(2);
  for (let i = 0; i < rounds; i++) b = mutateOnce(rng, b, pool);
  return { payload: b, path: seed.path };
}

// ---- checking ----

interface Finding {
  entry: string;
  format: number;
  detail: string;
  payload: Uint8Array;
  iteration: number;
}

function verdict(r: unknown): string | undefined {
  if (typeof r !== 'object' || r === null || typeof (r as { ok?: unknown }).ok !== 'boolean') return 'not a CodecResult';
  const res = r as CodecResult<unknown>;
  if (res.ok) return undefined;
  if (!(res.error instanceof CodecError)) return `error is not a CodecError: ${String(res.error)}`;
  if (!KNOWN_CODES.has(res.error.code)) return `unknown code ${String(res.error.code)}`;
  if (res.error.code === 'INTERNAL') return `INTERNAL: ${res.error.message}`;
  return undefined;
}

function report(name: string, findings: readonly Finding[], calls: number): string {
  const lines = [`${name}: ${findings.length} of ${calls} calls broke the contract (seed ${SEED}); first ones:`];
  for (const f of findings.slice(0, 12)) {
    const h = Buffer.from(f.payload.subarray(0, 160)).toString('hex');
    lines.push(`  ${f.entry} format ${f.format} (iteration ${f.iteration}): ${f.detail}\n    payload ${h}${f.payload.length > 160 ? `... (${f.payload.length} bytes)` : ''}`);
  }
  return lines.join('\n');
}

const registry = new CodecRegistry();

for (const [index, codec] of BUILTIN_CODECS.entries()) {
  const formats = codec.formats;
  const skip = formats.length === 0 ? `${codec.name} declares no content format yet` : false;
  test(`fuzz: ${codec.name} decoders (${formats.join(', ') || 'none'})`, { skip }, (t) => {
    const rng = new Rng(SEED + index * 7919);
    const own: Seed[] = [];
    for (const f of formats) own.push(...validSeeds(registry, f, codec));
    const multi = isMultiNodeCodec(codec);
    const findings: Finding[] = [];
    const outcomes = new Map<string, number>();
    let calls = 0;
    const call = (entry: string, format: number, payload: Uint8Array, iteration: number, fn: () => unknown): void => {
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
      if (detail) findings.push({ entry, format, detail, payload, iteration });
    };
    for (let i = 0; i < ITERATIONS; i++) {
      const { payload, path: seedPath } = fuzzInput(rng, own, GENERIC_SEEDS);
      const format = formats[i % formats.length] as number;
      const path = seedPath && i % 3 !== 0 ? seedPath : (DECODE_PATHS[i % DECODE_PATHS.length] as LwM2mPath);
      call(`decode ${path}`, format, payload, i, () => registry.decode(format, path, payload, ctx));
      if (!multi) continue;
      const paths = i % 2 ? undefined : [P('/3/0'), P('/9000/0/1')];
      call(`decodeNodes ${paths ? paths.join(' ') : '(no paths)'}`, format, payload, i, () => registry.decodeNodes(format, payload, paths, ctx));
      const tpath = i % 3 === 0 ? P('/3/0') : undefined;
      call(`decodeTimestamped ${tpath ?? '(send)'}`, format, payload, i, () => registry.decodeTimestamped(format, tpath, payload, ctx));
      call('decodePaths', format, payload, i, () => registry.decodePaths(format, payload, ctx));
    }
    t.diagnostic(`${calls} calls, ${own.length} own seeds; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.ok(calls >= ITERATIONS, 'every buffer was decoded');
    if (findings.length) assert.fail(report(codec.name, findings, calls));
  });
}

test('fuzz: link-format parser', () => {
  const rng = new Rng(SEED ^ 0x40);
  const linkSeeds = [
    '</>;rt="oma.lwm2m";ct="110 112",</1/0>,</3/0>,</3442>;ver=1.1,</5>',
    '</3>;ver=1.1,</3/0>;pmin=10,</3/0/6>;dim=8,</3/0/7>;dim=8;gt=50;lt=42.2',
    '</lwm2m>;rt="oma.lwm2m",</lwm2m/1/101>;title="a \\"b\\"";obs',
  ].map((s) => ({ bytes: te.encode(s) }));
  const td = new TextDecoder();
  const findings: Finding[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const bytes = fuzzInput(rng, linkSeeds, linkSeeds.map((s) => s.bytes)).payload;
    const text = td.decode(bytes);
    try {
      const links = parseLinks(text);
      if (!Array.isArray(links)) throw new Error('not an array');
    } catch (e) {
      if (!(e instanceof CodecError) || e.code !== 'MALFORMED') {
        findings.push({ entry: 'parseLinks', format: 40, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e), payload: bytes, iteration: i });
      }
    }
  }
  if (findings.length) assert.fail(report('link-format', findings, ITERATIONS));
});

test('fuzz checker: a codec that lets a TypeError escape is reported as INTERNAL', () => {
  const broken: NodeCodec = {
    formats: [65000],
    name: 'broken',
    encode: () => new Uint8Array(0),
    decode: (_path, payload) => {
      const nothing = payload.length > 1 ? undefined : { kind: 'resource' };
      return (nothing as unknown as { kind: string }).kind as never;
    },
  };
  const reg = new CodecRegistry([broken]);
  assert.match(verdict(reg.decode(65000, P('/3/0/0'), Uint8Array.of(1, 2), ctx)) ?? '', /^INTERNAL/);
  assert.equal(verdict(reg.decode(65000, P('/3/0/0'), Uint8Array.of(1), ctx)), undefined);
  assert.equal(verdict(reg.decode(65001, P('/3/0/0'), Uint8Array.of(1), ctx)), undefined); // UNKNOWN_FORMAT is fine
  assert.equal(verdict({ value: 1 }), 'not a CodecResult');
});
