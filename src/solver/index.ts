/**
 * The solver's entry points: `plan` (a reassignment that reaches the goals with few moves) and
 * `assess` (the balance report of a cluster as it is). Pure: no I/O, no clock, randomness only from
 * the injected generator.
 */
import { BallastError, internalError } from "../model/errors.js";
import { DEFAULT_GOALS, type GoalName } from "../model/config.js";
import { createRng } from "../model/random.js";
import { quote } from "../model/text.js";
import { PatternProblem, excludedTopics, topicPattern } from "../model/topic-pattern.js";
import { DEFAULT_DISK_THRESHOLD } from "../model/options-spec.js";
import type { Cluster, Partition, Reassignment, ReassignmentEntry, ReassignmentOrigin } from "../model/types.js";
import { lowerBound, type BoundGoals } from "./bounds.js";
import { applySets, exactSize, modelsLeadership, solveExact, type ExactPlacement } from "./exact.js";
import { ExplainRecorder } from "./explain.js";
import type { Goal, GoalId } from "./goal.js";
import { capacityGoal } from "./goals/capacity.js";
import { diskGoal } from "./goals/disk.js";
import { leaderBytesGoal } from "./goals/leader-bytes.js";
import { networkInGoal } from "./goals/network-in.js";
import { networkOutGoal } from "./goals/network-out.js";
import { leaderGoal } from "./goals/leader.js";
import { rackSpreadGoal } from "./goals/rack-spread.js";
import { replicaCountGoal } from "./goals/replica-count.js";
import { topicSpreadGoal } from "./goals/topic-spread.js";
import { validPlacementGoal } from "./goals/valid-placement.js";
import { compareScores, firstWorse, greedyWithin, inOrderWithin, scores } from "./budget.js";
import { applyDemotion, applyReplacements, checkOperations } from "./operations.js";
import { capacityInfeasibilities } from "./capacity-check.js";
import { rackFindings } from "./rack-check.js";
import { type CapacityThresholds, DEFAULT_CAPACITY_THRESHOLDS, DEFAULT_NETWORK_THRESHOLD } from "./load-targets.js";
import { optimize, type Recorder } from "./optimizer.js";
import { changeReplication, replicationTargets } from "./replication.js";
import { balanceReport } from "./report.js";
import { PlacementState, type StateOptions } from "./state.js";
import { Targets } from "./targets.js";
import type { BalanceReport, Infeasibility, IntegerSearchOptions, IntegerSearchResult, LowerBound, PlanOptions, PlanOutcome } from "./types.js";

export type * from "./types.js";

const GOALS: Readonly<Record<GoalName, Goal>> = {
  "rack-spread": rackSpreadGoal,
  "replica-count": replicaCountGoal,
  disk: diskGoal,
  "topic-spread": topicSpreadGoal,
  leader: leaderGoal,
  capacity: capacityGoal,
  "network-in": networkInGoal,
  "network-out": networkOutGoal,
  "leader-bytes": leaderBytesGoal,
};

export { DEFAULT_DISK_THRESHOLD };

interface Prepared {
  readonly stateOptions: StateOptions;
  readonly state: PlacementState;
  readonly targets: Targets;
  readonly goals: readonly Goal[];
}

