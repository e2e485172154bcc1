/**
 * The take-backs' swaps skip, unasked, partners of another topic where a goal refuses every such swap
 * (Goal.refusesSwapAcrossTopics): sound only if the topic-spread goal judges a swap of two topics'
 * replicas half by half, and invisible in the plans, which are the same as when every swap is asked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateCluster, type GenerateOptions } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import type { Goal } from "../../src/solver/goal.js";
import { topicSpreadGoal } from "../../src/solver/goals/topic-spread.js";
import { optimize } from "../../src/solver/optimizer.js";
import { prepare } from "../../src/solver/prepare.js";
import { stateCaseArb } from "../support/arbitraries.js";

test("property: where the topic-spread goal refuses a replica's swaps across topics, it refuses each of them, and the replica's move", () => {
  fc.assert(
    fc.property(stateCaseArb, ({ state, targets, rng }) => {
      for (let k = 0; k < 40; k++) {
        const p = Math.floor(rng.next() * state.partitionCount);
        const slot = Math.floor(rng.next() * state.rf[p]!);
        const to = Math.floor(rng.next() * state.brokerCount);
        const from = state.brokerAt(p, slot);
        if (state.slotOf(p, to) >= 0) continue;
        const refuses = topicSpreadGoal.refusesSwapAcrossTopics!(state, targets, p, slot, to);
        assert.equal(refuses, !topicSpreadGoal.accepts({ kind: "move", p, slot, to }, state, targets));
        if (!refuses) continue;
        for (let i = 0; i < state.partitionsOnCount(to); i++) {
          const q = state.partitionOnAt(to, i);
          if (state.topicOf[q] === state.topicOf[p] || state.slotOf(q, from) >= 0) continue;
          const swap = { kind: "swap" as const, p, slot, q, qSlot: state.slotOf(q, to) };
          assert.equal(topicSpreadGoal.accepts(swap, state, targets), false);
        }
      }
    }),
    { numRuns: 60, seed: 42 },
  );
});

const SHAPES: ReadonlyArray<{ options: GenerateOptions; seed: number }> = [
  { options: { brokers: 30, newBrokers: 3, racks: 3, topics: 8, partitions: { min: 10, max: 40 }, replicationFactor: 3, placement: "skewed-racked" }, seed: 5 },
  { options: { brokers: 24, racks: 2, topics: 6, partitions: { min: 5, max: 30 }, replicationFactor: 2, placement: "skewed" }, seed: 11 },
  { options: { brokers: 40, racks: 4, topics: 10, partitions: { min: 10, max: 30 }, replicationFactor: 3, placement: "random" }, seed: 17 },
];

/** The goals, without the rule that lets swaps be skipped (skip false), or counting its refusals. */
function withRule(goals: readonly Goal[], skip: boolean, refusals: { n: number }): Goal[] {
  return goals.map((g): Goal => {
    const rule = g.refusesSwapAcrossTopics;
    const copy: Goal = { ...g };
    delete copy.refusesSwapAcrossTopics;
    if (skip && rule !== undefined) copy.refusesSwapAcrossTopics = (...args) => (rule.apply(g, args) ? (refusals.n++, true) : false);
    return copy;
  });
}

test("plans are the same when every take-back swap across topics is asked of the goals", () => {
  const refusals = { n: 0 };
  for (const { options, seed } of SHAPES) {
    const placements = [true, false].map((skip) => {
      const { state, targets, goals } = prepare(generateCluster(options, createRng(seed)), {});
      optimize(state, targets, withRule(goals, skip, refusals), { maxMoves: Infinity, maxBytesMoved: Infinity }, createRng(seed));
      return Array.from(state.replicas);
    });
    assert.deepEqual(placements[0], placements[1]);
  }
  assert.ok(refusals.n > 0, "some swap was skipped");
});
