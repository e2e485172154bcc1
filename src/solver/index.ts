/**
 * The solver's entry points: `plan` (a reassignment that reaches the goals with few moves) and
 * `assess` (the balance report of a cluster as it is). Pure: no I/O, no clock, randomness only from
 * the injected generator.
 *
 * A plan goes through four stages, one file each:
 *   1. prepare (prepare.ts): the options checked, the working state, its bands and the goals;
 *   2. optimise (optimise.ts): the goals' actions in priority order, fitted to the movement budget;
 *   3. search (integer-search.ts): an integer program over the heuristic's plan for fewer moves, on
 *      small clusters, or its proven optimum with --exact;
 *   4. report (outcome.ts, report.ts): the reassignment, its counts, bounds and notes.
 * Replication factor changes run before the stages (replication.ts); replace and demote are
 * operations of their own (operations.ts), reported the same way.
 */
import { BallastError } from "../model/errors.js";
import { listSome } from "../model/text.js";
import type { Cluster } from "../model/types.js";
import { lowerBound } from "./bounds.js";
import { ExplainRecorder } from "./explain.js";
import { healOffline, offlineOnLiveBrokers } from "./heal.js";
import { exactPlacement, searchPlacement } from "./integer-search.js";
import { applyDemotion, applyReplacements, checkOperations } from "./operations.js";
import { withinBudget } from "./optimise.js";
import { diffAgainst, leaderChanges, reassignmentOf, replicationBound, strandedNotes } from "./outcome.js";
import { boundGoalsOf, infeasibilities, prepare, rackNotes, type Prepared } from "./prepare.js";
import { changeReplication, replicationTargets } from "./replication.js";
import { balanceReport } from "./report.js";
import { PlacementState } from "./state.js";
import type { BalanceReport, IntegerSearchResult, LowerBound, PlanOptions, PlanOutcome } from "./types.js";

export type * from "./types.js";
export { capacityThresholdsOf, DEFAULT_DISK_THRESHOLD } from "./prepare.js";
export { DEFAULT_LEADERSHIP_SEARCH_COLUMNS, DEFAULT_SEARCH_COLUMNS } from "./integer-search.js";

/** The balance report of the cluster as it is, against the configured goals. */
export function assess(cluster: Cluster, options: PlanOptions = {}): BalanceReport {
  const prepared = prepare(cluster, options);
  const { state, targets, goals } = prepared;
  return { ...balanceReport(state, targets, goals), notes: [...rackNotes(prepared), ...offlineNotes(cluster)] };
}

/** Replicas offline on live brokers (a failed log directory), which a plan gives new homes. */
function offlineNotes(cluster: Cluster): string[] {
  const offline = offlineOnLiveBrokers(cluster);
  if (offline.length === 0) return [];
  const brokers = [...new Set(offline.map((o) => o.broker))].sort((a, b) => a - b);
  return [
    `offline: ${String(offline.length)} replica(s) on live broker(s) ${brokers.join(", ")} (a failed log directory): ${listSome(offline.map((o) => `${o.topic}-${String(o.partition)} on ${String(o.broker)}`), 10)}; a plan gives them new homes`,
  ];
}

/**
 * Plans a reassignment that reaches the goals in priority order with as few moves as it can; or, with
 * `replace` or `demoteBrokers`, exactly that operation and nothing else. Replication factor changes
 * are made first (replication.ts), then the result is balanced.
 */
export function plan(cluster: Cluster, options: PlanOptions = {}): PlanOutcome {
  checkOperations(cluster, options);
  if ((options.replace ?? []).length > 0 || (options.demoteBrokers ?? []).length > 0) return planOperation(cluster, options);
  if (offlineOnLiveBrokers(cluster).length > 0) return planWithHealing(cluster, options);
  return planChanges(cluster, options);
}

/**
 * Offline replicas on live brokers (heal.ts) get new homes first, counted against the budgets; then
 * the healed cluster is balanced with what is left. A balance that would put a healed replica back
 * on the broker that lost it undoes the healing: the plan is then the healing alone.
 */
function planWithHealing(cluster: Cluster, options: PlanOptions): PlanOutcome {
  const heal = healOffline(cluster, options);
  const left = {
    maxMoves: (options.maxMoves ?? Infinity) - heal.healed.length,
    maxBytesMoved: (options.maxBytesMoved ?? Infinity) - heal.bytesMoved,
  };
  const rest = planChanges(heal.cluster, { ...options, ...left });
  if (rest.status !== "planned") return rest;
  const replicasAfter = new Map<string, readonly number[]>();
  for (const t of rest.after.topics) for (const p of t.partitions) replicasAfter.set(`${p.topic}\u0000${String(p.partition)}`, p.replicas);
  const undone = heal.healed.some((h) => replicasAfter.get(`${h.topic}\u0000${String(h.partition)}`)?.includes(h.broker) === true);
  const after = undone ? heal.cluster : rest.after;
  const healedMoves = { moves: heal.healed.length, bytesMoved: heal.bytesMoved };
  const notes = [
    `${String(heal.healed.length)} offline replica(s) on live brokers (a failed log directory) get new homes: ${listSome(heal.healed.map((h) => `${h.topic}-${String(h.partition)} ${String(h.broker)}→${String(h.to)}`), 10)}`,
    ...(heal.left.length > 0
      ? [`${String(heal.left.length)} offline replica(s) on live brokers keep their place (no eligible broker, or the budget ran out): ${listSome(heal.left.map((h) => `${h.topic}-${String(h.partition)} on ${String(h.broker)}`), 10)}`]
      : []),
    ...(undone ? ["balancing would put a healed replica back on the broker that lost it; this plan only heals, the next plan balances"] : rest.notes),
  ];
  return {
    ...rest,
    ...diffAgainst(cluster, after),
    after,
    balanceBefore: assess(cluster, options),
    ...(undone ? { balanceAfter: assess(heal.cluster, options) } : {}),
    lowerBound: undone
      ? { ...healedMoves, combinatorial: healedMoves, relaxation: { ...rest.lowerBound.relaxation, moves: 0, bytesMoved: 0, exact: false } }
      : { ...rest.lowerBound, moves: rest.lowerBound.moves + healedMoves.moves, bytesMoved: rest.lowerBound.bytesMoved + healedMoves.bytesMoved },
    notes,
  };
}


