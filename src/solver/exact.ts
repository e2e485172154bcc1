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
  for (let s = 0; s < state.rfOf(p) && !open; s++) open = !state.eligible[state.brokerAt(p, s)];
  const out: number[] = [];
  for (let b = 0; b < state.brokerCount; b++) {
    if (state.wasOriginally(p, b) || (state.eligible[b] && open)) out.push(b);
  }
  return out;
}

const slack = (x: number): number => 1e-9 * Math.max(1, Math.abs(x));

/**
 * The kinds of row the program has, one per constraint family (the builders below). A row is named
 * by its kind and what it is about (a partition, a broker, a column), so a family's rows are made once.
 */
export type RowKind =
  /** A partition keeps its replication factor: its replica columns sum to it. */
  | "replication"
  /** A partition has one leader: its leadership columns sum to 1. */
  | "one-leader"
  /** A broker leads a partition only if it holds a replica of it. */
  | "leads-only-held"
  /** An excluded topic keeps its leader (or the newcomer in its leader's slot). */
  | "keeps-leader"
  /** A broker's replica count stays in its band, or no further from it than in the given plan. */
  | "replica-count"
  /** A broker's replicas of one topic stay in the topic-spread band (or no further). */
  | "topic-spread"
  /** A broker's share of a load measure (disk, network in) stays in its band (or no further). */
  | "load"
  /** A broker's leader count stays in its band (or no further). */
  | "leader-count"
  /** A broker's leadership load (network out, leader bytes) stays in its band (or no further). */
  | "leader-load"
  /** A partition's replicas in one rack stay within the rack rule (or break it no more). */
  | "rack"
  /** A partition has at most one replica per host (or no more than in the given plan). */
  | "host"
  /** A dead or excluded broker keeps a replica only where the given plan kept it. */
  | "ineligible-kept"
  /** An excluded topic keeps its replicas on eligible brokers. */
  | "frozen-kept";

type Range = { min?: number; max?: number };

/** Rows of the program, by kind and subject while it is built. */
class Rows {
  private readonly index = new Map<string, number>();
  readonly rows: { terms: [number, number][]; min?: number; max?: number }[] = [];

