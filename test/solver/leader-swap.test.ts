/**
 * The leader goal's swaps of replicas (pullBySwap), driven directly on generated clusters with
 * realistic load near or over their capacity: every swap leaves each broker's replica count as it
 * was, keeps the placement valid, gains the broker below the band one leader without taking the goal's
 * score up, and leaves no higher-priority goal worse (each swap must be accepted by all of them).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createRng } from "../../src/model/random.js";
import type { GoalContext } from "../../src/solver/goal.js";
import { pullBySwap } from "../../src/solver/goals/leader-swap.js";
import { prepare } from "../../src/solver/prepare.js";
import type { Action } from "../../src/solver/state.js";
import { realisticClusterArb } from "../support/arbitraries.js";

test("swaps for a leader keep replica counts and the placement valid, and make no higher goal worse", () => {
  let swaps = 0;
  fc.assert(
    fc.property(realisticClusterArb, ({ cluster }) => {
      const { state, targets, goals } = prepare(cluster, {});
      const at = goals.findIndex((g) => g.id === "leader");
      const higher = goals.slice(0, at);
      const leader = goals[at]!;
      const accepted = (a: Action): boolean => higher.every((g) => g.accepts(a, state, targets));
      const ctx: GoalContext = {
        state,
        targets,
        rng: createRng(1),
        later: [],
        accepted,
        allowed: accepted,
        mayGo: (p, slot, to) => higher.every((g) => g.refusesReplica?.(state, targets, p, slot, to) !== true),
        propose(a) {
          if (!accepted(a)) return false;
          state.apply(a);
          return true;
        },
        undo: (a) => state.apply(a),
      };
      const counts = Array.from(state.count);
      for (let d = 0; d < state.brokerCount; d++) {
        if (!state.eligible[d] || state.leadersOf(d) >= targets.leaderMinOf(state, d)) continue;
        const before = higher.map((g) => g.score(state, targets));
        const leaderBefore = leader.score(state, targets);
        const led = state.leadersOf(d);
        if (!pullBySwap(ctx, d)) continue;
        swaps++;
        assert.equal(state.leadersOf(d), led + 1, `broker ${String(state.idOf(d))} gained one leader`);
        assert.ok(leader.score(state, targets) <= leaderBefore, "leader score no worse");
        higher.forEach((g, i) => {
          const was = before[i]!;
          assert.ok(g.score(state, targets) <= was + 1e-6 * Math.max(1, Math.abs(was)), `${g.id} no worse`);
        });
        assert.deepEqual(Array.from(state.count), counts, "replica counts as they were");
      }
    }),
    { numRuns: 150, seed: 17 },
  );
  assert.ok(swaps > 0, "some swaps were made");
});
