/**
 * Property tests of the SenML JSON, SenML CBOR and OMA JSON codecs over random typed trees:
 * round trips of one node, of composite maps, of timestamped data (with a path and for
 * Send), of path lists; and decoders facing random and mutated bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { senmlJsonCodec } from '../../../src/lwm2m/codec/senml-json.js';
import { senmlCborCodec } from '../../../src/lwm2m/codec/senml-cbor.js';
import { omaJsonCodec } from '../../../src/lwm2m/codec/oma-json.js';
import { CodecError, DEFAULT_LIMITS, type CodecContext, type MultiNodeCodec } from '../../../src/lwm2m/codec/codec.js';
import { LwM2mPath } from '../../../src/lwm2m/path.js';
import type { LwM2mNode, TimestampedNodes } from '../../../src/lwm2m/node.js';
import type { ModelProvider } from '../../../src/lwm2m/model/types.js';
import { registryOf, treeArb, type ArbOptions, type GeneratedTree } from '../../helpers/node-arbitraries.js';

interface Subject {
  codec: MultiNodeCodec;
  /** what the format cannot carry */
  opts: ArbOptions;
}

const SUBJECTS: Subject[] = [
  { codec: senmlJsonCodec, opts: {} },
  // cbor-x writes -0 as the integer 0
  { codec: senmlCborCodec, opts: { negativeZero: false, nonFiniteFloats: true } },
  { codec: omaJsonCodec, opts: {} },
];

const ctxFor = (model: ModelProvider): CodecContext => ({ model, limits: DEFAULT_LIMITS, now: () => 1_700_000_000_000 });

/** The resource and resource-instance nodes of a tree, keyed by path: what a Send decodes into. */
function leaves(path: LwM2mPath, node: LwM2mNode, out = new Map<string, LwM2mNode>()): Map<string, LwM2mNode> {
  switch (node.kind) {
    case 'object':
      for (const [id, i] of node.instances) leaves(path.child(id), i, out);
      break;
    case 'instance':
      for (const r of node.resources.values()) leaves(path.child(r.id), r, out);
      break;
    case 'multiResource':
      for (const ri of node.instances.values()) out.set(path.child(ri.id).toString(), ri);
      break;
    default:
      out.set(path.toString(), node);
  }
  return out;
}

/** 1..3 trees of distinct objects, with one registry for all their models. */
const forestArb = (opts: ArbOptions) =>
  fc.uniqueArray(treeArb(opts), { minLength: 1, maxLength: 3, selector: (t) => t.model.id }).map((trees) => ({
    trees,
    provider: registryOf(...trees.map((t) => t.model)),
  }));

const timesArb = fc.uniqueArray(fc.integer({ min: 2 ** 28, max: 2 ** 33 }), { minLength: 1, maxLength: 4 });

