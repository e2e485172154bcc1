/**
 * The goal interface. A goal knows how to score the placement, how to improve it (by proposing
 * actions) and whether it accepts an action a lower-priority goal proposes. The optimizer applies
 * an action only if every higher-priority goal accepts it (Cruise Control's rule), so a later goal
 * never makes an earlier one worse.
 */
import type { GoalName } from "../model/config.js";
import type { Rng } from "../model/random.js";
import type { Action, PlacementState } from "./state.js";
import type { Targets } from "./targets.js";

export type GoalId = GoalName | "valid-placement";

export interface GoalContext {
  readonly state: PlacementState;
  readonly targets: Targets;
  readonly rng: Rng;
  /** The goals after the running one, in priority order (for choosing among equally good actions). */
  readonly later: readonly GoalId[];
  /** Applies the action when every higher-priority goal accepts it and the budget allows; true if applied. */
  propose(action: Action): boolean;
  /**
   * Applies an action that takes back the running goal's own last applied action, with no goal or
   * budget asked: it returns the placement to one every goal had accepted. (A proposal could be refused
   * here: a broker the first action took load off may not take it back under a goal that only lets
   * loads fall, and a step left half done would leave the caller's view of the placement stale.)
   */
  undo(action: Action): void;
  /** Whether `propose` would apply the action (no change). */
  allowed(action: Action): boolean;
  /**
   * Whether every higher-priority goal accepts the action, the budget not asked (no change). False
   * means `propose` would refuse it; true does not mean it would apply it.
   */
  accepted(action: Action): boolean;
  /**
   * False when some higher-priority goal refuses every action that puts replica (p, slot) on broker
   * `to`, whatever else the action does (see Goal.refusesReplica): a cheap check before trying
   * several actions that share that half.
   */
  mayGo(p: number, slot: number, to: number): boolean;
}

export interface GoalStatusDetail {
  readonly satisfied: boolean;
  readonly detail: string;
}

export interface Goal {
  readonly id: GoalId;
  /** A hard goal must hold in every plan; soft goals are reached as far as movement allows. */
  readonly hard: boolean;
  /** Lower is better; 0 means fully satisfied. Used to check that no later goal makes this one worse. */
  score(state: PlacementState, targets: Targets): number;
  status(state: PlacementState, targets: Targets): GoalStatusDetail;
  /** Whether this goal lets `action` (proposed by a lower-priority goal) through. */
  accepts(action: Action, state: PlacementState, targets: Targets): boolean;
  /**
   * Optional: true when this goal refuses every action that puts replica (p, slot) on broker `to`,
   * whatever else the action changes (a rule on the replica alone, such as the rack rule).
   */
  refusesReplica?(state: PlacementState, targets: Targets, p: number, slot: number, to: number): boolean;
  /**
   * Optional: true when this goal refuses every swap that puts replica (p, slot) on broker `to` in
   * exchange for a replica of another topic there, whatever that replica is (a rule on topic counts,
   * which such a swap changes replica by replica).
   */
  refusesSwapAcrossTopics?(state: PlacementState, targets: Targets, p: number, slot: number, to: number): boolean;
  /** Improves the placement for this goal through `ctx.propose`. */
  optimize(ctx: GoalContext): void;
}
