/**
 * Each broker's partitions sorted by size (ties by index), kept up to date by replaying the state's
 * per-broker membership log, and a walk of such a list in order of closeness to a size. The disk goal
 * pairs replicas of about the right size this way; topic spread uses it to find swap partners of a
 * similar size without sorting a broker's partitions for every replica it tries.
 */
import { grown } from "../arrays.js";
import { type PlacementState, loggedPartition } from "../state.js";

/** A broker's partitions in rank order in list[0, length), and how much of its log that reflects. */
interface Cached {
  logged: number;
  length: number;
  list: Int32Array;
}

/**
 * Every partition's place in one fixed order of all partitions (`rank`), that order (`order`), and
 * the per-broker lists kept in it. The order depends on per-partition figures that never change
 * during planning (sizes, traffic), so a broker's list changes only when its partitions do.
 */
interface Ranking {
  readonly rank: Int32Array;
  readonly order: Int32Array;
  readonly lists: Array<Cached | undefined>;
}

/** Per state, per weight array: the ranking ascending (ties by index) and descending (ties by index). */
const rankings = new WeakMap<PlacementState, Map<Float64Array, { up?: Ranking; down?: Ranking }>>();

function rankingOf(state: PlacementState, weight: Float64Array, descending: boolean): Ranking {
  let perWeight = rankings.get(state);
  if (perWeight === undefined) {
    perWeight = new Map();
    rankings.set(state, perWeight);
  }
  let both = perWeight.get(weight);
  if (both === undefined) {
    both = {};
    perWeight.set(weight, both);
  }
  const existing = descending ? both.down : both.up;
  if (existing !== undefined) return existing;
  const sign = descending ? -1 : 1;
  const order = Int32Array.from({ length: state.partitionCount }, (_, p) => p).sort((x, y) => sign * (weight[x]! - weight[y]!) || x - y);
  const rank = new Int32Array(state.partitionCount);
  for (let i = 0; i < order.length; i++) rank[order[i]!] = i;
  const ranking: Ranking = { rank, order, lists: [] };
  if (descending) both.down = ranking;
  else both.up = ranking;
  return ranking;
}

/**
 * Per state, the ranking by topic, then size ascending, then index. A topic's partitions are one
 * index range, [topicStartOf(t), topicStartOf(t + 1)), and so are their ranks: a broker's list in
 * this order holds each topic's partitions together, by size.
 */
const topicRankings = new WeakMap<PlacementState, Ranking>();

function topicRankingOf(state: PlacementState): Ranking {
  const existing = topicRankings.get(state);
  if (existing !== undefined) return existing;
  const bySize = rankingOf(state, state.size, false).order;
  // Every partition dealt to its topic's range in size order: a stable bucket sort by topic.
  const next = Int32Array.from({ length: state.topicNames.length }, (_, t) => state.topicStartOf(t));
  const order = new Int32Array(state.partitionCount);
  for (let i = 0; i < bySize.length; i++) {
    const p = bySize[i]!;
    order[next[state.topicIndexOf(p)]!++] = p;
  }
  const rank = new Int32Array(state.partitionCount);
  for (let i = 0; i < order.length; i++) rank[order[i]!] = i;
  const ranking: Ranking = { rank, order, lists: [] };
  topicRankings.set(state, ranking);
  return ranking;
}

/** The partitions in the ranking's order, as a new array: a plain numeric sort of their ranks. */
function sortByRank(ranking: Ranking, partitions: ArrayLike<number>): Int32Array {
  const { rank, order } = ranking;
  const out = new Int32Array(partitions.length);
  for (let i = 0; i < out.length; i++) out[i] = rank[partitions[i]!]!;
  out.sort();
  for (let i = 0; i < out.length; i++) out[i] = order[out[i]!]!;
  return out;
}

/**
 * The partitions sorted by size ascending, ties by index, as a new array: through each partition's
 * rank, so the sort is a plain numeric one with no comparator.
 */
export function sortBySize(state: PlacementState, partitions: ArrayLike<number>): Int32Array {
  return sortByRank(rankingOf(state, state.size, false), partitions);
}

/** Two lists sorted by size ascending (ties by index; no partition in both) merged into one new list in that order. */
export function mergeBySize(state: PlacementState, a: ArrayLike<number>, b: ArrayLike<number>): Int32Array {
  const { rank } = rankingOf(state, state.size, false);
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = rank[a[i]!]! < rank[b[j]!]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * Partitions on broker b, sorted by size ascending, ties by index. A view valid until the broker's
 * partitions next change; do not mutate.
 */
export function partitionsBySize(state: PlacementState, b: number): Int32Array {
  return partitionsRanked(state, rankingOf(state, state.size, false), b);
}

/**
 * Partitions on broker b by `weight` descending, ties by index (ascending). A view valid until the
 * broker's partitions next change; do not mutate.
 */
export function partitionsByWeightDescending(state: PlacementState, weight: Float64Array, b: number): Int32Array {
  return partitionsRanked(state, rankingOf(state, weight, true), b);
}

/** The same ascending (ties by index). */
export function partitionsByWeightAscending(state: PlacementState, weight: Float64Array, b: number): Int32Array {
  return partitionsRanked(state, rankingOf(state, weight, false), b);
}

/**
 * Partitions of topic t on broker b, sorted by size ascending, ties by index: the same list as
 * sortBySize of them, found by two binary searches in b's list kept by topic. A view valid until the
 * broker's partitions next change; do not mutate.
 */
export function partitionsOfTopicBySize(state: PlacementState, b: number, t: number): Int32Array {
  const ranking = topicRankingOf(state);
  const list = partitionsRanked(state, ranking, b);
  const from = rankPosition(list, list.length, ranking.rank, state.topicStartOf(t));
  const to = rankPosition(list, list.length, ranking.rank, state.topicStartOf(t + 1));
  return list.subarray(from, to);
}

/**
 * Broker b's partitions in the ranking's order, kept up to date by replaying the broker's membership
 * log: each change is a binary search and a shift, not a sort.
 */
function partitionsRanked(state: PlacementState, ranking: Ranking, b: number): Int32Array {
  const log = state.membershipLog[b]!;
  let c = ranking.lists[b];
  if (c === undefined || log.length - c.logged > c.length / 8 + 16) {
    const list = sortByRank(ranking, state.partitionsOn(b));
    c = { logged: log.length, length: list.length, list };
    ranking.lists[b] = c;
  } else if (c.logged < log.length) {
    const { rank } = ranking;
    for (let i = c.logged; i < log.length; i++) {
      const e = log[i]!;
      const p = loggedPartition(e);
      const at = rankPosition(c.list, c.length, rank, rank[p]!);
      if (e > 0) {
        if (c.length === c.list.length) c.list = grown(c.list, Math.max(16, c.list.length * 2));
        c.list.copyWithin(at + 1, at, c.length);
        c.list[at] = p;
        c.length++;
      } else {
        c.list.copyWithin(at, at + 1, c.length);
        c.length--;
      }
    }
    c.logged = log.length;
  }
  return c.list.subarray(0, c.length);
}

/** The first index in list[0, n) (sorted by rank) whose rank is at least r. */
function rankPosition(list: Int32Array, n: number, rank: Int32Array, r: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rank[list[mid]!]! < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
