/**
 * Disk balance: every eligible broker's disk use within ±threshold of its ideal (the broker's share of
 * all bytes: by capacity when capacities are known, else by its replica-count target). Moves a replica
 * where the replica-count band has room, otherwise swaps a larger replica for a smaller one, which
 * leaves replica counts as they are.
 */
import type { Goal, GoalContext } from "../goal.js";
import { grown } from "../arrays.js";
import { moveKeepsSpread } from "../rules.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import type { BrokerBand } from "../load-targets.js";
import { deviation } from "../targets.js";
import { bandAccepts, brokerDeltas, partnersByFill, replicaBandAccepts, worstFirst } from "./band.js";
import { firstAtLeast, partitionsBySize } from "./by-size.js";
import { DiskFloors, FLOOR_SLACK } from "./disk-floor.js";
import { firstInOrder } from "./lazy-order.js";
import { diskGain, topicGain } from "./scoring.js";

/** Destinations compared for each overloaded broker. */
const DESTINATIONS = 6;
/** Replicas looked at on either side of the size wanted, before every replica is. */
const WINDOW = 64;
/** Candidates of each kind (moves, swaps) a higher goal may refuse in one step before the rest of that kind are passed over. */
const TRIES = 256;

/** Sum over eligible brokers of the distance from the reachable disk band (DiskFloors). */
function diskDeviation(state: PlacementState, targets: Targets): number {
  const band = DiskFloors.of(state, targets);
  let s = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (state.eligible[b]) s += band.deviationOf(b, state.diskOf(b));
  }
  return s;
}

function tolerance(targets: Targets, b: number): number {
  return 1e-9 * Math.max(1, targets.diskIdealOf(b));
}

/** Whether replica p may leave s for d under the rack rule (cheap pre-filter; propose checks everything). */
function canGo(state: PlacementState, targets: Targets, p: number, s: number, d: number): boolean {
  if (state.frozen[p] || state.slotOf(p, d) >= 0) return false;
  return moveKeepsSpread(state, targets, p, state.slotOf(p, s), d);
}

/**
 * Every move and swap between s and d that would improve disk balance, with its gain bucket and bytes,
 * appended to `out` in the order they are generated. Cheap: the rack rule and topic gain are left to
 * `ready`, which looks only at the buckets that are reached.
 */
function collect(state: PlacementState, targets: Targets, s: number, d: number, out: Raw, window: number, band: BrokerBand): void {
  const fromS = partitionsBySize(state, s);
  const onD = partitionsBySize(state, d);
  const grain = Math.max(1, targets.diskIdealOf(s) * 0.002);
  const tol = tolerance(targets, s);
  const push = (p: number, q: number, net: number, bytes: number): void => {
    const gain = diskGain(state, s, d, net, band);
    if (gain <= tol) return;
    out.push(s, d, p, q, -Math.round(gain / grain), bytes);
  };
  const want = Math.min(state.diskOf(s) - targets.diskIdealOf(s), targets.diskIdealOf(d) - state.diskOf(d));
  // Largest replicas of s first; with a window, only the `window` replicas on either side of the
  // size `want`: the best moves (about `want`) and the swaps moving fewest bytes (the smallest
  // replicas that can give `want` for a smaller one) are there.
  let first = 0;
  let end = fromS.length;
  if (window < Infinity) {
    const at = firstAtLeast(fromS, state.size, want);
    first = Math.max(0, at - window);
    end = Math.min(fromS.length, at + window);
  }
  for (let i = end - 1; i >= first; i--) {
    const p = fromS[i]!;
    const sz = state.sizeOf(p);
    push(p, -1, sz, sz);
    // Swap with a replica on d about `want` smaller.
    const lo = firstAtLeast(onD, state.size, sz - want);
    for (let k = Math.max(0, lo - 2); k < Math.min(onD.length, lo + 2); k++) {
      const q = onD[k]!;
      if (q === p || state.sizeOf(q) >= sz) continue;
      push(p, q, sz - state.sizeOf(q), sz + state.sizeOf(q));
    }
  }
}

/**
 * Candidate actions in generation order (parallel arrays); q is -1 for a move. One set of arrays
 * serves every call (a call ends before the next begins): a call weighs thousands of candidates for
 * one action.
 */
class Raw {
  n = 0;
  s: Int32Array = new Int32Array(1024);
  d: Int32Array = new Int32Array(1024);
  p: Int32Array = new Int32Array(1024);
  q: Int32Array = new Int32Array(1024);
  /** −round(gain / grain): lower is better. */
  key: Float64Array = new Float64Array(1024);
  bytes: Float64Array = new Float64Array(1024);
  /** Topic-spread gain, worked out by `ready` for the candidates of a bucket that is reached. */
  tg: Float64Array = new Float64Array(1024);

