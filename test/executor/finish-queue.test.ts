/**
 * The finish queue against a scan of every copy, the way the simulator found its next step before:
 * the same step to the last bit and the same finished copies in the same order, as copies start,
 * change rate, stop and finish in a random order.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { copiedAt, FinishQueue, finishesWithin, msToFinish } from "../../src/executor/finish-queue.js";
import type { QueuedCopy } from "../../src/executor/finish-queue.js";

/** The step and finished copies found by looking at every running copy. */
function scan(copies: readonly QueuedCopy[], t: number, toMs: number): { step: number; finished: QueuedCopy[] } | undefined {
  const active = copies.filter((c) => c.rate > 0);
  if (active.length === 0) return undefined;
  let nextFinish = Number.POSITIVE_INFINITY;
  for (const c of active) nextFinish = Math.min(nextFinish, msToFinish(c, t));
  const step = Math.min(toMs - t, nextFinish);
  return { step, finished: active.filter((c) => finishesWithin(c, t, step)) };
}

const action = fc.oneof(
  // Copies start: how many alike, their size (few sizes: equal finish times are common), their rate
  // (0: waiting; rates a few parts in 1e10 apart finish within the scan's tolerance of each other).
  fc.record({
    kind: fc.constant("start" as const),
    alike: fc.integer({ min: 1, max: 4 }),
    size: fc.integer({ min: 0, max: 8 }).map((n) => n * 1024),
    rate: fc.constantFrom(0, 256, 512, 1024, 1024 * (1 + 3e-10), 1024 * (1 - 4e-10), 3000, 1e6 / 3),
  }),
  fc.record({ kind: fc.constant("rate" as const), which: fc.nat(), rate: fc.constantFrom(0, 128, 1024, 1024 * (1 + 2e-10), 7777.7) }),
  fc.record({ kind: fc.constant("stop" as const), which: fc.nat() }),
  // Time runs to the next finish or by this many ms, whichever comes first; finished copies stop.
  fc.record({ kind: fc.constant("run" as const), ms: fc.integer({ min: 1, max: 200_000 }) }),
);

test("property: the queue takes the steps a scan of every copy takes, bit for bit", () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 1, maxLength: 80 }), (actions) => {
      const queue = new FinishQueue<QueuedCopy>();
      const running: QueuedCopy[] = [];
      let t = 0;
      let order = 0;
      const setRate = (c: QueuedCopy, rate: number): void => {
        c.base = copiedAt(c, t);
        c.baseAt = t;
        c.rate = rate;
        queue.update(c);
      };
      for (const a of actions) {
        if (a.kind === "start") {
          for (let i = 0; i < a.alike; i++) {
            const c: QueuedCopy = { size: a.size, base: 0, baseAt: t, rate: 0, order: order++, queued: 0 };
            running.push(c);
            setRate(c, a.rate);
          }
        } else if (a.kind === "rate" && running.length > 0) {
          setRate(running[a.which % running.length]!, a.rate);
        } else if (a.kind === "stop" && running.length > 0) {
          const [c] = running.splice(a.which % running.length, 1);
          queue.remove(c!);
        } else if (a.kind === "run") {
          const toMs = t + a.ms;
          while (t < toMs) {
            const want = scan(running, t, toMs);
            assert.equal(queue.active, running.filter((c) => c.rate > 0).length);
            const got = queue.next(t, toMs);
            if (want === undefined) {
              assert.equal(got, undefined);
              break;
            }
            assert.ok(got !== undefined);
            assert.ok(Object.is(got.step, want.step), `step ${String(got.step)} where a scan gives ${String(want.step)}`);
            assert.deepEqual(
              got.finished.map((c) => c.order),
              want.finished.map((c) => c.order),
            );
            for (const c of got.finished) {
              c.base = c.size;
              c.baseAt = t + got.step;
              running.splice(running.indexOf(c), 1);
              queue.remove(c);
            }
            t = got.step === toMs - t ? toMs : t + got.step;
          }
          // As the simulator does at the end of each span: progress written down at the span's end.
          for (const c of running) {
            c.base = copiedAt(c, toMs);
            c.baseAt = toMs;
          }
          t = toMs;
        }
      }
    }),
    { seed: 20261207, numRuns: 300 },
  );
});

test("copies at rate 0 never finish and are not counted", () => {
  const queue = new FinishQueue<QueuedCopy>();
  const idle: QueuedCopy = { size: 10, base: 0, baseAt: 0, rate: 0, order: 0, queued: 0 };
  queue.update(idle);
  assert.equal(queue.active, 0);
  assert.equal(queue.next(0, 1000), undefined);
  const busy: QueuedCopy = { size: 2000, base: 0, baseAt: 0, rate: 1000, order: 1, queued: 0 };
  queue.update(busy);
  assert.equal(queue.active, 1);
  assert.deepEqual(queue.next(0, 10_000), { step: 2000, finished: [busy] });
});
