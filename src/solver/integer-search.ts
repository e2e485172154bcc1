/**
 * The plan pipeline's search stage: the integer program (exact.ts) over the heuristic's plan, either
 * stopped at a node limit (the integer search small clusters get) or solved to the proven optimum
 * (`--exact`). Its steps: size the program, run it without leadership, again with leadership columns
 * when the first placement falls short on leadership, deeper on tiny programs left far above their
 * bound; adopt the placement with the fewest moves that passes the verdict; report what ran.
 */
import { BallastError, internalError } from "../model/errors.js";
import type { Cluster } from "../model/types.js";
import type { BoundGoals } from "./bounds.js";
import { firstWorse, scores } from "./budget.js";
import { exactSize, modelsLeadership, solveExact, type ExactPlacement } from "./exact.js";
import type { GoalId } from "./goal.js";
import { placementOf } from "./optimise.js";
import type { Prepared } from "./prepare.js";
import type { PlacementState } from "./state.js";
import type { IntegerSearchOptions, IntegerSearchResult, LowerBound, PlanOptions } from "./types.js";

/** The integer search's default size limit (0/1 columns): tens of milliseconds on tiny clusters, 2–7 s near the limit. */
export const DEFAULT_SEARCH_COLUMNS = 2000;
/**
 * The default size limit of the search's second program, with leadership columns (two 0/1 columns per
 * partition-broker pair): 1–4 s near the limit. Larger ones measured 3–10 s at the root and rarely
 * found a placement there.
 */
export const DEFAULT_LEADERSHIP_SEARCH_COLUMNS = 1200;
/**
 * Programs of at most this many columns whose root leaves the plan above 1.5 × the bound branch on,
 * to DEEPER_SEARCH_NODES nodes: under a second in the 13 such plans of 600 tiny ones measured.
 */
const DEEPER_SEARCH_COLUMNS = 300;
const DEEPER_SEARCH_NODES = 1000;
/** The goals that only leadership serves: the integer search models them in its second program. */
const LEADERSHIP_GOALS: readonly GoalId[] = ["leader", "network-out", "leader-bytes"];

/** The same goals with leadership left out of the exact program (its replica sets only). */
export function withoutLeadership(goals: BoundGoals): BoundGoals {
  return { ...goals, leader: false, networkOut: false, leaderBytes: false };
}

/** What the search works from: the heuristic's plan and the state it started from. */
export interface SearchInput {
  readonly cluster: Cluster;
  readonly prepared: Prepared;
  readonly initial: PlacementState;
  readonly heuristic: PlacementState;
  /** The counting and relaxation bound on the heuristic's placement. */
  readonly heuristicBound: number;
  readonly boundGoals: BoundGoals;
  readonly options: PlanOptions;
  readonly search: IntegerSearchOptions & { readonly settle: boolean };
  /** True when planning `state` again (the heuristic, same options) would change nothing. */
  readonly isSettled: (state: PlacementState) => boolean;
}

export interface SearchOutcome {
  readonly state: PlacementState;
  readonly result: IntegerSearchResult;
  readonly bound?: LowerBound["integer"];
  readonly notes: string[];
}

/** Why a placement cannot be the plan, and the goal it leaves worse when that is the reason. */
interface Rejection {
  readonly why: string;
  readonly goal?: GoalId;
}

/** One run of the program: its outcome, and the plan its placement gives when one passes the verdict. */
interface ProgramRun {
  readonly status: "optimal" | "stopped";
  readonly found: ExactPlacement | undefined;
  readonly bound?: NonNullable<LowerBound["integer"]>;
  readonly state: PlacementState | null;
  readonly rejected: Rejection | null;
}

/**
 * The integer search (PlanOptions.integerSearch): the exact program, stopped at its node limit. The
 * heuristic's placement satisfies the program, so the program's proven bound is a bound on the moves
 * of any placement at least as balanced; a placement it finds with fewer moves becomes the plan, with
 * leadership reordered by the goals (no further moves), unless some goal ends worse than in the
 * heuristic's plan, it breaks the bytes budget (the program keeps only the move budget), or (with
 * `settle`: the heuristic's plan was not stopped by a budget) planning it again would change it.
 * `heuristicBound` is the counting and relaxation bound for the heuristic's placement: when it equals
 * the heuristic's moves, nothing can do better and the search is skipped.
 * The first program leaves leadership out (the goals reorder after). When leadership goals are on and
 * its placement falls short on them, a second program with leadership columns (leader counts, network
 * out, leader bytes) runs on small clusters, and the plan takes the adopted placement with fewer moves.
 */
