/**
 * Visiting items in sorted order when usually only the first few are needed: a binary heap built in
 * linear time and popped on demand, instead of a full sort. Ties go to the earlier item, as with a
 * stable sort, so the visiting order is exactly the order `items.sort(compare)` would give.
 */

/**
 * Calls `visit` on `items` in ascending `compare` order (ties by position) until it returns true;
 * returns whether it did. Does not change `items`.
 */
export function firstInOrder<T>(items: readonly T[], compare: (a: T, b: T) => number, visit: (item: T) => boolean): boolean {
  const n = items.length;
  const heap = new Int32Array(n);
  for (let i = 0; i < n; i++) heap[i] = i;
  const less = (i: number, j: number): boolean => {
    const c = compare(items[i]!, items[j]!);
    return c < 0 || (c === 0 && i < j);
  };
  const down = (at: number, size: number): void => {
    let k = at;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= size) return;
      const r = l + 1;
      const m = r < size && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[k]!)) return;
      const x = heap[k]!;
      heap[k] = heap[m]!;
      heap[m] = x;
      k = m;
    }
  };
  for (let k = (n >> 1) - 1; k >= 0; k--) down(k, n);
  for (let size = n; size > 0; size--) {
    const top = heap[0]!;
    heap[0] = heap[size - 1]!;
    down(0, size - 1);
    if (visit(items[top]!)) return true;
  }
  return false;
}

/**
 * The first k of the items `admit` admits, in the order `compare` gives (a total order), as filtering,
 * sorting and slicing would, without sorting them all; `admit` is asked only of items that would be kept.
 */
export function firstInSortOrder(items: ArrayLike<number>, k: number, compare: (x: number, y: number) => number, admit?: (x: number) => boolean): number[] {
  const out: number[] = [];
  if (k <= 0) return out;
  for (let j = 0; j < items.length; j++) {
    const x = items[j]!;
    if (out.length === k && compare(x, out[k - 1]!) >= 0) continue;
    if (admit !== undefined && !admit(x)) continue;
    let i = Math.min(out.length, k - 1);
    if (out.length < k) out.push(x);
    for (; i > 0 && compare(x, out[i - 1]!) < 0; i--) out[i] = out[i - 1]!;
    out[i] = x;
  }
  return out;
}
