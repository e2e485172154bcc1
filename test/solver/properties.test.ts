/**
 * Properties of `plan` over small synthetic clusters (test/support/arbitraries.ts), checked with the
 * shared invariants (test/support/invariants.ts). Every fc.assert has a fixed seed so CI is
 * deterministic; a failure prints the generator options and seed of the counterexample.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_GOALS } from "../../src/model/config.js";
import { assess, plan } from "../../src/solver/index.js";
import type { PlanOptions } from "../../src/solver/types.js";
import { assertRelabelledPlan } from "../support/relabel.js";
import {
  balancedCandidateArb,
  clusterArb,
  largestRf,
  planCaseArb,
  type ClusterCase,
  type PlanCase,
} from "../support/arbitraries.js";
import {
  assertExcludedTopicsKept,
  assertIdempotent,
  eligibleIds,
  leaderCounts,
  planned,
  replicaCounts,
  spreadViolations,
  validPlan,
} from "../support/invariants.js";

const RUNS = { numRuns: 100, seed: 42, includeErrorInReport: true } as const;

test("plans are valid whatever the goals, excluded brokers and excluded topics", () => {
  fc.assert(
    fc.property(planCaseArb({ goals: true, excludeTopics: true }), ({ c, options }) => {
      validPlan(c.cluster, plan(c.cluster, options), options);
    }),
    { ...RUNS, numRuns: 150 },
  );
});

test("the rack and host rules hold after every plan with the default goals", () => {
  fc.assert(
    fc.property(planCaseArb(), ({ c, options }) => {
      const p = validPlan(c.cluster, plan(c.cluster, options), options);
      assert.deepEqual(spreadViolations(p.after, eligibleIds(c.cluster, options)), []);
      assert.equal(p.balanceAfter.summary.rackViolations, 0);
      assert.equal(p.balanceAfter.summary.hostViolations, 0);
    }),
    RUNS,
  );
});

test("dead and excluded brokers end with no replicas", () => {
  fc.assert(
    fc.property(planCaseArb({ goals: true }), ({ c, options }) => {
      const p = planned(plan(c.cluster, options));
      const eligible = eligibleIds(c.cluster, options);
      const left = [...replicaCounts(p.after)].filter(([id, n]) => !eligible.has(id) && n > 0);
      assert.deepEqual(left, []);
      assert.equal(p.balanceAfter.summary.misplacedReplicas, 0);
    }),
    RUNS,
  );
});

test("a request is infeasible exactly when fewer brokers are eligible than some replication factor", () => {
  fc.assert(
    fc.property(
      clusterArb.chain((c) => fc.tuple(fc.constant(c), fc.subarray(c.cluster.brokers.map((b) => b.id)))),
      ([c, excludeBrokers]) => {
        const options: PlanOptions = { excludeBrokers };
        const outcome = plan(c.cluster, options);
        const feasible = eligibleIds(c.cluster, options).size >= largestRf(c.cluster);
        assert.equal(outcome.status, feasible ? "planned" : "infeasible");
        if (outcome.status === "infeasible") {
          assert.ok(outcome.problems.length > 0);
          for (const problem of outcome.problems) assert.equal(problem.rule, "replication-factor");
        }
      },
    ),
    RUNS,
  );
});

test("planning is deterministic", () => {
  fc.assert(
    fc.property(planCaseArb({ goals: true, excludeTopics: true }), ({ c, options }) => {
      const a = planned(plan(c.cluster, options));
      const b = planned(plan(c.cluster, options));
      assert.equal(JSON.stringify(b.reassignment), JSON.stringify(a.reassignment));
      assert.equal(b.moves, a.moves);
      assert.deepEqual(b.lowerBound, a.lowerBound);
    }),
    RUNS,
  );
});

test("planning is idempotent: the plan's result needs no further change", () => {
  fc.assert(
    fc.property(planCaseArb({ goals: true }), ({ c, options }) => {
      const p = planned(plan(c.cluster, options));
      assertIdempotent(plan(p.after, options));
    }),
    RUNS,
  );
});

function atLeastBound({ c, options }: PlanCase): void {
  const p = planned(plan(c.cluster, options));
  assert.ok(p.lowerBound.moves >= 0 && Number.isInteger(p.lowerBound.moves), `bound ${String(p.lowerBound.moves)}`);
  assert.ok(p.moves >= p.lowerBound.moves, `moves ${String(p.moves)} < bound ${String(p.lowerBound.moves)}`);
  const slack = 1e-9 * Math.max(1, p.lowerBound.bytesMoved);
  assert.ok(p.bytesMoved + slack >= p.lowerBound.bytesMoved, `bytes ${String(p.bytesMoved)} < bound ${String(p.lowerBound.bytesMoved)}`);
}

test("moves and bytes moved are at least the lower bound", () => {
  fc.assert(fc.property(planCaseArb({ goals: true }), atLeastBound), RUNS);
});

// Moves within 1.5 × the lower bound: the heuristic's bound alone cannot show it on every tiny
// cluster (on some, even the proven optimum is above 1.5 × the counting bounds); with the integer
// search's bound and placement it holds, and is checked in exact.test.ts.

// ---------------------------------------------------------------------------------------------
// Metamorphic: relabel brokers and racks order-preservingly, shuffle topics.

const relabelledCaseArb = planCaseArb({ goals: true }).chain(({ c, options }) =>
  fc.tuple(fc.constant(c), fc.constant(options), fc.shuffledSubarray(c.cluster.topics.map((_, i) => i), { minLength: c.cluster.topics.length })),
);

test("relabelling brokers and racks order-preservingly and shuffling topics gives the same plan, relabelled", () => {
  fc.assert(
    fc.property(relabelledCaseArb, ([c, options, order]) => assertRelabelledPlan(c.cluster, options, order)),
    RUNS,
  );
});

// ---------------------------------------------------------------------------------------------
// Balance reached.

function allGoalsMet(c: ClusterCase): boolean {
  return assess(c.cluster).goals.every((g) => g.satisfied);
}

test("a cluster that meets every goal gets an empty plan", () => {
  let kept = 0;
  fc.assert(
    fc.property(balancedCandidateArb, (c) => {
      fc.pre(allGoalsMet(c));
      kept++;
      const p = validPlan(c.cluster, plan(c.cluster));
      assert.deepEqual(p.reassignment.partitions, []);
      assert.equal(p.moves, 0);
      assert.equal(p.leaderChanges, 0);
    }),
    { ...RUNS, numRuns: 60 },
  );
  assert.ok(kept >= 30, `only ${String(kept)} of the candidates meet every goal`);
});

/** Whether the leader-count goal runs before any goal that moves leadership for load (or they are off). */
function leaderCountsFirst(options: PlanOptions): boolean {
  const goals = options.goals ?? DEFAULT_GOALS;
  const at = goals.indexOf("leader");
  return at >= 0 && goals.every((g, i) => (g !== "network-out" && g !== "leader-bytes") || i > at);
}

