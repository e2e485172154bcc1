/**
 * The optimizer's rounds: they repeat until a round leaves the placement as it found it, and a step a
 * goal takes back within its run (making room that was not enough) is no change.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster } from "../../src/model/types.js";
import { createRng } from "../../src/model/random.js";
import type { Goal, GoalContext } from "../../src/solver/goal.js";
import { optimize } from "../../src/solver/optimizer.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";

function cluster(): Cluster {
  return {
    version: 1,
    brokers: [1, 2, 3].map((id) => ({ id, status: "alive" as const, capacity: {} })),
    topics: [{ name: "t", partitions: [0, 1, 2].map((i) => ({ topic: "t", partition: i, replicas: [1 + i, 1 + ((i + 1) % 3)], leader: 1 + i, size: 1, bytesIn: 0, bytesOut: 0 })) }],
  };
}

/** A goal that, every run, hands partition 0's leadership on and takes it back: actions, and no change. */
function churning(runs: { count: number }): Goal {
  return {
    id: "leader",
    hard: false,
    score: () => 0,
    status: () => ({ satisfied: true, detail: "" }),
    accepts: () => true,
    optimize(ctx: GoalContext): void {
      runs.count++;
      const was = ctx.state.brokerAt(0, 0);
      assert.ok(ctx.propose({ kind: "lead", p: 0, slot: 1 }));
      ctx.undo({ kind: "lead", p: 0, slot: ctx.state.slotOf(0, was) });
    },
  };
}

test("a round whose only actions are taken back changes nothing: the optimizer stops after it", () => {
  const state = new PlacementState(cluster(), { excludeBrokers: new Set(), isFrozenTopic: () => false });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  const before = state.replicas.slice();
  const runs = { count: 0 };
  const result = optimize(state, targets, [churning(runs)], { maxMoves: Infinity, maxBytesMoved: Infinity }, createRng(1));
  assert.equal(result.rounds, 1);
  assert.equal(runs.count, 1);
  assert.equal(result.actions, 2);
  assert.deepEqual(state.replicas, before);
});

test("accepted asks the higher goals only; allowed asks the budget too", () => {
  const state = new PlacementState(cluster(), { excludeBrokers: new Set(), isFrozenTopic: () => false });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  // A higher goal refuses every replica move to broker 3 (index 2); the budget allows no move at all.
  const higher: Goal = { ...churning({ count: 0 }), id: "rack-spread", accepts: (a) => !(a.kind === "move" && a.to === 2), optimize: () => undefined };
  const seen: Array<[string, boolean, boolean]> = [];
  const asking: Goal = {
    ...churning({ count: 0 }),
    optimize(ctx: GoalContext): void {
      for (const to of [0, 2]) {
        const move = { kind: "move" as const, p: 1, slot: 0, to };
        seen.push([`to ${String(to)}`, ctx.accepted(move), ctx.allowed(move)]);
      }
    },
  };
  optimize(state, targets, [higher, asking], { maxMoves: 0, maxBytesMoved: Infinity }, createRng(1));
  assert.deepEqual(seen, [
    ["to 0", true, false],
    ["to 2", false, false],
  ]);
});
