/**
 * The task book's indexes against a recount from the task list alone, over random runs of state
 * changes (any the journal's transition table allows), and its mayFit against the planner's rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { measureLoad, planDemands } from "../../src/executor/batches.js";
import { composeStrategies } from "../../src/executor/strategy.js";
import { STRATEGY_NAMES, demandOf, slotBrokers } from "../../src/executor/types.js";
import type { TaskRecord, TaskState } from "../../src/executor/journal.js";
import type { MoveTask } from "../../src/executor/types.js";
import { TRANSITIONS } from "../../src/executor/journal.js";
import { TaskBook, recount } from "../../src/executor/task-book.js";

const STATES = Object.keys(TRANSITIONS) as TaskState[];

/** Tasks on brokers 1–6 (some only reorder replicas), a cap, and a run of state changes. */
const run = fc.record({
  tasks: fc.array(
    fc.record({
      topic: fc.constantFrom("a", "b", "constructor"),
      from: fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1, maxLength: 3 }),
      to: fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1, maxLength: 3 }),
      size: fc.integer({ min: 0, max: 1000 }),
    }),
    { minLength: 1, maxLength: 25 },
  ),
  cap: fc.integer({ min: 1, max: 4 }),
  // mayFit is asked after some steps only (an executor polls after several changes), now and then
  // with another cap.
  steps: fc.array(
    fc.record({
      task: fc.nat(24),
      to: fc.constantFrom(...STATES),
      look: fc.boolean(),
      cap: fc.oneof({ arbitrary: fc.constant(null), weight: 8 }, { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 1 }),
    }),
    { maxLength: 80 },
  ),
});

test("property: the book's figures equal a recount after every state change", () => {
  fc.assert(
    fc.property(run, ({ tasks, cap: firstCap, steps }) => {
      const records: TaskRecord[] = tasks.map((t, i) => ({ ...t, partition: i, state: "pending" }));
      const book = new TaskBook(records);
      let now = 0;
      let cap = firstCap;
      const check = (look: boolean): void => {
        assert.deepEqual(book.figures(), recount(records));
        for (const states of [["pending"], ["submitting", "moving"], ["done", "failed"]] as TaskState[][]) {
          assert.deepEqual(book.inState(...states), records.filter((t) => states.includes(t.state)));
        }
        const inFlight = records.filter((t) => t.state === "submitting" || t.state === "moving");
        const want = measureLoad(inFlight);
        const got = book.inFlightLoad();
        assert.deepEqual([got.moves, got.bytes, new Map(got.perBroker)], [want.moves, want.bytes, new Map(want.perBroker)]);
        if (!look) return;
        assert.deepEqual(fitNow(book, cap), fitting(records, cap));
      };
      check(true);
      for (const step of steps) {
        const t = records[step.task % records.length]!;
        if (!TRANSITIONS[t.state].includes(step.to)) continue;
        book.move(t, step.to, ++now);
        cap = step.cap ?? cap;
        assert.equal(t.state, step.to);
        check(step.look);
      }
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

/** mayFit's tasks; each comes with its demand, which must be the one the planner would make. */
function fitNow(book: TaskBook, cap: number): Set<TaskRecord> {
  const out = new Set<TaskRecord>();
  for (const d of book.mayFit(cap)) {
    const want = demandOf(d.task);
    assert.deepEqual([d.touches, d.moves, d.bytes], [want.touches, want.moves, want.bytes]);
    out.add(d.task);
  }
  return out;
}

/** mayFit's answer against the planner's rule: the pending tasks with a free slot on each of their brokers. */
function fitting(records: readonly TaskRecord[], cap: number): Set<TaskRecord> {
  const load = measureLoad(records.filter((t) => t.state === "submitting" || t.state === "moving")).perBroker;
  return new Set(records.filter((t) => t.state === "pending" && slotBrokers(t).every((b) => (load.get(b) ?? 0) < cap)));
}

test("property: mayFit finds every pending task that fits while tasks come and go as in an execution", () => {
  // Tasks are submitted, move, finish or are pulled back to pending, so brokers fill and free again
  // and pending tasks wait on full brokers between looks.
  const cycle = fc.record({
    tasks: fc.array(
      fc.record({
        from: fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1, maxLength: 3 }),
        to: fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    cap: fc.integer({ min: 1, max: 3 }),
    steps: fc.array(fc.record({ task: fc.nat(39), to: fc.constantFrom<TaskState>("submitting", "moving", "pending", "pending", "done"), look: fc.boolean() }), {
      maxLength: 200,
    }),
  });
  fc.assert(
    fc.property(cycle, ({ tasks, cap, steps }) => {
      const records: TaskRecord[] = tasks.map((t, i) => ({ ...t, topic: "a", partition: i, size: 1, state: "pending" }));
      const book = new TaskBook(records);
      let now = 0;
      assert.deepEqual(fitNow(book, cap), fitting(records, cap));
      for (const step of steps) {
        const t = records[step.task % records.length]!;
        if (TRANSITIONS[t.state].includes(step.to)) book.move(t, step.to, ++now);
        if (step.look) assert.deepEqual(fitNow(book, cap), fitting(records, cap));
      }
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

test("property: choose picks what the batch planner picks in the strategies' order, as tasks come and go", () => {
  const cycle = fc.record({
    tasks: fc.array(
      fc.record({
        topic: fc.constantFrom("a", "b", "B", "constructor"),
        from: fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 0, maxLength: 3 }),
        to: fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1, maxLength: 3 }),
        size: fc.constantFrom(0, 1, 5, 5, 40, 1000),
        atRisk: fc.boolean(),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    names: fc.shuffledSubarray([...STRATEGY_NAMES]),
    limits: fc.record({
      maxMovesPerBroker: fc.integer({ min: 1, max: 3 }),
      maxMoves: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 8 })),
      maxBytesInFlight: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 3000 })),
    }),
    steps: fc.array(fc.record({ task: fc.nat(39), to: fc.constantFrom<TaskState>("submitting", "moving", "pending", "done"), look: fc.boolean() }), {
      maxLength: 120,
    }),
  });
  fc.assert(
    fc.property(cycle, ({ tasks, names, limits, steps }) => {
      // Topic and partition name each task once (the plan format refuses a partition named twice).
      const records: TaskRecord[] = tasks.map(({ atRisk: _, topic, ...t }, i) => ({ ...t, topic: `${topic}${String(Math.floor(i / 7))}`, partition: i % 7, state: "pending" }));
      const risky = new Map(records.map((t, i) => [t as MoveTask, tasks[i]!.atRisk]));
      const book = new TaskBook(records);
      const health = (t: MoveTask): { atRisk: boolean } => ({ atRisk: risky.get(t) ?? false });
      const look = (): void => {
        const cap = limits.maxMovesPerBroker;
        const got = book.choose(book.fitNumbers(cap), limits, names, (i) => risky.get(book.taskAt(i)) ?? false);
        const want = planDemands(book.mayFit(cap), book.inFlightLoad(), limits, composeStrategies(names, health, (b) => book.workLeft(b)));
        assert.deepEqual(got, want);
      };
      let now = 0;
      look();
      for (const step of steps) {
        const t = records[step.task % records.length]!;
        if (TRANSITIONS[t.state].includes(step.to)) book.move(t, step.to, ++now);
        if (step.look) look();
      }
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

test("a task not in the book is a bug, not a silent miss", () => {
  const book = new TaskBook([]);
  assert.throws(() => book.key({ topic: "a", partition: 0, from: [1], to: [2], size: 1, state: "pending" }), /not in the book/);
});
