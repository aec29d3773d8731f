/**
 * LwM2M CBOR, content format 11544 (LwM2M 1.2 Core, 7.4.6).
 *
 * Decoding accepts nested maps (`{3: {0: {0: "x"}}}`), array keys as path shortcuts at any
 * level (`{[3, 0]: {0: "x"}}`, `{[3, 0, 0]: "x"}`), mixes of both, and indefinite lengths.
 * Encoding writes the compact form: sorted ids, every chain of single children as one
 * array key, e.g. a read of /3/0 gives `{[3, 0]: {0: "x", 1: "y"}}`.
 *
 * Timestamps: the format has none. A payload is one map from paths to values, with no
 * place for a time (unlike SenML's `t`/`bt`), so Send and notifications that need
 * history use SenML. `decodeTimestamped` returns one group without time;
 * `encodeTimestamped` takes at most one group without time and answers UNSUPPORTED
 * otherwise, so the caller can fall back to SenML.
 *
 * Composite requests: a path list is a map whose values are null
 * (`{[3, 0, 1]: null, [1]: null}`); a null in a response or a write marks a path with no
 * value. An instance without an id (Create where the client picks it) cannot be written:
 * every map level needs a key.
 */
import {
  CodecError,
  ContentFormat,
  type CodecContext,
  type MultiNodeCodec,
} from './codec.js';
import { LwM2mPath } from '../path.js';
import type { LwM2mNode, TimestampedNodes } from '../node.js';
import { readCbor } from './lwm2m-cbor-reader.js';
import { CborWriter } from './lwm2m-cbor-writer.js';
import { IdTrie, flatten, refuseDuplicates, type Entry } from './lwm2m-cbor-tree.js';
import { addNode, entryNode, groupByPaths, nodeAt, writeEntry } from './lwm2m-cbor-nodes.js';

/** Hard ceiling on nesting, whatever the limits say: the reader recurses. */
const MAX_DEPTH_CEILING = 64;

function entries(payload: Uint8Array, ctx: CodecContext): Entry[] {
  if (payload.length > ctx.limits.maxPayload) throw new CodecError('LIMIT_EXCEEDED', `payload of ${payload.length} bytes`);
  const item = readCbor(payload, {
    maxDepth: Math.min(ctx.limits.maxDepth, MAX_DEPTH_CEILING),
    maxItems: ctx.limits.maxRecords,
  });
  return flatten(item);
}

const DEPTH_OF_KIND: Record<LwM2mNode['kind'], number> = {
  object: 1,
  instance: 2,
  resource: 3,
  multiResource: 3,
  resourceInstance: 4,
};

/** The ids where `node` sits, checked against `path`. */
function nodeIds(path: LwM2mPath, node: LwM2mNode): number[] {
  const ids = path.ids();
  const want = DEPTH_OF_KIND[node.kind];
  if (node.kind === 'instance' && ids.length === 1) {
    // an instance written to its object path (Create with the id chosen by the server)
    if (node.id === undefined) throw new CodecError('UNSUPPORTED', 'LwM2M CBOR cannot carry an instance without id');
    return [...ids, node.id];
  }
  if (ids.length !== want) throw new CodecError('BAD_NESTING', `a ${node.kind} node at ${path}`);
  if (node.id !== undefined && node.id !== ids[ids.length - 1]) {
    throw new CodecError('PATH_MISMATCH', `node id ${node.id} differs from path ${path}`);
  }
  return ids;
}

function write(trie: IdTrie): Uint8Array {
  const w = new CborWriter();
  trie.write(w);
  return w.result();
}

function parsePath(key: string): LwM2mPath {
  try {
    return LwM2mPath.parse(key);
  } catch (e) {
    throw new CodecError('MALFORMED', e instanceof Error ? e.message : String(e));
  }
}