function withinBands({ c, options }: PlanCase): void {
  const p = planned(plan(c.cluster, options));
  const s = p.balanceAfter.summary;
  assert.ok(s.replicaCount.maxDeviation <= 1, `replica count ${String(s.replicaCount.maxDeviation)} from its band`);
  // Network out and leader bytes, when they come first, trade preferred-leader counts for load balance:
  // the leader-count promise holds for the goal order without them.
  const countsFirst: PlanOptions = leaderCountsFirst(options)
    ? options
    : { ...options, goals: (options.goals ?? DEFAULT_GOALS).filter((g) => g !== "network-out" && g !== "leader-bytes") };
  const q = countsFirst === options ? p : planned(plan(c.cluster, countsFirst));
  const leaders = leaderCounts(q.after);
  for (const id of eligibleIds(c.cluster, options)) {
    const l = leaders.get(id) ?? 0;
    assert.ok(Math.abs(l - s.leaderCount.ideal) <= 2, `broker ${String(id)} leads ${String(l)}, ideal ${String(s.leaderCount.ideal)}`);
  }
}

test("replica counts end within 1 of their bands; leaders within 2 of the ideal when leader counts come before the load goals", () => {
  fc.assert(fc.property(planCaseArb(), withinBands), RUNS);
});

test("with maxMoves = k the plan moves at most k replicas, and bytes stay within maxBytesMoved", () => {
  const arb = planCaseArb().chain(({ c, options }) =>
    fc.tuple(fc.constant(c), fc.constant(options), fc.integer({ min: 0, max: 12 }), fc.option(fc.double({ min: 0, max: 8, noNaN: true }), { nil: undefined })),
  );
  fc.assert(
    fc.property(arb, ([c, base, k, gib]) => {
      const options: PlanOptions = { ...base, maxMoves: k, ...(gib === undefined ? {} : { maxBytesMoved: gib * 1024 ** 3 }) };
      const p = validPlan(c.cluster, plan(c.cluster, options), options);
      assert.ok(p.moves <= k, `moves ${String(p.moves)} > maxMoves ${String(k)}`);
      if (options.maxBytesMoved !== undefined) assert.ok(p.bytesMoved <= options.maxBytesMoved, `bytes ${String(p.bytesMoved)} > ${String(options.maxBytesMoved)}`);
      const unbounded = planned(plan(c.cluster, base));
      if (unbounded.moves <= k && options.maxBytesMoved === undefined) assert.equal(p.moves, unbounded.moves, "a budget that is not reached changes nothing");
    }),
    RUNS,
  );
});

test("excluded topics are not moved unless a replica sits on a dead or excluded broker", () => {
  fc.assert(
    fc.property(planCaseArb({ goals: true, excludeTopics: true }), ({ c, options }) => {
      assertExcludedTopicsKept(c.cluster, validPlan(c.cluster, plan(c.cluster, options), options), options);
    }),
    RUNS,
  );
});

