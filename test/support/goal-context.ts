/**
 * A goal context for driving one goal directly: the higher goals accept exactly what `accepts` says,
 * and every proposal is noted in `proposed` when given.
 */
import { createRng } from "../../src/model/random.js";
import type { GoalContext } from "../../src/solver/goal.js";
import type { Action, PlacementState } from "../../src/solver/state.js";
import type { Targets } from "../../src/solver/targets.js";

export function goalContext(state: PlacementState, targets: Targets, accepts: (a: Action) => boolean, proposed?: Action[]): GoalContext {
  return {
    state,
    targets,
    rng: createRng(1),
    later: [],
    propose(a) {
      proposed?.push(a);
      if (!accepts(a)) return false;
      state.apply(a);
      return true;
    },
    undo: (a) => state.apply(a),
    allowed: accepts,
    accepted: accepts,
    mayGo: () => true,
  };
}
