/**
 * Lower bounds on the replica moves (and bytes) that any plan needs to reach at least the balance a
 * given plan reaches: for every broker, (topic, broker) pair, rack and host, no further from its target
 * than the plan leaves it. Comparing the plan's moves with this bound tells how far it is from optimal.
 *
 * Every move removes one replica from one broker and adds one to another. A broker must lose at least
 *   - every replica that left it when it is dead or excluded,
 *   - the drop of its excess above its replica-count band,
 *   - for each topic, the drop of its excess above the topic's band,
 *   - enough of its largest replicas to shed the drop of its disk excess, and likewise of its
 *     network-in excess (every replica takes its partition's produce rate);
 * and must gain the same way for deficits. Where its replica count cannot change by that much, what
 * it must gain it must also lose (a swap) and the other way round. A host must lose at least the sum over its brokers and, per
 * partition, the replicas that stopped sharing it; a rack at least the sum over its hosts and, per
 * partition, the drop of replicas above the rack maximum. Racks are disjoint, so removals sum over
 * racks; additions sum over brokers; the bound is the larger. Bytes likewise.
 */
import type { Targets } from "./targets.js";
import type { PlacementState } from "./state.js";
import type { LowerBound, RelaxationBound } from "./types.js";
import { solveTransportLp, transportDualBound, type TransportModel, type TransportOutcome, type TransportRacks } from "./transport.js";

export interface BoundGoals {
  readonly rackSpread: boolean;
  readonly replicaCount: boolean;
  readonly topicSpread: boolean;
  readonly disk: boolean;
  readonly networkIn: boolean;
  /** Leadership goals: the counting bounds ignore them (reordering moves no data); the exact program models them. */
  readonly leader: boolean;
  readonly networkOut: boolean;
  readonly leaderBytes: boolean;
}

/** A per-broker load that every replica adds to (disk, network in), with the band its goal keeps. */
export interface LoadMeasure {
  readonly before: Float64Array;
  readonly after: Float64Array;
  readonly low: Float64Array;
  readonly high: Float64Array;
  /** The load each replica of a partition adds. */
  readonly perReplica: Float64Array;
  /** perReplica of every partition, descending (a broker gains each partition at most once). */
  readonly allDesc: Float64Array;
  /** The load is bytes on disk: what a broker sheds or gains of it is also bytes moved. */
  readonly isBytes: boolean;
}

/** The load measures whose goals are on: disk (bytes), network in (bytes/s). */
export function loadMeasures(initial: PlacementState, final: PlacementState, targets: Targets, goals: BoundGoals): LoadMeasure[] {
  const desc = (xs: Float64Array): Float64Array => descending(xs);
  const out: LoadMeasure[] = [];
  if (goals.disk) {
    out.push({ before: initial.disk, after: final.disk, low: targets.diskLow, high: targets.diskHigh, perReplica: initial.size, allDesc: desc(initial.size), isBytes: true });
  }
  if (goals.networkIn) {
    const band = targets.load.networkIn;
    out.push({ before: initial.netIn, after: final.netIn, low: band.low, high: band.high, perReplica: initial.bytesIn, allDesc: desc(initial.bytesIn), isBytes: false });
  }
  return out;
}

const pos = (x: number): number => (x > 0 ? x : 0);

/** How much of an excess above `max` (deficit below `min`) was removed between x0 and x1. */
function dropAbove(x0: number, x1: number, max: number): number {
  return pos(pos(x0 - max) - pos(x1 - max));
}

function dropBelow(x0: number, x1: number, min: number): number {
  return pos(pos(min - x0) - pos(min - x1));
}

/** A sorted copy, largest first (typed-array sorts are numeric and far faster than Array's). */
function descending(xs: Float64Array): Float64Array {
  return Float64Array.from(xs).sort().reverse();
}

/** Fewest values from `desc` (sorted descending) whose sum reaches `bytes`. */
function fewestToReach(desc: ArrayLike<number>, bytes: number): number {
  if (bytes <= 0) return 0;
  let s = 0;
  for (let i = 0; i < desc.length; i++) {
    s += desc[i]!;
    if (s >= bytes * (1 - 1e-12)) return i + 1;
  }
  return desc.length;
}

