/**
 * `--exact`: the placement as an integer program, solved to optimality by javascript-lp-solver's
 * branch and bound, for small clusters.
 *
 * One 0/1 variable per partition and broker that may hold it. The program asks for at least the
 * balance a given plan (the heuristic's) reaches, measure by measure, exactly as the lower bound does:
 *   - every partition keeps its replication factor; the rack and host rules hold per partition (or are
 *     broken no more than in the given plan);
 *   - each broker's replica count, each (topic, broker) count, each broker's disk use and network in
 *     end in their bands, or no further from them than in the given plan;
 *   - dead and excluded brokers keep no replica the given plan moved off them; excluded topics keep
 *     their replicas on eligible brokers;
 *   - when a leadership goal is on (leader, network out, leader bytes): one more 0/1 column per
 *     partition and broker, "this broker leads the partition" (only where it holds a replica, one
 *     leader per partition, an excluded topic's leader kept); each broker's leader count, network out
 *     and leader bytes end in their bands or no further from them than in the given plan. The leaders
 *     it picks are where the optimizer's reordering starts;
 * and minimises the replicas added to partitions (moves), then the bytes they carry. Its optimum is the
 * fewest moves any plan reaching that balance can make: the heuristic's plan is one such plan, so the
 * optimum is never above it, and every lower bound must stay at or below the optimum.
 * Leadership costs nothing here (it moves no data); the optimizer reorders after, from the program's leaders.
 */
import type { BoundGoals } from "./bounds.js";
import { countRange, loadMeasures } from "./bounds.js";
import { javascriptLpSolver, type MipColumn, type MipLimits, type MipModel, type MipSolver } from "./lp.js";
import type { PlacementState } from "./state.js";
import type { Targets } from "./targets.js";

export type ExactOutcome =
  | {
      readonly status: "optimal";
      /** Per partition, the brokers (state indexes, ascending) that hold it in the optimal placement. */
      readonly sets: readonly (readonly number[])[];
      /** Per partition, the broker the program makes its leader, when leadership is in the program. */
      readonly leaders?: readonly number[];
      readonly moves: number;
    }
  | { readonly status: "too-large"; readonly variables: number; readonly limit: number }
  /**
   * The solver stopped (at its limits) before proving optimality. `bound`, when it has one: no
   * placement reaching that balance makes fewer moves. `best`: the best placement it found, if any.
   */
  | {
      readonly status: "stopped";
      readonly reason: string;
      readonly bound?: number;
      readonly best?: ExactPlacement;
    }
  | { readonly status: "infeasible" };

/** Whether the program for these goals has leadership columns: leader counts, network out or leader bytes is on. */
export function modelsLeadership(goals: BoundGoals): boolean {
  return goals.leader || goals.networkOut || goals.leaderBytes;
}

/** A placement the program found: replica sets, optionally leaders, and its moves. */
export interface ExactPlacement {
  readonly sets: readonly (readonly number[])[];
  readonly leaders?: readonly number[];
  readonly moves: number;
}

/**
 * How many partition-broker pairs the program for this state has: its 0/1 columns, or half of them
 * when leadership is in the program (a second column per pair).
 */
export function exactSize(state: PlacementState): number {
  let n = 0;
  for (let p = 0; p < state.partitionCount; p++) n += candidates(state, p).length;
  return n;
}

/**
 * Brokers partition p may end on: any eligible broker (an excluded topic's only where it is, unless a
 * replica sits on a dead or excluded broker), plus ineligible brokers it is on.
 */
function candidates(state: PlacementState, p: number): number[] {
  // An excluded topic's partition stays where it is, unless a replica sits on a dead or excluded broker.
  let open = !state.frozen[p];
  for (let s = 0; s < state.rf[p]! && !open; s++) open = !state.eligible[state.brokerAt(p, s)];
  const out: number[] = [];
  for (let b = 0; b < state.brokerCount; b++) {
    if (state.wasOriginally(p, b) || (state.eligible[b] && open)) out.push(b);
  }
  return out;
}

const slack = (x: number): number => 1e-9 * Math.max(1, Math.abs(x));

/** Rows of the program, by name while it is built. */
class Rows {
  private readonly index = new Map<string, number>();
  readonly rows: { terms: [number, number][]; min?: number; max?: number }[] = [];

  /** The row named `key`, created with the given range the first time. */
  row(key: string, range: { min?: number; max?: number }): [number, number][] {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.rows.push({ terms: [], ...range }) - 1;
      this.index.set(key, i);
    }
    return this.rows[i]!.terms;
  }
}