function prepare(cluster: Cluster, options: PlanOptions): Prepared {
  const names = options.goals ?? DEFAULT_GOALS;
  const seen = new Set<string>();
  for (const n of names) {
    if (!(n in GOALS)) throw new BallastError("CONFIG", `unknown goal '${n}'; goals are ${Object.keys(GOALS).join(", ")}`);
    if (seen.has(n)) throw new BallastError("CONFIG", `goal '${n}' is listed twice`);
    seen.add(n);
  }
  const ids = new Set(cluster.brokers.map((b) => b.id));
  for (const id of options.excludeBrokers ?? []) {
    if (!ids.has(id)) throw new BallastError("USAGE", `excluded broker ${String(id)} is not in the cluster`);
  }
  // The model's matcher runs in time linear in the name (a JavaScript RegExp can backtrack for minutes).
  (options.excludeTopics ?? []).forEach((src, i) => {
    const pattern = topicPattern(src);
    if (pattern instanceof PatternProblem) throw new BallastError("CONFIG", `excluded topic pattern ${quote(src)}: ${pattern.message}`, { path: `excludeTopics[${String(i)}]` });
  });
  const frozen = new Set(excludedTopics(options.excludeTopics ?? [], cluster.topics.map((t) => t.name)).names);
  const threshold = options.diskBalanceThreshold ?? DEFAULT_DISK_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new BallastError("CONFIG", `disk balance threshold must be in (0, 1], got ${String(threshold)}`);
  }
  const networkThreshold = options.networkBalanceThreshold ?? DEFAULT_NETWORK_THRESHOLD;
  if (!(networkThreshold > 0 && networkThreshold <= 1)) {
    throw new BallastError("CONFIG", `network balance threshold must be in (0, 1], got ${String(networkThreshold)}`);
  }
  const capacityThresholds = capacityThresholdsOf(options);
  const stateOptions: StateOptions = {
    excludeBrokers: new Set(options.excludeBrokers ?? []),
    isFrozenTopic: (t) => frozen.has(t),
  };
  const state = new PlacementState(cluster, stateOptions);
  const receivers = options.toBrokers === undefined ? undefined : new Set(options.toBrokers.map((id) => state.brokerIndexOf(id) ?? -1));
  const targets = new Targets(state, {
    rackSpread: names.includes("rack-spread"),
    diskThreshold: threshold,
    ...(receivers === undefined ? {} : { receivers }),
    networkThreshold,
    capacityThresholds,
  });
  return { stateOptions, state, targets, goals: [validPlacementGoal, ...names.map((n) => GOALS[n])] };
}

/** The capacity thresholds in effect: the defaults with the given ones over them, each checked. */
export function capacityThresholdsOf(options: PlanOptions): CapacityThresholds {
  const t = { ...DEFAULT_CAPACITY_THRESHOLDS, ...options.capacityThreshold };
  for (const [key, value] of Object.entries(t)) {
    if (!(value > 0 && value <= 1)) throw new BallastError("CONFIG", `capacity threshold ${key} must be in (0, 1], got ${String(value)}`);
  }
  return t;
}

/** The balance report of the cluster as it is, against the configured goals. */
export function assess(cluster: Cluster, options: PlanOptions = {}): BalanceReport {
  const prepared = prepare(cluster, options);
  const { state, targets, goals } = prepared;
  return { ...balanceReport(state, targets, goals), notes: rackNotes(prepared) };
}

/** Where the ideal rack rule cannot hold (rack-check.ts), one line each; none without the rack-spread goal. */
function rackNotes(p: Prepared): string[] {
  if (!p.goals.some((g) => g.id === "rack-spread")) return [];
  return rackFindings(p.state, p.targets).map((f) => f.message);
}

function infeasibilities(p: Prepared & { readonly strictCapacity: boolean }): Infeasibility[] {
  const { state, targets } = p;
  const problems: Infeasibility[] = [];
  const byTopic = new Map<string, { rf: number; count: number; first: number }>();
  for (let i = 0; i < state.partitionCount; i++) {
    if (targets.rule(state.rf[i]!) !== null) continue;
    const topic = state.topicNames[state.topicOf[i]!]!;
    const e = byTopic.get(topic);
    if (e) {
      e.count++;
      e.rf = Math.max(e.rf, state.rf[i]!);
    } else byTopic.set(topic, { rf: state.rf[i]!, count: 1, first: state.partitionNumber[i]! });
  }
  for (const [topic, e] of byTopic) {
    const short = e.rf - state.eligibleCount;
    const back: number[] = [];
    for (let b = 0; b < state.brokerCount && back.length < short; b++) if (state.excluded[b] && !state.dead[b]) back.push(state.brokerIds[b]!);
    const fixes = [`add ${String(short)} broker(s)`];
    if (back.length === short) fixes.push(`stop excluding broker(s) ${back.join(", ")}`);
    if (state.eligibleCount > 0) fixes.push(`lower its replication factor to ${String(state.eligibleCount)}`);
    problems.push({
      rule: "replication-factor",
      message:
        `topic '${topic}' has ${String(e.count)} partition(s) with replication factor ${String(e.rf)} but only ` +
        `${String(state.eligibleCount)} broker(s) are alive and not excluded; ${fixes.length === 1 ? fixes[0]! : `${fixes.slice(0, -1).join(", ")}, or ${fixes[fixes.length - 1]!}`}`,
      path: `topics[${topic}].partitions[${String(e.first)}]`,
    });
  }
  // Capacity limits that cannot be met are planned as far under as the cluster allows, unless asked not to.
  if (p.strictCapacity && p.goals.some((g) => g.id === "capacity")) problems.push(...capacityInfeasibilities(state, targets));
  return problems;
}