  clear(): this {
    this.n = 0;
    return this;
  }

  push(s: number, d: number, p: number, q: number, key: number, bytes: number): void {
    if (this.n === this.s.length) this.grow();
    const i = this.n++;
    this.s[i] = s;
    this.d[i] = d;
    this.p[i] = p;
    this.q[i] = q;
    this.key[i] = key;
    this.bytes[i] = bytes;
  }

  private grow(): void {
    const m = 2 * this.s.length;
    this.s = grown(this.s, m);
    this.d = grown(this.d, m);
    this.p = grown(this.p, m);
    this.q = grown(this.q, m);
    this.key = grown(this.key, m);
    this.bytes = grown(this.bytes, m);
    this.tg = new Float64Array(m);
  }

  /**
   * Calls `visit` with the indices of each key's candidates in generation order, lowest key first,
   * until it returns true; returns whether it did. The first keys are found by a scan each (the first
   * key's candidates usually give the action); a broker whose first SCANNED_KEYS keys are all refused
   * is usually one nothing helps, whose every key would be visited: the rest are then sorted once
   * (key, then generation order: the same groups in the same order).
   */
  byKey(visit: (indices: readonly number[]) => boolean): boolean {
    let after = -Infinity;
    for (let tried = 0; tried < SCANNED_KEYS; tried++) {
      let k = Infinity;
      for (let i = 0; i < this.n; i++) {
        const x = this.key[i]!;
        if (x > after && x < k) k = x;
      }
      if (k === Infinity) return false;
      const group: number[] = [];
      for (let i = 0; i < this.n; i++) if (this.key[i] === k) group.push(i);
      if (visit(group)) return true;
      after = k;
    }
    const rest: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.key[i]! > after) rest.push(i);
    const key = this.key;
    rest.sort((x, y) => key[x]! - key[y]! || x - y);
    for (let at = 0; at < rest.length; ) {
      const k = key[rest[at]!]!;
      let end = at + 1;
      while (end < rest.length && key[rest[end]!] === k) end++;
      if (visit(rest.slice(at, end))) return true;
      at = end;
    }
    return false;
  }
}

/** Keys Raw.byKey finds by scanning before it sorts the rest. */
const SCANNED_KEYS = 4;

const scratch = new Raw();

/**
 * Works out the topic gain (`raw.tg`; 0 when that goal is not configured after this one) of the
 * candidates among `indices` (in generation order). The rack rule is checked only when a candidate is
 * reached (see propose): filtering before or after ordering visits the same candidates in the same
 * order, and most of a gain bucket is never reached.
 */
function ready(ctx: GoalContext, raw: Raw, indices: readonly number[]): readonly number[] {
  const { state, targets } = ctx;
  const wantTopic = ctx.later.includes("topic-spread");
  for (const i of indices) {
    const s = raw.s[i]!;
    const d = raw.d[i]!;
    const p = raw.p[i]!;
    const q = raw.q[i]!;
    raw.tg[i] = wantTopic ? topicGain(state, targets, p, s, d) + (q >= 0 ? topicGain(state, targets, q, d, s) : 0) : 0;
  }
  return indices;
}

/** Proposes raw candidate i if the rack rule allows it: "applied", "refused" (by a higher goal) or "rack". */
function propose(ctx: GoalContext, raw: Raw, i: number): "applied" | "refused" | "rack" {
  const { state, targets } = ctx;
  const s = raw.s[i]!;
  const d = raw.d[i]!;
  const p = raw.p[i]!;
  const q = raw.q[i]!;
  if (!canGo(state, targets, p, s, d) || (q >= 0 && !canGo(state, targets, q, d, s))) return "rack";
  const slot = state.slotOf(p, s);
  const action: Action = q < 0 ? { kind: "move", p, slot, to: d } : { kind: "swap", p, slot, q, qSlot: state.slotOf(q, d) };
  return ctx.propose(action) ? "applied" : "refused";
}

/**
 * Up to DESTINATIONS brokers of b's rack and DESTINATIONS of other racks, emptiest against their
 * ideal first (fullest first when `fullest`); one pass, no sort of the whole cluster.
 */
function partnersOf(state: PlacementState, targets: Targets, b: number, fullest: boolean): number[] {
  const sign = fullest ? -1 : 1;
  const fill = (x: number): number => (sign * (state.diskOf(x) - targets.diskIdealOf(x))) / Math.max(1, targets.diskIdealOf(x));
  return partnersByFill(state, b, fill, DESTINATIONS);
}

