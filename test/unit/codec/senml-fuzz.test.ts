/**
 * Fuzz-style test of the SenML JSON, SenML CBOR and OMA JSON decoders: 100,000 random and
 * mutated buffers each (a seeded generator, so a failure repeats). Every call must return a
 * value or throw a CodecError other than INTERNAL; nothing else may escape. (The decoders
 * of every codec are fuzzed through CodecRegistry in fuzz/, one file per codec.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { senmlJsonCodec } from '../../../src/lwm2m/codec/senml-json.js';
import { senmlCborCodec } from '../../../src/lwm2m/codec/senml-cbor.js';
import { omaJsonCodec } from '../../../src/lwm2m/codec/oma-json.js';
import { CodecError, type MultiNodeCodec } from '../../../src/lwm2m/codec/codec.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import type { LwM2mNode } from '../../../src/lwm2m/node.js';
import { withoutStacks } from './fuzz/fuzz-helpers.js';
import { COMPOSITE_PATHS, COMPOSITE_READ, COMPOSITE_WRITE, DEVICE_0, LINKED_OBJECTS, ctxOf, p } from './senml-fixtures.js';

const BUFFERS = 100_000;
const ctx = ctxOf({ maxRecords: 1000 });

/** xorshift32: small, seeded, good enough to spread mutations. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function seeds(codec: MultiNodeCodec): Uint8Array[] {
  const out = [
    codec.encode(p('/3/0'), DEVICE_0, ctx),
    codec.encode(p('/3/0/7'), DEVICE_0.resources.get(7) as LwM2mNode, ctx),
    codec.encodeNodes(COMPOSITE_READ, ctx),
    codec.encodeNodes(COMPOSITE_WRITE, ctx),
    codec.encodeTimestamped(LwM2mPath.ROOT, [{ time: 1_700_000_000, nodes: new Map<string, LwM2mNode>(LINKED_OBJECTS) }], ctx),
    codec.encodeTimestamped(undefined, [
      { time: 1_700_000_000, nodes: new Map<string, LwM2mNode>([['/3/0/9', DEVICE_0.resources.get(9) as LwM2mNode]]) },
      { time: 1_700_000_060, nodes: new Map<string, LwM2mNode>([['/3/0/9', DEVICE_0.resources.get(9) as LwM2mNode]]) },
    ], ctx),
  ];
  if (codec.encodePaths) out.push(codec.encodePaths(COMPOSITE_PATHS));
  return out;
}

const JSON_BYTES = [...'[]{}",:0123456789-.eE+tfn\\/ u'].map((c) => c.charCodeAt(0));
const CBOR_BYTES = [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x20, 0x3b, 0x5f, 0x7f, 0x9f, 0xbf, 0xff, 0xf4, 0xf5, 0xf6, 0xf7, 0xf9, 0xfa, 0xfb, 0xc2, 0xc6, 0x80, 0xa0, 0x60, 0x40];

/** A copy of `b` with the byte at `i` (appended if `b` is empty) replaced by `f` of the old one. */
function withByte(b: Uint8Array, i: number, f: (old: number) => number): Uint8Array {
  const out = new Uint8Array(Math.max(b.length, i + 1));
  out.set(b);
  out[i] = f(b[i] ?? 0);
  return out;
}

/** A copy of `b` with `remove` bytes at `i` replaced by `insert`. */
function splice(b: Uint8Array, i: number, remove: number, insert: Uint8Array = EMPTY): Uint8Array {
  const tail = b.subarray(Math.min(b.length, i + remove));
  const out = new Uint8Array(i + insert.length + tail.length);
  out.set(b.subarray(0, i));
  out.set(insert, i);
  out.set(tail, i + insert.length);
  return out;
}
const EMPTY = new Uint8Array(0);

/** 1-4 edits of a seed, each on a fresh copy (typed arrays: the mutation stays a small part of the loop). */
function mutate(src: Uint8Array, next: (n: number) => number, alphabet: readonly number[]): Uint8Array {
  let b: Uint8Array = src.slice();
  const edits = 1 + next(4);
  for (let k = 0; k < edits; k++) {
    const i = b.length ? next(b.length) : 0;
    const byte = next(3) === 0 ? next(256) : (alphabet[next(alphabet.length)] as number);
    switch (next(6)) {
      case 0: b = withByte(b, i, () => byte); break;
      case 1: b = splice(b, i, 0, Uint8Array.of(byte)); break;
      case 2: b = splice(b, i, 1); break;
      case 3: b = b.slice(0, i); break;
      case 4: { // duplicate a slice
        const from = next(b.length + 1);
        const to = next(b.length + 1);
        b = splice(b, i, 0, b.slice(from, to));
        break;
      }
      default: b = withByte(b, i, (old) => old ^ (1 << next(8)));
    }
  }
  return b;
}

/** The decoding entry points, taken in turn. */
const [INSTANCE, RESOURCE_7, OBJECT] = [p('/3/0'), p('/3/0/7'), p('/3')] as const;
const CALLS: ((codec: MultiNodeCodec, bytes: Uint8Array) => unknown)[] = [
  (c, b) => c.decode(INSTANCE, b, ctx),
  (c, b) => c.decode(RESOURCE_7, b, ctx),
  (c, b) => c.decodeNodes(b, COMPOSITE_PATHS, ctx),
  (c, b) => c.decodeNodes(b, undefined, ctx),
  (c, b) => c.decodeTimestamped(undefined, b, ctx),
  (c, b) => c.decodeTimestamped(OBJECT, b, ctx),
  (c, b) => c.decodePaths?.(b, ctx),
];

/** 1 if the call gave a value, 0 if it threw a CodecError; anything else fails the test. */
function feed(codec: MultiNodeCodec, bytes: Uint8Array, n: number): number {
  try {
    (CALLS[n % CALLS.length] as (typeof CALLS)[number])(codec, bytes);
    return 1;
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    assert.notEqual(e.code, 'INTERNAL', e.message);
    return 0;
  }
}

for (const [codec, alphabet, seed] of [
  [senmlJsonCodec, JSON_BYTES, 0x5e9a1],
  [senmlCborCodec, CBOR_BYTES, 0xcb0a],
  [omaJsonCodec, JSON_BYTES, 0x0a1a],
] as const) {
  describe(`${codec.name}: fuzz`, () => {
    test(`${BUFFERS} random and mutated buffers: a value or a CodecError each`, () => {
      const next = rng(seed);
      const base = seeds(codec);
      let decoded = 0;
      // no stack per refused buffer (an escaped exception still fails with its name and message)
      withoutStacks(() => {
        for (let n = 0; n < BUFFERS; n++) {
          let bytes: Uint8Array;
          if (n % 10 === 0) {
            bytes = new Uint8Array(next(48));
            for (let i = 0; i < bytes.length; i++) bytes[i] = next(256);
          } else {
            bytes = mutate(base[next(base.length)] as Uint8Array, next, alphabet);
          }
          decoded += feed(codec, bytes, n);
        }
      });
      // the mutations keep some payloads valid; the count only shows the decoders were exercised
      assert.ok(decoded > 0);
    });
  });
}
