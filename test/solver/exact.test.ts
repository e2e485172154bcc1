/**
 * `exact` plans (src/solver/exact.ts) on small generated clusters, with HiGHS as the integer-program
 * solver the CLI uses, cross-checked against javascript-lp-solver where the program is small enough
 * for it. The exact optimum sits between every lower bound and the heuristic's moves: a bound above it,
 * or a heuristic below it, is a bug in one of them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadHighs } from "../../src/cli/highs.js";
import { generateCluster } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import { plan } from "../../src/solver/index.js";
import { movesAtLeast } from "../../src/solver/exact.js";
import { javascriptLpSolver, type MipSolver } from "../../src/solver/lp.js";
import type { Cluster } from "../../src/model/types.js";
import type { PlanOptions } from "../../src/solver/types.js";
import { planCaseArb } from "../support/arbitraries.js";
import { broker, topic } from "../support/build.js";
import { assertRelabelledPlan } from "../support/relabel.js";
import { assertExcludedTopicsKept, planned, spreadViolations, eligibleIds, validPlan } from "../support/invariants.js";

const highs: MipSolver = await loadHighs();

const RUNS = { numRuns: 40, seed: 11, includeErrorInReport: true } as const;

/** Partitions × brokers: an upper bound on the exact program's partition-broker pairs. */
function clusterPairs(cluster: Cluster): number {
  let partitions = 0;
  for (const t of cluster.topics) partitions += t.partitions.length;
  return partitions * cluster.brokers.length;
}

/** The shared plan cases, kept to programs of at most 150 partition-broker pairs so the suite stays quick. */
const smallCaseArb = planCaseArb().filter(({ c }) => clusterPairs(c.cluster) <= 150);

test("exact plans are valid, keep the rack rule, and sit between the lower bound and the heuristic", () => {
  fc.assert(
    fc.property(smallCaseArb, ({ c, options }) => {
      const heuristic = planned(plan(c.cluster, options));
      const exact = validPlan(c.cluster, plan(c.cluster, { ...options, exact: true, exactSolver: highs }), options);
      assert.ok(exact.exact !== undefined);
      assert.equal(exact.exact.heuristicMoves, heuristic.moves);
      assert.equal(exact.exact.optimalMoves, exact.moves);
      assert.ok(exact.moves <= heuristic.moves, `exact ${String(exact.moves)} > heuristic ${String(heuristic.moves)}`);
      assert.ok(heuristic.lowerBound.moves <= exact.moves, `heuristic's bound ${String(heuristic.lowerBound.moves)} > optimum ${String(exact.moves)}`);
      assert.ok(exact.lowerBound.moves <= exact.moves, `bound ${String(exact.lowerBound.moves)} > optimum ${String(exact.moves)}`);
      assert.deepEqual(spreadViolations(exact.after, eligibleIds(c.cluster, options)), []);
      // At least the heuristic's balance, measure by measure.
      const a = heuristic.balanceAfter.summary;
      const b = exact.balanceAfter.summary;
      assert.ok(b.replicaCount.maxDeviation <= a.replicaCount.maxDeviation);
      assert.ok(b.topicSpread.max <= Math.max(a.topicSpread.max, 2) || b.topicSpread.max <= a.topicSpread.max);
      assert.equal(b.misplacedReplicas, 0);
    }),
    RUNS,
  );
});

/** Without disk rows: javascript-lp-solver's branch and bound can run for minutes on those. */
const NO_DISK: PlanOptions["goals"] = ["rack-spread", "replica-count", "topic-spread", "leader"];

test("javascript-lp-solver and HiGHS agree on the fewest moves where both can solve the program", () => {
  let compared = 0;
  fc.assert(
    fc.property(smallCaseArb, ({ c, options: base }) => {
      const options: PlanOptions = { ...base, goals: NO_DISK };
      const viaHighs = planned(plan(c.cluster, { ...options, exact: true, exactSolver: highs }));
      let viaJls;
      try {
        viaJls = planned(plan(c.cluster, { ...options, exact: true, exactSolver: javascriptLpSolver }));
      } catch (e) {
        assert.match((e as Error).message, /at most 80 partition-broker pairs/);
        return;
      }
      compared++;
      assert.equal(viaJls.moves, viaHighs.moves);
    }),
    RUNS,
  );
  assert.ok(compared >= 10, `only ${String(compared)} clusters were small enough for both`);
});