export function searchPlacement(input: SearchInput): SearchOutcome {
  const { initial, heuristic, heuristicBound, boundGoals, search } = input;
  const columns = exactSize(initial);
  const base = { solver: search.solver.name, columns, heuristicMoves: heuristic.moves, adopted: false };
  const limit = Math.min(search.maxColumns ?? DEFAULT_SEARCH_COLUMNS, search.solver.maxBinaryColumns);
  if (columns > limit) return { state: heuristic, result: { ...base, status: "too-large" }, notes: [] };
  if (heuristicBound >= heuristic.moves) return { state: heuristic, result: { ...base, status: "not-needed" }, notes: [] };

  const run = programRunner(input);
  const nodes = search.maxNodes ?? 1;
  const root = run(withoutLeadership(boundGoals), nodes);
  const leadershipLimit = Math.min(limit, search.maxLeadershipColumns ?? DEFAULT_LEADERSHIP_SEARCH_COLUMNS);
  const second = modelsLeadership(boundGoals) && fallsShortOnLeadership(root, 2 * columns <= leadershipLimit) ? run(boundGoals, nodes) : null;
  const deeper = needsDeeperRun(input, columns, root, second) ? run(withoutLeadership(boundGoals), DEEPER_SEARCH_NODES) : null;
  const adopted = fewestMoves([root, second, deeper]);
  const best = strongerBound(root.bound, deeper?.bound);
  const bound = best ? { bound: best } : {};
  const result = searchResult(base, root, second, deeper, adopted);
  if (adopted?.state) return { state: adopted.state, result, ...bound, notes: [] };
  return { state: heuristic, result, ...bound, notes: refusalNotes(heuristic, root, second, deeper) };
}

/**
 * Runs the program for the given goals up to `maxNodes` and judges its placement: it becomes a plan
 * (leadership reordered by the goals) unless some goal ends worse than in the heuristic's plan, it
 * breaks the bytes budget, or (with `settle`) planning it again would change it.
 */
function programRunner(input: SearchInput): (programGoals: BoundGoals, maxNodes: number) => ProgramRun {
  const { cluster, prepared, initial, heuristic, options, search } = input;
  const { targets, goals } = prepared;
  const theirs = scores(heuristic, targets, goals);
  const maxBytesMoved = options.maxBytesMoved ?? Infinity;
  const verdict = (state: PlacementState): Rejection | null => {
    if (state.bytesMoved > maxBytesMoved) return { why: "moves more bytes than the budget allows" };
    const worse = firstWorse(scores(state, targets, goals), theirs);
    if (worse >= 0) return { why: `leaves goal ${goals[worse]!.id} worse`, goal: goals[worse]!.id };
    return !search.settle || input.isSettled(state) ? null : { why: "would be changed by planning again" };
  };
  return (programGoals, maxNodes) => {
    const outcome = solveExact(initial, heuristic, targets, programGoals, search.solver, { maxNodes });
    if (outcome.status === "infeasible" || outcome.status === "too-large") {
      // The heuristic's placement satisfies the program, so this is a bug in one of the two.
      throw internalError(`the integer program came back ${outcome.status}, though the heuristic's placement satisfies it`);
    }
    const proven = outcome.status === "optimal";
    const found = proven ? outcome : outcome.best;
    const boundMoves = proven ? outcome.moves : outcome.bound;
    const tried = { status: outcome.status, found, ...(boundMoves === undefined ? {} : { bound: { moves: boundMoves, proven } }) };
    if (found === undefined || found.moves >= heuristic.moves) return { ...tried, state: null, rejected: null };
    // The goals may need a few moves of their own (the program leaves out the goals' tolerances
    // where it is no further from a band than the heuristic): allow up to one fewer than the heuristic's.
    const rooms = found.moves + 1 < heuristic.moves ? [found.moves, heuristic.moves - 1] : [found.moves];
    let rejected: Rejection | null = null;
    for (const maxMoves of rooms) {
      // The program's placement, then the goals' own actions within `maxMoves` (its own moves:
      // leadership only), from the program's leaders when it chose them, else the current order.
      const room = maxMoves === found.moves ? undefined : { maxMoves, maxBytesMoved };
      const state = placementOf(cluster, prepared, found, options, room);
      const why = verdict(state);
      if (why === null) return { ...tried, state, rejected: null };
      rejected ??= why;
    }
    return { ...tried, state: null, rejected };
  };
}

/**
 * Whether the second program (with leadership columns, twice as many, so only when `fits`) should
 * run: the first placement falls short on leadership, because a leadership goal refused it or the
 * goals spent moves of their own beyond it.
 */
function fallsShortOnLeadership(root: ProgramRun, fits: boolean): boolean {
  if (!fits) return false;
  if (root.state === null) return root.rejected?.goal !== undefined && LEADERSHIP_GOALS.includes(root.rejected.goal);
  return root.found !== undefined && root.state.moves > root.found.moves;
}

