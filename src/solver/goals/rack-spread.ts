/**
 * Rack spread (hard): at most maxPerRack replicas of a partition in one rack — ceil(RF / R) where R is
 * the number of racks with eligible brokers, more only where small racks cannot take their share — and,
 * where the cluster has enough hosts, never two replicas of a partition on one host.
 */
import type { Goal, GoalContext } from "../goal.js";
import { moveKeepsSpread, spreadViolation } from "../rules.js";
import type { Action, PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { BrokerOrder, chooseDestination, lexLess } from "./destinations.js";

function violations(state: PlacementState, targets: Targets): { replicas: number; partitions: number } {
  let replicas = 0;
  let partitions = 0;
  for (let p = 0; p < state.partitionCount; p++) {
    const v = spreadViolation(state, targets, p);
    replicas += v;
    if (v > 0) partitions++;
  }
  return { replicas, partitions };
}

/** The move that most reduces p's violation: a replica off a crowded rack or host to the best broker. */
function bestFix(ctx: GoalContext, order: BrokerOrder, p: number): { slot: number; to: number } | null {
  const { state, targets } = ctx;
  const now = spreadViolation(state, targets, p);
  let best: { slot: number; to: number } | null = null;
  let bestKey: number[] = [];
  for (let slot = 0; slot < state.rfOf(p); slot++) {
    if (spreadViolation(state, targets, p, slot, -1) >= now) continue;
    const choice = chooseDestination(state, targets, order, p, slot, (to) =>
      ctx.allowed({ kind: "move", p, slot, to }),
    );
    if (choice === null || choice.violation >= now) continue;
    const from = state.brokerAt(p, slot);
    const t = state.topicIndexOf(p);
    const key = [
      choice.violation,
      state.moveDelta(p, slot, choice.to),
      -(state.topicCountOf(t, from) - targets.topicMaxOf(t, from)),
      -(state.countOf(from) - targets.countMaxOf(from)),
      slot === 0 ? 1 : 0,
      slot,
    ];
    if (best === null || lexLess(key, bestKey)) {
      best = { slot, to: choice.to };
      bestKey = key;
    }
  }
  return best;
}

export const rackSpreadGoal: Goal = {
  id: "rack-spread",
  hard: true,

  score: (state, targets) => violations(state, targets).replicas,

  status(state, targets) {
    const v = violations(state, targets);
    if (v.partitions === 0) return { satisfied: true, detail: "every partition is spread over racks and hosts" };
    return {
      satisfied: false,
      detail: `${String(v.partitions)} partition(s) crowd a rack or host (${String(v.replicas)} replica(s) to move)`,
    };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (action.kind === "lead" || action.kind === "trade") return true;
    if (action.kind === "move") return moveKeepsSpread(state, targets, action.p, action.slot, action.to);
    const b1 = state.brokerAt(action.p, action.slot);
    const b2 = state.brokerAt(action.q, action.qSlot);
    return (
      moveKeepsSpread(state, targets, action.p, action.slot, b2) && moveKeepsSpread(state, targets, action.q, action.qSlot, b1)
    );
  },

  // Moves and swaps are judged replica by replica (moveKeepsSpread), so a replica that may not go to
  // a broker makes every action putting it there fail.
  refusesReplica(state: PlacementState, targets: Targets, p: number, slot: number, to: number): boolean {
    return !moveKeepsSpread(state, targets, p, slot, to);
  },

  optimize(ctx: GoalContext): void {
    const { state, targets } = ctx;
    const order = new BrokerOrder(state, targets);
    for (let p = 0; p < state.partitionCount; p++) {
      for (let guard = state.rfOf(p); guard > 0 && spreadViolation(state, targets, p) > 0; guard--) {
        const fix = bestFix(ctx, order, p);
        if (fix === null || !ctx.propose({ kind: "move", p, slot: fix.slot, to: fix.to })) break;
        order.touched();
      }
    }
  },
};
