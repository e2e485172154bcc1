/**
 * Movement budgets (`maxMoves`, `maxBytesMoved`): the best plan that fits. When the plan made without
 * a budget fits, it is the plan. Otherwise its changes are taken partition by partition (a partition's
 * whole new replica list at a time, so the rack rule and distinct brokers hold for each one taken) in
 * order of balance gained per share of the budget spent:
 *
 * - balance is the vector of goal scores in priority order, compared lexicographically, the order the
 *   optimizer itself respects; a change is taken only when it makes the first score it changes better,
 *   so no goal gets worse for a lower one;
 * - the cost of a change is the fraction of each finite budget it uses (moves / maxMoves plus
 *   bytes / maxBytesMoved), so ranking is by gain per byte when bytes are limited, per move when moves
 *   are; leadership-only changes cost nothing and come first;
 * - gains change as other changes are applied, so the choice is lazy: the best by its last known
 *   gain is re-measured and taken only if it still beats the next best's last known gain.
 *
 * Every goal's score is a sum of per-broker, per-(topic, broker) or per-partition terms, so what a
 * change gains is measured on the terms of its partition and the brokers it touches (`localScores`),
 * and applying a change leaves the gain of every change that shares none of its brokers as it was:
 * only those that share one are measured again.
 *
 * The greedy choice can lose to a plain ordering on odd inputs (a knapsack), so the changes are also
 * taken in partition order, each one that fits; the better of the two results is the plan.
 */
import type { Goal, GoalId } from "./goal.js";
import { capacityExcessOf } from "./goals/capacity.js";
import { LEADER_BYTES, type LoadMeasure, NETWORK_IN, NETWORK_OUT } from "./goals/load-balance.js";
import { DiskFloors } from "./goals/disk-floor.js";
import type { BrokerBand } from "./load-targets.js";
import { spreadViolation } from "./rules.js";
import { deviation } from "./targets.js";
import type { PlacementState } from "./state.js";
import type { Targets } from "./targets.js";
import type { Budget } from "./optimizer.js";

/** A partition's replica list in the full plan. */
interface Change {
  readonly p: number;
  readonly target: readonly number[];
  readonly moves: number;
  readonly bytes: number;
  /** Fraction of the budgets one would use. */
  readonly cost: number;
  /** Last measured gain (score vector before minus after). */
  gain: number[];
}

/** Score vector of the goals, in priority order. */
export function scores(state: PlacementState, targets: Targets, goals: readonly Goal[]): number[] {
  return goals.map((g) => g.score(state, targets));
}

const EPS = 1e-9;

function sign(x: number, scale: number): number {
  return x > EPS * Math.max(1, Math.abs(scale)) ? 1 : x < -EPS * Math.max(1, Math.abs(scale)) ? -1 : 0;
}

/** -1 when score vector a is better (lower, lexicographically) than b, 1 when worse, 0 when equal. */
export function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const s = sign(a[i]! - b[i]!, b[i]!);
    if (s !== 0) return s;
  }
  return 0;
}

/** The first goal whose score in a is worse (higher) than in b, or -1 when none is. */
export function firstWorse(a: readonly number[], b: readonly number[]): number {
  return a.findIndex((x, i) => sign(x - b[i]!, b[i]!) > 0);
}

/** True when the gain vector improves the first score it changes. */
function positive(gain: readonly number[], base: readonly number[]): boolean {
  for (let i = 0; i < gain.length; i++) {
    const s = sign(gain[i]!, base[i]!);
    if (s !== 0) return s > 0;
  }
  return false;
}

/** Positive when change a is worth more per unit of budget than change b. */
function ratioOrder(a: Change, b: Change, base: readonly number[]): number {
  if ((a.cost === 0) !== (b.cost === 0)) return a.cost === 0 ? 1 : -1;
  for (let i = 0; i < a.gain.length; i++) {
    // a.gain / a.cost against b.gain / b.cost, without dividing (costs may be 0 together).
    const x = a.cost === 0 ? a.gain[i]! : a.gain[i]! * b.cost;
    const y = b.cost === 0 ? b.gain[i]! : b.gain[i]! * a.cost;
    const s = sign(x - y, base[i]!);
    if (s !== 0) return s;
  }
  return b.p - a.p;
}

/** Gives partition p the replica list `target` (broker indices) through the one door, `apply`. */
export function setReplicas(state: PlacementState, p: number, target: readonly number[]): void {
  const rf = state.rfOf(p);
  const current = Array.from({ length: rf }, (_, s) => state.brokerAt(p, s));
  const adding = target.filter((b) => !current.includes(b));
  let k = 0;
  for (let s = 0; s < rf; s++) {
    if (!target.includes(state.brokerAt(p, s))) state.apply({ kind: "move", p, slot: s, to: adding[k++]! });
  }
  // Now the same set: reorder with leadership exchanges (slot 0 as the buffer).
  state.apply({ kind: "lead", p, slot: state.slotOf(p, target[0]!) });
  for (let i = 1; i < rf; i++) {
    const j = state.slotOf(p, target[i]!);
    if (j === i) continue;
    state.apply({ kind: "lead", p, slot: i });
    state.apply({ kind: "lead", p, slot: j });
    state.apply({ kind: "lead", p, slot: i });
  }
}

function replicasOf(state: PlacementState, p: number): number[] {
  return Array.from({ length: state.rfOf(p) }, (_, s) => state.brokerAt(p, s));
}

