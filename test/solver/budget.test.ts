/**
 * Movement budgets: never exceeded, and the plan under a budget balances at least as well as taking
 * the unbudgeted plan's changes in file order while they fit (goal scores compared in priority order).
 */
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Cluster } from "../../src/model/types.js";
import { applyReassignment } from "../../src/model/reassignment.js";
import { assess, plan } from "../../src/solver/index.js";
import type { BalanceReport, PlanOptions } from "../../src/solver/types.js";
import { localScores, scores, setReplicas } from "../../src/solver/budget.js";
import { diskGoal } from "../../src/solver/goals/disk.js";
import { leaderGoal } from "../../src/solver/goals/leader.js";
import { rackSpreadGoal } from "../../src/solver/goals/rack-spread.js";
import { replicaCountGoal } from "../../src/solver/goals/replica-count.js";
import { topicSpreadGoal } from "../../src/solver/goals/topic-spread.js";
import { validPlacementGoal } from "../../src/solver/goals/valid-placement.js";
import { PlacementState } from "../../src/solver/state.js";
import { Targets } from "../../src/solver/targets.js";
import { excludeArb, largestRf, planCaseArb } from "../support/arbitraries.js";
import { loadFixture } from "../support/fixtures.js";
import { partitionsByKey, planned, validPlan } from "../support/invariants.js";
import { Precondition } from "../support/precondition.js";

const RUNS = { numRuns: 50, seed: 5, includeErrorInReport: true } as const;
/** The least share of generated cases a filtered property must keep (with seed 5, every case has a plan). */
const SHARE = 0.8;

/** Negative when report a balances better than b: goal scores compared in priority order. */
function compareBalance(a: BalanceReport, b: BalanceReport): number {
  for (let i = 0; i < a.goals.length; i++) {
    const x = a.goals[i]!.score;
    const y = b.goals[i]!.score;
    if (Math.abs(x - y) > 1e-6 * Math.max(1, Math.abs(y))) return x - y;
  }
  return 0;
}

/** The unbudgeted plan's entries taken in file order, each one that still fits the budget. */
function naive(cluster: Cluster, options: PlanOptions, maxMoves: number, maxBytes: number): Cluster {
  const full = planned(plan(cluster, withoutBudget(options)));
  const was = partitionsByKey(cluster);
  let moves = 0;
  let bytes = 0;
  const taken = full.reassignment.partitions.filter((e) => {
    const p = was.get(`${e.topic}\u0000${String(e.partition)}`)!;
    const m = e.replicas.filter((b) => !p.replicas.includes(b)).length;
    if (moves + m > maxMoves || bytes + m * p.size > maxBytes * (1 + 1e-12)) return false;
    moves += m;
    bytes += m * p.size;
    return true;
  });
  return applyReassignment(cluster, { version: 1, partitions: taken });
}

function withoutBudget(options: PlanOptions): PlanOptions {
  const { maxMoves: _m, maxBytesMoved: _b, ...rest } = options;
  return rest;
}

