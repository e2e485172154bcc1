/**
 * Each broker's partitions sorted by size (ties by index), kept until the broker's partitions change
 * (the state's per-broker version), and a walk of such a list in order of closeness to a size. The disk
 * goal pairs replicas of about the right size this way; topic spread uses it to find swap partners of
 * a similar size without sorting a broker's partitions for every replica it tries.
 */
import type { PlacementState } from "../state.js";

interface Cached {
  readonly version: number;
  readonly list: Int32Array;
}

const cache = new WeakMap<PlacementState, Array<Cached | undefined>>();

/** Every partition's place in the order by size, ties by index, and that order (sizes never change). */
interface SizeRanks {
  readonly rank: Int32Array;
  readonly order: Int32Array;
}

const ranks = new WeakMap<PlacementState, SizeRanks>();

function sizeRanks(state: PlacementState): SizeRanks {
  let r = ranks.get(state);
  if (r === undefined) {
    const order = Int32Array.from({ length: state.partitionCount }, (_, p) => p).sort((x, y) => state.size[x]! - state.size[y]! || x - y);
    const rank = new Int32Array(state.partitionCount);
    for (let i = 0; i < order.length; i++) rank[order[i]!] = i;
    r = { rank, order };
    ranks.set(state, r);
  }
  return r;
}

/**
 * The partitions sorted by size ascending, ties by index, as a new array: through each partition's
 * rank, so the sort is a plain numeric one with no comparator.
 */
export function sortBySize(state: PlacementState, partitions: ArrayLike<number>): Int32Array {
  const { rank, order } = sizeRanks(state);
  const out = new Int32Array(partitions.length);
  for (let i = 0; i < out.length; i++) out[i] = rank[partitions[i]!]!;
  out.sort();
  for (let i = 0; i < out.length; i++) out[i] = order[out[i]!]!;
  return out;
}

/** Partitions on broker b, sorted by size ascending, ties by index. Do not mutate. */
export function partitionsBySize(state: PlacementState, b: number): Int32Array {
  let perBroker = cache.get(state);
  const cached = perBroker?.[b];
  if (cached !== undefined && cached.version === state.brokerVersion[b]) return cached.list;
  const now = state.partitionsOn(b);
  const list = cached !== undefined ? patched(state, cached.list, now) : sortBySize(state, now);
  if (perBroker === undefined) {
    perBroker = [];
    cache.set(state, perBroker);
  }
  perBroker[b] = { version: state.brokerVersion[b]!, list };
  return list;
}

/** Per-partition marks for `patched`, one set per state (the planner is single-threaded). */
interface Marks {
  epoch: number;
  readonly inNow: Uint32Array;
  readonly inOld: Uint32Array;
}

const marks = new WeakMap<PlacementState, Marks>();

/**
 * `now` sorted by size, from `old` (a sorted list of the same broker a few changes ago): drops what
 * left, sorts only what arrived and merges the two, in time linear in the list. A list that changed
 * much is sorted afresh. Same result as sortBySize(now).
 */
function patched(state: PlacementState, old: Int32Array, now: Int32Array): Int32Array {
  let m = marks.get(state);
  if (m === undefined) {
    m = { epoch: 0, inNow: new Uint32Array(state.partitionCount), inOld: new Uint32Array(state.partitionCount) };
    marks.set(state, m);
  }
  const e = ++m.epoch;
  for (let i = 0; i < now.length; i++) m.inNow[now[i]!] = e;
  const kept: number[] = [];
  for (let i = 0; i < old.length; i++) {
    const p = old[i]!;
    m.inOld[p] = e;
    if (m.inNow[p] === e) kept.push(p);
  }
  const arrived: number[] = [];
  for (let i = 0; i < now.length; i++) if (m.inOld[now[i]!] !== e) arrived.push(now[i]!);
  if (arrived.length * 8 > now.length) return sortBySize(state, now);
  const added = sortBySize(state, arrived);
  const { rank } = sizeRanks(state);
  const out = new Int32Array(now.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = j >= added.length || (i < kept.length && rank[kept[i]!]! < rank[added[j]!]!) ? kept[i++]! : added[j++]!;
  }
  return out;
}

/** The first index of `list` (sorted ascending by `weight`) whose weight is at least `value`. */
export function firstAtLeast(list: ArrayLike<number>, weight: Float64Array, value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (weight[list[mid]!]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Visits `list` (sorted by size, ties by index) in order of |size − target|, ties by index, until
 * `visit` returns true; returns whether it did. Same order as sorting by that key, without the sort.
 */
export function closestFirst(
  list: ArrayLike<number>,
  size: Float64Array,
  target: number,
  visit: (q: number) => boolean,
): boolean {
  const n = list.length;
  const lo = firstAtLeast(list, size, target);
  // [0, l) lies below the target, [r, n) at or above it; each step takes the nearer run of equal sizes.
  let l = lo;
  let r = lo;
  while (l > 0 || r < n) {
    let ls = l;
    let re = r;
    let dl = Infinity;
    let dr = Infinity;
    if (l > 0) {
      const v = size[list[l - 1]!]!;
      ls = l - 1;
      while (ls > 0 && size[list[ls - 1]!] === v) ls--;
      dl = target - v;
    }
    if (r < n) {
      const v = size[list[r]!]!;
      re = r + 1;
      while (re < n && size[list[re]!] === v) re++;
      dr = v - target;
    }
    if (dl < dr) {
      for (let i = ls; i < l; i++) if (visit(list[i]!)) return true;
      l = ls;
    } else if (dr < dl) {
      for (let i = r; i < re; i++) if (visit(list[i]!)) return true;
      r = re;
    } else {
      // Equally near from both sides: merge the two runs by index.
      let i = ls;
      let j = r;
      while (i < l || j < re) {
        const takeLeft = j >= re || (i < l && list[i]! < list[j]!);
        if (visit(takeLeft ? list[i++]! : list[j++]!)) return true;
      }
      l = ls;
      r = re;
    }
  }
  return false;
}
