/**
 * `explain`: every partition a plan changes is explained, by actions of the configured goals whose
 * figure did not get worse where they acted, and asking for explanations never changes the plan.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_GOALS } from "../../src/model/config.js";
import { plan } from "../../src/solver/index.js";
import { planCaseArb } from "../support/arbitraries.js";
import { planned } from "../support/invariants.js";

test("explanations cover exactly the changed partitions, name configured goals, and leave the plan as it is", () => {
  fc.assert(
    fc.property(planCaseArb({ goals: true }), ({ c, options }) => {
      const plain = planned(plan(c.cluster, options));
      const explained = planned(plan(c.cluster, { ...options, explain: true }));
      assert.equal(JSON.stringify(explained.reassignment), JSON.stringify(plain.reassignment));
      assert.equal(plain.explanations, undefined);
      const list = explained.explanations!;
      assert.equal(list.length, explained.reassignment.partitions.length);
      const goals = new Set<string>([...(options.goals ?? DEFAULT_GOALS), "valid-placement", "take-back"]);
      for (const e of list) {
        assert.ok(e.actions.length > 0, `${e.topic}-${String(e.partition)} changed with no action behind it`);
        for (const a of e.actions) assert.ok(goals.has(a.goal), `unknown goal ${a.goal}`);
      }
      for (const e of explained.reassignment.partitions) {
        const x = list.find((y) => y.topic === e.topic && y.partition === e.partition);
        assert.ok(x !== undefined, `${e.topic}-${String(e.partition)} is not explained`);
        assert.deepEqual(x.to, e.replicas);
      }
    }),
    { numRuns: 60, seed: 5, includeErrorInReport: true },
  );
});
