/**
 * Topic spread: each topic's replicas even across eligible brokers (the best the racks allow), which
 * spreads a hot topic's load and its quota bandwidth. For the broker furthest off a topic's band it
 * moves a replica where the replica-count band has room, or swaps it for a replica of another topic
 * (which leaves replica counts as they are). Sweeps take the most efficient actions first: those that
 * fix the most deviation per replica moved; before the least efficient swaps, three-broker exchanges
 * are tried for brokers short of a topic. The first action every higher-priority goal accepts is taken.
 */
import type { Goal, GoalContext } from "../goal.js";
import { moveKeepsSpread } from "../rules.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";
import { bandAccepts, topicBandAccepts, topicDeltas } from "./band.js";
import { grown } from "../arrays.js";
import { closestFirst, partitionsBySize, partitionsOfTopicBySize, sortBySize } from "./by-size.js";
import { BandSteps, topicGain } from "./scoring.js";

/** Partner brokers tried for each step, most useful first. */
const PARTNERS = 4;

/** Total distance of (topic, broker) counts from their bands, and the widest topic. */
export function topicDeviation(state: PlacementState, targets: Targets): { total: number; worstSpread: number; worstTopic: number } {
  const B = state.brokerCount;
  let total = 0;
  let worstSpread = 0;
  let worstTopic = state.topicNames.length > 0 ? 0 : -1;
  for (let t = 0; t < state.topicNames.length; t++) {
    let min = Infinity;
    let max = -Infinity;
    for (let b = 0; b < B; b++) {
      if (!state.eligible[b]) continue;
      const c = state.topicCountOf(t, b);
      total += deviation(c, targets.topicMinOf(t, b), targets.topicMaxOf(t, b));
      min = Math.min(min, c);
      max = Math.max(max, c);
    }
    if (max - min > worstSpread) {
      worstSpread = max - min;
      worstTopic = t;
    }
  }
  return { total, worstSpread, worstTopic };
}

function canGo(state: PlacementState, targets: Targets, p: number, s: number, d: number): boolean {
  if (state.frozen[p] || state.slotOf(p, d) >= 0) return false;
  return moveKeepsSpread(state, targets, p, state.slotOf(p, s), d);
}

/**
 * Eligible brokers sorted by topic t's count against its band, ascending (ties by index). The fills
 * are small integers, so a counting sort does it in one pass (a comparison sort where they are not).
 */
function byTopicFill(state: PlacementState, targets: Targets, t: number): number[] {
  const B = state.brokerCount;
  const out: number[] = [];
  const fill = new Float64Array(B);
  let lo = Infinity;
  let hi = -Infinity;
  let integral = true;
  for (let b = 0; b < B; b++) {
    if (!state.eligible[b]) continue;
    out.push(b);
    const f = state.topicCountOf(t, b) - targets.topicMinOf(t, b);
    fill[b] = f;
    if (f < lo) lo = f;
    if (f > hi) hi = f;
    if (!Number.isInteger(f)) integral = false;
  }
  if (out.length === 0) return out;
  if (!integral || hi - lo > 4 * B) return out.sort((a, b) => fill[a]! - fill[b]! || a - b);
  const starts = new Int32Array(hi - lo + 2);
  for (const b of out) starts[fill[b]! - lo + 1]!++;
  for (let i = 1; i < starts.length; i++) starts[i]! += starts[i - 1]!;
  const sorted = new Array<number>(out.length);
  for (const b of out) sorted[starts[fill[b]! - lo]!++] = b; // brokers in index order: ties stay so
  return sorted;
}

/**
 * Up to PARTNERS brokers of `focus`'s rack and PARTNERS of other racks that can still help, in the
 * order of `ordered`. When every partition has a replica in every rack, replicas can only move within
 * a rack, so same-rack partners come first.
 */
function partnersOf(state: PlacementState, targets: Targets, t: number, focus: number, over: boolean, ordered: readonly number[]): Int32Array {
  const { lists, counts, out } = partnerScratch;
  counts.fill(0);
  const rack = state.rackIndexOf(focus);
  // When the focus itself has no count room, no partner can take a plain move: those two lists stay
  // empty, so the walk can stop as soon as the other two are full.
  const focusRoom = over ? state.countOf(focus) > targets.countMinOf(focus) : state.countOf(focus) < targets.countMaxOf(focus);
  let full = focusRoom ? 0 : 2;
  for (let k = 0; k < ordered.length && full < counts.length; k++) {
    const b = ordered[k]!;
    if (b === focus) continue;
    // Useful: it can still take one (over) or give one (under) of the topic.
    const c = state.topicCountOf(t, b);
    if (over ? !(c < targets.topicMaxOf(t, b)) : !(c > targets.topicMinOf(t, b))) continue;
    // A plain move (one replica, no swap back) needs the receiving broker below its replica-count
    // band's top and the giving one above its bottom: such partners are taken first, then the rest.
    const giver = over ? focus : b;
    const taker = over ? b : focus;
    const room = state.countOf(giver) > targets.countMinOf(giver) && state.countOf(taker) < targets.countMaxOf(taker);
    const i = (state.rackOf[b] === rack ? 0 : 2) + (room ? 0 : 1);
    const n = counts[i]!;
    if (n < PARTNERS) {
      lists[i * PARTNERS + n] = b;
      counts[i] = n + 1;
      if (n + 1 === PARTNERS) full++;
    }
  }
  let m = 0;
  for (let i = 0; i < counts.length; i++) for (let j = 0; j < counts[i]!; j++) out[m++] = lists[i * PARTNERS + j]!;
  return out.subarray(0, m);
}

