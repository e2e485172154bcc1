/**
 * An operator's own property test of their balancing policy, against synthetic clusters from
 * `ballast/testing`. Copy it into your repository, put your policy in POLICY (as you would in the
 * balance config), and run it with your test runner; here, node:test:
 *
 *   npm install --save-dev ballast fast-check typescript @types/node
 *   npx tsc && node --test
 *
 * Every failure prints the generated cluster's recipe, `generateCluster({...}, createRng(seed))`,
 * which `ballast generate` (or generateCluster) turns back into the snapshot.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { plan, type PlanOptions } from "ballast";
import { assertExcludedTopicsKept, assertIdempotent, clusterArb, realisticClusterArb, validPlan } from "ballast/testing";

/** The policy under test: a budget per run, and a topic family that must stay where it is. */
const POLICY: PlanOptions = { maxMoves: 40, excludeTopics: ["-000$"] };

const RUNS = { numRuns: 15, seed: 42 };

test("every plan under the policy is valid, within its budget, and leaves the pinned topics alone", () => {
  fc.assert(
    fc.property(fc.oneof(clusterArb, realisticClusterArb), (c) => {
      const outcome = plan(c.cluster, POLICY);
      // A cluster whose replication factors exceed its live brokers cannot be planned: that is an answer, not a bug.
      if (outcome.status === "infeasible") return;
      const planned = validPlan(c.cluster, outcome, POLICY);
      assert.ok(planned.moves <= (POLICY.maxMoves ?? Infinity), `${String(planned.moves)} moves`);
      assertExcludedTopicsKept(c.cluster, planned, POLICY);
    }),
    RUNS,
  );
});

test("with the default goals and no budget, planning the result again changes nothing", () => {
  fc.assert(
    fc.property(clusterArb, (c) => {
      const outcome = plan(c.cluster);
      if (outcome.status === "infeasible") return;
      assertIdempotent(plan(validPlan(c.cluster, outcome).after));
    }),
    RUNS,
  );
});