/** The fewest-move placement at least as balanced as `final`, starting from `initial`. */
export function solveExact(
  initial: PlacementState,
  final: PlacementState,
  targets: Targets,
  goals: BoundGoals,
  solver: MipSolver = javascriptLpSolver,
  limits: MipLimits = {},
): ExactOutcome {
  const size = exactSize(initial);
  if (size > solver.maxBinaryColumns) return { status: "too-large", variables: size, limit: solver.maxBinaryColumns };
  const B = initial.brokerCount;
  const P = initial.partitionCount;
  let replicas = 0;
  let largest = 0;
  for (let p = 0; p < P; p++) {
    replicas += initial.rf[p]!;
    largest = Math.max(largest, initial.size[p]!);
  }
  const leading = modelsLeadership(goals);
  // Moves first; bytes (and, with leadership in the program, leadership changes) second: together
  // they weigh less than one move.
  const secondary = leading ? 0.25 : 0.5;
  const byteWeight = largest > 0 ? secondary / ((replicas + 1) * largest) : 0;
  const changeWeight = secondary / (P + 1);
  // The load bands (disk, network in) the bound counts, each scaled by its largest partition.
  const loads = loadMeasures(initial, final, targets, goals).map((m) => ({ m, unit: (m.allDesc[0] ?? 0) > 0 ? m.allDesc[0]! : 1 }));

  const leadLoads = [
    ...(goals.networkOut ? [{ per: initial.leaderOut, after: final.netOut, band: targets.load.networkOut }] : []),
    ...(goals.leaderBytes ? [{ per: initial.bytesIn, after: final.leaderBytes, band: targets.load.leaderBytes }] : []),
  ].map((l) => ({ ...l, unit: Math.max(0, ...l.per) || 1 }));

  const rows = new Rows();
  const columns: MipColumn[] = [];
  /** The 0/1 columns: [column, partition, broker]. */
  const owner: [number, number, number][] = [];
  /** The leadership columns: [column, partition, broker]. */
  const leadOwner: [number, number, number][] = [];
  const countRow = (b: number): [number, number][] => {
    const [lo, hi] = countRange(initial, final, targets, b, goals.replicaCount);
    return rows.row(`n${String(b)}`, Number.isFinite(hi) ? { min: lo, max: hi } : { min: lo });
  };
  const loadRow = (k: number, b: number): [number, number][] => {
    const { m, unit } = loads[k]!;
    const x = m.after[b]! / unit;
    const low = Math.min(m.low[b]! / unit, x);
    const high = Math.max(m.high[b]! / unit, x);
    return rows.row(`l${String(k)}_${String(b)}`, { min: low - slack(low), max: high + slack(high) });
  };
  const topicRow = (t: number, b: number): [number, number][] => {
    const x = final.topicCount[t * B + b]!;
    return rows.row(`t${String(t)}_${String(b)}`, { min: Math.min(targets.topicMinOf(t, b), x), max: Math.max(targets.topicMaxOf(t, b), x) });
  };
  const leaderRow = (b: number): [number, number][] => {
    const x = final.leaders[b]!;
    return rows.row(`L${String(b)}`, { min: Math.min(targets.leaderMin, x), max: Math.max(targets.leaderMax, x) });
  };
  const leadLoadRow = (k: number, b: number): [number, number][] => {
    const { after, band, unit } = leadLoads[k]!;
    const x = after[b]! / unit;
    const low = Math.min(band.low[b]! / unit, x);
    const high = Math.max(band.high[b]! / unit, x);
    return rows.row(`o${String(k)}_${String(b)}`, { min: low - slack(low), max: high + slack(high) });
  };
  for (let p = 0; p < P; p++) {
    const rf = initial.rf[p]!;
    const partitionRow = rows.row(`p${String(p)}`, { min: rf, max: rf });
    const leaderOfRow = leading ? rows.row(`a${String(p)}`, { min: 1, max: 1 }) : null;
    const rule = goals.rackSpread ? targets.rule(rf) : null;
    const rackCount = new Map<number, number>();
    const hostCount = new Map<number, number>();
    for (let s = 0; s < rf; s++) {
      const b = final.brokerAt(p, s);
      rackCount.set(final.rackOf[b]!, (rackCount.get(final.rackOf[b]!) ?? 0) + 1);
      hostCount.set(final.hostOf[b]!, (hostCount.get(final.hostOf[b]!) ?? 0) + 1);
    }
    for (const b of candidates(initial, p)) {
      const kept = initial.wasOriginally(p, b);
      const j = columns.push({ cost: kept ? 0 : 1 + byteWeight * initial.size[p]!, binary: true }) - 1;
      owner.push([j, p, b]);
      partitionRow.push([j, 1]);
      if (leaderOfRow) {
        // b leads p only if it holds p; an excluded topic keeps its leader.
        // A leadership change costs a little, so of equal placements the one closest to today's leaders wins.
        const k = columns.push({ cost: initial.brokerAt(p, 0) === b ? 0 : changeWeight, binary: true }) - 1;
        leadOwner.push([k, p, b]);
        leaderOfRow.push([k, 1]);
        rows.row(`y${String(k)}`, { max: 0 }).push([k, 1], [j, -1]);
        if (initial.frozen[p]) {
          // An excluded topic keeps its leader; when that broker must be left, a newcomer takes its slot.
          const lead = initial.brokerAt(p, 0);
          if (initial.eligible[lead] && b === lead) rows.row(`g${String(k)}`, { min: 1, max: 1 }).push([k, 1]);
          else if (!initial.eligible[lead] && kept) rows.row(`g${String(k)}`, { max: 0 }).push([k, 1]);
        }
        if (initial.eligible[b]) {
          if (goals.leader) leaderRow(b).push([k, 1]);
          leadLoads.forEach(({ per, unit }, i) => leadLoadRow(i, b).push([k, per[p]! / unit]));
        }
      }
      countRow(b).push([j, 1]);
      if (initial.eligible[b]) {
        if (goals.topicSpread) topicRow(initial.topicOf[p]!, b).push([j, 1]);
        loads.forEach(({ m, unit }, k) => loadRow(k, b).push([j, m.perReplica[p]! / unit]));
      }
      if (rule) {
        const r = initial.rackOf[b]!;
        const had = rackCount.get(r) ?? 0;
        rows.row(`r${String(p)}_${String(r)}`, { min: Math.min(rule.lo[r]!, had), max: Math.max(rule.hi[r]!, had) }).push([j, 1]);
        if (rule.hostRule) {
          const h = initial.hostOf[b]!;
          rows.row(`h${String(p)}_${String(h)}`, { max: Math.max(1, hostCount.get(h) ?? 0) }).push([j, 1]);
        }
      }
      // An ineligible broker may keep the replica only where the given plan kept it; a frozen
      // partition keeps its replicas on eligible brokers.
      if (!initial.eligible[b] && final.slotOf(p, b) < 0) rows.row(`z${String(j)}`, { max: 0 }).push([j, 1]);
      if (initial.frozen[p] && initial.eligible[b] && kept) rows.row(`f${String(j)}`, { min: 1, max: 1 }).push([j, 1]);
    }
  }
  const model: MipModel = { columns, rows: rows.rows };
  const result = solver.solve(model, limits);
  const placement = (values: Float64Array): ExactPlacement | null => {
    const sets: number[][] = Array.from({ length: P }, () => []);
    let moves = 0;
    for (const [j, p, b] of owner) {
      if (values[j]! > 0.5) {
        sets[p]!.push(b);
        if (!initial.wasOriginally(p, b)) moves++;
      }
    }
    for (let p = 0; p < P; p++) if (sets[p]!.length !== initial.rf[p]) return null;
    if (!leading) return { sets, moves };
    // Each partition's leader: its replica with the largest leadership value (ties by broker index).
    const leaders = new Int32Array(P).fill(-1);
    const weight = new Float64Array(P).fill(-1);
    for (const [k, p, b] of leadOwner) {
      if (sets[p]!.includes(b) && values[k]! > weight[p]! + 1e-9) {
        leaders[p] = b;
        weight[p] = values[k]!;
      }
    }
    return { sets, leaders: Array.from(leaders), moves };
  };
  if (result.status === "stopped") {
    const best = result.best ? placement(result.best.values) : null;
    return {
      status: "stopped",
      reason: result.reason,
      ...(result.bound !== undefined ? { bound: movesAtLeast(result.bound) } : {}),
      ...(best ? { best } : {}),
    };
  }
  if (result.status !== "optimal") return { status: "infeasible" };
  const found = placement(result.values);
  return found ? { status: "optimal", ...found } : { status: "infeasible" };
}