export function lowerBound(initial: PlacementState, final: PlacementState, targets: Targets, goals: BoundGoals): LowerBound {
  const B = initial.brokerCount;
  const T = initial.topicNames.length;
  const removals = new Float64Array(B);
  let additions = 0;
  let removalBytes = 0;
  let diskShed = 0;
  let diskGain = 0;
  const measures = loadMeasures(initial, final, targets, goals);
  for (let b = 0; b < B; b++) {
    const c0 = initial.countOf(b);
    const c1 = final.countOf(b);
    let out = 0;
    let inn = 0;
    if (!initial.eligible[b]) out = pos(c0 - c1);
    else {
      if (goals.replicaCount) {
        out = dropAbove(c0, c1, targets.countMaxOf(b));
        inn = dropBelow(c0, c1, targets.countMinOf(b));
      }
      if (goals.topicSpread) {
        let tOut = 0;
        let tIn = 0;
        for (let t = 0; t < T; t++) {
          const i = t * B + b;
          tOut += dropAbove(initial.topicCount[i]!, final.topicCount[i]!, targets.topicMaxOf(t, b));
          tIn += dropBelow(initial.topicCount[i]!, final.topicCount[i]!, targets.topicMinOf(t, b));
        }
        out = Math.max(out, tOut);
        inn = Math.max(inn, tIn);
      }
      for (const m of measures) {
        const shed = dropAbove(m.before[b]!, m.after[b]!, m.high[b]!);
        const gain = dropBelow(m.before[b]!, m.after[b]!, m.low[b]!);
        if (m.isBytes) {
          diskShed += shed;
          diskGain += gain;
        }
        const mine = Float64Array.from(initial.partitionsOn(b), (p) => m.perReplica[p]!).sort().reverse();
        out = Math.max(out, fewestToReach(mine, shed));
        inn = Math.max(inn, fewestToReach(m.allDesc, gain));
      }
    }
    // Replica counts may end only so far from where they are (within the band, or no further off it
    // than the plan leaves them): what a broker gains beyond that it must also lose, and vice versa.
    const [lo, hi] = countRange(initial, final, targets, b, goals.replicaCount);
    out = Math.max(out, inn - (hi - c0));
    inn = Math.max(inn, out + (lo - c0));
    removals[b] = out;
    additions += inn;
    removalBytes += smallestSizes(initial, b, out);
  }

  const H = initial.hostNames.length;
  const hostNeed = new Float64Array(H);
  for (let b = 0; b < B; b++) hostNeed[initial.hostIndexOf(b)]! += removals[b]!;
  const hostForced = new Float64Array(H);
  const rackForced = new Float64Array(initial.rackNames.length);
  let partitionBytes = 0;
  for (let p = 0; p < initial.partitionCount; p++) {
    const relocated = forced(initial, final, targets, p, goals.rackSpread, hostForced, rackForced);
    partitionBytes += relocated * initial.sizeOf(p);
  }
  const rackNeed = new Float64Array(initial.rackNames.length);
  const rackOfHost = new Int32Array(H);
  for (let b = 0; b < B; b++) rackOfHost[initial.hostIndexOf(b)] = initial.rackIndexOf(b);
  for (let h = 0; h < H; h++) rackNeed[rackOfHost[h]!]! += Math.max(hostNeed[h]!, hostForced[h]!);
  let moves = 0;
  for (let r = 0; r < rackNeed.length; r++) moves += Math.max(rackNeed[r]!, rackForced[r]!);
  const movesBound = Math.round(Math.max(moves, additions));
  // Every move copies one replica, and none is smaller than the smallest partition.
  let smallest = Infinity;
  for (let p = 0; p < initial.partitionCount; p++) smallest = Math.min(smallest, initial.sizeOf(p));
  const perMove = Number.isFinite(smallest) ? movesBound * smallest : 0;
  const combinatorial = { moves: movesBound, bytesMoved: Math.max(removalBytes, partitionBytes, diskShed, diskGain, perMove) };
  const relaxation = relaxationBound(initial, final, targets, goals);
  return {
    moves: Math.max(combinatorial.moves, relaxation.moves),
    bytesMoved: Math.max(combinatorial.bytesMoved, relaxation.bytesMoved),
    combinatorial,
    relaxation,
  };
}