/**
 * One improving action between broker b (over or under its band) and the brokers best placed to
 * balance it; true if applied.
 */
function rebalance(ctx: GoalContext, b: number, over: boolean, band: BrokerBand): boolean {
  const partners = partnersOf(ctx.state, ctx.targets, b, !over);
  // Near the size wanted first (cheap on brokers with thousands of replicas), every replica if
  // none of those is accepted.
  return tryAmong(ctx, b, over, partners, WINDOW, band) || tryAmong(ctx, b, over, partners, Infinity, band);
}

function tryAmong(ctx: GoalContext, b: number, over: boolean, partners: readonly number[], window: number, band: BrokerBand): boolean {
  const { state, targets } = ctx;
  const raw = scratch.clear();
  for (const o of partners) {
    if (over) collect(state, targets, b, o, raw, window, band);
    else collect(state, targets, o, b, raw, window, band);
  }
  // Best gain bucket first; within one, most topic spread gained, fewest bytes, generation order.
  // Higher goals' refusals are counted per kind (moves, swaps): past TRIES of a kind, the rest of that
  // kind are passed over, as load-balance.ts does (near a capacity limit or at the replica-count
  // band's edge, thousands of candidates are refused for the same reason).
  const refused = [0, 0];
  let applied = false;
  raw.byKey((indices) =>
    firstInOrder(ready(ctx, raw, indices), (x, y) => raw.tg[y]! - raw.tg[x]! || raw.bytes[x]! - raw.bytes[y]!, (i) => {
      const kind = raw.q[i]! < 0 ? 0 : 1;
      if (refused[kind]! >= TRIES) return false;
      const outcome = propose(ctx, raw, i);
      if (outcome === "applied") return (applied = true);
      if (outcome === "refused") refused[kind]!++;
      return refused[0]! >= TRIES && refused[1]! >= TRIES;
    }),
  );
  return applied;
}

export const diskGoal: Goal = {
  id: "disk",
  hard: false,

  score: diskDeviation,

  status(state, targets) {
    const band = DiskFloors.of(state, targets);
    let outside = 0;
    let floored = 0;
    let worst = 0;
    for (let b = 0; b < state.brokerCount; b++) {
      if (!state.eligible[b] || targets.diskIdealOf(b) <= 0) continue;
      const r = Math.abs(state.diskOf(b) / targets.diskIdealOf(b) - 1);
      worst = Math.max(worst, r);
      if (band.deviationOf(b, state.diskOf(b)) > tolerance(targets, b)) outside++;
      else if (deviation(state.diskOf(b), targets.diskLowOf(b), targets.diskHighOf(b)) > tolerance(targets, b)) floored++;
    }
    const held = floored === 0 ? "" : `; ${String(floored)} broker(s) held to their largest replica, within ${String(FLOOR_SLACK * 100)}% of it`;
    const t = `largest distance from a broker's ideal disk use ${(worst * 100).toFixed(1)}%${held}`;
    return outside === 0 ? { satisfied: true, detail: t } : { satisfied: false, detail: `${t}; ${String(outside)} broker(s) outside the threshold` };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (action.kind === "lead" || action.kind === "trade") return true;
    const band = DiskFloors.of(state, targets);
    if (action.kind === "move" || action.kind === "swap") {
      const b1 = state.brokerAt(action.p, action.slot);
      const b2 = action.kind === "move" ? action.to : state.brokerAt(action.q, action.qSlot);
      return replicaBandAccepts(state, action, state.size, false, state.disk, targets.diskLow, band.highsAt(b1, b2), 1e-6);
    }
    return bandAccepts(
      brokerDeltas(state, action, (p) => state.sizeOf(p)),
      (b) => state.diskOf(b),
      (b) => targets.diskLowOf(b),
      (b) => band.highOf(b),
      1e-6,
    );
  },

  optimize(ctx: GoalContext): void {
    const { state, targets } = ctx;
    const floors = DiskFloors.of(state, targets);
    worstFirst(
      state,
      state.disk,
      floors,
      (b, over) => {
        if (!over || floors.aimOf(b) >= floors.highOf(b)) return rebalance(ctx, b, over, floors);
        // Held by its largest replica and above the top: brought down to its aim, below the top.
        let any = false;
        while (state.diskOf(b) > floors.aimOf(b) && rebalance(ctx, b, true, floors.aims)) any = true;
        return any;
      },
    );
  },
};