/**
 * Plans a reassignment that reaches the goals in priority order with as few moves as it can; or, with
 * `replace` or `demoteBrokers`, exactly that operation and nothing else. Replication factor changes
 * are made first (replication.ts), then the result is balanced.
 */
export function plan(cluster: Cluster, options: PlanOptions = {}): PlanOutcome {
  checkOperations(cluster, options);
  if ((options.replace ?? []).length > 0 || (options.demoteBrokers ?? []).length > 0) return planOperation(cluster, options);
  const changes = options.replicationFactor ?? [];
  if (changes.length === 0) return planBalance(cluster, options);

  const base = prepare(cluster, options);
  const factors = replicationTargets(cluster, changes, base.state.eligibleCount);
  for (const topic of factors.keys()) {
    if (base.stateOptions.isFrozenTopic(topic)) {
      throw new BallastError("USAGE", `topic '${topic}' is excluded from moves but its replication factor is to change; drop one of the two`, { path: "replicationFactor" });
    }
  }
  const changed = changeReplication(cluster, base.state, base.targets, factors);
  const left = {
    maxMoves: (options.maxMoves ?? Infinity) - changed.added,
    maxBytesMoved: (options.maxBytesMoved ?? Infinity) - changed.addedBytes,
  };
  if (left.maxMoves < 0 || left.maxBytesMoved < 0) {
    return {
      status: "infeasible",
      problems: [
        {
          rule: "budget",
          message: `the replication factor changes alone add ${String(changed.added)} replica(s) (${String(changed.addedBytes)} bytes), more than the movement budget allows`,
        },
      ],
    };
  }
  const outcome = planBalance(changed.cluster, { ...options, ...left });
  if (outcome.status !== "planned") return outcome;
  // Report against the cluster as it is now: moves, bytes and leader changes from the original lists.
  const diff = diffAgainst(cluster, outcome.after);
  return {
    ...outcome,
    ...diff,
    balanceBefore: assess(cluster, options),
    lowerBound: replicationBound(base.state, outcome, changed, base.goals),
  };
}

/**
 * The lower bound of a plan that changes replication factors, against the cluster as it is. Two
 * counts are certain: the replicas the new factors add, and the replicas each eligible broker must
 * gain to reach its replica-count band under the new factors (or the count the plan leaves it with,
 * when lower), since every replica a broker gains is a move. Balancing may place an added replica
 * straight where a later goal wants it, so balance moves are not added on top of the first count.
 */
function replicationBound(
  before: PlacementState,
  outcome: PlanOutcome & { status: "planned" },
  changed: { added: number; addedBytes: number },
  goals: readonly Goal[],
): LowerBound {
  let gains = 0;
  if (boundGoalsOf(goals).replicaCount) {
    for (const b of outcome.balanceAfter.brokers) {
      const i = before.brokerIndexOf(b.id);
      if (!b.eligible || i === undefined) continue;
      gains += Math.max(0, Math.min(b.targetReplicas.min, b.replicas) - before.count[i]!);
    }
  }
  const moves = Math.max(changed.added, gains);
  return {
    moves,
    bytesMoved: changed.addedBytes,
    combinatorial: { moves, bytesMoved: changed.addedBytes },
    relaxation: { ...outcome.lowerBound.relaxation, moves: 0, bytesMoved: 0, exact: false },
  };
}

