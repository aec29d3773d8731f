/**
 * Sharing of registration object lists. Devices of one kind register the same objects,
 * so their registrations share what they have in common instead of a parsed copy each:
 *
 * - the same payload text (and default root) -> the same frozen ObjectList, and the
 *   payload is parsed once;
 * - another text with the same objects (clients with alternate paths `</c12345>` differ
 *   only in their link targets) -> the same `objects` map and `ct` list, and link
 *   attribute maps shared by content; only the Link objects and their targets are the
 *   device's own.
 *
 * Nothing mutates a registration's lists (an Update builds new ones); arrays and entries
 * are frozen. Each cache holds a bounded number of distinct values, the oldest dropped first.
 */
import type { Link } from '../codec/link-format.js';

export interface SharedObjectList {
  rootDeclared: boolean;
  rootPath: string;
  contentFormats: number[];
  objectLinks: Link[];
  objects: Map<number, { version: string; instances: number[] }>;
}

const MAX_ENTRIES = 512;

class BoundedCache<T> {
  private readonly map = new Map<string, T>();

  get(key: string): T | undefined {
    return this.map.get(key);
  }

  /** The value already cached under `key`, or `value` (now cached). */
  intern(key: string, value: T): T {
    const had = this.map.get(key);
    if (had !== undefined) return had;
    if (this.map.size >= MAX_ENTRIES) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, value);
    return value;
  }
}

const byText = new BoundedCache<SharedObjectList>();
const byObjects = new BoundedCache<Map<number, { version: string; instances: number[] }>>();
const byFormats = new BoundedCache<number[]>();
const byAttributes = new BoundedCache<Map<string, string | true>>();

/** The object list cached for this payload text and default root. */
export function cachedList(key: string): SharedObjectList | undefined {
  return byText.get(key);
}

function attributesKey(attributes: ReadonlyMap<string, string | true>): string {
  let key = '';
  for (const [k, v] of attributes) key += v === true ? `;${k}` : `;${k}=${JSON.stringify(v)}`;
  return key;
}

/** Freezes `list`, replaces its parts by shared equal ones, and caches it under `key`. */
export function shareList(key: string, list: SharedObjectList): SharedObjectList {
  let objectsKey = '';
  const own = new Map<number, { version: string; instances: number[] }>();
  for (const [id, e] of list.objects) {
    objectsKey += `${id}@${e.version}:${e.instances.join('.')}|`;
    own.set(id, Object.freeze({ version: e.version, instances: Object.freeze([...e.instances]) as number[] }));
  }
  const objects = byObjects.intern(objectsKey, own);
  const contentFormats = byFormats.intern(list.contentFormats.join(','), Object.freeze([...list.contentFormats]) as number[]);
  const objectLinks = Object.freeze(
    list.objectLinks.map((l) => Object.freeze({ uri: l.uri, attributes: byAttributes.intern(attributesKey(l.attributes), l.attributes) })),
  ) as Link[];
  const shared: SharedObjectList = Object.freeze({ rootDeclared: list.rootDeclared, rootPath: list.rootPath, contentFormats, objectLinks, objects });
  return byText.intern(key, shared);
}
