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

  constructor(objectId?: number, instanceId?: number, resourceId?: number, resourceInstanceId?: number) {
    const ids = [objectId, instanceId, resourceId, resourceInstanceId];
    let seenUndefined = false;
    for (const id of ids) {
      if (id === undefined) {
        seenUndefined = true;
        continue;
      }
      if (seenUndefined) throw new PathError('a path id follows a missing one');
      if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw new PathError(`path id out of range: ${id}`);
    }
    this.objectId = objectId;
    this.instanceId = instanceId;
    this.resourceId = resourceId;
    this.resourceInstanceId = resourceInstanceId;
  }

  static readonly ROOT = new LwM2mPath();

  /** Parses `/3/0/1`, `3/0/1`, `/3/0/` (a trailing slash is tolerated); `/` and `` are the root. */
  static parse(text: string): LwM2mPath {
    if (typeof text !== 'string') throw new PathError('path must be a string');
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
    const a = this.ids();
    const b = other.ids();
    if (b.length < a.length) return false;
    return a.every((v, i) => b[i] === v);
  }

  equals(other: LwM2mPath): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    return '/' + this.ids().join('/');
  }

  toJSON(): string {
    return this.toString();
  }
}
