/**
 * Replica count balance: every eligible broker's replica count inside its target band, the best the
 * racks allow (see Targets). Each move goes from a broker above its band to one below it where one
 * exists, so the number of moves equals the excess the lower bound counts.
 */
import type { Goal, GoalContext } from "../goal.js";
import { moveKeepsSpread } from "../rules.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";
import { bandAccepts, brokerDeltas } from "./band.js";
import { countDeviation, diskGain, topicGain } from "./scoring.js";

/**
 * Moves one replica from s to d, choosing the replica that the later goals like best and that every
 * higher-priority goal accepts. Returns true if a replica moved.
 */
export function moveBestReplica(ctx: GoalContext, s: number, d: number): boolean {
  const { state, targets } = ctx;
  const wantTopic = ctx.later.includes("topic-spread");
  const wantDisk = ctx.later.includes("disk");
  const wantLeader = ctx.later.includes("leader");
  const candidates: Array<{ p: number; slot: number; key: number[] }> = [];
  const n = state.partitionsOnCount(s);
  for (let i = 0; i < n; i++) {
    const p = state.partitionOnAt(s, i);
    if (state.frozen[p] || state.slotOf(p, d) >= 0) continue;
    const slot = state.slotOf(p, s);
    if (!moveKeepsSpread(state, targets, p, slot, d)) continue;
    const key = [
      state.moveDelta(p, slot, d),
      wantTopic ? -topicGain(state, targets, p, s, d) : 0,
      wantDisk ? -Math.sign(diskGain(state, targets, s, d, state.size[p]!)) : 0,
      wantLeader && slot === 0 ? 1 : 0,
      state.size[p]!,
      p,
    ];
    candidates.push({ p, slot, key });
  }
  candidates.sort((a, b) => compareKeys(a.key, b.key));
  for (const c of candidates) {
    if (ctx.propose({ kind: "move", p: c.p, slot: c.slot, to: d })) return true;
  }
  return false;
}

export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Eligible brokers sorted by `key` ascending, ties by index. */
function sortedBrokers(state: PlacementState, key: (b: number) => number, filter: (b: number) => boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b] && filter(b)) out.push(b);
  return out.sort((a, b) => key(a) - key(b) || a - b);
}

/** The eligible broker maximising `key` (> 0), ties by index, skipping `skip`; -1 when none. */
function mostBy(state: PlacementState, key: (b: number) => number, skip: ReadonlySet<number>): number {
  let best = -1;
  let bestKey = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || skip.has(b)) continue;
    const k = key(b);
    if (k > bestKey) {
      best = b;
      bestKey = k;
    }
  }
  return best;
}

function shed(ctx: GoalContext): boolean {
  const { state, targets } = ctx;
  const stuck = new Set<number>();
  let any = false;
  for (;;) {
    const s = mostBy(state, (b) => state.count[b]! - targets.countMax[b]!, stuck);
    if (s < 0) return any;
    const dests = sortedBrokers(
      state,
      (b) => state.count[b]! - targets.countMin[b]!,
      (b) => state.count[b]! < targets.countMax[b]!,
    );
    if (!dests.some((d) => moveBestReplica(ctx, s, d))) stuck.add(s);
    else any = true;
  }
}

function fill(ctx: GoalContext): boolean {
  const { state, targets } = ctx;
  const stuck = new Set<number>();
  let any = false;
  for (;;) {
    const d = mostBy(state, (b) => targets.countMin[b]! - state.count[b]!, stuck);
    if (d < 0) return any;
    const sources = sortedBrokers(
      state,
      (b) => -(state.count[b]! - targets.countMax[b]!),
      (b) => state.count[b]! > targets.countMin[b]!,
    );
    if (!sources.some((s) => moveBestReplica(ctx, s, d))) stuck.add(d);
    else any = true;
  }
}

export const replicaCountGoal: Goal = {
  id: "replica-count",
  hard: false,

  score: countDeviation,

  status(state, targets) {
    let outside = 0;
    let min = Infinity;
    let max = -Infinity;
    let tmin = Infinity;
    let tmax = -Infinity;
    for (let b = 0; b < state.brokerCount; b++) {
      if (!state.eligible[b]) continue;
      const c = state.count[b]!;
      min = Math.min(min, c);
      max = Math.max(max, c);
      tmin = Math.min(tmin, targets.countMin[b]!);
      tmax = Math.max(tmax, targets.countMax[b]!);
      if (deviation(c, targets.countMin[b]!, targets.countMax[b]!) > 0) outside++;
    }
    if (!Number.isFinite(min)) return { satisfied: true, detail: "no eligible brokers" };
    const range = `replicas per broker ${String(min)}–${String(max)}, targets ${String(tmin)}–${String(tmax)}`;
    return outside === 0
      ? { satisfied: true, detail: range }
      : { satisfied: false, detail: `${range}; ${String(outside)} broker(s) off target` };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (action.kind !== "move") return true;
    return bandAccepts(
      brokerDeltas(state, action, () => 1),
      (b) => state.count[b]!,
      (b) => targets.countMin[b]!,
      (b) => targets.countMax[b]!,
    );
  },

  optimize(ctx: GoalContext): void {
    for (let round = 0; round < 4; round++) {
      const a = shed(ctx);
      const b = fill(ctx);
      if (!a && !b) return;
    }
  },
};