/**
 * Measured on this arbitrary, with the exact program holding network in to its band as the heuristic
 * does: on 300 clusters (fast-check seed 5) the heuristic's moves equal the proven optimum on 245 and
 * are within 1.25× on 287; on 300 others (seed 17) 245 and 285. Every one of the 600 is within
 * 1.5 × the optimum + 2 (worst 9 vs 5): that gap is stated and checked here, for the heuristic alone.
 * With the integer search (below) the plans equal the optimum on 288 of each 300 and are within 1.25×
 * on 297 and 296; the misses are moves for network out, which the program leaves out, so the search's
 * placement would leave that goal worse and the plan keeps the heuristic's.
 */
test("the heuristic stays within 1.5 × the proven fewest moves + 2 on small clusters", () => {
  fc.assert(
    fc.property(smallCaseArb, ({ c, options }) => {
      const e = planned(plan(c.cluster, { ...options, exact: true, exactSolver: highs })).exact!;
      assert.ok(e.heuristicMoves <= 1.5 * e.optimalMoves + 2, `heuristic ${String(e.heuristicMoves)} vs optimum ${String(e.optimalMoves)}`);
    }),
    RUNS,
  );
});

/**
 * --exact keeps the heuristic's placement when it is optimal too, and otherwise says when planning its
 * placement again (without --exact) would change it, which the program's optimum does not rule out.
 */
test("exact plans keep the heuristic's placement on a tie, and say when a re-plan would change them", () => {
  let noted = 0;
  fc.assert(
    fc.property(smallCaseArb, ({ c, options }) => {
      const heuristic = planned(plan(c.cluster, options));
      const exact = planned(plan(c.cluster, { ...options, exact: true, exactSolver: highs }));
      if (exact.moves === heuristic.moves) {
        assert.equal(JSON.stringify(exact.reassignment), JSON.stringify(heuristic.reassignment));
        return;
      }
      const again = planned(plan(exact.after, options));
      const note = exact.notes.some((n) => n.startsWith("planning the exact placement again"));
      assert.equal(note, again.reassignment.partitions.length > 0, `re-plan lists ${String(again.reassignment.partitions.length)} partitions; note: ${String(note)}`);
      if (note) noted++;
    }),
    { numRuns: 60, seed: 42, includeErrorInReport: true },
  );
  assert.ok(noted >= 1, "no exact plan needed the note");
});

/** The goals of the planner's first version, whose targets (moves within 1.5 × the bound) are for equal capacities. */
const FIRST_GOALS: PlanOptions["goals"] = ["rack-spread", "replica-count", "disk", "topic-spread", "leader"];
const equalCapacityArb = planCaseArb().filter(({ c }) => c.options.mixedCapacity !== true);

/** Every goal's score, for "no goal worse" checks. */
const goalScores = (p: { balanceAfter: { goals: readonly { score: number }[] } }): number[] => p.balanceAfter.goals.map((g) => g.score);

/**
 * The integer search (PlanOptions.integerSearch, the CLI's default on small clusters): the root node
 * of the exact program. Against the full solve (`exact`) on the same clusters: its bound never
 * exceeds the proven optimum, its plan is valid and never makes more moves than the heuristic, and
 * a plan it adopts is no worse on any goal.
 */
test("the integer search's bound never exceeds the proven optimum, and its plan is valid and never worse than the heuristic's", () => {
  let adopted = 0;
  fc.assert(
    fc.property(smallCaseArb, ({ c, options }) => {
      const heuristic = planned(plan(c.cluster, options));
      const searched = validPlan(c.cluster, plan(c.cluster, { ...options, integerSearch: { solver: highs } }), options);
      const optimum = planned(plan(c.cluster, { ...options, exact: true, exactSolver: highs })).moves;
      const s = searched.integerSearch!;
      assert.equal(s.heuristicMoves, heuristic.moves);
      assert.ok(searched.lowerBound.moves <= optimum, `bound ${String(searched.lowerBound.moves)} > optimum ${String(optimum)}`);
      assert.ok(searched.lowerBound.moves >= heuristic.lowerBound.moves, "the search lowered the bound");
      assert.ok(searched.moves <= heuristic.moves && searched.moves >= optimum);
      assert.deepEqual(spreadViolations(searched.after, eligibleIds(c.cluster, options)), []);
      if (s.adopted) {
        adopted++;
        assert.ok(searched.moves < heuristic.moves);
        const mine = goalScores(searched);
        goalScores(heuristic).forEach((x, i) => assert.ok(mine[i]! <= x + 1e-9 * Math.max(1, x), `goal ${String(i)} worse: ${String(mine[i])} > ${String(x)}`));
      } else {
        assert.equal(JSON.stringify(searched.reassignment), JSON.stringify(heuristic.reassignment));
      }
      if (s.status === "optimal") assert.deepEqual(searched.lowerBound.integer, { moves: s.foundMoves, proven: true });
    }),
    { ...RUNS, numRuns: 100 },
  );
  assert.ok(adopted >= 3, `only ${String(adopted)} plans adopted the search's placement`);
});