/**
 * Whether a tiny program whose root leaves the plan above 1.5 × the bound, unproven, goes on
 * branching, up to DEEPER_SEARCH_NODES (a node count: plans stay byte-identical), for a better
 * placement and bound. Not when the caller set the node limit.
 */
function needsDeeperRun(input: SearchInput, columns: number, root: ProgramRun, second: ProgramRun | null): boolean {
  if (input.search.maxNodes !== undefined || root.status === "optimal" || columns > DEEPER_SEARCH_COLUMNS) return false;
  const planMoves = Math.min(input.heuristic.moves, root.state?.moves ?? Infinity, second?.state?.moves ?? Infinity);
  return planMoves > 1.5 * Math.max(input.heuristicBound, root.bound?.moves ?? 0);
}

/** The adopted placement with the fewest moves (the earlier run's on a tie), or null when none was adopted. */
function fewestMoves(runs: readonly (ProgramRun | null)[]): ProgramRun | null {
  let adopted: ProgramRun | null = null;
  for (const run of runs) {
    if (run?.state && (!adopted?.state || run.state.moves < adopted.state.moves)) adopted = run;
  }
  return adopted;
}

/**
 * The bound is the first program's (the better of its runs), which like the counting bounds and
 * --exact leaves leadership out: the second holds each broker's leadership to the heuristic's, broker
 * by broker, which a plan the goals judge no worse overall need not match, so its bound could exceed
 * such a plan's moves.
 */
function strongerBound(root: LowerBound["integer"], deeper: LowerBound["integer"]): LowerBound["integer"] {
  if (deeper === undefined) return root;
  if (root === undefined || deeper.moves > root.moves || (deeper.moves === root.moves && deeper.proven)) return deeper;
  return root;
}

/** What ran, for the report: the first program as its deeper run when there was one, and the second. */
function searchResult(
  base: Pick<IntegerSearchResult, "solver" | "columns" | "heuristicMoves">,
  root: ProgramRun,
  second: ProgramRun | null,
  deeper: ProgramRun | null,
  adopted: ProgramRun | null,
): IntegerSearchResult {
  const first = deeper ?? root;
  return {
    ...base,
    status: first.status,
    ...(first.found ? { foundMoves: first.found.moves } : {}),
    ...(deeper ? { nodes: DEEPER_SEARCH_NODES } : {}),
    adopted: adopted !== null,
    ...(second
      ? {
          leadership: {
            columns: 2 * base.columns,
            status: second.status,
            ...(second.found ? { foundMoves: second.found.moves } : {}),
            adopted: adopted === second,
          },
        }
      : {}),
  };
}

/** Nothing adopted: a note saying what refused the last placement tried, if one was. */
function refusalNotes(heuristic: PlacementState, root: ProgramRun, second: ProgramRun | null, deeper: ProgramRun | null): string[] {
  const refused = [deeper, second, root].find((t) => t?.rejected) ?? root;
  if (refused.rejected === null || refused.found === undefined) return [];
  return [
    `the integer program found a placement with ${String(refused.found.moves)} moves where the plan makes ${String(heuristic.moves)}, but it ${refused.rejected.why}; the plan keeps the heuristic's placement`,
  ];
}

/**
 * The proven fewest-move placement at least as balanced as the heuristic's (`heuristic`), with
 * leadership then reordered by the goals under a budget that allows no further move.
 */
export function exactPlacement(
  cluster: Cluster,
  prepared: Prepared,
  initial: PlacementState,
  heuristic: PlacementState,
  boundGoals: BoundGoals,
  options: PlanOptions,
): PlacementState {
  const solver = options.exactSolver;
  if (solver === undefined) {
    throw new BallastError("USAGE", "exact planning needs an integer-program solver in exactSolver (the CLI passes HiGHS, from loadHighs)");
  }
  const outcome = solveExact(initial, heuristic, prepared.targets, withoutLeadership(boundGoals), solver);
  if (outcome.status === "too-large") {
    throw new BallastError(
      "USAGE",
      `--exact with ${solver.name} solves clusters of at most ${String(outcome.limit)} partition-broker pairs; this one has ` +
        `${String(outcome.variables)} (partitions × eligible brokers): plan it without --exact`,
    );
  }
  if (outcome.status === "stopped") {
    throw new BallastError("USAGE", `--exact: ${solver.name} stopped before proving the optimum (${outcome.reason}); plan without --exact`);
  }
  if (outcome.status === "infeasible") {
    // The heuristic's placement satisfies the program, so this is a bug in one of the two.
    throw internalError("the exact program found no placement, though the heuristic's satisfies it");
  }
  // The heuristic's placement is optimal too: keep it, as planning again leaves it as it is.
  if (outcome.moves >= heuristic.moves) return heuristic;
  return placementOf(cluster, prepared, outcome, options);
}
