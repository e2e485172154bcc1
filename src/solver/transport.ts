/**
 * The aggregated transport relaxation behind the planner's stronger lower bound.
 *
 * Forget partitions and keep only how many replicas of each topic sit on each broker: x[t][b], with
 * the current count c[t][b]. Any plan at least as balanced as a given one ends with
 *   lo[t][b] <= x[t][b] <= hi[t][b]          (the topic's band on that broker, or no worse than the plan)
 *   sum_b x[t][b] = N[t]                      (the topic's replicas once the plan is applied)
 *   L[b] <= sum_t x[t][b] <= U[b]             (the broker's replica-count band, likewise)
 *   rlo[t][r] <= sum_{b in r} x[t][b] <= rhi[t][r]   (the rack rule, summed over the topic's partitions)
 * and adds at least sum w[t] * max(0, x[t][b] - c[t][b]) replicas — with w = 1 that counts replica
 * moves, with w[t] = the topic's smallest partition it counts bytes. Minimising that over the constraints is a
 * linear program whose constraint matrix is a network matrix, so its optimum is integral and no plan
 * can do better: a lower bound that sees how topic and count balance compete (a topic fix on a broker
 * pinned to its count band costs a swap, two moves), which per-broker bounds cannot.
 *
 * Two ways to solve it:
 *  - `solveTransportLp`: javascript-lp-solver's simplex on the model itself — exact, for small models
 *    (its dense tableau grows with cells squared).
 *  - `transportDualBound`: Lagrangian relaxation of the broker-band rows. For any prices λ[b] the
 *    problem splits into one small problem per topic, solved exactly by taking the cheapest units
 *    first, and its value is a valid lower bound (weak duality); subgradient steps raise it towards
 *    the LP optimum. Every iterate is a certificate, so stopping early only makes the bound weaker.
 * Both are pure and deterministic.
 */
import { javascriptLpSolver, type MipColumn, type MipRow } from "./lp.js";

export interface TransportModel {
  readonly topics: number;
  readonly brokers: number;
  /** Current replicas per cell, t * brokers + b. */
  readonly current: Int32Array;
  /** Replicas per topic once the plan is applied (the current total unless replication factors change). */
  readonly totals: Float64Array;
  /** Allowed final replicas per cell. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Allowed final replica count per broker. */
  readonly brokerLo: Float64Array;
  readonly brokerHi: Float64Array;
  /** Cost of adding one replica of topic t to a broker. */
  readonly weight: Float64Array;
  /**
   * Where racks constrain the topic: its replicas per rack, t * count + r, between lo and hi (the rack
   * rule summed over the topic's partitions). Racks nest brokers, so the program stays a network.
   */
  readonly racks?: TransportRacks;
}