/**
 * The search's second program, with leadership columns, runs when the first one's placement falls
 * short on a leadership goal. Against the same search without it (maxLeadershipColumns 0): the plan
 * is valid, keeps excluded topics, never makes more moves, takes the second placement only with fewer
 * moves and no goal worse than the heuristic's, and otherwise is the same plan; the bound is the
 * first program's either way.
 */
test("the integer search's leadership program only ever takes moves away, with no goal worse", () => {
  let ran = 0;
  let adopted = 0;
  fc.assert(
    fc.property(planCaseArb({ excludeTopics: true }).filter(({ c }) => clusterPairs(c.cluster) <= 150), ({ c, options }) => {
      const heuristic = planned(plan(c.cluster, options));
      const without = planned(plan(c.cluster, { ...options, integerSearch: { solver: highs, maxLeadershipColumns: 0 } }));
      const p = validPlan(c.cluster, plan(c.cluster, { ...options, integerSearch: { solver: highs } }), options);
      assertExcludedTopicsKept(c.cluster, p, options);
      assert.equal(without.integerSearch?.leadership, undefined);
      assert.deepEqual(p.lowerBound.integer, without.lowerBound.integer);
      assert.ok(p.moves >= p.lowerBound.moves, `moves ${String(p.moves)} < bound ${String(p.lowerBound.moves)}`);
      const second = p.integerSearch?.leadership;
      if (second === undefined) {
        assert.equal(JSON.stringify(p.reassignment), JSON.stringify(without.reassignment));
        return;
      }
      ran++;
      assert.equal(second.columns, 2 * p.integerSearch!.columns);
      if (!second.adopted) {
        assert.equal(JSON.stringify(p.reassignment), JSON.stringify(without.reassignment));
        return;
      }
      adopted++;
      assert.ok(p.integerSearch!.adopted);
      assert.ok(p.moves < without.moves, `leadership placement ${String(p.moves)} moves, without it ${String(without.moves)}`);
      const mine = goalScores(p);
      goalScores(heuristic).forEach((x, i) => assert.ok(mine[i]! <= x + 1e-9 * Math.max(1, x), `goal ${String(i)} worse: ${String(mine[i])} > ${String(x)}`));
    }),
    { numRuns: 400, seed: 7, includeErrorInReport: true },
  );
  assert.ok(ran >= 8 && adopted >= 4, `the second program ran ${String(ran)} times and was adopted ${String(adopted)} times`);
});

/**
 * The "re-planning an applied plan gives no moves", on the path `ballast plan` takes on small
 * clusters. A program's placement the heuristic would rebalance when run again is not adopted;
 * without that check 2 of 200 plans of this arbitrary (seed 42) changed again.
 */
test("with the integer search, re-planning an applied plan changes nothing", () => {
  fc.assert(
    fc.property(planCaseArb({ goals: true, excludeTopics: true }).filter(({ c }) => clusterPairs(c.cluster) <= 200), ({ c, options }) => {
      const search = { ...options, integerSearch: { solver: highs } };
      const p = planned(plan(c.cluster, search));
      const again = planned(plan(p.after, search));
      assert.deepEqual(again.reassignment.partitions, [], `re-plan after ${String(p.moves)} moves (search adopted: ${String(p.integerSearch?.adopted)})`);
    }),
    { numRuns: 300, seed: 42, includeErrorInReport: true },
  );
});

