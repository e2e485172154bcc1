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
 * and minimises the replicas added to partitions (moves), then the bytes they carry. Its optimum is the
 * fewest moves any plan reaching that balance can make: the heuristic's plan is one such plan, so the
 * optimum is never above it, and every lower bound must stay at or below the optimum.
 * Leadership (the order within a partition) is not part of the program; the optimizer reorders after.
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
      readonly best?: { readonly sets: readonly (readonly number[])[]; readonly moves: number };
    }
  | { readonly status: "infeasible" };

/** How many variables the program for this state would have. */
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
  // Moves first, bytes second: all bytes together weigh less than one move.
  const byteWeight = largest > 0 ? 0.5 / ((replicas + 1) * largest) : 0;
  // The load bands (disk, network in) the bound counts, each scaled by its largest partition.
  const loads = loadMeasures(initial, final, targets, goals).map((m) => ({ m, unit: (m.allDesc[0] ?? 0) > 0 ? m.allDesc[0]! : 1 }));

  const rows = new Rows();
  const columns: MipColumn[] = [];
  const owner: [number, number][] = [];
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
  for (let p = 0; p < P; p++) {
    const rf = initial.rf[p]!;
    const partitionRow = rows.row(`p${String(p)}`, { min: rf, max: rf });
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
      owner.push([p, b]);
      partitionRow.push([j, 1]);
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
  const placement = (values: Float64Array): { sets: number[][]; moves: number } | null => {
    const sets: number[][] = Array.from({ length: P }, () => []);
    let moves = 0;
    owner.forEach(([p, b], j) => {
      if (values[j]! > 0.5) {
        sets[p]!.push(b);
        if (!initial.wasOriginally(p, b)) moves++;
      }
    });
    for (let p = 0; p < P; p++) if (sets[p]!.length !== initial.rf[p]) return null;
    return { sets, moves };
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
 * bytes term, which is at least 0 and below 0.5 (byteWeight), so moves > objective − 0.5; the
 * margin absorbs the solver's tolerances.
 */
export function movesAtLeast(objectiveBound: number): number {
  const margin = 1e-6 * Math.max(1, Math.abs(objectiveBound));
  return Math.max(0, Math.floor(objectiveBound - 0.5 - margin) + 1);
}

/** Moves `state` (the initial placement) to the given replica sets, keeping replicas that stay in their slots. */
export function applySets(state: PlacementState, sets: readonly (readonly number[])[]): void {
  for (let p = 0; p < state.partitionCount; p++) {
    const want = sets[p]!;
    const incoming = want.filter((b) => state.slotOf(p, b) < 0);
    let next = 0;
    for (let s = 0; s < state.rf[p]!; s++) {
      if (want.includes(state.brokerAt(p, s))) continue;
      state.apply({ kind: "move", p, slot: s, to: incoming[next++]! });
    }
  }
}