/** partnersOf's four lists (same rack with count room, same rack without, other racks likewise) and its answer. */
const partnerScratch = { lists: new Int32Array(4 * PARTNERS), counts: new Int32Array(4), out: new Int32Array(4 * PARTNERS) };

/**
 * Tries to take one replica of topic t from s to d, by a move or a swap that fixes at least `perMove`
 * units of deviation per replica moved (a move fixes at most 2, a swap at most 4).
 */
function tryPair(ctx: GoalContext, t: number, s: number, d: number, perMove: number): boolean {
  const { state, targets } = ctx;
  // The gain depends only on the topic and the two brokers, not on which replica goes: judged first.
  const g = topicGain(state, targets, state.topicStartOf(t), s, d);
  if (g <= 0) return false;
  // Too little for a move, and no swap back can make up the rest: nothing to try (a cheap test,
  // before any replica is looked at; a sweep with a high `perMove` mostly ends here).
  const want = 2 * perMove - g;
  if (g < perMove && want > maxSwapBackGain(targets, state, s)) return false;
  const mine = scratchOf(state, targets).movableBySize(t, s, d);
  if (mine.length === 0) return false;
  if (g >= perMove) {
    for (const p of mine) if (ctx.propose({ kind: "move", p, slot: state.slotOf(p, s), to: d })) return true;
  }
  if (want > maxSwapBackGain(targets, state, s)) return false;
  const judge = new SwapBackJudge(state, targets, t, s, d, want);
  const back = judge.candidates();
  if (back.length === 0) return false;
  // With want >= 1 the candidates other than topic t's are exactly those the judge accepts: no
  // need to ask again.
  const judged = want >= 1;
  // Whether q may come back to s for a replica of t: the same answer for every replica of t.
  const mayComeBack = (q: number): boolean =>
    state.topicOf[q] !== t && (judged || judge.enough(q)) && state.slotOf(q, s) < 0 && canGo(state, targets, q, d, s);
  let candidates: ArrayLike<number> = back;
  let sifted = false;
  for (let i = 0; i < mine.length; i++) {
    const p = mine[i]!;
    const slot = state.slotOf(p, s);
    // Closest sizes first, so the disk goal is most likely to accept.
    const swapped = closestFirst(candidates, state.size, state.sizeOf(p), (q) => (sifted || mayComeBack(q)) && ctx.propose({ kind: "swap", p, slot, q, qSlot: state.slotOf(q, d) }));
    if (swapped) return true;
    // Every candidate was tried and refused, so the placement is as it was: the next replicas of t
    // walk only those that may come back (a sifted list by size keeps the order tried).
    if (!sifted && i + 1 < mine.length) {
      candidates = scratchOf(state, targets).sift(back, mayComeBack);
      sifted = true;
    }
  }
  return false;
}

/**
 * The most a replica coming back to s in a swap can fix: 1 on the broker it leaves, plus 1 on s only
 * if some topic has a positive lower band in s's rack (otherwise no topic can be short on s).
 */
function maxSwapBackGain(targets: Targets, state: PlacementState, s: number): number {
  return targets.rackHasTopicFloor(state.rackIndexOf(s)) ? 2 : 1;
}

/**
 * Which replicas on d, of topics other than t, would fix at least `want` themselves by going to s: the
 * swap-back candidates. The gain depends only on the replica's topic: the sum of two kept band steps
 * (BandSteps). For `want` >= 1 the candidates are a list kept per (s, d, want) until s's or d's
 * partitions change; otherwise they are d's replicas by size, judged as they are tried.
 */
class SwapBackJudge {
  private readonly scratch: TopicScratch;
  /** What a replica leaving d and one arriving on s does per topic, fetched when first needed. */
  private leaving: Int8Array | null = null;
  private arriving: Int8Array = EMPTY_STEPS;

  constructor(
    private readonly state: PlacementState,
    targets: Targets,
    private readonly t: number,
    private readonly s: number,
    private readonly d: number,
    private readonly want: number,
  ) {
    this.scratch = scratchOf(state, targets);
  }

  /** Whether q's topic fixes enough by going from d to s (topicGain from the kept steps). */
  enough(q: number): boolean {
    if (this.leaving === null) {
      this.leaving = this.scratch.steps.leaving(this.d);
      this.arriving = this.scratch.steps.arriving(this.s);
    }
    const u = this.state.topicIndexOf(q);
    return u !== this.t && this.leaving[u]! + this.arriving[u]! >= this.want;
  }