export interface TransportRacks {
  readonly count: number;
  /** Rack of each broker. */
  readonly of: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

export type TransportOutcome =
  | { readonly status: "optimal"; readonly value: number; readonly method: "lp" | "dual"; readonly iterations: number }
  /** A valid lower bound, possibly below the LP optimum. */
  | { readonly status: "bound"; readonly value: number; readonly method: "dual"; readonly iterations: number }
  | { readonly status: "infeasible" }
  | { readonly status: "too-large"; readonly cells: number; readonly limit: number };

/** Cells (topic × broker pairs with something to decide) the simplex is given at most. */
export const LP_CELL_LIMIT = 400;

/** Exact LP optimum with javascript-lp-solver, for small models. */
export function solveTransportLp(m: TransportModel): TransportOutcome {
  const B = m.brokers;
  let cells = 0;
  for (let i = 0; i < m.current.length; i++) if (m.hi[i]! > 0 || m.current[i]! > 0) cells++;
  if (cells > LP_CELL_LIMIT) return { status: "too-large", cells, limit: LP_CELL_LIMIT };
  // x = kept + added per cell: up to the current count a replica stays put for free, beyond it it is added.
  const columns: MipColumn[] = [];
  const topicRows: [number, number][][] = Array.from({ length: m.topics }, () => []);
  const brokerRows: [number, number][][] = Array.from({ length: B }, () => []);
  const rackRows = m.racks ? Array.from({ length: m.topics * m.racks.count }, (): [number, number][] => []) : undefined;
  const rows: MipRow[] = [];
  for (let t = 0; t < m.topics; t++) {
    for (let b = 0; b < B; b++) {
      const i = t * B + b;
      const c = m.current[i]!;
      if (m.hi[i]! <= 0 && c <= 0) continue;
      const cell: [number, number][] = [];
      const add = (column: MipColumn): void => {
        const j = columns.push(column) - 1;
        cell.push([j, 1]);
        topicRows[t]!.push([j, 1]);
        brokerRows[b]!.push([j, 1]);
      };
      if (c > 0) add({ cost: 0, binary: false, upper: c });
      add({ cost: m.weight[t]!, binary: false });
      rows.push({ terms: cell, min: m.lo[i]!, max: m.hi[i]! });
      if (rackRows) rackRows[t * m.racks!.count + m.racks!.of[b]!]!.push(...cell);
    }
  }
  if (rackRows) rackRows.forEach((terms, k) => rows.push({ terms, min: m.racks!.lo[k]!, max: m.racks!.hi[k]! }));
  for (let t = 0; t < m.topics; t++) rows.push({ terms: topicRows[t]!, min: m.totals[t]!, max: m.totals[t]! });
  for (let b = 0; b < B; b++) rows.push({ terms: brokerRows[b]!, min: m.brokerLo[b]!, max: m.brokerHi[b]! });
  const result = javascriptLpSolver.solve({ columns, rows });
  if (result.status !== "optimal") return { status: "infeasible" };
  return { status: "optimal", value: Math.max(0, result.value), method: "lp", iterations: 0 };
}

/**
 * Subgradient iterations: at most MAX_ITERATIONS, and on large models as many as CELL_WORK cell visits
 * allow (each iteration visits every topic × broker cell), but never fewer than MIN_ITERATIONS. Every
 * iterate is a valid bound, so stopping early only gives a weaker one; the cap depends on the model's
 * size alone, so the bound stays deterministic.
 */
const MAX_ITERATIONS = 300;
const MIN_ITERATIONS = 20;
const CELL_WORK = 40_000_000;

/** Per cell, the units a topic's subproblem can take beyond the lower end: kept, and added. */
interface Units {
  readonly keep: Int32Array;
  readonly add: Int32Array;
}

/** Both are whole numbers of replicas, kept as 32-bit integers: half the memory each iteration reads. */
function unitsOf(m: TransportModel): Units {
  const n = m.lo.length;
  const keep = new Int32Array(n);
  const add = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    keep[i] = keepQty(m, i);
    add[i] = m.hi[i]! - m.lo[i]! - keep[i]!;
  }
  return { keep, add };
}

export interface DualOptions {
  /** A plan's cost: the bound can never exceed it, and it steers the step length. */
  readonly upper: number;
  /** Subgradient iterations at most. */
  readonly maxIterations?: number;
  /** Share of the cell-visit budget (CELL_WORK) to spend when maxIterations is not given; default 1. */
  readonly effort?: number;
}

/**
 * Lagrangian lower bound: prices λ[b] on the broker-band rows, one greedy subproblem per topic.
 * Returns the best bound seen (already valid at λ = 0, where it is the per-topic bound alone).
 */