function planBalance(cluster: Cluster, options: PlanOptions): PlanOutcome {
  const prepared = prepare(cluster, options);
  const problems = infeasibilities({ ...prepared, strictCapacity: options.strictCapacity === true });
  if (problems.length > 0) return { status: "infeasible", problems };
  const { targets, goals } = prepared;
  const notes = rackNotes(prepared);
  const balanceBefore = balanceReport(prepared.state, targets, goals);
  const initial = new PlacementState(cluster, prepared.stateOptions);
  const recorder = options.explain === true ? new ExplainRecorder(prepared.state, targets) : undefined;
  const { state, budgetLimited } = withinBudget(prepared, cluster, options, recorder);
  const boundGoals = boundGoalsOf(goals);
  let final = state;
  let exact: { heuristicMoves: number; optimalMoves: number } | undefined;
  let integer: LowerBound["integer"];
  let search: IntegerSearchResult | undefined;
  /** The counting and relaxation bounds for the heuristic's placement, when the search needs them first. */
  let heuristicBound: LowerBound | undefined;
  const searchNotes: string[] = [];
  if (options.exact === true) {
    final = exactPlacement(cluster, prepared, initial, state, boundGoals, options);
    exact = { heuristicMoves: state.moves, optimalMoves: final.moves };
    integer = { moves: final.moves, proven: true };
    // As for the search: a plan a budget stopped is one the next run continues anyway.
    if (final !== state && !budgetLimited && !settled(cluster, final, options)) {
      searchNotes.push(
        "planning the exact placement again without --exact would change it further (the heuristic rebalances it); " +
          "a plan without --exact is one that planning again leaves as it is",
      );
    }
  } else if (options.integerSearch !== undefined) {
    heuristicBound = lowerBound(initial, state, targets, boundGoals);
    // A budget that stopped the heuristic leaves a plan the next run continues; otherwise the search's
    // placement must be one the next run leaves as it is, as the heuristic's is.
    const searching = { ...options.integerSearch, settle: !budgetLimited };
    const found = searchPlacement(cluster, prepared, initial, state, heuristicBound.moves, boundGoals, options, searching);
    ({ state: final, result: search, bound: integer } = found);
    searchNotes.push(...found.notes);
  }
  const balanceAfter = balanceReport(final, targets, goals);
  const counted = final === state && heuristicBound ? heuristicBound : lowerBound(initial, final, targets, boundGoals);
  const bound: LowerBound = integer ? { ...counted, moves: Math.max(counted.moves, integer.moves), integer } : counted;
  return {
    status: "planned",
    reassignment: reassignmentOf(final),
    after: final.toCluster(cluster),
    moves: final.moves,
    bytesMoved: final.bytesMoved,
    leaderChanges: leaderChanges(final),
    lowerBound: bound,
    balanceBefore,
    balanceAfter,
    budgetLimited,
    notes: [...notes, ...strandedNotes(final, options), ...searchNotes],
    ...(search ? { integerSearch: search } : {}),
    ...(exact ? { exact } : {}),
    ...(recorder ? { explanations: recorder.explanations(final) } : {}),
  };
}

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
function searchPlacement(
  cluster: Cluster,
  prepared: Prepared,
  initial: PlacementState,
  heuristic: PlacementState,
  heuristicBound: number,
  boundGoals: BoundGoals,
  options: PlanOptions,
  search: IntegerSearchOptions & { readonly settle: boolean },
): { state: PlacementState; result: IntegerSearchResult; bound?: LowerBound["integer"]; notes: string[] } {
  const { targets, goals } = prepared;
  const columns = exactSize(initial);
  const base = { solver: search.solver.name, columns, heuristicMoves: heuristic.moves, adopted: false };
  const keep = (status: IntegerSearchResult["status"]) => ({ state: heuristic, result: { ...base, status }, notes: [] });
  const limit = Math.min(search.maxColumns ?? DEFAULT_SEARCH_COLUMNS, search.solver.maxBinaryColumns);
  if (columns > limit) return keep("too-large");
  if (heuristicBound >= heuristic.moves) return keep("not-needed");
  const theirs = scores(heuristic, targets, goals);
  const maxBytesMoved = options.maxBytesMoved ?? Infinity;
  /** Why `state` cannot be the plan (the budget, the first goal it leaves worse, a re-plan that changes it), or null when it can. */
  const verdict = (state: PlacementState): { why: string; goal?: GoalId } | null => {
    if (state.bytesMoved > maxBytesMoved) return { why: "moves more bytes than the budget allows" };
    const worse = firstWorse(scores(state, targets, goals), theirs);
    if (worse >= 0) return { why: `leaves goal ${goals[worse]!.id} worse`, goal: goals[worse]!.id };
    return !search.settle || settled(cluster, state, options) ? null : { why: "would be changed by planning again" };
  };
  /** One program: its outcome, and the plan its placement gives if one passes the verdict. */
  const attempt = (programGoals: BoundGoals, maxNodes: number) => {
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
    /**
     * The program's placement, then the goals' own actions within `maxMoves` (its own moves:
     * leadership only), from the program's leaders when it chose them, else the current order.
     */
    const rebuilt = (maxMoves: number): PlacementState => {
      const room = maxMoves === found.moves ? undefined : { maxMoves, maxBytesMoved };
      return placementOf(cluster, prepared, found, options, room);
    };
    // The goals may need a few moves of their own (the program leaves out the goals' tolerances
    // where it is no further from a band than the heuristic): allow up to one fewer than the heuristic's.
    const rooms = found.moves + 1 < heuristic.moves ? [found.moves, heuristic.moves - 1] : [found.moves];
    let rejected: { why: string; goal?: GoalId } | null = null;
    for (const maxMoves of rooms) {
      const state = rebuilt(maxMoves);
      const why = verdict(state);
      if (why === null) return { ...tried, state, rejected: null };
      rejected ??= why;
    }
    return { ...tried, state: null, rejected };
  };
  const nodes = search.maxNodes ?? 1;
  const root = attempt(withoutLeadership(boundGoals), nodes);
  // The program again with leadership columns (leader counts, network out, leader bytes), only when
  // the first placement falls short on leadership (a leadership goal refused it, or the goals spent
  // moves of their own beyond it) and its twice as many 0/1 columns are within the limit.
  const leadershipLimit = Math.min(limit, search.maxLeadershipColumns ?? DEFAULT_LEADERSHIP_SEARCH_COLUMNS);
  const short = 2 * columns > leadershipLimit ? false : root.state === null
    ? root.rejected?.goal !== undefined && LEADERSHIP_GOALS.includes(root.rejected.goal)
    : root.found !== undefined && root.state.moves > root.found.moves;
  const second = modelsLeadership(boundGoals) && short ? attempt(boundGoals, nodes) : null;
  // A tiny program whose root leaves the plan above 1.5 × the bound, unproven, goes on branching, up
  // to DEEPER_SEARCH_NODES (a node count: plans stay byte-identical), for a better placement and bound.
  const planMoves = Math.min(heuristic.moves, root.state?.moves ?? Infinity, second?.state?.moves ?? Infinity);
  const deeper =
    search.maxNodes === undefined && root.status !== "optimal" && columns <= DEEPER_SEARCH_COLUMNS &&
    planMoves > 1.5 * Math.max(heuristicBound, root.bound?.moves ?? 0)
      ? attempt(withoutLeadership(boundGoals), DEEPER_SEARCH_NODES)
      : null;
  /** The first program as reported: its deeper run when there was one. */
  const first = deeper ?? root;
  // The plan: the adopted placement with the fewest moves (the earlier try's on a tie), else the heuristic's.
  let adopted: typeof root | null = null;
  for (const tried of [root, second, deeper]) {
    if (tried?.state && (!adopted?.state || tried.state.moves < adopted.state.moves)) adopted = tried;
  }
  // The bound is the first program's (the better of its runs), which like the counting bounds and
  // --exact leaves leadership out: the second holds each broker's leadership to the heuristic's, broker
  // by broker, which a plan the goals judge no worse overall need not match, so its bound could exceed
  // such a plan's moves.
  const best = [root.bound, deeper?.bound].reduce<LowerBound["integer"]>(
    (a, b) => (b === undefined ? a : a === undefined || b.moves > a.moves || (b.moves === a.moves && b.proven) ? b : a),
    undefined,
  );
  const bound = best ? { bound: best } : {};
  const result: IntegerSearchResult = {
    ...base,
    status: first.status,
    ...(first.found ? { foundMoves: first.found.moves } : {}),
    ...(deeper ? { nodes: DEEPER_SEARCH_NODES } : {}),
    adopted: adopted !== null,
    ...(second
      ? {
          leadership: {
            columns: 2 * columns,
            status: second.status,
            ...(second.found ? { foundMoves: second.found.moves } : {}),
            adopted: adopted === second,
          },
        }
      : {}),
  };
  if (adopted?.state) return { state: adopted.state, result, ...bound, notes: [] };
  // Nothing adopted: the note says what refused the last placement tried.
  const refused = [deeper, second, root].find((t) => t?.rejected) ?? root;
  if (refused.rejected === null || refused.found === undefined) return { state: heuristic, result, ...bound, notes: [] };
  const note = `the integer program found a placement with ${String(refused.found.moves)} moves where the plan makes ${String(heuristic.moves)}, but it ${refused.rejected.why}; the plan keeps the heuristic's placement`;
  return { state: heuristic, result, ...bound, notes: [note] };
}

