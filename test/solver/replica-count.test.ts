/**
 * moveBestReplicas: the batch move of the replica-count goal, and what it does when a higher goal
 * refuses every candidate (a destination at a capacity limit).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster } from "../../src/model/types.js";
import { createRng } from "../../src/model/random.js";
import type { GoalContext } from "../../src/solver/goal.js";
import { moveBestReplicas } from "../../src/solver/goals/replica-count.js";
import type { Action } from "../../src/solver/state.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";

/** Broker 1 holds five single-replica partitions; brokers 2 and 3 hold none. */
function cluster(): Cluster {
  return {
    version: 1,
    brokers: [1, 2, 3].map((id) => ({ id, status: "alive" as const, capacity: {} })),
    topics: [0, 1, 2, 3, 4].map((i) => ({ name: `t${String(i)}`, partitions: [{ topic: `t${String(i)}`, partition: 0, replicas: [1], leader: 1, size: 10 + i, bytesIn: 0, bytesOut: 0 }] })),
  };
}

/** A context whose higher goals accept exactly what `accepts` says, counting proposals. */
function context(accepts: (a: Action) => boolean): { ctx: GoalContext; proposed: Action[] } {
  const state = new PlacementState(cluster(), { excludeBrokers: new Set(), isFrozenTopic: () => false });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  const proposed: Action[] = [];
  const ctx: GoalContext = {
    state,
    targets,
    rng: createRng(1),
    later: [],
    propose(a) {
      proposed.push(a);
      if (!accepts(a)) return false;
      state.apply(a);
      return true;
    },
    undo: (a) => state.apply(a),
    allowed: accepts,
    accepted: accepts,
    mayGo: () => true,
  };
  return { ctx, proposed };
}

test("a destination every candidate is refused for: nothing moves, one refusal per candidate (at most the budget)", () => {
  for (const [left, after] of [
    [3, 0],
    [10, 5],
  ] as const) {
    const { ctx, proposed } = context((a) => !(a.kind === "move" && a.to === 1));
    const refusals = { left };
    assert.equal(moveBestReplicas(ctx, 0, 1, 5, undefined, refusals), 0);
    assert.equal(refusals.left, after, "as if each candidate had been proposed in turn until the budget ran out");
    assert.equal(proposed.length, 0, "none proposed: the outcome is known without");
    assert.equal(ctx.state.countOf(1), 0);
  }
});

test("a destination some candidate is accepted for: candidates are proposed best first, refusals counted", () => {
  // Only the heaviest partition (t4) may go to broker 2; the others are refused.
  const { ctx, proposed } = context((a) => !(a.kind === "move" && a.p !== 4));
  const refusals = { left: 10 };
  assert.equal(moveBestReplicas(ctx, 0, 1, 1, undefined, refusals), 1);
  assert.equal(ctx.state.countOf(1), 1);
  // Smaller first: t0..t3 are refused, then t4 goes.
  assert.deepEqual(
    proposed.map((a) => (a.kind === "move" ? a.p : -1)),
    [0, 1, 2, 3, 4],
  );
  assert.equal(refusals.left, 6);
});
