/**
 * Topic spread's kept swap-back lists: brought up to date from the brokers' membership logs, they
 * must equal the list made anew, whatever moves came between.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Cluster } from "../../src/model/types.js";
import { swapBackList } from "../../src/solver/goals/topic-spread.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";

/** Six brokers in `racks` racks; topics of 2–12 single-replica partitions, all starting on brokers 1 and 2. */
function cluster(racks: number, sizes: readonly number[][]): Cluster {
  return {
    version: 1,
    brokers: [1, 2, 3, 4, 5, 6].map((id) => ({ id, rack: `r${String(id % racks)}`, status: "alive" as const, capacity: {} })),
    topics: sizes.map((parts, t) => ({
      name: `t${String(t)}`,
      partitions: parts.map((size, i) => ({ topic: `t${String(t)}`, partition: i, replicas: [1 + (i % 2)], leader: 1 + (i % 2), size, bytesIn: 0, bytesOut: 0 })),
    })),
  };
}

test("property: a kept swap-back list equals one made anew after any moves", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
      // Few (s, d, want) triples, so that kept lists are asked for again after moves.
      fc.array(fc.record({ p: fc.nat(), to: fc.nat(5), s: fc.nat(2), d: fc.nat(2), want: fc.constantFrom(1, 2), look: fc.boolean() }), { maxLength: 80 }),
      (racks, sizes, steps) => {
        const state = new PlacementState(cluster(racks, sizes), { excludeBrokers: new Set(), isFrozenTopic: () => false });
        const targets = new Targets(state, { rackSpread: false, diskThreshold: 0.1 });
        for (const step of steps) {
          const p = step.p % state.partitionCount;
          if (state.slotOf(p, step.to) < 0) state.apply({ kind: "move", p, slot: 0, to: step.to });
          if (!step.look || step.s === step.d) continue;
          const kept = swapBackList(state, targets, step.s, step.d, step.want);
          assert.deepEqual([...kept], [...swapBackList(state, targets, step.s, step.d, step.want, true)]);
        }
      },
    ),
    { numRuns: 300, seed: 20261207 },
  );
});