/** The transport relaxation's bound on moves and on bytes: exact LP when small, else its Lagrangian dual. */
function relaxationBound(initial: PlacementState, final: PlacementState, targets: Targets, goals: BoundGoals): RelaxationBound {
  // The bytes relaxation gets half the dual's budget: on every benchmark shape it ends far below the
  // counting bound on bytes (4% to 40% of it), while the moves relaxation decides the bound on some
  // (dead-200, 2.8M).
  const solve = (bytes: boolean, upper: number): TransportOutcome => {
    const m = transportModel(initial, final, targets, goals, bytes);
    const lp = solveTransportLp(m);
    return lp.status === "too-large" ? transportDualBound(m, { upper, effort: bytes ? 0.5 : 1 }) : lp;
  };
  const moves = solve(false, final.moves);
  const bytes = solve(true, final.bytesMoved);
  const value = (o: TransportOutcome): number => (o.status === "optimal" || o.status === "bound" ? o.value : 0);
  const exact = (o: TransportOutcome): boolean => o.status === "optimal";
  const method = moves.status === "optimal" || moves.status === "bound" ? moves.method : "dual";
  const iterations = moves.status === "optimal" || moves.status === "bound" ? moves.iterations : 0;
  return {
    // the relaxation's optimum is integral, so a bound on it rounds up
    moves: Math.max(0, Math.ceil(value(moves) - 1e-6)),
    bytesMoved: value(bytes),
    method,
    exact: exact(moves),
    iterations,
  };
}

/** The replica counts broker b may end with in a plan at least as balanced as `final`. */
export function countRange(initial: PlacementState, final: PlacementState, targets: Targets, b: number, counted: boolean): [number, number] {
  const c1 = final.countOf(b);
  if (!initial.eligible[b]) return [0, c1];
  if (!counted) return [0, Infinity];
  const min = targets.countMinOf(b);
  const max = targets.countMaxOf(b);
  return [min - pos(min - c1), max + pos(c1 - max)];
}

/** Sum of the `k` smallest replica sizes on broker b. */
function smallestSizes(state: PlacementState, b: number, k: number): number {
  if (k <= 0) return 0;
  const sizes = Float64Array.from(state.partitionsOn(b), (p) => state.sizeOf(p)).sort();
  let s = 0;
  for (let i = 0; i < Math.min(k, sizes.length); i++) s += sizes[i]!;
  return s;
}

/** A broker of partition p on host h (hosts nest in racks, so any one gives the rack). */
function hostBroker(state: PlacementState, p: number, h: number): number {
  const o = state.offsetOf(p);
  for (let i = 0; i < state.rfOf(p); i++) if (state.hostOf[state.replicas[o + i]!] === h) return state.replicas[o + i]!;
  return -1;
}

interface Crowding {
  /** Replicas of the partition in the group. */
  readonly count: number;
  /** Of those, on dead or excluded brokers. */
  readonly bad: number;
}

/** Replicas of p per key (host or rack), with how many sit on ineligible brokers. */
function crowding(state: PlacementState, p: number, keyOf: Int32Array): Map<number, Crowding> {
  const out = new Map<number, Crowding>();
  const o = state.offsetOf(p);
  for (let i = 0; i < state.rfOf(p); i++) {
    const b = state.replicas[o + i]!;
    const k = keyOf[b]!;
    const c = out.get(k) ?? { count: 0, bad: 0 };
    out.set(k, { count: c.count + 1, bad: c.bad + (state.eligible[b] ? 0 : 1) });
  }
  return out;
}

/**
 * Adds, per host and rack, the replicas of partition p that must have left it to get from `initial`
 * to `final`'s spread; returns how many of p's replicas must have been relocated at least.
 */
function forced(
  initial: PlacementState,
  final: PlacementState,
  targets: Targets,
  p: number,
  rackSpread: boolean,
  hostForced: Float64Array,
  rackForced: Float64Array,
): number {
  const rule = targets.rule(initial.rfOf(p));
  const hostLimit = rackSpread && rule?.hostRule ? 1 : Infinity;
  const rackLimit = rackSpread && rule ? rule.maxPerRack : Infinity;
  const must = (key: number, before: Map<number, Crowding>, after: Map<number, Crowding>, limit: number): number => {
    const b0 = before.get(key) ?? { count: 0, bad: 0 };
    const b1 = after.get(key) ?? { count: 0, bad: 0 };
    return Math.max(pos(b0.bad - b1.bad), dropAbove(b0.count, b1.count, limit));
  };
  const h0 = crowding(initial, p, initial.hostOf);
  const h1 = crowding(final, p, final.hostOf);
  // Within a rack, the partition's replicas that must leave their hosts all leave brokers of that rack.
  const hostMustInRack = new Map<number, number>();
  for (const h of h0.keys()) {
    const m = must(h, h0, h1, hostLimit);
    hostForced[h]! += m;
    const r = initial.rackIndexOf(hostBroker(initial, p, h));
    hostMustInRack.set(r, (hostMustInRack.get(r) ?? 0) + m);
  }
  const r0 = crowding(initial, p, initial.rackOf);
  const r1 = crowding(final, p, final.rackOf);
  let relocated = 0;
  for (const r of r0.keys()) {
    const m = Math.max(must(r, r0, r1, rackLimit), hostMustInRack.get(r) ?? 0);
    rackForced[r]! += m;
    relocated += m;
  }
  return relocated;
}

