/**
 * Batch planning and movement strategies. Property tests use fast-check with a fixed seed so every run
 * checks the same cases.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { measureLoad, planAllBatches, planBatch } from "../../src/executor/batches.js";
import { byPartition, bytesToCopy, compareKeys, composeStrategies, parseStrategies, workLeftPerBroker } from "../../src/executor/strategy.js";
import type { TaskOrder } from "../../src/executor/strategy.js";
import { DEFAULT_LIMITS, DEFAULT_STRATEGY, STRATEGY_NAMES, isReorderOnly, slotBrokers } from "../../src/executor/types.js";
import type { BatchLimits, MoveTask, StrategyName, TaskHealth } from "../../src/executor/types.js";
import { BallastError } from "../../src/model/errors.js";

const SEED = 20240611;
const RUNS = 300;

const key = (t: MoveTask): string => `${t.topic}-${String(t.partition)}`;
const keys = (ts: readonly MoveTask[]): string[] => ts.map(key);

function task(topic: string, partition: number, from: number[], to: number[], size: number): MoveTask {
  return { topic, partition, from, to, size };
}

const healthOf = (t: MoveTask): TaskHealth => ({ atRisk: t.partition % 3 === 0 });
const tieOnly: TaskOrder = () => 0;

/** Random task sets on a few brokers: replica lists of one to three brokers, sizes 0–1000. */
const tasksArb = fc.integer({ min: 2, max: 9 }).chain((brokers) => {
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const replicas = fc.shuffledSubarray(ids, { minLength: 1, maxLength: Math.min(3, brokers) });
  return fc
    .array(fc.record({ topic: fc.constantFrom("a", "b", "c"), from: replicas, to: replicas, size: fc.integer({ min: 0, max: 1000 }) }), {
      maxLength: 60,
    })
    .map((rows) => ({ brokers: ids, tasks: rows.map((r, i) => task(r.topic, i, r.from, r.to, r.size)) }));
});

const limitsArb: fc.Arbitrary<BatchLimits> = fc.record({
  maxMovesPerBroker: fc.integer({ min: 1, max: 6 }),
  maxMoves: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 20 })),
  maxBytesInFlight: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 5000 })),
});

const strategiesArb: fc.Arbitrary<StrategyName[]> = fc.shuffledSubarray([...STRATEGY_NAMES]);

/** True when these tasks together keep every cap. */
function withinLimits(tasks: readonly MoveTask[], limits: BatchLimits): boolean {
  const load = measureLoad(tasks);
  return (
    [...load.perBroker.values()].every((n) => n <= limits.maxMovesPerBroker) &&
    load.moves <= limits.maxMoves &&
    load.bytes <= limits.maxBytesInFlight
  );
}

/** The one allowed excess: a lone data-moving task (plus reorders) when nothing else is in flight. */
function loneOversize(inFlight: readonly MoveTask[], chosen: readonly MoveTask[]): boolean {
  return measureLoad(inFlight).moves === 0 && chosen.filter((t) => !isReorderOnly(t)).length === 1;
}

/** Greedily keeps a prefix-respecting subset of `tasks` that fits the limits (an in-flight set). */
function fittingSubset(tasks: readonly MoveTask[], limits: BatchLimits): MoveTask[] {
  const out: MoveTask[] = [];
  for (const t of tasks) if (!isReorderOnly(t) && withinLimits([...out, t], limits)) out.push(t);
  return out;
}

test("parseStrategies reads a comma list and rejects unknown, empty and repeated names", () => {
  assert.deepEqual(parseStrategies("at-risk-first,small-first"), ["at-risk-first", "small-first"]);
  assert.deepEqual(parseStrategies(" large-first "), ["large-first"]);
  for (const bad of ["biggest-first", "small-first,,large-first", "", "small-first,small-first"]) {
    assert.throws(
      () => parseStrategies(bad),
      (e: unknown) => e instanceof BallastError && e.code === "USAGE",
    );
  }
  assert.throws(() => parseStrategies("smallest"), /unknown movement strategy "smallest"; valid strategies: small-first, large-first, at-risk-first, busiest-first/);
});