  /**
   * Candidates by size (ties by index): with want >= 1, exactly those `enough` accepts plus topic t's
   * own replicas, else all of d's replicas (to be judged with `enough` when tried). Topic t's are for
   * the caller to skip: the list for every topic depends only on s, d and want, so it is kept until
   * s or d changes, and is not copied without them for each topic.
   */
  candidates(): ArrayLike<number> {
    const { state, scratch, s, d, want } = this;
    // A view of d's kept list, not a copy: the walk ends at the first swap applied, and a refused
    // one changes nothing.
    if (want <= 0) return partitionsBySize(state, d);
    return scratch.swapBack(s, d, want);
  }
}

const EMPTY_STEPS = new Int8Array(0);

/** Per-topic scratch space and per-broker lists, one set per state (the planner is single-threaded). */
class TopicScratch {
  readonly steps: BandSteps;

  constructor(
    private readonly state: PlacementState,
    private readonly targets: Targets,
    steps = BandSteps.of(state, targets),
  ) {
    this.steps = steps;
  }

  private movable = new Int32Array(16);

  /**
   * Topic t's replicas on s that may go to d, by size (ties by index): a view valid until the next
   * call. The topic's replicas on s by size are a stretch of s's list kept by topic; filtering that
   * keeps it sorted.
   */
  movableBySize(t: number, s: number, d: number): Int32Array {
    const { state, targets } = this;
    const all = partitionsOfTopicBySize(state, s, t);
    if (this.movable.length < all.length) this.movable = new Int32Array(all.length);
    let n = 0;
    for (let i = 0; i < all.length; i++) {
      const p = all[i]!;
      if (canGo(state, targets, p, s, d)) this.movable[n++] = p;
    }
    return this.movable.subarray(0, n);
  }

  private sifted = new Int32Array(16);

  /** The items of `list` that `keep` accepts, in order: a view valid until the next call. */
  sift(list: ArrayLike<number>, keep: (q: number) => boolean): Int32Array {
    if (this.sifted.length < list.length) this.sifted = new Int32Array(list.length);
    let n = 0;
    for (let i = 0; i < list.length; i++) if (keep(list[i]!)) this.sifted[n++] = list[i]!;
    return this.sifted.subarray(0, n);
  }

  private readonly spares: Array<{ version: number; list: Int32Array } | undefined> = [];