/** A balance, with replication factor changes first when asked for. */
function planChanges(cluster: Cluster, options: PlanOptions): PlanOutcome {
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
 * The balancing pipeline: prepare (prepare.ts) → optimise within the budget (optimise.ts) → search
 * for fewer moves (integer-search.ts) → report (outcome.ts, report.ts).
 */
function planBalance(cluster: Cluster, options: PlanOptions): PlanOutcome {
  const prepared = prepare(cluster, options);
  const problems = infeasibilities({ ...prepared, strictCapacity: options.strictCapacity === true });
  if (problems.length > 0) return { status: "infeasible", problems };
  const { targets, goals } = prepared;
  // Both describe the cluster as it is: before the optimiser changes the prepared state.
  const notes = rackNotes(prepared);
  const balanceBefore = balanceReport(prepared.state, targets, goals);
  const initial = new PlacementState(cluster, prepared.stateOptions);
  const recorder = options.explain === true ? new ExplainRecorder(prepared.state, targets) : undefined;
  const optimised = withinBudget(prepared, cluster, options, recorder);
  const searched = searchStage(cluster, prepared, initial, optimised, options);
  const { heuristic, final, heuristicBound, integer } = searched;
  const boundGoals = boundGoalsOf(goals);
  const counted = final === heuristic && heuristicBound ? heuristicBound : lowerBound(initial, final, targets, boundGoals);
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
    balanceAfter: balanceReport(final, targets, goals),
    budgetLimited: optimised.budgetLimited,
    notes: [...notes, ...strandedNotes(final, options), ...searched.notes],
    ...(searched.search ? { integerSearch: searched.search } : {}),
    ...(searched.exact ? { exact: searched.exact } : {}),
    ...(recorder ? { explanations: recorder.explanations(final) } : {}),
  };
}

/** The search stage's result: the final placement, and what the search or --exact found and says. */
interface Searched {
  readonly heuristic: PlacementState;
  readonly final: PlacementState;
  readonly exact?: { heuristicMoves: number; optimalMoves: number };
  readonly integer?: LowerBound["integer"];
  readonly search?: IntegerSearchResult;
  /** The counting and relaxation bounds for the heuristic's placement, when the search needed them first. */
  readonly heuristicBound?: LowerBound;
  readonly notes: string[];
}

/** `--exact`'s proven optimum, or the integer search (when asked for), over the heuristic's placement. */
function searchStage(
  cluster: Cluster,
  prepared: Prepared,
  initial: PlacementState,
  optimised: { state: PlacementState; budgetLimited: boolean },
  options: PlanOptions,
): Searched {
  const { state: heuristic, budgetLimited } = optimised;
  const boundGoals = boundGoalsOf(prepared.goals);
  if (options.exact === true) {
    const final = exactPlacement(cluster, prepared, initial, heuristic, boundGoals, options);
    // As for the search: a plan a budget stopped is one the next run continues anyway.
    const unsettled = final !== heuristic && !budgetLimited && !settled(cluster, final, options);
    return {
      heuristic,
      final,
      exact: { heuristicMoves: heuristic.moves, optimalMoves: final.moves },
      integer: { moves: final.moves, proven: true },
      notes: unsettled
        ? [
            "planning the exact placement again without --exact would change it further (the heuristic rebalances it); " +
              "a plan without --exact is one that planning again leaves as it is",
          ]
        : [],
    };
  }
  if (options.integerSearch === undefined) return { heuristic, final: heuristic, notes: [] };
  const heuristicBound = lowerBound(initial, heuristic, prepared.targets, boundGoals);
  // A budget that stopped the heuristic leaves a plan the next run continues; otherwise the search's
  // placement must be one the next run leaves as it is, as the heuristic's is.
  const found = searchPlacement({
    cluster,
    prepared,
    initial,
    heuristic,
    heuristicBound: heuristicBound.moves,
    boundGoals,
    options,
    search: { ...options.integerSearch, settle: !budgetLimited },
    isSettled: (state) => settled(cluster, state, options),
  });
  return {
    heuristic,
    final: found.state,
    ...(found.bound === undefined ? {} : { integer: found.bound }),
    search: found.result,
    heuristicBound,
    notes: found.notes,
  };
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

export { assign, mirrorRequest } from "./assign.js";
export type { AddedPartitions, AssignRequest, AssignedTopic, Assignment, NewTopic } from "./assign.js";