/**
 * True when planning `state`'s placement again, as the next run of the planner would (the heuristic,
 * same options, a fresh generator), changes nothing. The heuristic's own plans are such fixed points;
 * a program's placement that is not would have the next run move replicas again.
 */
function settled(cluster: Cluster, state: PlacementState, options: PlanOptions): boolean {
  const { integerSearch: _search, exact: _exact, explain: _explain, rng: _rng, ...same } = options;
  const again = planBalance(state.toCluster(cluster), same);
  return again.status === "planned" && again.reassignment.partitions.length === 0;
}

/** The goals that only leadership serves: the integer search models them in its second program. */
const LEADERSHIP_GOALS: readonly GoalId[] = ["leader", "network-out", "leader-bytes"];

/** The same goals with leadership left out of the exact program (its replica sets only). */
function withoutLeadership(goals: BoundGoals): BoundGoals {
  return { ...goals, leader: false, networkOut: false, leaderBytes: false };
}

/** Which of the goals the lower bound counts are on. */
function boundGoalsOf(goals: readonly Goal[]): BoundGoals {
  const enabled = (id: GoalName): boolean => goals.some((g) => g.id === id);
  return { rackSpread: enabled("rack-spread"), replicaCount: enabled("replica-count"), topicSpread: enabled("topic-spread"), disk: enabled("disk"), networkIn: enabled("network-in"),
    leader: enabled("leader"), networkOut: enabled("network-out"), leaderBytes: enabled("leader-bytes") };
}

