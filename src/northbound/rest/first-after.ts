/**
 * The `count` smallest items by key after a cursor, in order, without sorting them all:
 * a max-heap of `count` items over one pass, O(n log count). A page of the device list
 * out of 100,000 registrations costs a scan, not a sort of the fleet.
 */

/** The items whose key is greater than `after` (all when undefined), the `count` smallest by key, ascending. */
export function firstAfter<T>(items: Iterable<T>, key: (item: T) => string, after: string | undefined, count: number): T[] {
  if (count <= 0) return [];
  const heap: T[] = [];
  const keys: string[] = [];
  const swap = (i: number, j: number): void => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  };
  for (const item of items) {
    const k = key(item);
    if (after !== undefined && k <= after) continue;
    if (heap.length < count) {
      heap.push(item);
      keys.push(k);
      // sift up: the largest key at the root
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (keys[p]! >= keys[i]!) break;
        swap(i, p);
        i = p;
      }
      continue;
    }
    if (k >= keys[0]!) continue;
    heap[0] = item;
    keys[0] = k;
    // sift down
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && keys[l]! > keys[m]!) m = l;
      if (r < heap.length && keys[r]! > keys[m]!) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
  }
  const order = heap.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  return order.map((i) => heap[i]!);
}