/**
 * The fewest moves a proven lower bound on the objective allows. The objective is moves plus the
 * bytes and leadership-change terms, which are at least 0 and together below 0.5 (byteWeight,
 * changeWeight), so moves > objective − 0.5; the margin absorbs the solver's tolerances.
 */
export function movesAtLeast(objectiveBound: number): number {
  const margin = 1e-6 * Math.max(1, Math.abs(objectiveBound));
  return Math.max(0, Math.floor(objectiveBound - 0.5 - margin) + 1);
}

/**
 * Moves `state` (the initial placement) to the given replica sets, keeping replicas that stay in their
 * slots, then makes the given leaders (when there are) the preferred leaders; an excluded topic is not
 * reordered (its leader, or the newcomer in its leader's slot, is the program's choice already).
 */
export function applySets(state: PlacementState, placement: Pick<ExactPlacement, "sets" | "leaders">): void {
  const { sets, leaders } = placement;
  for (let p = 0; p < state.partitionCount; p++) {
    const want = sets[p]!;
    const lead = leaders?.[p] ?? -1;
    // The leader first among the newcomers: it takes the first slot freed, slot 0 when its broker goes.
    const incoming = want.filter((b) => state.slotOf(p, b) < 0).sort((a, b) => Number(b === lead) - Number(a === lead));
    let next = 0;
    for (let s = 0; s < state.rf[p]!; s++) {
      if (want.includes(state.brokerAt(p, s))) continue;
      state.apply({ kind: "move", p, slot: s, to: incoming[next++]! });
    }
    const slot = lead >= 0 && !state.frozen[p] ? state.slotOf(p, lead) : -1;
    if (slot > 0) state.apply({ kind: "lead", p, slot });
  }
}