/**
 * Plans without a budget; when that plan does not fit the budget, the best part of it that does
 * (budget.ts): greedy by balance gained per share of the budget, or the changes in partition order,
 * whichever balances better.
 */
function withinBudget(
  prepared: Prepared,
  cluster: Cluster,
  options: PlanOptions,
  recorder?: Recorder,
): { state: PlacementState; budgetLimited: boolean } {
  const { state, targets, goals } = prepared;
  const budget = { maxMoves: options.maxMoves ?? Infinity, maxBytesMoved: options.maxBytesMoved ?? Infinity };
  optimize(state, targets, goals, { maxMoves: Infinity, maxBytesMoved: Infinity }, options.rng ?? createRng(1), recorder);
  if (state.moves <= budget.maxMoves && state.bytesMoved <= budget.maxBytesMoved) return { state, budgetLimited: false };
  const greedy = new PlacementState(cluster, prepared.stateOptions);
  greedyWithin(greedy, state, targets, goals, budget);
  const inOrder = new PlacementState(cluster, prepared.stateOptions);
  inOrderWithin(inOrder, state, budget);
  const better = compareScores(scores(inOrder, targets, goals), scores(greedy, targets, goals)) < 0 ? inOrder : greedy;
  return { state: better, budgetLimited: true };
}

/** With --to-brokers, replicas on dead or excluded brokers that no listed broker could take. */
function strandedNotes(state: PlacementState, options: PlanOptions): string[] {
  if (options.toBrokers === undefined) return [];
  let n = 0;
  for (let i = 0; i < state.replicas.length; i++) if (!state.eligible[state.replicas[i]!]) n++;
  return n === 0
    ? []
    : [`${String(n)} replica(s) stay on dead or excluded brokers: no broker of --to-brokers can take them without breaking the rack rule or holding the partition twice`];
}

/** Replace or demote: the operation alone, reported against the goals like any plan. */
function planOperation(cluster: Cluster, options: PlanOptions): PlanOutcome {
  const replace = options.replace ?? [];
  // A replaced broker ends empty: it is reported as excluded (being decommissioned).
  const opts: PlanOptions = replace.length > 0 ? { ...options, excludeBrokers: replace.map((r) => r.from) } : options;
  const prepared = prepare(cluster, opts);
  const { state, targets, goals } = prepared;
  const balanceBefore = balanceReport(state, targets, goals);
  const initial = new PlacementState(cluster, prepared.stateOptions);
  const notes: string[] = [];
  if (replace.length > 0) applyReplacements(state, replace);
  else {
    for (const p of applyDemotion(state, options.demoteBrokers ?? [])) {
      notes.push(`${state.partitionName(p)}: every available replica is on a demoted broker [${state.replicaIds(p).join(",")}]; its leader stays`);
    }
  }
  return {
    status: "planned",
    reassignment: reassignmentOf(state),
    after: state.toCluster(cluster),
    moves: state.moves,
    bytesMoved: state.bytesMoved,
    leaderChanges: leaderChanges(state),
    lowerBound: lowerBound(initial, state, targets, boundGoalsOf(goals)),
    balanceBefore,
    balanceAfter: balanceReport(state, targets, goals),
    budgetLimited: false,
    notes,
  };
}