  /** The row of `kind` about `subject`, created with the given range the first time. */
  row(kind: RowKind, subject: string, range: Range): [number, number][] {
    const key = `${kind}:${subject}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.rows.push({ terms: [], ...range }) - 1;
      this.index.set(key, i);
    }
    return this.rows[i]!.terms;
  }
}

/** The columns of one partition-broker pair: the replica column, and the leadership column when the program has one. */
interface Pair {
  readonly partition: number;
  readonly broker: number;
  /** The broker held the partition at the start. */
  readonly kept: boolean;
  readonly replica: number;
  readonly leader: number | null;
}

/**
 * One constraint family: `partition` runs once per partition before its pairs, `pair` once per
 * partition-broker pair. Families run in a fixed order, so the program's rows come in a fixed order.
 */
interface Family {
  partition?(partition: number): void;
  pair(pair: Pair): void;
}

/** What every family builds from: the two placements, the bands, the goals and the rows. */
interface Build {
  readonly initial: PlacementState;
  readonly final: PlacementState;
  readonly targets: Targets;
  readonly goals: BoundGoals;
  readonly rows: Rows;
}

/** A range from a band's edges widened to hold `x` (the given plan's value). */
const reaching = (low: number, high: number, x: number): Range => ({ min: Math.min(low, x), max: Math.max(high, x) });
/** The same for a scaled load, with a tolerance for rounding. */
const reachingLoad = (low: number, high: number, x: number): Range => {
  const lo = Math.min(low, x);
  const hi = Math.max(high, x);
  return { min: lo - slack(lo), max: hi + slack(hi) };
};

function replicationFamily({ initial, rows }: Build): Family {
  let row: [number, number][] = [];
  return {
    partition(p) {
      const rf = initial.rfOf(p);
      row = rows.row("replication", String(p), { min: rf, max: rf });
    },
    pair({ replica }) {
      row.push([replica, 1]);
    },
  };
}

/** One leader per partition, only on a broker that holds it; an excluded topic keeps its leader. */
function leadershipFamily({ initial, rows }: Build): Family {
  let row: [number, number][] = [];
  return {
    partition(p) {
      row = rows.row("one-leader", String(p), { min: 1, max: 1 });
    },
    pair({ partition: p, broker: b, kept, replica, leader }) {
      if (leader === null) return;
      row.push([leader, 1]);
      rows.row("leads-only-held", String(leader), { max: 0 }).push([leader, 1], [replica, -1]);
      if (!initial.frozen[p]) return;
      // When the leader's broker must be left, a newcomer takes its slot.
      const lead = initial.brokerAt(p, 0);
      if (initial.eligible[lead] && b === lead) rows.row("keeps-leader", String(leader), { min: 1, max: 1 }).push([leader, 1]);
      else if (!initial.eligible[lead] && kept) rows.row("keeps-leader", String(leader), { max: 0 }).push([leader, 1]);
    },
  };
}

/** Each eligible broker's leader count and leadership loads (network out, leader bytes) in their bands. */
function leaderBandsFamily({ initial, final, targets, goals, rows }: Build): Family {
  const loads = [
    ...(goals.networkOut ? [{ per: initial.leaderOut, after: final.netOut, band: targets.load.networkOut }] : []),
    ...(goals.leaderBytes ? [{ per: initial.bytesIn, after: final.leaderBytes, band: targets.load.leaderBytes }] : []),
  ].map((l) => ({ ...l, unit: Math.max(0, ...l.per) || 1 }));
  return {
    pair({ partition: p, broker: b, leader }) {
      if (leader === null || !initial.eligible[b]) return;
      if (goals.leader) rows.row("leader-count", String(b), reaching(targets.leaderMin, targets.leaderMax, final.leadersOf(b))).push([leader, 1]);
      loads.forEach(({ per, after, band, unit }, k) => {
        const range = reachingLoad(band.lowOf(b) / unit, band.highOf(b) / unit, after[b]! / unit);
        rows.row("leader-load", `${String(k)}/${String(b)}`, range).push([leader, per[p]! / unit]);
      });
    },
  };
}

/** Each broker's replica count in its band (every broker, ineligible ones emptied as far as the given plan). */
function replicaCountFamily({ initial, final, targets, goals, rows }: Build): Family {
  return {
    pair({ broker: b, replica }) {
      const [lo, hi] = countRange(initial, final, targets, b, goals.replicaCount);
      rows.row("replica-count", String(b), Number.isFinite(hi) ? { min: lo, max: hi } : { min: lo }).push([replica, 1]);
    },
  };
}

/** Each eligible broker's (topic, broker) count and load measures (disk, network in) in their bands. */
function brokerBandsFamily({ initial, final, targets, goals, rows }: Build): Family {
  // Each load measure the bound counts, scaled by its largest partition.
  const loads = loadMeasures(initial, final, targets, goals).map((m) => ({ m, unit: (m.allDesc[0] ?? 0) > 0 ? m.allDesc[0]! : 1 }));
  return {
    pair({ partition: p, broker: b, replica }) {
      if (!initial.eligible[b]) return;
      if (goals.topicSpread) {
        const t = initial.topicIndexOf(p);
        const range = reaching(targets.topicMinOf(t, b), targets.topicMaxOf(t, b), final.topicCountOf(t, b));
        rows.row("topic-spread", `${String(t)}/${String(b)}`, range).push([replica, 1]);
      }
      loads.forEach(({ m, unit }, k) => {
        const range = reachingLoad(m.low[b]! / unit, m.high[b]! / unit, m.after[b]! / unit);
        rows.row("load", `${String(k)}/${String(b)}`, range).push([replica, m.perReplica[p]! / unit]);
      });
    },
  };
}

/** The rack rule and, where it applies, the host rule, per partition: held, or broken no more than in the given plan. */
function rackFamily({ initial, final, targets, goals, rows }: Build): Family {
  let rule: ReturnType<Targets["rule"]> = null;
  const rackCount = new Map<number, number>();
  const hostCount = new Map<number, number>();
  return {
    partition(p) {
      rule = goals.rackSpread ? targets.rule(initial.rfOf(p)) : null;
      rackCount.clear();
      hostCount.clear();
      for (let s = 0; s < initial.rfOf(p); s++) {
        const b = final.brokerAt(p, s);
        rackCount.set(final.rackIndexOf(b), (rackCount.get(final.rackIndexOf(b)) ?? 0) + 1);
        hostCount.set(final.hostIndexOf(b), (hostCount.get(final.hostIndexOf(b)) ?? 0) + 1);
      }
    },
    pair({ partition: p, broker: b, replica }) {
      if (!rule) return;
      const r = initial.rackIndexOf(b);
      rows.row("rack", `${String(p)}/${String(r)}`, reaching(rule.lo[r]!, rule.hi[r]!, rackCount.get(r) ?? 0)).push([replica, 1]);
      if (!rule.hostRule) return;
      const h = initial.hostIndexOf(b);
      rows.row("host", `${String(p)}/${String(h)}`, { max: Math.max(1, hostCount.get(h) ?? 0) }).push([replica, 1]);
    },
  };
}

/** Replicas that may not move: off ineligible brokers only as in the given plan; an excluded topic's stay. */
function pinnedFamily({ initial, final, rows }: Build): Family {
  return {
    pair({ partition: p, broker: b, kept, replica }) {
      if (!initial.eligible[b] && final.slotOf(p, b) < 0) rows.row("ineligible-kept", String(replica), { max: 0 }).push([replica, 1]);
      if (initial.frozen[p] && initial.eligible[b] && kept) rows.row("frozen-kept", String(replica), { min: 1, max: 1 }).push([replica, 1]);
    },
  };
}

/** The program's columns, and what each stands for. */
interface Program {
  readonly model: MipModel;
  /** The replica columns: [column, partition, broker]. */
  readonly owner: readonly (readonly [number, number, number])[];
  /** The leadership columns: [column, partition, broker]. */
  readonly leadOwner: readonly (readonly [number, number, number])[];
}

/** The program: a replica column (and a leadership one) per partition-broker pair, each family's rows over them. */
function buildProgram(initial: PlacementState, final: PlacementState, targets: Targets, goals: BoundGoals): Program {
  const P = initial.partitionCount;
  let replicas = 0;
  let largest = 0;
  for (let p = 0; p < P; p++) {
    replicas += initial.rfOf(p);
    largest = Math.max(largest, initial.sizeOf(p));
  }
  const leading = modelsLeadership(goals);
  // Moves first; bytes (and, with leadership in the program, leadership changes) second: together
  // they weigh less than one move.
  const secondary = leading ? 0.25 : 0.5;
  const byteWeight = largest > 0 ? secondary / ((replicas + 1) * largest) : 0;
  const changeWeight = secondary / (P + 1);

  const build: Build = { initial, final, targets, goals, rows: new Rows() };
  const families = [
    replicationFamily(build),
    ...(leading ? [leadershipFamily(build), leaderBandsFamily(build)] : []),
    replicaCountFamily(build),
    brokerBandsFamily(build),
    rackFamily(build),
    pinnedFamily(build),
  ];
  const columns: MipColumn[] = [];
  const owner: [number, number, number][] = [];
  const leadOwner: [number, number, number][] = [];
  for (let p = 0; p < P; p++) {
    for (const family of families) family.partition?.(p);
    for (const b of candidates(initial, p)) {
      const kept = initial.wasOriginally(p, b);
      const replica = columns.push({ cost: kept ? 0 : 1 + byteWeight * initial.sizeOf(p), binary: true }) - 1;
      owner.push([replica, p, b]);
      let leader: number | null = null;
      if (leading) {
        // A leadership change costs a little, so of equal placements the one closest to today's leaders wins.
        leader = columns.push({ cost: initial.brokerAt(p, 0) === b ? 0 : changeWeight, binary: true }) - 1;
        leadOwner.push([leader, p, b]);
      }
      const pair: Pair = { partition: p, broker: b, kept, replica, leader };
      for (const family of families) family.pair(pair);
    }
  }
  return { model: { columns, rows: build.rows.rows }, owner, leadOwner };
}

/** The placement a solution's values give, or null when a partition has the wrong replica count. */
function placementFrom(initial: PlacementState, program: Program, leading: boolean, values: Float64Array): ExactPlacement | null {
  const P = initial.partitionCount;
  const sets: number[][] = Array.from({ length: P }, () => []);
  let moves = 0;
  for (const [j, p, b] of program.owner) {
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
  for (const [k, p, b] of program.leadOwner) {
    if (sets[p]!.includes(b) && values[k]! > weight[p]! + 1e-9) {
      leaders[p] = b;
      weight[p] = values[k]!;
    }
  }
  return { sets, leaders: Array.from(leaders), moves };
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
  const program = buildProgram(initial, final, targets, goals);
  const leading = modelsLeadership(goals);
  const result = solver.solve(program.model, limits);
  if (result.status === "stopped") {
    const best = result.best ? placementFrom(initial, program, leading, result.best.values) : null;
    return {
      status: "stopped",
      reason: result.reason,
      ...(result.bound !== undefined ? { bound: movesAtLeast(result.bound) } : {}),
      ...(best ? { best } : {}),
    };
  }
  if (result.status !== "optimal") return { status: "infeasible" };
  const found = placementFrom(initial, program, leading, result.values);
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
    for (let s = 0; s < state.rfOf(p); s++) {
      if (want.includes(state.brokerAt(p, s))) continue;
      state.apply({ kind: "move", p, slot: s, to: incoming[next++]! });
    }
    const slot = lead >= 0 && !state.frozen[p] ? state.slotOf(p, lead) : -1;
    if (slot > 0) state.apply({ kind: "lead", p, slot });
  }
}