export function transportDualBound(m: TransportModel, options: DualOptions): TransportOutcome {
  const B = m.brokers;
  const T = m.topics;
  const totals = m.totals;
  for (let t = 0; t < T; t++) {
    let lo = 0;
    let hi = 0;
    for (let b = 0; b < B; b++) {
      lo += m.lo[t * B + b]!;
      hi += m.hi[t * B + b]!;
    }
    if (lo > totals[t]! || hi < totals[t]!) return { status: "infeasible" };
    if (m.racks) {
      const R = m.racks.count;
      let rlo = 0;
      let rhi = 0;
      for (let r = 0; r < R; r++) {
        rlo += m.racks.lo[t * R + r]!;
        rhi += m.racks.hi[t * R + r]!;
      }
      if (rlo > totals[t]! || rhi < totals[t]!) return { status: "infeasible" };
    }
  }
  const lambda = new Float64Array(B);
  const load = new Float64Array(B);
  const grad = new Float64Array(B);
  const order = Int32Array.from({ length: B }, (_, b) => b);
  const units = unitsOf(m);
  const work = CELL_WORK * (options.effort ?? 1);
  const maxIterations = options.maxIterations ?? Math.max(MIN_ITERATIONS, Math.min(MAX_ITERATIONS, Math.floor(work / Math.max(1, B * T))));
  let best = -Infinity;
  let theta = 1;
  let sinceBest = 0;
  let iterations = 0;
  // A topic takes at most two runs (kept, added) per broker in each of the two steps. A model without
  // rack rows is one rack that bounds nothing.
  const racks = m.racks ?? { count: 1, of: new Int32Array(B), lo: new Float64Array(T), hi: new Float64Array(T).fill(Infinity) };
  const scratch = new RackScratch(racks, B, 4 * B);
  const lower = lowerEndsOf(m, racks);
  for (; iterations < maxIterations; iterations++) {
    const value = evaluate(m, units, lower, lambda, order, load, scratch);
    if (value > best + 1e-9) {
      best = value;
      sinceBest = 0;
    } else if (++sinceBest >= 10) {
      theta /= 2;
      sinceBest = 0;
    }
    let norm = 0;
    for (let b = 0; b < B; b++) {
      const lo = m.brokerLo[b]!;
      const hi = m.brokerHi[b]!;
      const x = load[b]!;
      const l = lambda[b]!;
      // Supergradient of the dual at λ: the band row's violation by the subproblems' loads.
      const g = l > 0 ? x - hi : l < 0 ? x - lo : x > hi ? x - hi : x < lo ? x - lo : 0;
      grad[b] = g;
      norm += g * g;
    }
    if (norm === 0) return { status: "optimal", value: Math.max(0, best), method: "dual", iterations: iterations + 1 };
    if (best >= options.upper - 1e-9 || theta < 1e-4) break;
    const step = (theta * Math.max(options.upper - value, 1e-3)) / norm;
    for (let b = 0; b < B; b++) lambda[b] = lambda[b]! + step * grad[b]!;
  }
  return { status: "bound", value: Math.max(0, Math.min(best, options.upper)), method: "dual", iterations };
}

/**
 * What every topic takes whatever the prices (its cells' lower ends), summed once instead of at every
 * evaluation: per broker and per (topic, rack) the replicas, per topic what is left to place, and the
 * cells with a lower end, each with its replicas and the cost of those beyond the current count.
 * Counts are whole numbers, so their sums are exact in any order.
 */
interface LowerEnds {
  readonly perBroker: Float64Array;
  /** t * racks + r. */
  readonly perRack: Float64Array;
  readonly need: Float64Array;
  /** Topic t's cells with a lower end are start[t] .. start[t + 1] - 1, in broker order. */
  readonly start: Int32Array;
  readonly broker: Int32Array;
  readonly count: Float64Array;
  /** w[t] × the replicas of the lower end beyond the current count. */
  readonly added: Float64Array;
}