test("with the integer search, relabelling brokers and racks order-preservingly and shuffling topics gives the same plan, relabelled", () => {
  const arb = planCaseArb({ goals: true })
    .filter(({ c }) => clusterPairs(c.cluster) <= 150)
    .chain(({ c, options }) => fc.tuple(fc.constant(c), fc.constant(options), fc.shuffledSubarray(c.cluster.topics.map((_, i) => i), { minLength: c.cluster.topics.length })));
  fc.assert(
    fc.property(arb, ([c, options, order]) => assertRelabelledPlan(c.cluster, { ...options, integerSearch: { solver: highs } }, order)),
    { numRuns: 60, seed: 5, includeErrorInReport: true },
  );
});

test("with the integer search, the same input gives a byte-identical plan", () => {
  fc.assert(
    fc.property(smallCaseArb, ({ c, options }) => {
      const once = planned(plan(c.cluster, { ...options, integerSearch: { solver: highs } }));
      const twice = planned(plan(c.cluster, { ...options, integerSearch: { solver: highs } }));
      assert.equal(JSON.stringify(twice.reassignment), JSON.stringify(once.reassignment));
      assert.deepEqual(twice.lowerBound, once.lowerBound);
      assert.deepEqual(twice.integerSearch, once.integerSearch);
    }),
    { ...RUNS, numRuns: 20 },
  );
});

/**
 * The target, on equal capacities with the first version's goals. The heuristic alone misses
 * it on 10 of the first 400 clusters of this arbitrary (fast-check seed 42): on 6 even the proven
 * optimum exceeds 1.5 × the counting bounds, on 4 the heuristic makes 5 moves where 3 suffice (and
 * the like). With the search's bound and placement all 308 plans of those 400 meet it.
 */
test("with the integer search, moves are at most 1.5 × the lower bound (equal capacities, the first version's goals)", () => {
  fc.assert(
    fc.property(equalCapacityArb, ({ c, options }) => {
      const p = planned(plan(c.cluster, { ...options, goals: FIRST_GOALS, integerSearch: { solver: highs } }));
      assert.ok(p.moves <= 1.5 * p.lowerBound.moves, `moves ${String(p.moves)} > 1.5 × bound ${String(p.lowerBound.moves)}`);
    }),
    { numRuns: 150, seed: 42, includeErrorInReport: true },
  );
});

test("a tiny program whose root leaves the plan above 1.5 × the bound branches on, to a plan within it", () => {
  // A generated cluster the root alone leaves at 24 moves against a bound of 15 (it finds no
  // placement); the proven optimum is 16. Such clusters are rare: none of 2,500 plans of the
  // arbitrary (seed 7) is one, and this one was found among generated shapes by search.
  const cluster = generateCluster(
    {
      brokers: 4,
      racks: 2,
      brokersPerHost: 1,
      topics: 4,
      partitions: { min: 5, max: 8 },
      replicationFactor: 1,
      placement: "random",
      newBrokers: 2,
      deadBrokers: 0,
      size: { kind: "lognormal", mean: 1024 ** 3, sigma: 1.5 },
      capacity: { disk: 2 * 1024 ** 4 },
    },
    createRng(1985756047),
  );
  const options = { goals: FIRST_GOALS };
  const rootOnly = planned(plan(cluster, { ...options, integerSearch: { solver: highs, maxNodes: 1 } }));
  const p = validPlan(cluster, plan(cluster, { ...options, integerSearch: { solver: highs } }), options);
  const optimum = planned(plan(cluster, { ...options, exact: true, exactSolver: highs })).moves;
  assert.equal(rootOnly.integerSearch?.nodes, undefined);
  assert.ok(rootOnly.moves > 1.5 * rootOnly.lowerBound.moves, "the root alone already meets the target: the case no longer tests the deeper run");
  assert.equal(p.integerSearch?.nodes, 1000);
  assert.ok(p.integerSearch.adopted);
  assert.ok(p.moves <= 1.5 * p.lowerBound.moves, `moves ${String(p.moves)} > 1.5 × bound ${String(p.lowerBound.moves)}`);
  assert.ok(p.lowerBound.moves >= rootOnly.lowerBound.moves && p.lowerBound.moves <= optimum && p.moves >= optimum);
});

test("with the integer search, plans stay within 1.25 × the proven fewest moves (equal capacities, the first version's goals)", () => {
  fc.assert(
    fc.property(
      smallCaseArb.filter(({ c }) => c.options.mixedCapacity !== true),
      ({ c, options: base }) => {
        const options = { ...base, goals: FIRST_GOALS };
        const p = planned(plan(c.cluster, { ...options, integerSearch: { solver: highs } }));
        const optimum = planned(plan(c.cluster, { ...options, exact: true, exactSolver: highs })).moves;
        assert.ok(p.moves <= 1.25 * optimum, `plan ${String(p.moves)} vs optimum ${String(optimum)}`);
      },
    ),
    RUNS,
  );
});

