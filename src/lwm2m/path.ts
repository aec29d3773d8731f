/**
 * LwM2M paths: `/`, `/o`, `/o/i`, `/o/i/r`, `/o/i/r/ri`.
 * Ids are 0..65535 (65535 is reserved by the spec (MAX_ID) and refused here).
 */
export class PathError extends Error {
  readonly code = 'BAD_PATH';
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

export const MAX_ID = 65534;

export class LwM2mPath {
  readonly objectId: number | undefined;
  readonly instanceId: number | undefined;
  readonly resourceId: number | undefined;
  readonly resourceInstanceId: number | undefined;

  /** the printed form, made on first use (a private field: invisible to deep equality) */
  #text: string | undefined;

  constructor(objectId?: number, instanceId?: number, resourceId?: number, resourceInstanceId?: number) {
    checkId(objectId, true);
    checkId(instanceId, objectId !== undefined);
    checkId(resourceId, instanceId !== undefined);
    checkId(resourceInstanceId, resourceId !== undefined);
    this.objectId = objectId;
    this.instanceId = instanceId;
    this.resourceId = resourceId;
    this.resourceInstanceId = resourceInstanceId;
  }

  static readonly ROOT = new LwM2mPath();

  /** Parses `/3/0/1`, `3/0/1`, `/3/0/` (a trailing slash is tolerated); `/` and `` are the root. */
  static parse(text: string): LwM2mPath {
    if (typeof text !== 'string') throw new PathError('path must be a string');
    const cached = parsed.get(text);
    if (cached) return cached;
    const path = parseText(text);
    if (parsed.size >= PARSE_CACHE_SIZE) parsed.clear();
    parsed.set(text, path);
    return path;
  }

  static of(...ids: number[]): LwM2mPath {
    if (ids.length > 4) throw new PathError('too many path ids');
    return new LwM2mPath(ids[0], ids[1], ids[2], ids[3]);
  }

  get depth(): 0 | 1 | 2 | 3 | 4 {
    if (this.objectId === undefined) return 0;
    if (this.instanceId === undefined) return 1;
    if (this.resourceId === undefined) return 2;
    if (this.resourceInstanceId === undefined) return 3;
    return 4;
  }

  isRoot(): boolean { return this.depth === 0; }
  isObject(): boolean { return this.depth === 1; }
  isObjectInstance(): boolean { return this.depth === 2; }
  isResource(): boolean { return this.depth === 3; }
  isResourceInstance(): boolean { return this.depth === 4; }

  ids(): number[] {
    return [this.objectId, this.instanceId, this.resourceId, this.resourceInstanceId].filter(
      (x): x is number => x !== undefined,
    );
  }

  /** Appends one id: /3 + 0 -> /3/0. */
  child(id: number): LwM2mPath {
    return LwM2mPath.of(...this.ids(), id);
  }

  parent(): LwM2mPath {
    const ids = this.ids();
    ids.pop();
    return LwM2mPath.of(...ids);
  }

  /** True if `other` equals this path or lies below it. */
  contains(other: LwM2mPath): boolean {
    if (this.objectId === undefined) return true;
    if (this.objectId !== other.objectId) return false;
    if (this.instanceId === undefined) return true;
    if (this.instanceId !== other.instanceId) return false;
    if (this.resourceId === undefined) return true;
    if (this.resourceId !== other.resourceId) return false;
    return this.resourceInstanceId === undefined || this.resourceInstanceId === other.resourceInstanceId;
  }

  equals(other: LwM2mPath): boolean {
    return (
      this.objectId === other.objectId &&
      this.instanceId === other.instanceId &&
      this.resourceId === other.resourceId &&
      this.resourceInstanceId === other.resourceInstanceId
    );
  }

  toString(): string {
    let t = this.#text;
    if (t === undefined) {
      if (this.objectId === undefined) t = '/';
      else {
        t = `/${this.objectId}`;
        if (this.instanceId !== undefined) {
          t += `/${this.instanceId}`;
          if (this.resourceId !== undefined) {
            t += `/${this.resourceId}`;
            if (this.resourceInstanceId !== undefined) t += `/${this.resourceInstanceId}`;
          }
        }
      }
      this.#text = t;
    }
    return t;
  }

  toJSON(): string {
    return this.toString();
  }
}

function checkId(id: number | undefined, parentPresent: boolean): void {
  if (id === undefined) return;
  if (!parentPresent) throw new PathError('a path id follows a missing one');
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw new PathError(`path id out of range: ${id}`);
}

/** Parsed paths by text: paths are immutable and the same few recur in every notification. */
const parsed = new Map<string, LwM2mPath>();
const PARSE_CACHE_SIZE = 4096;

function parseText(text: string): LwM2mPath {
  let s = text.trim();
  if (s === '' || s === '/') return LwM2mPath.ROOT;
  if (s.startsWith('/')) s = s.slice(1);
  if (s.endsWith('/')) s = s.slice(0, -1);
  if (s === '') throw new PathError(`empty path segment in ${text}`);
  const parts = s.split('/');
  if (parts.length > 4) throw new PathError(`too many path segments: ${text}`);
  const ids = parts.map((p) => {
    if (!/^\d{1,5}$/.test(p)) throw new PathError(`invalid path segment "${p}" in ${text}`);
    return Number(p);
  });
  return new LwM2mPath(ids[0], ids[1], ids[2], ids[3]);
}
