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

/** Whether partition p's replica may go from broker `from` to `to`. */
function mayChange(state: PlacementState, targets: Targets, p: number, from: number, to: number): boolean {
  if (!state.eligible[to]) return false;
  if (to !== from && (!targets.canReceive(p, to) || state.slotOf(p, to) >= 0)) return false;
  return !(state.frozen[p] && state.eligible[from]);
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
    // Moves and swaps, judged by the million, without building their replica changes.
    if (action.kind === "move") return mayChange(state, targets, action.p, state.brokerAt(action.p, action.slot), action.to);
    if (action.kind === "swap") {
      const b1 = state.brokerAt(action.p, action.slot);
      const b2 = state.brokerAt(action.q, action.qSlot);
      return action.p !== action.q && mayChange(state, targets, action.p, b1, b2) && mayChange(state, targets, action.q, b2, b1);
    }
    return state.changes(action).every((c) => mayChange(state, targets, c.p, c.from, c.to));
  },

  optimize(ctx: GoalContext): void {
    const { state, targets } = ctx;
    const order = new BrokerOrder(state, targets);
    for (let p = 0; p < state.partitionCount; p++) {
      for (let slot = 0; slot < state.rfOf(p); slot++) {
        if (state.eligible[state.brokerAt(p, slot)]) continue;
        const choice = chooseDestination(state, targets, order, p, slot);
        if (choice && ctx.propose({ kind: "move", p, slot, to: choice.to })) order.touched();
      }
    }
  },
};