test("strategies chain in order and end with the topic/partition tie-break", () => {
  const tasks = [
    task("b", 1, [1], [2], 10),
    task("a", 3, [1], [2], 50),
    task("a", 2, [1], [2, 3], 10), // 20 bytes to copy
    task("a", 6, [1], [3], 10),
    task("a", 0, [1], [2], 10),
  ];
  assert.equal(bytesToCopy(tasks[2]!), 20);
  const sorted = (names: StrategyName[]): string[] => keys([...tasks].sort(composeStrategies(names, healthOf)));
  assert.deepEqual(sorted(["small-first"]), ["a-0", "a-6", "b-1", "a-2", "a-3"]);
  assert.deepEqual(sorted(["large-first"]), ["a-3", "a-2", "a-0", "a-6", "b-1"]);
  // At risk: partitions 0, 3 and 6; then small first among each group.
  assert.deepEqual(sorted(["at-risk-first", "small-first"]), ["a-0", "a-6", "a-3", "b-1", "a-2"]);
  assert.deepEqual(sorted([]), ["a-0", "a-2", "a-3", "a-6", "b-1"]);
  assert.equal(byPartition(tasks[0]!, tasks[0]!), 0);
});

test("busiest-first: partitions on the broker with the most work left first; the default takes the longest of them first", () => {
  const tasks = [
    task("t", 0, [1], [4], 10), // 1 → 4
    task("t", 1, [2], [4], 300), // 2 → 4
    task("t", 2, [3], [5], 100), // 3 → 5
    task("t", 3, [1], [5], 20), // 1 → 5
    task("t", 4, [2, 1], [1, 2], 999), // reorder only
  ];
  const left = workLeftPerBroker(tasks);
  assert.deepEqual(
    [...left].sort((a, b) => a[0] - b[0]),
    [
      [1, 30],
      [2, 300],
      [3, 100],
      [4, 310],
      [5, 120],
    ],
  );
  const sorted = (names: StrategyName[]): string[] => keys([...tasks].sort(composeStrategies(names, healthOf, (b) => left.get(b) ?? 0)));
  // Broker 4 has 310 bytes left, broker 5 120: its copies go first, the longest first; the reorder last.
  assert.deepEqual(sorted(["busiest-first", "large-first"]), ["t-1", "t-0", "t-2", "t-3", "t-4"]);
  assert.deepEqual(sorted(["busiest-first", "small-first"]), ["t-0", "t-1", "t-3", "t-2", "t-4"]);
  // Partitions 0, 3 and 6 of healthOf are at risk: t-0 and t-3 go before the rest.
  assert.deepEqual(sorted([...DEFAULT_STRATEGY]), ["t-0", "t-3", "t-1", "t-2", "t-4"]);
  // Without work figures busiest-first tells nothing apart.
  assert.deepEqual(keys([...tasks].sort(composeStrategies(["busiest-first"], healthOf))), ["t-0", "t-1", "t-2", "t-3", "t-4"]);
});