/**
 * The reassignment from `original` to `after` (which may change replication factors), with its moves
 * (brokers added to a partition), bytes and preferred-leader changes.
 */
function diffAgainst(original: Cluster, after: Cluster): { reassignment: Reassignment; moves: number; bytesMoved: number; leaderChanges: number } {
  const was = new Map<string, Partition>();
  for (const t of original.topics) for (const p of t.partitions) was.set(`${p.topic}\u0000${String(p.partition)}`, p);
  const rows: { entry: ReassignmentEntry; origin: ReassignmentOrigin }[] = [];
  let moves = 0;
  let bytesMoved = 0;
  let changes = 0;
  for (const t of after.topics) {
    for (const p of t.partitions) {
      const o = was.get(`${p.topic}\u0000${String(p.partition)}`);
      if (o === undefined) continue;
      const same = o.replicas.length === p.replicas.length && o.replicas.every((r, i) => r === p.replicas[i]);
      if (same) continue;
      const added = p.replicas.filter((r) => !o.replicas.includes(r)).length;
      moves += added;
      bytesMoved += added * o.size;
      if (p.replicas[0] !== o.replicas[0]) changes++;
      rows.push({
        entry: { topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => "any") },
        origin: { topic: p.topic, partition: p.partition, replicas: o.replicas },
      });
    }
  }
  rows.sort((a, b) => (a.entry.topic < b.entry.topic ? -1 : a.entry.topic > b.entry.topic ? 1 : a.entry.partition - b.entry.partition));
  return {
    reassignment: { version: 1, partitions: rows.map((r) => r.entry), madeFrom: rows.map((r) => r.origin) },
    moves,
    bytesMoved,
    leaderChanges: changes,
  };
}

/**
 * The proven fewest-move placement at least as balanced as the heuristic's (`heuristic`), with
 * leadership then reordered by the goals under a budget that allows no further move.
 */
function exactPlacement(
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

/**
 * The placement with the given replica sets (and leaders, when the program chose them), then the
 * goals' own actions within `room` (by default the sets' own moves and bytes: leadership changes only).
 */
function placementOf(
  cluster: Cluster,
  prepared: Prepared,
  found: ExactPlacement,
  options: PlanOptions,
  room?: { maxMoves: number; maxBytesMoved: number },
): PlacementState {
  const state = new PlacementState(cluster, prepared.stateOptions);
  applySets(state, found);
  optimize(state, prepared.targets, prepared.goals, room ?? { maxMoves: state.moves, maxBytesMoved: state.bytesMoved }, options.rng ?? createRng(1));
  return state;
}

function reassignmentOf(state: PlacementState): Reassignment {
  const partitions: ReassignmentEntry[] = [];
  const madeFrom: ReassignmentOrigin[] = [];
  for (let p = 0; p < state.partitionCount; p++) {
    const o = state.offset[p]!;
    let changed = false;
    for (let s = 0; s < state.rf[p]!; s++) if (state.replicas[o + s] !== state.original[o + s]) changed = true;
    if (!changed) continue;
    const replicas = state.replicaIds(p);
    const topic = state.topicNames[state.topicOf[p]!]!;
    const partition = state.partitionNumber[p]!;
    partitions.push({ topic, partition, replicas, log_dirs: replicas.map(() => "any") });
    madeFrom.push({ topic, partition, replicas: state.originalIds(p) });
  }
  return { version: 1, partitions, madeFrom };
}

function leaderChanges(state: PlacementState): number {
  let n = 0;
  for (let p = 0; p < state.partitionCount; p++) {
    const o = state.offset[p]!;
    if (state.replicas[o] !== state.original[o]) n++;
  }
  return n;
}

export { assign, mirrorRequest } from "./assign.js";
export type { AddedPartitions, AssignRequest, AssignedTopic, Assignment, NewTopic } from "./assign.js";