  /**
   * d's replicas of the topics d has above their band's lower end, in d's list order: kept until
   * d's partitions change (which is also when its list order does).
   */
  spareOn(d: number): Int32Array {
    const { state, targets } = this;
    const kept = this.spares[d];
    if (kept !== undefined && kept.version === state.versionOf(d)) return kept.list;
    const n = state.partitionsOnCount(d);
    const out = new Int32Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const q = state.partitionOnAt(d, i);
      if (canSpare(state, targets, state.topicIndexOf(q), d)) out[m++] = q;
    }
    const list = out.slice(0, m);
    this.spares[d] = { version: state.versionOf(d), list };
    return list;
  }

  private positions = new Int32Array(16);

  /**
   * The taker's replicas of the topics other than `except` the giver is short of and the taker can
   * spare, in the taker's list order: a view valid until the next call; or null when walking the
   * taker's spare list is cheaper than gathering them by topic.
   */
  shortOnGiver(taker: number, giver: number, except: number): Int32Array | null {
    const { state, targets } = this;
    const short = this.steps.belowTopics(giver);
    let k = 0;
    let m = 0;
    for (let i = 0; i < short.length; i++) {
      const u = short[i]!;
      if (u === except || !canSpare(state, targets, u, taker)) continue;
      k++;
      m += state.topicCountOf(u, taker);
    }
    if (!this.alwaysGather && k * GATHER_COST + m * 4 > state.partitionsOnCount(taker)) return null;
    if (this.positions.length < m) this.positions = new Int32Array(m);
    let n = 0;
    for (let i = 0; i < short.length; i++) {
      const u = short[i]!;
      if (u === except || !canSpare(state, targets, u, taker)) continue;
      const ofTopic = partitionsOfTopicBySize(state, taker, u);
      if (this.positions.length < n + ofTopic.length) this.positions = grown(this.positions, 2 * (n + ofTopic.length));
      for (let j = 0; j < ofTopic.length; j++) {
        const x = ofTopic[j]!;
        this.positions[n++] = state.positionOf(x, state.slotOf(x, taker));
      }
    }
    const at = this.positions.subarray(0, n).sort();
    for (let i = 0; i < n; i++) at[i] = state.partitionOnAt(taker, at[i]!);
    return at;
  }

  private readonly backs = new Map<number, { vs: number; vd: number; list: Int32Array }>();
  /** The `want`s asked for so far (a handful): a list's key holds the index of its want here. */
  private readonly wants: number[] = [];

  /** The number a (s, d, want) list is kept under. */
  private backKey(s: number, d: number, want: number): number {
    let w = this.wants.indexOf(want);
    if (w < 0) w = this.wants.push(want) - 1;
    const B = this.state.brokerCount;
    return (w * B + s) * B + d;
  }

  /**
   * Replicas on d, of any topic, that fix at least `want` (>= 1) by going to s, by size (ties by
   * index): d's list by size, filtered by the topics' band steps on d and s. Kept until s's or d's
   * partitions change.
   */
  swapBack(s: number, d: number, want: number): Int32Array {
    const { state } = this;
    // A gain above 0 needs a step of 1: the topic above its band on d or below it on s.
    if (want > 0 && this.steps.aboveCount(d) === 0 && this.steps.belowCount(s) === 0) return EMPTY;
    const key = this.backKey(s, d, want);
    const hit = this.backs.get(key);
    const vs = state.versionOf(s);
    const vd = state.versionOf(d);
    if (hit !== undefined && hit.vs === vs && hit.vd === vd) return hit.list;
    const list = this.swapBackAnew(s, d, want);
    // At most BACK_LISTS kept: the ones made longest ago go first.
    this.backs.delete(key);
    if (this.backs.size >= BACK_LISTS) {
      let n = BACK_LISTS / 10;
      for (const k of this.backs.keys()) {
        this.backs.delete(k);
        if (--n <= 0) break;
      }
    }
    this.backs.set(key, { vs, vd, list });
    return list;
  }

  private topics = new Int32Array(16);
  /** Whether swapBackAnew and shortOnGiver gather however many topics qualify (for tests). */
  alwaysGather = false;

  /**
   * The list made anew: d's replicas whose topic fixes at least `want` going from d to s (topicGain
   * from the kept steps), by size. A topic fixes something only if it is above its band on d or below
   * it on s (each step is -1, 0 or 1), usually a few of many: their replicas on d are gathered from
   * d's list by topic and sorted, instead of filtering all of d's list by size (`filtered`, taken
   * when they are not few). Either way the same list.
   */
  private swapBackAnew(s: number, d: number, want: number): Int32Array {
    const { state } = this;
    const leaving = this.steps.leaving(d);
    const arriving = this.steps.arriving(s);
    const above = this.steps.aboveTopics(d);
    const below = this.steps.belowTopics(s);
    const n = state.partitionsOnCount(d);
    if (this.topics.length < above.length + below.length) this.topics = new Int32Array(above.length + below.length);
    const topics = this.topics;
    let k = 0;
    let m = 0;
    for (let i = 0; i < above.length; i++) {
      const u = above[i]!;
      if (leaving[u]! + arriving[u]! >= want) {
        topics[k++] = u;
        m += state.topicCountOf(u, d);
      }
    }
    // Topics below their band on s and above it on d are in both sets: taken from `above` only.
    for (let i = 0; i < below.length; i++) {
      const u = below[i]!;
      if (leaving[u] !== 1 && leaving[u]! + arriving[u]! >= want) {
        topics[k++] = u;
        m += state.topicCountOf(u, d);
      }
    }
    if (!this.alwaysGather && k * GATHER_COST + m * 4 > n) return filtered(state, partitionsBySize(state, d), leaving, arriving, want);
    const gathered = new Int32Array(m);
    let at = 0;
    for (let i = 0; i < k; i++) {
      const ofTopic = partitionsOfTopicBySize(state, d, topics[i]!);
      gathered.set(ofTopic, at);
      at += ofTopic.length;
    }
    return sortBySize(state, gathered);
  }
}

/** What looking up one topic's replicas on a broker costs, in steps of a filter over its list: two binary searches. */
const GATHER_COST = 32;

/** The items of `onD` whose topic fixes at least `want` going from d to s, in order, as a new array. */
function filtered(state: PlacementState, onD: Int32Array, leaving: Int8Array, arriving: Int8Array, want: number): Int32Array {
  const out = new Int32Array(onD.length);
  let n = 0;
  for (let i = 0; i < onD.length; i++) {
    const q = onD[i]!;
    const u = state.topicIndexOf(q);
    if (leaving[u]! + arriving[u]! >= want) out[n++] = q;
  }
  return out.slice(0, n);
}

/**
 * Replicas on d that fix at least `want` (>= 1) by going to s, by size: the list SwapBackJudge
 * offers, as kept for the state between calls (`kept`), made anew by gathering the topics' replicas
 * (`gathered`), or by filtering d's list by size (`filtered`, the definition). For tests.
 */
export function swapBackList(state: PlacementState, targets: Targets, s: number, d: number, want: number, how: "kept" | "gathered" | "filtered" = "kept"): Int32Array {
  if (how === "kept") return scratchOf(state, targets).swapBack(s, d, want);
  const steps = new BandSteps(state, targets);
  if (how === "filtered") return filtered(state, partitionsBySize(state, d), steps.leaving(d), steps.arriving(s), want);
  const scratch = new TopicScratch(state, targets, steps);
  scratch.alwaysGather = true;
  return scratch.swapBack(s, d, want);
}

/**
 * Topic t's replicas on s that may go to d, by size: from s's list kept by topic, or (`fresh`) found
 * among the topic's partitions and sorted. For tests.
 */
