/**
 * The task book's indexes against a recount from the task list alone, over random runs of state
 * changes (any the journal's transition table allows), and its mayFit against the planner's rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { measureLoad, slotBrokers } from "../../src/executor/batches.js";
import type { TaskRecord, TaskState } from "../../src/executor/journal.js";
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
  steps: fc.array(fc.record({ task: fc.nat(24), to: fc.constantFrom(...STATES) }), { maxLength: 80 }),
});

test("property: the book's figures equal a recount after every state change", () => {
  fc.assert(
    fc.property(run, ({ tasks, cap, steps }) => {
      const records: TaskRecord[] = tasks.map((t, i) => ({ ...t, partition: i, state: "pending" }));
      const book = new TaskBook(records);
      let now = 0;
      const check = (): void => {
        assert.deepEqual(book.figures(), recount(records));
        for (const states of [["pending"], ["submitting", "moving"], ["done", "failed"]] as TaskState[][]) {
          assert.deepEqual(book.inState(...states), records.filter((t) => states.includes(t.state)));
        }
        const inFlight = records.filter((t) => t.state === "submitting" || t.state === "moving");
        const want = measureLoad(inFlight);
        const got = book.inFlightLoad();
        assert.deepEqual([got.moves, got.bytes, new Map(got.perBroker)], [want.moves, want.bytes, new Map(want.perBroker)]);
        // mayFit: exactly the pending tasks with a free slot on each of their brokers.
        const load = measureLoad(inFlight).perBroker;
        const fits = records.filter((t) => t.state === "pending" && slotBrokers(t).every((b) => (load.get(b) ?? 0) < cap));
        assert.deepEqual(new Set(book.mayFit(cap)), new Set(fits));
      };
      check();
      for (const step of steps) {
        const t = records[step.task % records.length]!;
        if (!TRANSITIONS[t.state].includes(step.to)) continue;
        book.move(t, step.to, ++now);
        assert.equal(t.state, step.to);
        check();
      }
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

test("a task not in the book is a bug, not a silent miss", () => {
  const book = new TaskBook([]);
  assert.throws(() => book.key({ topic: "a", partition: 0, from: [1], to: [2], size: 1, state: "pending" }), /not in the book/);
});
