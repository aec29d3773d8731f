/**
 * The resource tree in memory: resources by ri, children by name, and the lookups of
 * the HTTP binding's addressing forms (structured `cse-in/ae/cnt`, unstructured ri, both
 * SP-relative behind `~/id-in/`). Bounded by a resource count.
 */
import { CseError, RSC } from './status.js';
import type { Resource } from './resource.js';

export class ResourceTree {
  private readonly byRi = new Map<string, Resource>();
  private readonly byPath = new Map<string, Resource>();

  constructor(private readonly maxResources: number) {}

  get size(): number {
    return this.byRi.size;
  }

  get(ri: string): Resource | undefined {
    return this.byRi.get(ri);
  }

  byStructuredPath(path: string): Resource | undefined {
    return this.byPath.get(path);
  }

  childNamed(parent: Resource, rn: string): Resource | undefined {
    return this.byPath.get(`${parent.path}/${rn}`);
  }

  add(r: Resource): void {
    if (this.byRi.size >= this.maxResources) throw new CseError(RSC.NOT_ACCEPTABLE, 'resource limit reached');
    this.byRi.set(r.ri, r);
    this.byPath.set(r.path, r);
    const parent = this.byRi.get(r.pi);
    if (parent) parent.children.push(r.ri);
  }

  /** Removes r and everything under it; returns the removed resources, r first. */
  remove(r: Resource): Resource[] {
    const removed: Resource[] = [];
    const walk = (x: Resource): void => {
      removed.push(x);
      for (const c of x.children) {
        const child = this.byRi.get(c);
        if (child) walk(child);
      }
    };
    walk(r);
    for (const x of removed) {
      this.byRi.delete(x.ri);
      this.byPath.delete(x.path);
    }
    const parent = this.byRi.get(r.pi);
    if (parent) parent.children = parent.children.filter((c) => c !== r.ri);
    return removed;
  }

  /** Every resource (for a sweep after a deletion). */
  all(): IterableIterator<Resource> {
    return this.byRi.values();
  }

  children(r: Resource): Resource[] {
    const out: Resource[] = [];
    for (const c of r.children) {
      const child = this.byRi.get(c);
      if (child) out.push(child);
    }
    return out;
  }

  /** Depth-first descendants of r (r excluded), at most `limit`, filtered by `keep`. */
  descendants(r: Resource, keep: (x: Resource) => boolean, limit: number): Resource[] {
    const out: Resource[] = [];
    const stack = [...this.children(r)].reverse();
    while (stack.length > 0 && out.length < limit) {
      const x = stack.pop()!;
      if (keep(x)) out.push(x);
      stack.push(...this.children(x).reverse());
    }
    return out;
  }
}
