/**
 * A container's instances (TS-0004 clause 9.6.6-9.6.7): the counters cni (how many), cbs
 * (their bytes) and st (state tag), the caps mni/mbs that drop the oldest instances, and
 * the virtual resources la (latest) and ol (oldest).
 */
import { CseError, RSC } from './status.js';
import { TY, type Resource } from './resource.js';
import type { ResourceTree } from './tree.js';

/** The bounds no container exceeds, whatever its creator asked. */
export interface ContainerCaps {
  maxInstances: number;
  maxBytes: number;
}

/** The size of a content in bytes (a string's UTF-8 length, else its JSON text's). */
export function contentSize(con: unknown): number {
  return Buffer.byteLength(typeof con === 'string' ? con : JSON.stringify(con) ?? '');
}

/** mni and mbs as asked, capped by the CSE's bounds (a missing one takes the cap). */
export function cappedLimits(attrs: Record<string, unknown>, caps: ContainerCaps): void {
  attrs.mni = Math.min(typeof attrs.mni === 'number' ? attrs.mni : caps.maxInstances, caps.maxInstances);
  attrs.mbs = Math.min(typeof attrs.mbs === 'number' ? attrs.mbs : caps.maxBytes, caps.maxBytes);
}

export function instances(tree: ResourceTree, cnt: Resource): Resource[] {
  return tree.children(cnt).filter((c) => c.ty === TY.CIN);
}

/** Counts the container's instances again (after a create or a delete). */
export function recount(tree: ResourceTree, cnt: Resource): void {
  const list = instances(tree, cnt);
  cnt.attrs.cni = list.length;
  cnt.attrs.cbs = list.reduce((n, c) => n + (c.attrs.cs as number), 0);
}

/** Refuses an instance larger than the container may hold. */
export function checkFits(cnt: Resource, size: number): void {
  if (size > (cnt.attrs.mbs as number)) throw new CseError(RSC.NOT_ACCEPTABLE, 'content larger than the container holds (mbs)');
}

/** Drops the oldest instances until the container is within mni and mbs. */
export function enforceLimits(tree: ResourceTree, cnt: Resource): void {
  const list = instances(tree, cnt);
  let count = list.length;
  let bytes = list.reduce((n, c) => n + (c.attrs.cs as number), 0);
  for (const oldest of list) {
    if (count <= (cnt.attrs.mni as number) && bytes <= (cnt.attrs.mbs as number)) break;
    tree.remove(oldest);
    count--;
    bytes -= oldest.attrs.cs as number;
  }
  recount(tree, cnt);
}

/** The newest (la) or oldest (ol) instance, or 4004 when the container is empty. */
export function virtualInstance(tree: ResourceTree, cnt: Resource, which: 'la' | 'ol'): Resource {
  const list = instances(tree, cnt);
  const r = which === 'la' ? list[list.length - 1] : list[0];
  if (!r) throw new CseError(RSC.NOT_FOUND, 'the container has no instance');
  return r;
}