test("planBatch keeps the per-broker, cluster and bytes caps (property)", () => {
  fc.assert(
    fc.property(tasksArb, limitsArb, strategiesArb, fc.integer({ min: 0, max: 30 }), ({ tasks }, limits, names, split) => {
      const order = composeStrategies(names, healthOf);
      const inFlight = fittingSubset(tasks.slice(0, split), limits);
      const flying = new Set(inFlight);
      const pending = tasks.filter((t) => !flying.has(t));
      const chosen = planBatch(pending, inFlight, limits, order);
      const together = [...inFlight, ...chosen];
      assert.ok(withinLimits(together, limits) || loneOversize(inFlight, chosen), "caps exceeded");
      // Per broker holds even for a lone oversize task.
      const perBroker = measureLoad(together).perBroker;
      for (const n of perBroker.values()) assert.ok(n <= limits.maxMovesPerBroker);
      // Every reorder-only task goes now.
      for (const t of pending) if (isReorderOnly(t)) assert.ok(chosen.includes(t));
      // Maximal: no task left out would still fit.
      const picked = new Set(chosen);
      for (const t of pending) {
        if (picked.has(t)) continue;
        assert.ok(!withinLimits([...together, t], limits), `${key(t)} would still fit`);
      }
      // Chosen tasks come back in strategy order.
      const resorted = [...chosen].sort((a, b) => order(a, b) || byPartition(a, b));
      assert.deepEqual(keys(chosen), keys(resorted));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("planAllBatches schedules every task exactly once, each wave within the caps (property)", () => {
  fc.assert(
    fc.property(tasksArb, limitsArb, strategiesArb, ({ tasks }, limits, names) => {
      const waves = planAllBatches(tasks, limits, composeStrategies(names, healthOf));
      const all = waves.flat();
      assert.equal(all.length, tasks.length);
      assert.deepEqual(new Set(keys(all)), new Set(keys(tasks)));
      for (const wave of waves) {
        assert.ok(wave.length > 0);
        assert.ok(withinLimits(wave, limits) || loneOversize([], wave));
      }
      // Reorder-only tasks all go in the first wave.
      const first = new Set(waves[0] ?? []);
      for (const t of tasks) if (isReorderOnly(t)) assert.ok(first.has(t));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

/** The strategies as plain comparators, chained: what composeStrategies' keys must agree with. */
function referenceOrder(names: readonly StrategyName[], workLeft: (b: number) => number): TaskOrder {
  const busiest = (t: MoveTask): number => {
    const adds = t.to.filter((b) => !t.from.includes(b));
    return adds.length === 0 ? 0 : Math.max(workLeft(t.from[0] ?? -1), ...adds.map(workLeft));
  };
  const orders: Record<StrategyName, TaskOrder> = {
    "at-risk-first": (a, b) => Number(healthOf(b).atRisk) - Number(healthOf(a).atRisk),
    "busiest-first": (a, b) => busiest(b) - busiest(a),
    "small-first": (a, b) => bytesToCopy(a) - bytesToCopy(b),
    "large-first": (a, b) => bytesToCopy(b) - bytesToCopy(a),
  };
  return (a, b) => {
    for (const n of names) {
      const c = orders[n](a, b);
      if (c !== 0) return c;
    }
    return byPartition(a, b);
  };
}

test("composed strategies sort as the plain comparators chained, with keys or without (property)", () => {
  fc.assert(
    fc.property(tasksArb, limitsArb, strategiesArb, fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 10, maxLength: 10 }), ({ tasks }, limits, names, left) => {
      const workLeft = (b: number): number => left[b] ?? 0;
      const order = composeStrategies(names, healthOf, workLeft);
      const want = keys([...tasks].sort(referenceOrder(names, workLeft)));
      assert.deepEqual(keys([...tasks].sort(order)), want);
      const keyed = [...tasks].map((t) => ({ t, k: order.keyOf(t) }));
      keyed.sort((a, b) => compareKeys(a.k, b.k) || byPartition(a.t, b.t));
      assert.deepEqual(keys(keyed.map((x) => x.t)), want);
      // planBatch reads the keys when the order has them, and the comparator when not: same batch.
      const plain: TaskOrder = (a, b) => order(a, b);
      assert.deepEqual(keys(planBatch(tasks, [], limits, order)), keys(planBatch(tasks, [], limits, plain)));
      assert.deepEqual(planAllBatches(tasks, limits, order).map(keys), planAllBatches(tasks, limits, plain).map(keys));
      // The same tasks ordered again once the work left has changed (what the executor does at each
      // poll): what a task copies is kept between orders, the work left is read anew.
      const later = (b: number): number => left[left.length - 1 - b] ?? 0;
      assert.deepEqual(keys([...tasks].sort(composeStrategies(names, healthOf, later))), keys([...tasks].sort(referenceOrder(names, later))));
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test("planBatch and planAllBatches do not depend on the input order (property)", () => {
  fc.assert(
    fc.property(
      tasksArb.chain(({ tasks }) => fc.tuple(fc.constant(tasks), fc.shuffledSubarray(tasks, { minLength: tasks.length }))),
      limitsArb,
      strategiesArb,
      ([tasks, shuffled], limits, names) => {
        const order = composeStrategies(names, healthOf);
        assert.deepEqual(keys(planBatch(tasks, [], limits, order)), keys(planBatch(shuffled, [], limits, order)));
        assert.deepEqual(planAllBatches(tasks, limits, order).map(keys), planAllBatches(shuffled, limits, order).map(keys));
        // A comparator that never decides still gives a deterministic result.
        assert.deepEqual(keys(planBatch(tasks, [], limits, tieOnly)), keys(planBatch(shuffled, [], limits, tieOnly)));
      },
    ),
    { seed: SEED, numRuns: RUNS },
  );
});

test("tasks taking a slot on a blocked broker are skipped; reorder-only tasks are not (property)", () => {
  fc.assert(
    fc.property(
      tasksArb.chain(({ brokers, tasks }) => fc.tuple(fc.constant(tasks), fc.subarray(brokers))),
      limitsArb,
      ([tasks, down], limits) => {
        const blocked = (b: number): boolean => down.includes(b);
        const chosen = planBatch(tasks, [], limits, tieOnly, blocked);
        for (const t of chosen) {
          if (isReorderOnly(t)) continue;
          assert.ok(!slotBrokers(t).some(blocked), `${key(t)} takes a slot on a blocked broker`);
        }
        for (const t of tasks) if (isReorderOnly(t)) assert.ok(chosen.includes(t));
      },
    ),
    { seed: SEED, numRuns: RUNS },
  );
});

test("a move takes a slot on the brokers that copy it in and on its sender, not on a broker it only drops", () => {
  // Draining broker 9, which leads neither partition: its moves do not queue behind each other.
  const drain = [task("d", 0, [1, 9], [1, 2], 10), task("d", 1, [3, 9], [3, 4], 10), task("d", 2, [5, 9], [5, 6], 10)];
  assert.deepEqual(slotBrokers(drain[0]!), [2, 1]);
  const limits: BatchLimits = { ...DEFAULT_LIMITS, maxMovesPerBroker: 1 };
  assert.deepEqual(keys(planBatch(drain, [], limits, tieOnly)), ["d-0", "d-1", "d-2"]);
  // Leading them, it sends every copy: one at a time.
  const led = drain.map((t) => task(t.topic, t.partition, [9, t.from[0]!], [...t.to], t.size));
  assert.deepEqual(keys(planBatch(led, [], limits, tieOnly)), ["d-0"]);
  assert.deepEqual(slotBrokers(task("r", 0, [1, 2], [2, 1], 10)), []);
  assert.deepEqual(measureLoad(drain).perBroker, new Map([[2, 1], [1, 1], [4, 1], [3, 1], [6, 1], [5, 1]]));
});

test("reorder-only tasks are always submitted, even with the caps full", () => {
  const limits: BatchLimits = { maxMovesPerBroker: 1, maxMoves: 1, maxBytesInFlight: 10 };
  const inFlight = [task("a", 0, [1, 2], [1, 3], 10)];
  const pending = [task("a", 1, [1, 3], [3, 1], 1000), task("a", 2, [2], [4], 1), task("a", 3, [1, 2, 3], [1, 2], 500)];
  assert.deepEqual(keys(planBatch(pending, inFlight, limits, tieOnly, (b) => b === 1)), ["a-1", "a-3"]);
});

test("a task over a cluster cap runs alone when nothing else is in flight, and only then", () => {
  const limits: BatchLimits = { maxMovesPerBroker: 5, maxMoves: Number.POSITIVE_INFINITY, maxBytesInFlight: 100 };
  const big = task("big", 0, [1], [2], 500);
  const small = [task("s", 0, [3], [4], 10), task("s", 1, [5], [6], 10)];
  const reorder = task("r", 0, [1, 2], [2, 1], 10_000);
  const largeFirst = composeStrategies(["large-first"], healthOf);
  assert.deepEqual(keys(planBatch([...small, big, reorder], [], limits, largeFirst)), ["big-0", "r-0"]);
  // With something in flight it waits.
  assert.deepEqual(keys(planBatch([big], [small[0]!], limits, largeFirst)), []);
  // Small first: the small ones go first, the big one alone in its own wave at the end.
  const waves = planAllBatches([big, ...small], limits, composeStrategies(["small-first"], healthOf));
  assert.deepEqual(waves.map(keys), [["s-0", "s-1"], ["big-0"]]);
  // Over the cluster move cap: a task adding three replicas with at most two moves in flight.
  const wide = task("w", 0, [1], [2, 3, 4], 100);
  const moveCap: BatchLimits = { ...DEFAULT_LIMITS, maxMoves: 2 };
  assert.deepEqual(planAllBatches([wide, ...small], moveCap, largeFirst).map(keys), [["w-0"], ["s-0", "s-1"]]);
});

test("round-robin: a broker with a long queue does not starve the others", () => {
  // Broker 1 receives 50 large moves; brokers 2–10 receive one small move each. Every move comes from
  // its own source broker, so only brokers 1–10 are contended.
  const heavy = Array.from({ length: 50 }, (_, i) => task("heavy", i, [100 + i], [1], 1000));
  const light = Array.from({ length: 9 }, (_, i) => task("light", i, [200 + i], [i + 2], 10));
  const largeFirst = composeStrategies(["large-first"], healthOf);
  const lightKeys = keys(light);
  for (const limits of [
    { maxMovesPerBroker: 5, maxMoves: 10, maxBytesInFlight: Number.POSITIVE_INFINITY },
    { maxMovesPerBroker: 5, maxMoves: Number.POSITIVE_INFINITY, maxBytesInFlight: 1090 },
  ]) {
    const batch = keys(planBatch([...heavy, ...light], [], limits, largeFirst));
    for (const k of lightKeys) assert.ok(batch.includes(k), `${k} starved with ${JSON.stringify(limits)}`);
    assert.equal(batch.filter((k) => k.startsWith("heavy")).length, 1);
  }
  // Without cluster caps broker 1 fills up to its own cap alongside the others.
  const batch = keys(planBatch([...heavy, ...light], [], DEFAULT_LIMITS, largeFirst));
  assert.equal(batch.filter((k) => k.startsWith("heavy")).length, 5);
  assert.ok(lightKeys.every((k) => batch.includes(k)));
});

test("a broker already busy waits for idle brokers to catch up before taking more", () => {
  const limits: BatchLimits = { maxMovesPerBroker: 5, maxMoves: 5, maxBytesInFlight: Number.POSITIVE_INFINITY };
  const inFlight = [task("f", 0, [10], [1], 1), task("f", 1, [11], [1], 1)];
  const pending = [
    task("p", 0, [12], [1], 100),
    task("p", 1, [13], [1], 100),
    task("p", 2, [14], [2], 1),
    task("p", 3, [15], [3], 1),
  ];
  // Broker 1 has two moves; brokers 2 and 3 get theirs before broker 1 gets a third; then the cap binds.
  const chosen = keys(planBatch(pending, inFlight, limits, composeStrategies(["large-first"], healthOf)));
  assert.deepEqual(chosen, ["p-0", "p-2", "p-3"]);
});

test("limits below one move are rejected", () => {
  for (const limits of [
    { ...DEFAULT_LIMITS, maxMovesPerBroker: 0 },
    { ...DEFAULT_LIMITS, maxMoves: 1.5 },
    { ...DEFAULT_LIMITS, maxBytesInFlight: 0 },
  ]) {
    assert.throws(
      () => planBatch([], [], limits, tieOnly),
      (e: unknown) => e instanceof BallastError && e.code === "USAGE",
    );
  }
});