for (const { codec, opts } of SUBJECTS) {
  describe(`${codec.name}: properties`, () => {
    test('encode then decode gives the same node, at every level', () => {
      fc.assert(
        fc.property(treeArb(opts), (t: GeneratedTree) => {
          const ctx = ctxFor(t.provider);
          assert.deepStrictEqual(codec.decode(t.path, codec.encode(t.path, t.node, ctx), ctx), t.node);
        }),
        { numRuns: 300 },
      );
    });

    test('composite: encodeNodes then decodeNodes with the path list', () => {
      fc.assert(
        fc.property(forestArb(opts), fc.boolean(), ({ trees, provider }, withNull) => {
          const ctx = ctxFor(provider);
          const nodes = new Map<string, LwM2mNode | null>(trees.map((t) => [t.path.toString(), t.node]));
          if (withNull) {
            const free = [...Array(4).keys()].find((id) => !trees.some((t) => t.model.id === id)) as number;
            nodes.set(`/${free}/0/0`, null);
          }
          const bytes = codec.encodeNodes(nodes, ctx);
          assert.deepStrictEqual(codec.decodeNodes(bytes, [...nodes.keys()].map((k) => LwM2mPath.parse(k)), ctx), nodes);
          const flat = new Map<string, LwM2mNode | null>();
          for (const t of trees) for (const [k, v] of leaves(t.path, t.node)) flat.set(k, v);
          assert.deepStrictEqual(codec.decodeNodes(bytes, undefined, ctx), flat);
        }),
        { numRuns: 150 },
      );
    });

    test('timestamped data at a request path comes back oldest first', () => {
      fc.assert(
        fc.property(treeArb(opts), timesArb, fc.boolean(), (t, times, untimed) => {
          const ctx = ctxFor(t.provider);
          const data: TimestampedNodes[] = times.map((time) => ({ time, nodes: new Map([[t.path.toString(), t.node]]) }));
          if (untimed) data.push({ time: undefined, nodes: new Map([[t.path.toString(), t.node]]) });
          const bytes = codec.encodeTimestamped(t.path, data, ctx);
          const expected = [...data].sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity));
          assert.deepStrictEqual(codec.decodeTimestamped(t.path, bytes, ctx), expected);
        }),
        { numRuns: 150 },
      );
    });

    test('Send: several objects at several times, decoded into resources by time', () => {
      fc.assert(
        fc.property(forestArb(opts), timesArb, ({ trees, provider }, times) => {
          const ctx = ctxFor(provider);
          const data: TimestampedNodes[] = trees.map((t, i) => ({
            time: times[i % times.length],
            nodes: new Map([[t.path.toString(), t.node]]),
          }));
          const byTime = new Map<number | undefined, Map<string, LwM2mNode>>();
          for (const [i, t] of trees.entries()) {
            const time = times[i % times.length];
            const m = byTime.get(time) ?? new Map<string, LwM2mNode>();
            byTime.set(time, m);
            for (const [k, v] of leaves(t.path, t.node)) m.set(k, v);
          }
          const expected = [...byTime].map(([time, nodes]) => ({ time, nodes })).sort((a, b) => (a.time as number) - (b.time as number));
          assert.deepStrictEqual(codec.decodeTimestamped(undefined, codec.encodeTimestamped(undefined, data, ctx), ctx), expected);
        }),
        { numRuns: 150 },
      );
    });

    if (codec.encodePaths && codec.decodePaths) {
      const encodePaths = codec.encodePaths.bind(codec);
      const decodePaths = codec.decodePaths.bind(codec);
      test('path lists round trip', () => {
        const id = fc.integer({ min: 0, max: 65534 });
        const pathArb = fc.array(id, { maxLength: 4 }).map((ids) => LwM2mPath.of(...ids));
        fc.assert(
          fc.property(fc.array(pathArb, { maxLength: 20 }), (paths) => {
            assert.deepStrictEqual(decodePaths(encodePaths(paths), ctxFor(registryOf())), paths);
          }),
        );
      });
    }

    test('random and mutated payloads give a value or a CodecError, nothing else', () => {
      const mutated = fc
        .tuple(treeArb(opts), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert', 'drop')), { minLength: 1, maxLength: 4 }))
        .map(([t, edits]) => {
          const ctx = ctxFor(t.provider);
          let b = Array.from(codec.encode(t.path, t.node, ctx));
          for (const [at, byte, op] of edits) {
            const i = b.length ? at % b.length : 0;
            if (op === 'set') b[i] = byte;
            else if (op === 'cut') b = b.slice(0, i);
            else if (op === 'insert') b.splice(i, 0, byte);
            else b.splice(i, 1);
          }
          return { t, bytes: new Uint8Array(b) };
        });
      const random = fc.tuple(treeArb(opts), fc.uint8Array({ maxLength: 64 })).map(([t, bytes]) => ({ t, bytes }));
      const jsonish = fc.tuple(treeArb(opts), fc.json()).map(([t, j]) => ({ t, bytes: new TextEncoder().encode(j) }));
      fc.assert(
        fc.property(fc.oneof(mutated, random, jsonish), ({ t, bytes }) => {
          const ctx = ctxFor(t.provider);
          const calls = [
            () => codec.decode(t.path, bytes, ctx),
            () => codec.decodeNodes(bytes, [t.path], ctx),
            () => codec.decodeNodes(bytes, undefined, ctx),
            () => codec.decodeTimestamped(t.path, bytes, ctx),
            () => codec.decodeTimestamped(undefined, bytes, ctx),
            () => codec.decodePaths?.(bytes, ctx),
          ];
          for (const call of calls) {
            try {
              call();
            } catch (e) {
              if (!(e instanceof CodecError)) throw e;
              assert.notEqual(e.code, 'INTERNAL');
            }
          }
        }),
        { numRuns: 600 },
      );
    });
  });
}
