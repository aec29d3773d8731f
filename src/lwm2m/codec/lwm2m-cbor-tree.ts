/**
 * LwM2M CBOR structure (LwM2M 1.2 Core, 7.4.6): one CBOR map whose keys are ids, nested
 * from the object down; a key is an unsigned integer (one id) or an array of them (a path
 * shortcut), so `{3: {0: {0: "x"}}}`, `{[3, 0]: {0: "x"}}` and `{[3, 0, 0]: "x"}` say the
 * same. Values sit at resource or resource-instance level; `null` marks a path with no
 * value (composite requests); an empty map an object, instance or multi-instance resource
 * with nothing in it.
 *
 * Reading flattens the payload to entries (absolute path ids + item); writing builds a
 * trie of ids and emits every chain of single children as one array key.
 */
import { CodecError } from './codec.js';
import { MAX_ID } from '../path.js';
import type { ResourceType } from '../model/types.js';
import type { Value } from '../node.js';
import { isMap, type CborItem, type CborMap } from './lwm2m-cbor-reader.js';
import type { CborWriter } from './lwm2m-cbor-writer.js';
import { encodeValue } from './lwm2m-cbor-values.js';

/** A value (or null) at a path, or an empty container at a path. */
export interface Entry {
  ids: number[];
  /** The CBOR value; `undefined` together with `empty` for an empty map. */
  item: CborItem;
  empty: boolean;
}

function keyIds(key: CborItem): number[] {
  if (typeof key === 'number') {
    if (key > MAX_ID) throw new CodecError('MALFORMED', `id ${key} out of range`);
    if (key >= 0) return [key];
  }
  if (Array.isArray(key) && key.length > 0 && key.length <= 4) {
    return key.map((k) => {
      if (typeof k !== 'number' || k < 0 || k > MAX_ID) throw new CodecError('MALFORMED', 'a path key holds something other than an id');
      return k;
    });
  }
  throw new CodecError('MALFORMED', 'a map key is neither an id nor an array of ids');
}

export function pathString(ids: readonly number[]): string {
  return '/' + ids.join('/');
}

/**
 * Every value and empty container in the payload, in payload order. A path given twice is
 * refused where the entries are put together (nodes, path lists), not here.
 */
export function flatten(top: CborItem): Entry[] {
  if (!isMap(top)) throw new CodecError('MALFORMED', 'an LwM2M CBOR payload is a map');
  const out: Entry[] = [];
  const walk = (map: CborMap, prefix: readonly number[]): void => {
    for (const [k, v] of map.entries) {
      let ids: number[];
      if (typeof k === 'number' && k >= 0 && k <= MAX_ID) {
        ids = prefix.slice();
        ids.push(k);
      } else ids = prefix.concat(keyIds(k));
      if (ids.length > 4) throw new CodecError('BAD_NESTING', `path ${pathString(ids)} is deeper than a resource instance`);
      if (isMap(v)) {
        if (v.entries.length === 0) out.push({ ids, item: undefined, empty: true });
        else if (ids.length === 4) throw new CodecError('BAD_NESTING', `a map below resource instance ${pathString(ids)}`);
        else walk(v, ids);
      } else if (Array.isArray(v)) {
        throw new CodecError('MALFORMED', `an array as the value of ${pathString(ids)}`);
      } else if (v !== null && ids.length < 3) {
        throw new CodecError('BAD_NESTING', `a value at ${pathString(ids)}, above resource level`);
      } else {
        out.push({ ids, item: v, empty: false });
      }
    }
  };
  walk(top, []);
  return out;
}

/** Refuses a path given twice among `entries`. */
export function refuseDuplicates(entries: readonly Entry[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    const key = pathString(e.ids);
    if (seen.has(key)) throw new CodecError('MALFORMED', `path ${key} given twice`);
    seen.add(key);
  }
}

// ---- writing ----

interface Leaf {
  type: ResourceType;
  value: Value;
}

export class IdTrie {
  readonly children = new Map<number, IdTrie>();
  leaf: Leaf | undefined;
  /** An empty container was asked for here. */
  container = false;

  at(ids: readonly number[]): IdTrie {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walking down from this node
    let t: IdTrie = this;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw new CodecError('MALFORMED', `id ${id} out of range`);
      if (t.leaf) throw new CodecError('BAD_NESTING', `a value and nodes below it at one path (${pathString(ids)})`);
      let c = t.children.get(id);
      if (!c) {
        c = new IdTrie();
        t.children.set(id, c);
      }
      t = c;
    }
    return t;
  }

  setLeaf(ids: readonly number[], leaf: Leaf): void {
    const t = this.at(ids);
    if (t.leaf || t.children.size > 0) throw new CodecError('BAD_NESTING', `path ${pathString(ids)} given twice`);
    t.leaf = leaf;
  }

  setContainer(ids: readonly number[]): void {
    const t = this.at(ids);
    if (t.leaf) throw new CodecError('BAD_NESTING', `path ${pathString(ids)} given twice`);
    t.container = true;
  }

  /** Writes this node's children as a map, each chain of single children as one array key. */
  write(w: CborWriter): void {
    const ids = [...this.children.keys()].sort((a, b) => a - b);
    w.mapHeader(ids.length);
    for (const id of ids) {
      const chain = [id];
      let c = this.children.get(id) as IdTrie;
      while (!c.leaf && c.children.size === 1 && !c.container) {
        const [k, next] = c.children.entries().next().value as [number, IdTrie];
        chain.push(k);
        c = next;
      }
      if (chain.length === 1) w.int(id);
      else {
        w.arrayHeader(chain.length);
        for (const k of chain) w.int(k);
      }
      if (c.leaf) encodeValue(w, c.leaf.type, c.leaf.value);
      else c.write(w);
    }
  }
}