function decodeNodes(payload: Uint8Array, paths: readonly LwM2mPath[] | undefined, ctx: CodecContext): Map<string, LwM2mNode | null> {
  const all = entries(payload, ctx);
  const out = new Map<string, LwM2mNode | null>();
  if (!paths) {
    refuseDuplicates(all);
    for (const e of all) {
      const key = '/' + e.ids.join('/');
      out.set(key, !e.empty && e.item === null ? null : entryNode(e, ctx));
    }
    return out;
  }
  for (const p of paths) if (p.isRoot()) throw new CodecError('UNSUPPORTED', 'LwM2M CBOR cannot group values under the root path');
  for (const [key, group] of groupByPaths(all, paths)) {
    const values = group.filter((e) => e.empty || e.item !== null);
    out.set(key, values.length === 0 ? null : nodeAt(parsePath(key), values, ctx));
  }
  return out;
}

export const lwm2mCborCodec: MultiNodeCodec & Required<Pick<MultiNodeCodec, 'encodePaths' | 'decodePaths'>> = {
  formats: [ContentFormat.LWM2M_CBOR],
  name: 'lwm2m-cbor',

  encode(path: LwM2mPath, node: LwM2mNode): Uint8Array {
    const w = new CborWriter();
    w.mapHeader(1);
    writeEntry(w, nodeIds(path, node), node);
    return w.result();
  },

  decode(path: LwM2mPath, payload: Uint8Array, ctx: CodecContext): LwM2mNode {
    if (path.isRoot()) throw new CodecError('UNSUPPORTED', 'LwM2M CBOR decodes at an object path or below');
    const base = path.ids();
    const values: Entry[] = [];
    for (const e of entries(payload, ctx)) {
      const n = Math.min(e.ids.length, base.length);
      for (let i = 0; i < n; i++) {
        if (e.ids[i] !== base[i]) throw new CodecError('PATH_MISMATCH', `${'/' + e.ids.join('/')} is outside ${path}`);
      }
      if (e.ids.length < base.length) {
        // an empty container or null above the requested path: nothing at the path
        continue;
      }
      if (e.empty || e.item !== null) values.push(e);
    }
    return nodeAt(path, values, ctx);
  },

  encodeNodes(nodes: ReadonlyMap<string, LwM2mNode | null>): Uint8Array {
    const trie = new IdTrie();
    for (const [key, node] of nodes) {
      if (node === null) continue; // absent from the client: not written
      addNode(trie, nodeIds(parsePath(key), node), node);
    }
    return write(trie);
  },

  decodeNodes,

  encodeTimestamped(path: LwM2mPath | undefined, data: readonly TimestampedNodes[]): Uint8Array {
    if (data.length > 1 || data.some((d) => d.time !== undefined)) {
      throw new CodecError('UNSUPPORTED', 'LwM2M CBOR carries no timestamps: use SenML');
    }
    const trie = new IdTrie();
    for (const [key, node] of data[0]?.nodes ?? []) {
      const p = parsePath(key);
      if (path && !path.contains(p)) throw new CodecError('PATH_MISMATCH', `${key} is outside ${path}`);
      addNode(trie, nodeIds(p, node), node);
    }
    return write(trie);
  },

  decodeTimestamped(path: LwM2mPath | undefined, payload: Uint8Array, ctx: CodecContext): TimestampedNodes[] {
    const decoded = path && !path.isRoot() ? decodeNodes(payload, [path], ctx) : decodeNodes(payload, undefined, ctx);
    const nodes = new Map<string, LwM2mNode>();
    for (const [k, v] of decoded) if (v !== null) nodes.set(k, v);
    return [{ time: undefined, nodes }];
  },

  encodePaths(paths: readonly LwM2mPath[]): Uint8Array {
    const trie = new IdTrie();
    for (const p of paths) {
      if (p.isRoot()) throw new CodecError('UNSUPPORTED', 'LwM2M CBOR cannot name the root path');
      trie.setLeaf(p.ids(), { type: 'none', value: null });
    }
    return write(trie);
  },

  decodePaths(payload: Uint8Array, ctx: CodecContext): LwM2mPath[] {
    const all = entries(payload, ctx);
    refuseDuplicates(all);
    return all.map((e) => {
      if (e.empty || e.item !== null) throw new CodecError('MALFORMED', 'a path list holds only null values');
      return LwM2mPath.of(...e.ids);
    });
  },
};