export function movableList(state: PlacementState, targets: Targets, t: number, s: number, d: number, fresh = false): number[] {
  if (!fresh) return [...scratchOf(state, targets).movableBySize(t, s, d)];
  const onS: number[] = [];
  for (let p = state.topicStartOf(t); p < state.topicStartOf(t + 1); p++) if (state.slotOf(p, s) >= 0) onS.push(p);
  return [...sortBySize(state, onS)].filter((p) => canGo(state, targets, p, s, d));
}

/**
 * d's replicas of topics it holds above their band's lower end, in its list order: as kept for the
 * state between calls, or (`fresh`) made anew. For tests.
 */
export function spareList(state: PlacementState, targets: Targets, d: number, fresh = false): number[] {
  return [...(fresh ? new TopicScratch(state, targets, new BandSteps(state, targets)) : scratchOf(state, targets)).spareOn(d)];
}

/**
 * The taker's replicas a giver may take back in a three-broker exchange for `topic` (not `given`):
 * as tryCycle finds them (`kept`), always gathered by topic in strict mode (`gathered`), or by
 * filtering the taker's whole list (`filtered`, the definition). For tests.
 */
export function returnableList(
  state: PlacementState,
  targets: Targets,
  taker: number,
  giver: number,
  given: number,
  topic: number,
  strict: boolean,
  how: "kept" | "gathered" | "filtered" = "kept",
): number[] {
  const takes = (wanted: number): boolean =>
    wanted !== topic && (strict ? isShort(state, targets, wanted, giver) : state.topicCountOf(wanted, giver) < targets.topicMaxOf(wanted, giver));
  if (how !== "filtered") {
    const scratch = how === "kept" ? scratchOf(state, targets) : new TopicScratch(state, targets, new BandSteps(state, targets));
    scratch.alwaysGather = how === "gathered";
    const returns = returnableOf(state, targets, scratch, taker, giver, given, topic, strict, takes);
    const out: number[] = [];
    for (let i = 0, q = returns.at(0); q >= 0; q = returns.at(++i)) out.push(q);
    return out;
  }
  const out: number[] = [];
  for (let i = 0; i < state.partitionsOnCount(taker); i++) {
    const returned = state.partitionOnAt(taker, i);
    const wanted = state.topicIndexOf(returned);
    if (takes(wanted) && canSpare(state, targets, wanted, taker) && returned !== given && canGo(state, targets, returned, taker, giver)) out.push(returned);
  }
  return out;
}

/** Swap-back lists kept at most (a pair of brokers and a gain each). */
const BACK_LISTS = 100_000;

const EMPTY = new Int32Array(0);
const scratches = new WeakMap<PlacementState, TopicScratch>();

function scratchOf(state: PlacementState, targets: Targets): TopicScratch {
  let s = scratches.get(state);
  if (s === undefined) {
    s = new TopicScratch(state, targets);
    scratches.set(state, s);
  }
  return s;
}

function offBand(state: PlacementState, targets: Targets, t: number, b: number): number {
  return deviation(state.topicCountOf(t, b), targets.topicMinOf(t, b), targets.topicMaxOf(t, b));
}

/** Where topic t stands against its band (one pass, no sort): every eligible broker in it, some above it only, or some below it. */
const IN_BAND = 0;
const ABOVE_ONLY = 1;
const SOME_SHORT = 2;

export function standingOf(state: PlacementState, targets: Targets, t: number): number {
  let standing = IN_BAND;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b]) continue;
    const c = state.topicCountOf(t, b);
    if (c < targets.topicMinOf(t, b)) return SOME_SHORT;
    if (c > targets.topicMaxOf(t, b)) standing = ABOVE_ONLY;
  }
  return standing;
}

/**
 * Each topic's standing, worked out when first asked and kept until one of the topic's replicas
 * moves: for the length of one optimize run, whose every change goes through `tracking`'s context.
 */
export class Standings {
  private readonly value: Uint8Array;
  private readonly known: Uint8Array;

  constructor(
    private readonly state: PlacementState,
    private readonly targets: Targets,
  ) {
    this.value = new Uint8Array(state.topicNames.length);
    this.known = new Uint8Array(state.topicNames.length);
  }

  of(t: number): number {
    if (this.known[t] !== 1) {
      this.value[t] = standingOf(this.state, this.targets, t);
      this.known[t] = 1;
    }
    return this.value[t]!;
  }

  /** Forgets the standings of the topics whose replicas `a` moves. */
  moved(a: Action): void {
    if (a.kind !== "move" && a.kind !== "swap") return;
    this.known[this.state.topicIndexOf(a.p)] = 0;
    if (a.kind === "swap") this.known[this.state.topicIndexOf(a.q)] = 0;
  }
}

/** ctx, telling `standings` of every action it applies (the run's only way to change the placement). */
export function tracking(ctx: GoalContext, standings: Standings): GoalContext {
  return {
    state: ctx.state,
    targets: ctx.targets,
    rng: ctx.rng,
    later: ctx.later,
    allowed: (a) => ctx.allowed(a),
    accepted: (a) => ctx.accepted(a),
    mayGo: (p, slot, to) => ctx.mayGo(p, slot, to),
    propose(a) {
      if (!ctx.propose(a)) return false;
      standings.moved(a);
      return true;
    },
    undo(a) {
      ctx.undo(a);
      standings.moved(a);
    },
  };
}