/** The partitions `full` changed, as changes to make on `state` (which starts where `full` started). */
function changesOf(state: PlacementState, full: PlacementState, budget: Budget): Change[] {
  const out: Change[] = [];
  for (let p = 0; p < full.partitionCount; p++) {
    const target = replicasOf(full, p);
    const now = replicasOf(state, p);
    if (target.every((b, i) => b === now[i])) continue;
    const moves = target.filter((b) => !full.wasOriginally(p, b)).length;
    const bytes = moves * full.size[p]!;
    const cost =
      (Number.isFinite(budget.maxMoves) ? moves / Math.max(budget.maxMoves, EPS) : 0) +
      (Number.isFinite(budget.maxBytesMoved) ? bytes / Math.max(budget.maxBytesMoved, EPS) : 0);
    out.push({ p, target, moves, bytes, cost, gain: [] });
  }
  return out;
}

function fits(state: PlacementState, c: Change, budget: Budget): boolean {
  return state.moves + c.moves <= budget.maxMoves && state.bytesMoved + c.bytes <= budget.maxBytesMoved * (1 + 1e-12);
}

/**
 * The goals' score terms that a change of partition p over `brokers` can touch, in goal order: the
 * same sums the goals' `score` computes, restricted to p and those brokers.
 */
export function localScores(state: PlacementState, targets: Targets, ids: readonly GoalId[], p: number, brokers: readonly number[]): number[] {
  const t = state.topicIndexOf(p);
  const sum = (term: (b: number) => number): number => brokers.reduce((a, b) => a + (state.eligible[b] ? term(b) : 0), 0);
  return ids.map((id) => {
    switch (id) {
      case "valid-placement": {
        let n = 0;
        for (let s = 0; s < state.rfOf(p); s++) if (!state.eligible[state.brokerAt(p, s)]) n++;
        return n;
      }
      case "rack-spread":
        return spreadViolation(state, targets, p);
      case "replica-count":
        return sum((b) => deviation(state.countOf(b), targets.countMinOf(b), targets.countMaxOf(b)));
      case "disk": {
        const band = DiskFloors.of(state, targets);
        return sum((b) => band.deviationOf(b, state.diskOf(b)));
      }
      case "topic-spread":
        return sum((b) => deviation(state.topicCountOf(t, b), targets.topicMinOf(t, b), targets.topicMaxOf(t, b)));
      case "leader":
        return sum((b) => deviation(state.leadersOf(b), targets.leaderMinOf(state, b), targets.leaderMaxOf(state, b)));
      case "capacity":
        return sum((b) => capacityExcessOf(state, targets, b));
      case "network-in":
        return sum(bandTerm(state, NETWORK_IN, targets.load.networkIn));
      case "network-out":
        return sum(bandTerm(state, NETWORK_OUT, targets.load.networkOut));
      case "leader-bytes":
        return sum(bandTerm(state, LEADER_BYTES, targets.load.leaderBytes));
    }
  });
}

/** A load goal's per-broker score term: the distance of its load from its band. */
function bandTerm(state: PlacementState, m: LoadMeasure, band: BrokerBand): (b: number) => number {
  const load = m.load(state);
  return (b) => band.deviationOf(b, load[b]!);
}

/** Brokers a change touches: the partition's replicas now and after. */
function touched(state: PlacementState, c: Change): number[] {
  return [...new Set([...replicasOf(state, c.p), ...c.target])];
}

/** Measures what applying c would gain now (applies and takes it back). */
function measure(state: PlacementState, targets: Targets, ids: readonly GoalId[], c: Change, brokers: readonly number[]): number[] {
  const before = replicasOf(state, c.p);
  const was = localScores(state, targets, ids, c.p, brokers);
  setReplicas(state, c.p, c.target);
  const now = localScores(state, targets, ids, c.p, brokers);
  setReplicas(state, c.p, before);
  return was.map((x, i) => x - now[i]!);
}

/** Greedy by gain per budget share, re-measuring lazily what an applied change may have altered. */
export function greedyWithin(state: PlacementState, full: PlacementState, targets: Targets, goals: readonly Goal[], budget: Budget): void {
  const ids = goals.map((g) => g.id);
  const base = scores(state, targets, goals);
  const open = changesOf(state, full, budget).filter((c) => fits(state, c, budget));
  const brokersOf = new Map<Change, number[]>();
  const byBroker = new Map<number, Change[]>();
  for (const c of open) {
    const bs = touched(state, c);
    brokersOf.set(c, bs);
    for (const b of bs) {
      const list = byBroker.get(b);
      if (list) list.push(c);
      else byBroker.set(b, [c]);
    }
    c.gain = measure(state, targets, ids, c, bs);
  }
  const stale = new Set<Change>();
  const done = new Set<Change>();
  let live = open;
  while (live.length > 0) {
    // The best and the runner-up by what is known of their gains.
    let best = -1;
    let second = -1;
    for (let i = 0; i < live.length; i++) {
      if (best < 0 || ratioOrder(live[i]!, live[best]!, base) > 0) {
        second = best;
        best = i;
      } else if (second < 0 || ratioOrder(live[i]!, live[second]!, base) > 0) second = i;
    }
    const c = live[best]!;
    if (stale.has(c)) {
      c.gain = measure(state, targets, ids, c, brokersOf.get(c)!);
      stale.delete(c);
      if (second >= 0 && ratioOrder(live[second]!, c, base) > 0) continue;
    }
    done.add(c);
    if (positive(c.gain, base) && fits(state, c, budget)) {
      setReplicas(state, c.p, c.target);
      for (const b of brokersOf.get(c)!) for (const o of byBroker.get(b) ?? []) if (!done.has(o)) stale.add(o);
    }
    live = live.filter((o) => !done.has(o) && fits(state, o, budget));
  }
}

/** Every change that fits, in partition order. */
export function inOrderWithin(state: PlacementState, full: PlacementState, budget: Budget): void {
  for (const c of changesOf(state, full, budget)) if (fits(state, c, budget)) setReplicas(state, c.p, c.target);
}