describe("movement budgets", () => {
  it("spends a small budget on the hard goal first, then on the most balance per move", () => {
    const cluster = loadFixture("demo.yaml");
    const p = validPlan(cluster, plan(cluster, { maxMoves: 3 }));
    assert.ok(p.moves <= 3);
    assert.ok(p.budgetLimited);
    const rack = p.balanceAfter.goals.find((g) => g.goal === "rack-spread")!;
    assert.ok(rack.satisfied, "payments-5 is put on three racks within the budget");
    const count = (r: BalanceReport): number => r.goals.find((g) => g.goal === "replica-count")!.score;
    assert.ok(count(p.balanceAfter) < count(p.balanceBefore), "the other moves even out replica counts");
  });

  it("a budget the plan fits changes nothing", () => {
    const cluster = loadFixture("demo.yaml");
    const free = planned(plan(cluster));
    const fitted = planned(plan(cluster, { maxMoves: free.moves, maxBytesMoved: free.bytesMoved }));
    assert.deepEqual(fitted.reassignment, free.reassignment);
    assert.equal(fitted.budgetLimited, false);
  });

  test("property: budgets are never exceeded, and the plan balances at least as well as the changes in file order", () => {
    const arb = planCaseArb().chain(({ c, options }) =>
      fc.record({
        c: fc.constant(c),
        options: fc.constant(options),
        maxMoves: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
        bytesShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      }),
    );
    const planable: Precondition = new Precondition("clusters with a plan");
    fc.assert(
      fc.property(arb, ({ c, options, maxMoves, bytesShare }) => {
        const free = plan(c.cluster, options);
        planable.pre(free.status === "planned");
        const maxBytesMoved = bytesShare === undefined ? undefined : Math.floor(free.bytesMoved * bytesShare);
        const budgeted: PlanOptions = {
          ...options,
          ...(maxMoves === undefined ? {} : { maxMoves }),
          ...(maxBytesMoved === undefined ? {} : { maxBytesMoved }),
        };
        const p = validPlan(c.cluster, plan(c.cluster, budgeted), budgeted);
        assert.ok(p.moves <= (maxMoves ?? Infinity), `moves ${String(p.moves)} > ${String(maxMoves)}`);
        assert.ok(p.bytesMoved <= (maxBytesMoved ?? Infinity) * (1 + 1e-12), `bytes ${String(p.bytesMoved)} > ${String(maxBytesMoved)}`);
        assert.ok(p.moves >= p.lowerBound.moves, "moves at least the bound");
        const base = naive(c.cluster, withoutBudget(options), maxMoves ?? Infinity, maxBytesMoved ?? Infinity);
        const naiveReport = assess(base, withoutBudget(options));
        assert.ok(
          compareBalance(p.balanceAfter, naiveReport) <= 0,
          `budgeted plan ${JSON.stringify(p.balanceAfter.goals.map((g) => g.score))} vs in order ${JSON.stringify(naiveReport.goals.map((g) => g.score))}`,
        );
      }),
      RUNS,
    );
    planable.atLeast(RUNS.numRuns, SHARE);
  });

  test("property: a budget with excluded brokers still never moves more than allowed", () => {
    const planable: Precondition = new Precondition("clusters with a plan");
    fc.assert(
      fc.property(
        planCaseArb().chain(({ c }) => fc.record({ c: fc.constant(c), exclude: excludeArb(c.cluster, largestRf(c.cluster)), maxMoves: fc.integer({ min: 0, max: 5 }) })),
        ({ c, exclude, maxMoves }) => {
          const options: PlanOptions = { maxMoves, ...(exclude.length > 0 ? { excludeBrokers: exclude } : {}) };
          const outcome = plan(c.cluster, options);
          planable.pre(outcome.status === "planned");
          assert.ok(validPlan(c.cluster, outcome, options).moves <= maxMoves);
        },
      ),
      RUNS,
    );
    planable.atLeast(RUNS.numRuns, SHARE);
  });

  test("property: a change's gain measured on its own partition and brokers equals the change in the goals' scores", () => {
    const goals = [validPlacementGoal, rackSpreadGoal, replicaCountGoal, diskGoal, topicSpreadGoal, leaderGoal];
    const ids = goals.map((g) => g.id);
    const planable: Precondition = new Precondition("clusters with a plan");
    fc.assert(
      fc.property(planCaseArb(), ({ c, options }) => {
        const outcome = plan(c.cluster, options);
        planable.pre(outcome.status === "planned");
        const state = new PlacementState(c.cluster, { excludeBrokers: new Set(options.excludeBrokers ?? []), isFrozenTopic: () => false });
        const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
        const index = new Map(Array.from(state.brokerIds, (id, i) => [id, i]));
        const byKey = new Map(outcome.reassignment.partitions.map((e) => [`${e.topic}\u0000${String(e.partition)}`, e.replicas]));
        // Apply the plan's changes one by one, checking each against the full scores.
        for (let p = 0; p < state.partitionCount; p++) {
          const target = byKey.get(`${state.topicNames[state.topicOf[p]!]!}\u0000${String(state.partitionNumber[p])}`);
          if (target === undefined) continue;
          const to = target.map((id) => index.get(id)!);
          const now = Array.from({ length: state.rf[p]! }, (_, i) => state.brokerAt(p, i));
          const brokers = [...new Set([...now, ...to])];
          const fullBefore = scores(state, targets, goals);
          const localBefore = localScores(state, targets, ids, p, brokers);
          setReplicas(state, p, to);
          assert.deepEqual(Array.from({ length: state.rf[p]! }, (_, i) => state.brokerAt(p, i)), to, "setReplicas gives the list asked for");
          const fullAfter = scores(state, targets, goals);
          const localAfter = localScores(state, targets, ids, p, brokers);
          ids.forEach((id, i) => {
            const full = fullBefore[i]! - fullAfter[i]!;
            const local = localBefore[i]! - localAfter[i]!;
            assert.ok(Math.abs(full - local) <= 1e-6 * Math.max(1, Math.abs(fullBefore[i]!)), `${id}: full ${String(full)} vs local ${String(local)}`);
          });
        }
      }),
      RUNS,
    );
    planable.atLeast(RUNS.numRuns, SHARE);
  });
});
