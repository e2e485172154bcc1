/**
 * The plan pipeline's second stage: the goals' optimizer run on the prepared state, then fitted to
 * the movement budget; and the same optimizer finishing a placement the integer search chose.
 */
import { createRng } from "../model/random.js";
import type { Cluster } from "../model/types.js";
import { compareScores, greedyWithin, inOrderWithin, scores } from "./budget.js";
import type { ExactPlacement } from "./exact.js";
import { applySets } from "./exact.js";
import { optimize, type Recorder } from "./optimizer.js";
import type { Prepared } from "./prepare.js";
import { PlacementState } from "./state.js";
import type { PlanOptions } from "./types.js";

/**
 * Plans without a budget; when that plan does not fit the budget, the best part of it that does
 * (budget.ts): greedy by balance gained per share of the budget, or the changes in partition order,
 * whichever balances better.
 */
export function withinBudget(
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

/**
 * The placement with the given replica sets (and leaders, when the program chose them), then the
 * goals' own actions within `room` (by default the sets' own moves and bytes: leadership changes only).
 */
export function placementOf(
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