/**
 * Whether a sweep of a topic standing so could take an action worth `perMove`. A pair fixes more
 * than 1 only where the receiving broker is short of the topic (bands and counts are integers), so
 * with none short a move fixes at most 1 and a swap at most 1 plus what comes back (tryPair's tests).
 */
function sweepCanAct(state: PlacementState, targets: Targets, standing: number, perMove: number): boolean {
  if (standing === IN_BAND) return false;
  if (standing === SOME_SHORT) return true;
  let maxBack = 1;
  for (let r = 0; r < state.rackNames.length; r++) if (targets.rackHasTopicFloor(r)) maxBack = 2;
  return 2 * perMove - 1 <= maxBack;
}

/**
 * One sweep over topic t: each broker off the topic's band, furthest first, is brought toward it with
 * actions worth at least `perMove`, until it is in band or nothing such helps.
 */
function sweep(ctx: GoalContext, standings: Standings, t: number, perMove: number): void {
  const { state, targets } = ctx;
  if (!sweepCanAct(state, targets, standings.of(t), perMove)) return;
  const ordered = byTopicFill(state, targets, t);
  const off = ordered.filter((b) => offBand(state, targets, t, b) > 0);
  off.sort((a, b) => offBand(state, targets, t, b) - offBand(state, targets, t, a) || a - b);
  const reversed = [...ordered].reverse();
  for (const focus of off) {
    for (let guard = 0; guard < state.partitionCount + 1 && offBand(state, targets, t, focus) > 0; guard++) {
      const over = state.topicCountOf(t, focus) > targets.topicMaxOf(t, focus);
      // A view of partnersOf's scratch: read to the end before it is asked again.
      const partners = partnersOf(state, targets, t, focus, over, over ? ordered : reversed);
      let moved = false;
      for (let i = 0; i < partners.length && !moved; i++) {
        const other = partners[i]!;
        moved = over ? tryPair(ctx, t, focus, other, perMove) : tryPair(ctx, t, other, focus, perMove);
      }
      if (!moved) break;
    }
  }
}

/** Whether broker b has replicas of topic t to spare (above the band's lower end). */
function canSpare(state: PlacementState, targets: Targets, t: number, b: number): boolean {
  return state.topicCountOf(t, b) > targets.topicMinOf(t, b);
}

function isShort(state: PlacementState, targets: Targets, t: number, b: number): boolean {
  return state.topicCountOf(t, b) < targets.topicMinOf(t, b);
}

/**
 * Up to `k` eligible brokers of b's rack and `k` of other racks (b's first; neither b nor `skip`)
 * that hold topic u above its band's lower end (`spare`) or below it, in index order. One tight pass:
 * it runs for every topic a three-broker exchange could pass on.
 */
function nearby(state: PlacementState, targets: Targets, u: number, b: number, k: number, spare: boolean, skip = -1): number[] {
  const B = state.brokerCount;
  const rack = state.rackIndexOf(b);
  const same: number[] = [];
  const other: number[] = [];
  for (let x = 0; x < B && (same.length < k || other.length < k); x++) {
    if (x === b || x === skip || !state.eligible[x]) continue;
    const c = state.topicCountOf(u, x);
    const min = targets.topicMinOf(u, x);
    if (spare ? !(c > min) : !(c < min)) continue;
    if (state.rackOf[x] === rack) {
      if (same.length < k) same.push(x);
    } else if (other.length < k) other.push(x);
  }
  return same.concat(other);
}

/** Exchanges taken back halfway (see tryCycle) before one search for a receiver gives up. */
const UNDONE_EXCHANGES = 32;

/**
 * A three-broker exchange for `receiver`, short of `topic`: a replica of the topic comes from a
 * `giver`, the receiver passes one of its replicas (`passed`) on to a `taker` short of its topic, and
 * the taker returns one (`returned`) to the giver, short of that one's topic. Three shortfalls fixed
 * by three moves, where a two-broker swap fixes one for two. Done as two swaps, each of which leaves
 * replica counts as they are; the first is undone if the second is refused.
 */
