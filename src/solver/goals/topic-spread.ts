/**
 * Topic spread: each topic's replicas even across eligible brokers (the best the racks allow), which
 * spreads a hot topic's load and its quota bandwidth. For the broker furthest off a topic's band it
 * moves a replica where the replica-count band has room, or swaps it for a replica of another topic
 * (which leaves replica counts as they are). Sweeps take the most efficient actions first: those that
 * fix the most deviation per replica moved. The first action every higher-priority goal accepts is taken.
 */
import type { Goal, GoalContext } from "../goal.js";
import { moveKeepsSpread } from "../rules.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";
import { bandAccepts, topicDeltas } from "./band.js";
import { nearFirst, topicGain } from "./scoring.js";

/** Partner brokers tried for each step, most useful first. */
const PARTNERS = 8;

function topicDeviation(state: PlacementState, targets: Targets): { total: number; worstSpread: number; worstTopic: number } {
  const B = state.brokerCount;
  let total = 0;
  let worstSpread = 0;
  let worstTopic = -1;
  for (let t = 0; t < state.topicNames.length; t++) {
    let min = Infinity;
    let max = -Infinity;
    for (let b = 0; b < B; b++) {
      if (!state.eligible[b]) continue;
      const c = state.topicCount[t * B + b]!;
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

/** Brokers sorted by topic t's count against its band (ascending), filtered. */
function byTopicFill(state: PlacementState, targets: Targets, t: number, keep: (b: number) => boolean): number[] {
  const B = state.brokerCount;
  const out: number[] = [];
  for (let b = 0; b < B; b++) if (state.eligible[b] && keep(b)) out.push(b);
  const fill = (b: number): number => state.topicCount[t * B + b]! - targets.topicMinOf(t, b);
  return out.sort((a, b) => fill(a) - fill(b) || a - b);
}

/**
 * Tries to take one replica of topic t from s to d, by a move or a swap that fixes at least `perMove`
 * units of deviation per replica moved (a move fixes at most 2, a swap at most 4).
 */
function tryPair(ctx: GoalContext, t: number, s: number, d: number, perMove: number): boolean {
  const { state, targets } = ctx;
  const n = state.partitionsOnCount(s);
  const mine: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = state.partitionOnAt(s, i);
    if (state.topicOf[p] === t) mine.push(p);
  }
  mine.sort((a, b) => state.size[a]! - state.size[b]! || a - b);
  for (const p of mine) {
    const g = topicGain(state, targets, p, s, d);
    if (g <= 0 || !canGo(state, targets, p, s, d)) continue;
    const slot = state.slotOf(p, s);
    if (g >= perMove && ctx.propose({ kind: "move", p, slot, to: d })) return true;
    if (g + 2 >= 2 * perMove && trySwap(ctx, p, slot, s, d, g, 2 * perMove)) return true;
  }
  return false;
}

/** Swaps replica (p, slot) on s with a replica on d of another topic, for a total gain of at least `want`. */
function trySwap(ctx: GoalContext, p: number, slot: number, s: number, d: number, g: number, want: number): boolean {
  const { state, targets } = ctx;
  const t = state.topicOf[p]!;
  const sz = state.size[p]!;
  const qualifying: number[] = [];
  const n = state.partitionsOnCount(d);
  for (let i = 0; i < n; i++) {
    const q = state.partitionOnAt(d, i);
    if (state.topicOf[q] !== t && g + topicGain(state, targets, q, d, s) >= want) qualifying.push(q);
  }
  // Closest sizes first, so the disk goal is most likely to accept.
  qualifying.sort((a, b) => Math.abs(state.size[a]! - sz) - Math.abs(state.size[b]! - sz) || a - b);
  for (const q of qualifying) {
    if (!canGo(state, targets, q, d, s)) continue;
    if (ctx.propose({ kind: "swap", p, slot, q, qSlot: state.slotOf(q, d) })) return true;
  }
  return false;
}

/** Brings topic t's most-off broker one step closer to its band; null when every broker is in band or stuck. */
function step(ctx: GoalContext, t: number, stuck: Set<number>, perMove: number): boolean | null {
  const { state, targets } = ctx;
  const B = state.brokerCount;
  let focus = -1;
  let worst = 0;
  for (let b = 0; b < B; b++) {
    if (!state.eligible[b] || stuck.has(b)) continue;
    const off = deviation(state.topicCount[t * B + b]!, targets.topicMinOf(t, b), targets.topicMaxOf(t, b));
    if (off > worst) {
      worst = off;
      focus = b;
    }
  }
  if (focus < 0) return null;
  const over = state.topicCount[t * B + focus]! > targets.topicMaxOf(t, focus);
  const partners = over
    ? byTopicFill(state, targets, t, (b) => state.topicCount[t * B + b]! < targets.topicMaxOf(t, b))
    : byTopicFill(state, targets, t, (b) => state.topicCount[t * B + b]! > targets.topicMinOf(t, b)).reverse();
  for (const other of nearFirst(state, focus, partners, PARTNERS)) {
    const [s, d] = over ? [focus, other] : [other, focus];
    if (tryPair(ctx, t, s, d, perMove)) return true;
  }
  stuck.add(focus);
  return false;
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
        : `largest spread of one topic across brokers ${String(d.worstSpread)} (${state.topicNames[d.worstTopic]!})`;
    return d.total === 0
      ? { satisfied: true, detail: worst }
      : { satisfied: false, detail: `${worst}; ${String(d.total)} replica(s) off their topic's target` };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (action.kind === "lead") return true;
    const B = state.brokerCount;
    return bandAccepts(
      topicDeltas(state, action),
      (k) => state.topicCount[k]!,
      (k) => targets.topicMinOf(Math.floor(k / B), k % B),
      (k) => targets.topicMaxOf(Math.floor(k / B), k % B),
    );
  },

  optimize(ctx: GoalContext): void {
    const { state } = ctx;
    // Sweep all topics with the most efficient actions first (most deviation fixed per replica
    // moved), then accept less efficient ones: early sweeps open efficient swaps for later topics.
    for (const perMove of [2, 1.5, 1, 0.5]) {
      for (let t = 0; t < state.topicNames.length; t++) {
        const stuck = new Set<number>();
        for (let guard = 0; guard < 4 * state.partitionCount + 16; guard++) {
          if (step(ctx, t, stuck, perMove) === null) break;
        }
      }
    }
  },
};
