/**
 * Take-backs (the optimizer's tidy pass): moves no goal needs are undone, alone, in pairs, or by two
 * replicas away from home trading places. Checked on the benchmark's dead-broker and mixed-capacity
 * shapes, where the plans used to end at 1.38 and 1.29 times the lower bound; and the shortcut they
 * take past partners of a replica the rack rule refuses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateCluster, type GenerateOptions } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import { plan } from "../../src/solver/index.js";
import { rackSpreadGoal } from "../../src/solver/goals/rack-spread.js";
import { stateCaseArb } from "../support/arbitraries.js";
import { validPlan } from "../support/invariants.js";

const TOPICS_10K: GenerateOptions = { topics: 100, partitions: { min: 100, max: 100 }, replicationFactor: 3 };

const SHAPES: ReadonlyArray<{ name: string; seed: number; options: GenerateOptions }> = [
  { name: "dead-200", seed: 3, options: { brokers: 200, deadBrokers: 2, placement: "balanced", ...TOPICS_10K } },
  {
    name: "mixed-capacity-200",
    seed: 7,
    options: {
      brokers: 200,
      placement: "random",
      capacity: { disk: 200 * 1024 ** 3, networkIn: 512 * 1024, networkOut: 1024 ** 2 },
      mixedCapacity: true,
      ...TOPICS_10K,
    },
  },
];

for (const { name, seed, options } of SHAPES) {
  test(`${name}: moves within 1.25 × the lower bound, every goal as balanced as it gets`, () => {
    const c = generateCluster(options, createRng(seed));
    const p = validPlan(c, plan(c, {}));
    assert.ok(p.moves <= 1.25 * p.lowerBound.moves, `moves ${String(p.moves)} vs bound ${String(p.lowerBound.moves)}`);
    for (const goal of ["replica-count", "disk", "topic-spread", "network-in", "network-out", "leader"]) {
      const g = p.balanceAfter.goals.find((x) => x.goal === goal)!;
      assert.ok(g.satisfied, `${goal}: ${g.detail}`);
    }
  });
}

test("property: where the rack-spread goal refuses a replica on a broker, it refuses every move and swap that puts it there", () => {
  // Take-backs skip all partners of a replica the rule refuses (GoalContext.mayGo): sound only if the
  // goal judges a swap's two halves independently.
  fc.assert(
    fc.property(stateCaseArb, ({ state, targets, rng }) => {
      const B = state.brokerCount;
      for (let k = 0; k < 40; k++) {
        const p = Math.floor(rng.next() * state.partitionCount);
        const slot = Math.floor(rng.next() * state.rf[p]!);
        const to = Math.floor(rng.next() * B);
        if (state.slotOf(p, to) >= 0) continue;
        const refuses = rackSpreadGoal.refusesReplica!(state, targets, p, slot, to);
        assert.equal(refuses, !rackSpreadGoal.accepts({ kind: "move", p, slot, to }, state, targets));
        const n = state.partitionsOnCount(to);
        for (let i = 0; i < n; i++) {
          const q = state.partitionOnAt(to, i);
          if (q === p || state.slotOf(q, state.brokerAt(p, slot)) >= 0) continue;
          const swap = { kind: "swap" as const, p, slot, q, qSlot: state.slotOf(q, to) };
          if (refuses) assert.equal(rackSpreadGoal.accepts(swap, state, targets), false);
        }
      }
    }),
    { numRuns: 60, seed: 42 },
  );
});