/** The transport relaxation of "reach at least `final`'s balance from `initial`" (see transport.ts). */
export function transportModel(initial: PlacementState, final: PlacementState, targets: Targets, goals: BoundGoals, bytes: boolean): TransportModel {
  const B = initial.brokerCount;
  const T = initial.topicNames.length;
  const current = new Int32Array(T * B);
  const lo = new Int32Array(T * B);
  const hi = new Int32Array(T * B);
  const totals = new Float64Array(T);
  const weight = new Float64Array(T).fill(bytes ? Infinity : 1);
  if (bytes) for (let p = 0; p < initial.partitionCount; p++) weight[initial.topicIndexOf(p)] = Math.min(weight[initial.topicIndexOf(p)]!, initial.sizeOf(p));
  for (let t = 0; t < T; t++) {
    if (!Number.isFinite(weight[t]!)) weight[t] = 0;
    for (let b = 0; b < B; b++) {
      const i = t * B + b;
      const x1 = final.topicCount[i]!;
      current[i] = initial.topicCount[i]!;
      totals[t]! += x1;
      if (!initial.eligible[b]) {
        hi[i] = x1;
      } else if (goals.topicSpread) {
        lo[i] = Math.min(targets.topicMinOf(t, b), x1);
        hi[i] = Math.max(targets.topicMaxOf(t, b), x1);
      } else {
        hi[i] = -1; // unbounded: filled in below once the topic's total is known
      }
    }
    for (let b = 0; b < B; b++) if (hi[t * B + b] === -1) hi[t * B + b] = totals[t]!;
  }
  const brokerLo = new Float64Array(B);
  const brokerHi = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const [l, h] = countRange(initial, final, targets, b, goals.replicaCount);
    brokerLo[b] = l;
    brokerHi[b] = Number.isFinite(h) ? h : initial.partitionCount;
  }
  const racks = goals.rackSpread ? transportRacks(initial, final, targets) : undefined;
  return { topics: T, brokers: B, current, lo, hi, totals, brokerLo, brokerHi, weight, ...(racks ? { racks } : {}) };
}

/**
 * Each topic's replicas per rack, summed over its partitions: the rack rule's range for the partition
 * there, widened to where `final` leaves it (a plan at least as balanced breaks the rule no more).
 * Left out where every broker is its own rack: then the rule only repeats the cells' own bounds.
 */
function transportRacks(initial: PlacementState, final: PlacementState, targets: Targets): TransportRacks | undefined {
  const B = initial.brokerCount;
  const R = initial.rackNames.length;
  if (R >= B) return undefined;
  const T = initial.topicNames.length;
  const lo = new Float64Array(T * R);
  const hi = new Float64Array(T * R);
  const had = new Int32Array(R);
  for (let p = 0; p < initial.partitionCount; p++) {
    const rf = initial.rfOf(p);
    if (final.rf[p] !== rf) return undefined; // replication factors changed: no rack rows
    const rule = targets.rule(rf);
    const base = initial.topicIndexOf(p) * R;
    had.fill(0);
    for (let s = 0; s < rf; s++) had[final.rackIndexOf(final.brokerAt(p, s))]!++;
    for (let r = 0; r < R; r++) {
      lo[base + r]! += rule ? Math.min(rule.lo[r]!, had[r]!) : 0;
      hi[base + r]! += rule ? Math.max(rule.hi[r]!, had[r]!) : rf;
    }
  }
  return { count: R, of: Int32Array.from(initial.rackOf), lo, hi };
}