function tryCycle(ctx: GoalContext, topic: number, receiver: number, strict: boolean): boolean {
  const { state, targets } = ctx;
  const topics = state.topicNames.length;
  // What does not depend on the giver, gathered once: the receiver's replicas it could pass on (of
  // topics other than `topic`, above their band on it), in its list order, and per topic the brokers
  // short of it (the giver is never one of them for a topic the giver is not short of, which is the
  // only kind the receiver passes on).
  // An exchange refused halfway is undone, which leaves the receiver's replicas as they were but its
  // list in another order: the list is then gathered again, so the order tried stays its current one.
  const takers = new Map<number, number[]>();
  const flags = cycleScratch(topics);
  const { steps } = scratchOf(state, targets);
  let undone = 0;
  for (const giver of nearby(state, targets, topic, receiver, PARTNERS, true)) {
    const given = firstOfTopicOn(state, targets, topic, giver, receiver);
    if (given < 0) continue;
    // Topics the giver may take one more of: short there (strict), or with room below the band's top.
    // Worked out per topic when first asked; strict mode first checks that the giver is short of any
    // topic at all (the kept count of topics below their band on it: it spares one of `topic`, so
    // `topic` is not among them).
    const accepts = (wanted: number): boolean =>
      wanted !== topic && (strict ? isShort(state, targets, wanted, giver) : state.topicCountOf(wanted, giver) < targets.topicMaxOf(wanted, giver));
    if (strict && steps.belowCount(giver) === 0) continue;
    const round = flags.next();
    const takes = (wanted: number): boolean => {
      if (flags.stamp[wanted] !== round) {
        flags.stamp[wanted] = round;
        flags.value[wanted] = accepts(wanted) ? 1 : 0;
      }
      return flags.value[wanted] === 1;
    };
    // What each taker could return to the giver, worked out for this giver as far as needed: a refused
    // exchange is undone, which leaves every count and placement these depend on as it was.
    const passOn = new Map<number, Returns>();
    // Kept per broker until its partitions change (so in its current list order), for every topic.
    const spare = scratchOf(state, targets).spareOn(receiver);
    passing: for (const passed of spare) {
      const passedTopic = state.topicIndexOf(passed);
      if (passedTopic === topic || takes(passedTopic) || state.slotOf(passed, giver) >= 0) continue;
      let takersOfPassed = takers.get(passedTopic);
      if (takersOfPassed === undefined) {
        takersOfPassed = nearby(state, targets, passedTopic, receiver, 2, false, giver);
        takers.set(passedTopic, takersOfPassed);
      }
      for (const taker of takersOfPassed) {
        if (!canGo(state, targets, passed, receiver, taker)) continue;
        let returnable = passOn.get(taker);
        if (returnable === undefined) {
          returnable = returnableOf(state, targets, scratchOf(state, targets), taker, giver, given, topic, strict, takes);
          passOn.set(taker, returnable);
        }
        for (let i = 0, returned = returnable.at(0); returned >= 0; returned = returnable.at(++i)) {
          const outcome = exchange(ctx, given, giver, receiver, passed, taker, returned);
          if (outcome === "done") return true;
          // The first swap (given for passed) is the same for every taker and returned replica, and
          // a refusal changed nothing: it would be refused again, so the next passed replica is tried.
          if (outcome === "refused") continue passing;
          // Each exchange taken back costs a gathering of the receiver's list again; where the second swap keeps
          // being refused (brokers at a capacity limit), the search ends after UNDONE_EXCHANGES.
          if (outcome === "undone" && ++undone >= UNDONE_EXCHANGES) return false;
        }
      }
    }
  }
  return false;
}

/**
 * The taker's replicas the giver may take back in an exchange, in the taker's list order: of a topic
 * the giver takes (`takes`) and the taker can spare, not `given`, and free to go to the giver. Only
 * the taker's spare replicas can qualify, so those (kept per broker) are walked; in strict mode the
 * giver takes only topics it is short of, usually a few: their replicas on the taker are gathered
 * from its list kept by topic and put back in list order by position, when that is cheaper.
 * Either way the same list as a filter of the taker's whole list.
 */
function returnableOf(
  state: PlacementState,
  targets: Targets,
  scratch: TopicScratch,
  taker: number,
  giver: number,
  given: number,
  topic: number,
  strict: boolean,
  takes: (wanted: number) => boolean,
): Returns {
  const candidates = strict ? scratch.shortOnGiver(taker, giver, topic) : null;
  if (candidates !== null) return new Returns(candidates.slice(), (returned) => returned !== given && canGo(state, targets, returned, taker, giver));
  return new Returns(scratch.spareOn(taker), (returned) => takes(state.topicIndexOf(returned)) && returned !== given && canGo(state, targets, returned, taker, giver));
}

/**
 * The items of `source` that `qualifies` accepts, in order, found only as far as asked: an exchange
 * search mostly uses the first one or few. Asked between exchanges, each refused or undone, so
 * every answer is the one it would have been when the list was made.
 */
class Returns {
  private readonly found: number[] = [];
  private next = 0;

  constructor(
    private readonly source: ArrayLike<number>,
    private readonly qualifies: (q: number) => boolean,
  ) {}

  /** The i-th item accepted, or -1 when there are no more. */
  at(i: number): number {
    while (this.found.length <= i && this.next < this.source.length) {
      const q = this.source[this.next++]!;
      if (this.qualifies(q)) this.found.push(q);
    }
    return i < this.found.length ? this.found[i]! : -1;
  }
}

/** Per-topic answers remembered for one round of tryCycle: valid where stamp equals the round. */
class TopicFlags {
  stamp = new Int32Array(0);
  value = new Uint8Array(0);
  private round = 0;