function lowerEndsOf(m: TransportModel, racks: TransportRacks): LowerEnds {
  const B = m.brokers;
  const R = racks.count;
  const perBroker = new Float64Array(B);
  const perRack = new Float64Array(m.topics * R);
  const need = Float64Array.from(m.totals);
  const start = new Int32Array(m.topics + 1);
  let cells = 0;
  for (let i = 0; i < m.lo.length; i++) if (m.lo[i] !== 0) cells++;
  const broker = new Int32Array(cells);
  const count = new Float64Array(cells);
  const added = new Float64Array(cells);
  let k = 0;
  for (let t = 0; t < m.topics; t++) {
    start[t] = k;
    const w = m.weight[t]!;
    for (let b = 0; b < B; b++) {
      const lo = m.lo[t * B + b]!;
      if (lo === 0) continue;
      need[t]! -= lo;
      perBroker[b]! += lo;
      perRack[t * R + racks.of[b]!]! += lo;
      broker[k] = b;
      count[k] = lo;
      added[k] = w * Math.max(0, lo - m.current[t * B + b]!);
      k++;
    }
  }
  start[m.topics] = k;
  return { perBroker, perRack, need, start, broker, count, added };
}

/** Per-evaluation work space of evaluate. */
class RackScratch {
  /** Brokers grouped by rack (rack r at start[r] .. start[r + 1] - 1), each group in price order. */
  readonly grouped: Int32Array;
  readonly start: Int32Array;
  readonly inRack: Float64Array;
  readonly usedKeep: Float64Array;
  readonly usedAdd: Float64Array;
  /** Units each rack may still take in step 2. */
  readonly room: Float64Array;
  /** Brokers whose used units to clear after a topic (one entry per unit run taken). */
  readonly touched: Int32Array;

  constructor(readonly racks: TransportRacks, brokers: number, maxRuns: number) {
    this.grouped = new Int32Array(brokers);
    this.start = new Int32Array(racks.count + 1);
    for (let b = 0; b < brokers; b++) this.start[racks.of[b]! + 1]!++;
    for (let r = 0; r < racks.count; r++) this.start[r + 1]! += this.start[r]!;
    this.inRack = new Float64Array(racks.count);
    this.usedKeep = new Float64Array(brokers);
    this.usedAdd = new Float64Array(brokers);
    this.room = new Float64Array(racks.count);
    this.touched = new Int32Array(maxRuns);
  }

  /** Groups `order` (brokers by price) by rack, keeping the price order within each rack. */
  group(order: Int32Array): void {
    const next = this.start.slice(0, this.racks.count);
    for (const b of order) this.grouped[next[this.racks.of[b]!]!++] = b;
  }
}

/**
 * The dual function at λ. Each topic takes its cells' lower ends, then in every rack below its lower
 * end that rack's cheapest units, then the cheapest units anywhere in a rack not yet at its upper end,
 * until it holds its replicas: a unit up to the current count costs λ[b], one beyond it (an added
 * replica) λ[b] + w. Each rack's cost is convex in the units it takes (its units cheapest first), so
 * taking the cheapest marginal unit under the rack bounds solves the topic's subproblem exactly.
 * Fills `load` with the resulting per-broker counts.
 */
