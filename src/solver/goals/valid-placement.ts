/**
 * Valid placement (hard, always first): every partition keeps its replication factor on distinct,
 * alive, non-excluded brokers; partitions of excluded topics move only off ineligible brokers; with
 * `--to-brokers`, a replica goes only to a listed broker (or back to one that held it before).
 */
import type { Goal, GoalContext } from "../goal.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { BrokerOrder, chooseDestination } from "./destinations.js";

function misplaced(state: PlacementState): number {
  let n = 0;
  for (let i = 0; i < state.replicas.length; i++) if (!state.eligible[state.replicas[i]!]) n++;
  return n;
}

export const validPlacementGoal: Goal = {
  id: "valid-placement",
  hard: true,

  score: (state) => misplaced(state),

  status(state) {
    const n = misplaced(state);
    return n === 0
      ? { satisfied: true, detail: "every replica is on an alive, eligible broker" }
      : { satisfied: false, detail: `${String(n)} replica(s) on dead or excluded brokers` };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (action.kind === "lead") return !state.frozen[action.p];
    if (action.kind === "trade") {
      const { p, q, r } = action;
      if (p === q || state.frozen[p] || state.frozen[q]) return false;
      return r === undefined || (r !== p && r !== q && !state.frozen[r]);
    }
    for (const c of state.changes(action)) {
      if (!state.eligible[c.to]) return false;
      if (c.to !== c.from && !targets.canReceive(c.p, c.to)) return false;
      if (state.slotOf(c.p, c.to) >= 0 && c.to !== c.from) return false;
      if (state.frozen[c.p] && state.eligible[c.from]) return false;
    }
    if (action.kind === "swap" && action.p === action.q) return false;
    return true;
  },

  optimize(ctx: GoalContext): void {
    const { state, targets } = ctx;
    const order = new BrokerOrder(state, targets);
    for (let p = 0; p < state.partitionCount; p++) {
      for (let slot = 0; slot < state.rf[p]!; slot++) {
        if (state.eligible[state.brokerAt(p, slot)]) continue;
        const choice = chooseDestination(state, targets, order, p, slot);
        if (choice && ctx.propose({ kind: "move", p, slot, to: choice.to })) order.touched();
      }
    }
  },
};