test("the integer search skips programs larger than its column limit, and plans the counting bounds already prove", () => {
  const cluster = generateCluster({ brokers: 12, topics: 10, partitions: { min: 6, max: 24 }, placement: "random" }, createRng(1));
  const large = planned(plan(cluster, { integerSearch: { solver: highs, maxColumns: 100 } }));
  assert.equal(large.integerSearch?.status, "too-large");
  assert.ok(large.integerSearch.columns > 100);
  assert.equal(large.lowerBound.integer, undefined);
  const balanced = generateCluster({ brokers: 6, racks: 3, topics: 2, partitions: { min: 6, max: 6 }, placement: "balanced", size: { kind: "fixed", mean: 1 } }, createRng(1));
  const none = planned(plan(balanced, { integerSearch: { solver: highs } }));
  assert.equal(none.moves, 0);
  assert.equal(none.integerSearch?.status, "not-needed");
});

test("movesAtLeast: the objective is moves plus a bytes term below 0.5", () => {
  assert.equal(movesAtLeast(0), 0);
  assert.equal(movesAtLeast(3), 3);
  assert.equal(movesAtLeast(3.4999), 3);
  assert.equal(movesAtLeast(2.51), 3);
  assert.equal(movesAtLeast(2.5000000001), 2, "within the solver's tolerance of 2.5, 2 moves stay possible");
  assert.equal(movesAtLeast(-0.2), 0);
});

test("HiGHS at a node limit: stopped with a bound at or below the optimum, or optimal", () => {
  // A small knapsack-like program: pick items of weight 3..10 to cover at least 57, fewest items.
  const weights = [3, 5, 7, 9, 10, 4, 6, 8, 3, 5, 7, 9, 10, 4, 6, 8, 7, 9];
  const model = {
    columns: weights.map((w) => ({ cost: 1 + w / 1000, binary: true })),
    rows: [{ terms: weights.map((w, j) => [j, w] as const), min: 57 }, { terms: weights.slice(0, 9).map((_, j) => [j, 1] as const), max: 3 }],
  };
  const full = highs.solve(model);
  assert.equal(full.status, "optimal");
  const cut = highs.solve(model, { maxNodes: 1 });
  if (cut.status === "stopped") {
    assert.ok(cut.bound !== undefined && cut.bound <= full.value + 1e-9);
    if (cut.best) assert.ok(cut.best.value >= full.value - 1e-9);
  } else {
    assert.equal(cut.status, "optimal");
    if (cut.status === "optimal") assert.ok(Math.abs(cut.value - full.value) < 1e-9);
  }
});

test("--exact refuses a cluster too large for its solver, naming the size", () => {
  const cluster = generateCluster({ brokers: 12, topics: 10, partitions: { min: 6, max: 24 } }, createRng(1));
  assert.throws(
    () => plan(cluster, { exact: true, exactSolver: javascriptLpSolver }),
    (e: Error & { code?: string }) => e.code === "USAGE" && /at most 80 partition-broker pairs; this one has \d+/.test(e.message),
  );
});

test("an excluded topic's replica on an excluded broker moves in the exact program and the search, and nothing else of it does", () => {
  const cluster: Cluster = {
    version: 1,
    brokers: [1, 2, 3, 4].map((id) => broker(id)),
    topics: [topic("keep", [[4, 1], [1, 2], [2, 3]]), topic("free", [[1, 2], [1, 2], [1, 2], [3, 4]])],
  };
  const options: PlanOptions = { excludeBrokers: [4], excludeTopics: ["^keep$"] };
  for (const extra of [{ exact: true, exactSolver: highs }, { integerSearch: { solver: highs } }] as const) {
    const p = validPlan(cluster, plan(cluster, { ...options, ...extra }), options);
    assertExcludedTopicsKept(cluster, p, options);
    const kept = p.after.topics.find((t) => t.name === "keep")!.partitions;
    assert.ok(!kept[0]!.replicas.includes(4) && kept[0]!.replicas.includes(1), `keep-0 went to [${kept[0]!.replicas.join(",")}]`);
  }
});