function evaluate(m: TransportModel, units: Units, lower: LowerEnds, lambda: Float64Array, order: Int32Array, load: Float64Array, x: RackScratch): number {
  const B = m.brokers;
  const { keep, add } = units;
  const R = x.racks.count;
  const rackOf = x.racks.of;
  const { inRack, usedKeep, usedAdd, grouped, start, room } = x;
  const rackLo = x.racks.lo;
  const rackHi = x.racks.hi;
  const runs = x.touched;
  byPrice(order, lambda);
  x.group(order);
  load.set(lower.perBroker);
  let value = 0;
  for (let b = 0; b < B; b++) {
    const l = lambda[b]!;
    value -= l > 0 ? l * m.brokerHi[b]! : l * m.brokerLo[b]!;
  }
  for (let t = 0; t < m.topics; t++) {
    const w = m.weight[t]!;
    const base = t * B;
    let need = lower.need[t]!;
    for (let r = 0; r < R; r++) inRack[r] = lower.perRack[t * R + r]!;
    // The lower ends' cost, added in broker order as ever (floating-point sums depend on the order).
    for (let k = lower.start[t]!, end = lower.start[t + 1]!; k < end; k++) value += lambda[lower.broker[k]!]! * lower.count[k]! + lower.added[k]!;
    // Step 1: every rack below its lower end takes its own cheapest units (never past its upper end,
    // which is at least the lower one). Racks hold disjoint brokers, so none of this rack's units is
    // used yet; a broker a pointer takes from is used up (or `want` is met), so the pointer moves on.
    let touched = 0;
    for (let r = 0; r < R; r++) {
      let want = Math.min(rackLo[t * R + r]! - inRack[r]!, need);
      let i = start[r]!;
      let j = i;
      const to = start[r + 1]!;
      while (want > 0) {
        // The first broker in price order with a kept (i) and an added (j) unit.
        while (i < to && keep[base + grouped[i]!]! <= 0) i++;
        while (j < to && add[base + grouped[j]!]! <= 0) j++;
        if (i >= to && j >= to) break;
        const useKeep = j >= to || (i < to && lambda[grouped[i]!]! <= lambda[grouped[j]!]! + w);
        const b = useKeep ? grouped[i++]! : grouped[j++]!;
        const q = Math.min(want, useKeep ? keep[base + b]! : add[base + b]!);
        if (useKeep) usedKeep[b]! += q;
        else usedAdd[b]! += q;
        runs[touched++] = b;
        want -= q;
        need -= q;
        load[b]! += q;
        inRack[r]! += q;
        value += q * (useKeep ? lambda[b]! : lambda[b]! + w);
      }
    }
    // Step 2: the cheapest units anywhere, each rack up to its upper end.
    for (let r = 0; r < R; r++) room[r] = rackHi[t * R + r]! - inRack[r]!;
    let i = 0;
    let j = 0;
    while (need > 0) {
      for (; i < B; i++) {
        const g = order[i]!;
        if (keep[base + g]! - usedKeep[g]! > 0 && room[rackOf[g]!]! > 0) break;
      }
      for (; j < B; j++) {
        const g = order[j]!;
        if (add[base + g]! - usedAdd[g]! > 0 && room[rackOf[g]!]! > 0) break;
      }
      if (i >= B && j >= B) break;
      const useKeep = j >= B || (i < B && lambda[order[i]!]! <= lambda[order[j]!]! + w);
      const b = useKeep ? order[i]! : order[j]!;
      const r = rackOf[b]!;
      const q = Math.min(need, room[r]!, useKeep ? keep[base + b]! - usedKeep[b]! : add[base + b]! - usedAdd[b]!);
      if (useKeep) usedKeep[b]! += q;
      else usedAdd[b]! += q;
      runs[touched++] = b;
      need -= q;
      room[r]! -= q;
      load[b]! += q;
      value += q * (useKeep ? lambda[b]! : lambda[b]! + w);
    }
    for (let k = 0; k < touched; k++) {
      usedKeep[runs[k]!] = 0;
      usedAdd[runs[k]!] = 0;
    }
  }
  return value;
}

/**
 * Sorts `order` (a permutation of the brokers) by price, ties by broker: an insertion sort, as the
 * order of the previous evaluation is nearly that of this one (the prices move a step at a time).
 */
export function byPrice(order: Int32Array, lambda: Float64Array): void {
  for (let k = 1; k < order.length; k++) {
    const b = order[k]!;
    const l = lambda[b]!;
    let j = k - 1;
    for (; j >= 0; j--) {
      const c = order[j]!;
      const lc = lambda[c]!;
      if (lc < l || (lc === l && c < b)) break;
      order[j + 1] = c;
    }
    order[j + 1] = b;
  }
}

/** Units between the cell's lower end and min(current, upper end): replicas that may stay. */
function keepQty(m: TransportModel, i: number): number {
  return Math.max(0, Math.min(m.current[i]!, m.hi[i]!) - m.lo[i]!);
}