  /** A fresh round (every earlier answer forgotten). */
  next(): number {
    if (++this.round === 0x7fffffff) {
      this.stamp.fill(0);
      this.round = 1;
    }
    return this.round;
  }
}

const topicFlags = new TopicFlags();
function cycleScratch(T: number): TopicFlags {
  if (topicFlags.stamp.length < T) {
    topicFlags.stamp = new Int32Array(T);
    topicFlags.value = new Uint8Array(T);
  }
  return topicFlags;
}

/**
 * The first partition of topic t in s's list that may go from s to d, or -1. Looks through topic t's
 * partitions instead of s's list when that is shorter; either way the one earliest in s's list wins.
 */
function firstOfTopicOn(state: PlacementState, targets: Targets, t: number, s: number, d: number): number {
  const lo = state.topicStartOf(t);
  const hi = state.topicStartOf(t + 1);
  const n = state.partitionsOnCount(s);
  if ((hi - lo) * 3 >= n) {
    for (let i = 0; i < n; i++) {
      const x = state.partitionOnAt(s, i);
      if (state.topicOf[x] === t && canGo(state, targets, x, s, d)) return x;
    }
    return -1;
  }
  let best = -1;
  let bestAt = Infinity;
  for (let x = lo; x < hi; x++) {
    const slot = state.slotOf(x, s);
    if (slot < 0) continue;
    const at = state.positionOf(x, slot);
    if (at < bestAt && canGo(state, targets, x, s, d)) {
      best = x;
      bestAt = at;
    }
  }
  return best;
}

/** The exchange as two swaps: "done", "refused" (the first swap), or "undone" (the second refused, the first taken back). */
function exchange(ctx: GoalContext, given: number, giver: number, receiver: number, passed: number, taker: number, returned: number): "done" | "refused" | "undone" {
  const { state } = ctx;
  if (!ctx.propose({ kind: "swap", p: given, slot: state.slotOf(given, giver), q: passed, qSlot: state.slotOf(passed, receiver) })) return "refused";
  if (ctx.propose({ kind: "swap", p: passed, slot: state.slotOf(passed, giver), q: returned, qSlot: state.slotOf(returned, taker) })) return "done";
  ctx.undo({ kind: "swap", p: given, slot: state.slotOf(given, receiver), q: passed, qSlot: state.slotOf(passed, giver) });
  return "undone";
}

/** Three-broker exchanges for every broker short of topic t, while they help. */
function cycleSweep(ctx: GoalContext, standings: Standings, topic: number, strict: boolean): void {
  const { state, targets } = ctx;
  // No broker short of the topic: none becomes so without an exchange, and none is tried.
  if (standings.of(topic) !== SOME_SHORT) return;
  for (let receiver = 0; receiver < state.brokerCount; receiver++) {
    if (!state.eligible[receiver]) continue;
    for (let guard = 0; guard < 16 && isShort(state, targets, topic, receiver); guard++) {
      if (!tryCycle(ctx, topic, receiver, strict)) break;
    }
  }
}

export const topicSpreadGoal: Goal = {
  id: "topic-spread",
  hard: false,

  score: (state, targets) => topicDeviation(state, targets).total,

  status(state, targets) {
    const d = topicDeviation(state, targets);
    const worst =
      d.worstTopic < 0
        ? "no topics"
        : `largest spread of one topic across brokers ${String(d.worstSpread)} (${state.topicNameOf(d.worstTopic)})`;
    return d.total === 0
      ? { satisfied: true, detail: worst }
      : { satisfied: false, detail: `${worst}; ${String(d.total)} replica(s) off their topic's target` };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (action.kind === "lead" || action.kind === "trade") return true;
    const B = state.brokerCount;
    if (action.kind === "move" || action.kind === "swap") return topicBandAccepts(state, targets, action);
    return bandAccepts(
      topicDeltas(state, action),
      (k) => state.topicCount[k]!,
      (k) => targets.topicMinOf(Math.floor(k / B), k % B),
      (k) => targets.topicMaxOf(Math.floor(k / B), k % B),
    );
  },

  // A swap of two topics' replicas is judged replica by replica (topicBandAccepts): one whose move
  // alone is refused makes every such swap that puts it there fail.
  refusesSwapAcrossTopics(state: PlacementState, targets: Targets, p: number, slot: number, to: number): boolean {
    return !topicBandAccepts(state, targets, { kind: "move", p, slot, to });
  },

  optimize(outer: GoalContext): void {
    const { state, targets } = outer;
    const standings = new Standings(state, targets);
    const ctx = tracking(outer, standings);
    // Sweep all topics with the most efficient actions first (most deviation fixed per replica
    // moved), then accept less efficient ones: early sweeps open efficient swaps for later topics.
    for (const perMove of [2, 1.5, 1]) {
      for (let t = 0; t < state.topicNames.length; t++) sweep(ctx, standings, t, perMove);
    }
    for (const strict of [true, false]) {
      for (let t = 0; t < state.topicNames.length; t++) cycleSweep(ctx, standings, t, strict);
    }
    for (let t = 0; t < state.topicNames.length; t++) sweep(ctx, standings, t, 0.5);
  },
};
