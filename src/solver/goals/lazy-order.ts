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
  for (let k = (n >> 1) - 1; k >= 0; k--) siftDown(heap, 0, k, n, less);
  for (let size = n; size > 0; size--) {
    const top = heap[0]!;
    heap[0] = heap[size - 1]!;
    siftDown(heap, 0, 0, size - 1, less);
    if (visit(items[top]!)) return true;
  }
  return false;
}

/**
 * Sifts place k of the binary heap heap[base, base + size) down, `less` comparing the values the
 * heap holds.
 */
function siftDown(heap: Int32Array, base: number, at: number, size: number, less: (x: number, y: number) => boolean): void {
  let k = at;
  for (;;) {
    const l = 2 * k + 1;
    if (l >= size) return;
    const r = l + 1;
    const m = r < size && less(heap[base + r]!, heap[base + l]!) ? r : l;
    if (!less(heap[base + m]!, heap[base + k]!)) return;
    const x = heap[base + k]!;
    heap[base + k] = heap[base + m]!;
    heap[base + m] = x;
    k = m;
  }
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

/** What firstInGroupOrder's `visit` asks next. */
export const enum GroupStep {
  /** Go on; the item's group stays in the walk. */
  Next = 0,
  /** Go on without the rest of the item's group. */
  DropGroup = 1,
  /** Stop the walk. */
  Stop = 2,
}

/**
 * firstInOrder for a walk that drops whole groups as it goes (a batch that takes one replica per
 * topic): `visit` sees the items in ascending `compare` order (a total order), except those of
 * groups it dropped, and the walk costs no more for the dropped items than their grouping. One heap
 * per group and one of the groups' first items, instead of one heap of all items popped through
 * every dropped one. Returns whether `visit` stopped the walk.
 */
export function firstInGroupOrder<T>(items: readonly T[], groupOf: (item: T) => number, compare: (a: T, b: T) => number, visit: (item: T) => GroupStep): boolean {
  const n = items.length;
  // Items grouped: each group's item positions in one run of `heap`, from starts[g] to ends[g].
  const ids = new Map<number, number>();
  const groupAt = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = groupOf(items[i]!);
    let g = ids.get(key);
    if (g === undefined) ids.set(key, (g = ids.size));
    groupAt[i] = g;
  }
  const G = ids.size;
  const starts = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) starts[groupAt[i]! + 1]!++;
  for (let g = 0; g < G; g++) starts[g + 1]! += starts[g]!;
  const ends = starts.slice(0, G);
  const heap = new Int32Array(n);
  for (let i = 0; i < n; i++) heap[ends[groupAt[i]!]!++] = i;
  const less = (i: number, j: number): boolean => compare(items[i]!, items[j]!) < 0;
  const size = new Int32Array(G);
  for (let g = 0; g < G; g++) {
    size[g] = ends[g]! - starts[g]!;
    for (let k = (size[g]! >> 1) - 1; k >= 0; k--) siftDown(heap, starts[g]!, k, size[g]!, less);
  }
  // The groups by their first items.
  const top = new Int32Array(G);
  for (let g = 0; g < G; g++) top[g] = g;
  const groupLess = (a: number, b: number): boolean => less(heap[starts[a]!]!, heap[starts[b]!]!);
  let live = G;
  for (let k = (live >> 1) - 1; k >= 0; k--) siftDown(top, 0, k, live, groupLess);
  while (live > 0) {
    const g = top[0]!;
    const base = starts[g]!;
    const item = heap[base]!;
    const step = visit(items[item]!);
    if (step === GroupStep.Stop) return true;
    const left = size[g]! - 1;
    if (step === GroupStep.Next && left > 0) {
      heap[base] = heap[base + left]!;
      size[g] = left;
      siftDown(heap, base, 0, left, less);
    } else {
      top[0] = top[live - 1]!;
      live--;
    }
    siftDown(top, 0, 0, live, groupLess);
  }
  return false;
}
