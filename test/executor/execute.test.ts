/**
 * The executor's operations when Kafka fails: a cancel that fails half-way leaves a state that says
 * so and that a resume finishes; a resume takes the timeouts given on its command line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ExecutionContext } from "../../src/executor/execute.js";
import { cancelExecution, executionStatus, resumeExecution } from "../../src/executor/execute.js";
import { StateStore } from "../../src/executor/journal.js";
import type { KafkaPort } from "../../src/executor/port.js";
import type { ExecutionEvent } from "../../src/executor/runner.js";
import { newExecutionState } from "../../src/executor/runner.js";
import { createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import { DEFAULT_LIMITS } from "../../src/executor/types.js";
import { BallastError, isBallastError } from "../../src/model/errors.js";
import { parseCluster } from "../../src/model/parse.js";

const CLUSTER = parseCluster(
  "version: 1\nbrokers: [{id: 1}, {id: 2}, {id: 3}]\ntopics:\n  - {name: t, partitions: [{partition: 0, replicas: [1, 2], size: 1000}, {partition: 1, replicas: [1, 2], size: 1000}]}\n",
  { format: "yaml" },
);
const OPTIONS = { limits: DEFAULT_LIMITS, strategy: ["small-first" as const], throttle: 1000, partitionTimeoutMs: 3_600_000, brokerDownTimeoutMs: 600_000, pollMs: 1000, allowUnderReplicated: false };

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A journal of a running execution whose two tasks are still pending, and a context over the simulator. */
function pendingExecution(): { ctx: ExecutionContext; store: StateStore; broken: KafkaPort } {
  const dir = mkdtempSync(join(tmpdir(), "ballast-execute-"));
  dirs.push(dir);
  const store = new StateStore(dir);
  const tasks = [0, 1].map((p) => ({ topic: "t", partition: p, from: [1, 2], to: [3, 2], size: 1000 }));
  store.save(newExecutionState("x", 0, tasks, OPTIONS));
  const clock = createSimClock();
  const sim = createSimulatedCluster(CLUSTER, { clock });
  // Every Kafka call fails, as against an unreachable cluster.
  const broken = new Proxy(sim.port, {
    get: (target, name) =>
      // The lock is taken; the calls after it fail, as when Kafka goes away half-way.
      name === "close" || name === "acquireExecutionLock" ? target[name].bind(target) : () => Promise.reject(new BallastError("KAFKA", "connection refused")),
  });
  return { store, broken, ctx: { port: sim.port, store, clock, emit: () => undefined, stop: { level: 0 }, pollMs: 1000 } };
}

test("a cancel that fails leaves the execution running with the cancel pending; a resume finishes the cancel", async () => {
  const { ctx, store, broken } = pendingExecution();
  const events: ExecutionEvent[] = [];
  await assert.rejects(cancelExecution({ ...ctx, port: broken, emit: (e) => events.push(e) }), (e: unknown) => isBallastError(e) && e.code === "KAFKA");
  // Nothing is reported or journalled as cancelled when Kafka could not be told.
  assert.deepEqual(events.filter((e) => e.type === "finished-partition"), []);
  const after = store.load();
  assert.deepEqual(after.tasks.map((t) => t.state), ["pending", "pending"]);
  assert.equal(after.status, "running");
  assert.equal(after.cancelRequested, true);
  assert.equal(executionStatus(store).cancelRequested, true);
  // Resuming does not end silently: it carries out the cancel.
  assert.equal(await resumeExecution(ctx), "cancelled");
  assert.equal(store.load().status, "cancelled");
  assert.ok(store.load().tasks.every((t) => t.state === "cancelled"));
});

test("a failed cancel can be run again", async () => {
  const { ctx, store, broken } = pendingExecution();
  await assert.rejects(cancelExecution({ ...ctx, port: broken }));
  const state = await cancelExecution(ctx);
  assert.equal(state.status, "cancelled");
  assert.equal(store.load().status, "cancelled");
});

test("cancel of an execution that already ended changes nothing and does not contact Kafka", async () => {
  const { ctx, store } = pendingExecution();
  assert.equal(await resumeExecution(ctx), "completed");
  const before = store.load();
  const unreachable = new Proxy(ctx.port, { get: () => () => Promise.reject(new BallastError("KAFKA", "connection refused")) });
  const state = await cancelExecution({ ...ctx, port: unreachable });
  assert.equal(state.status, "completed");
  assert.deepEqual(store.load(), before);
});

test("execute --resume takes the broker-down timeout and limits given on its command line over the journal's", async () => {
  const { ctx, store, broken } = pendingExecution();
  const started = ctx.clock.now();
  await assert.rejects(resumeExecution({ ...ctx, port: broken }, { brokerDownTimeoutMs: 5000, limits: { maxMovesPerBroker: 2 } }), (e: unknown) => isBallastError(e) && e.code === "KAFKA");
  const waited = ctx.clock.now() - started;
  assert.ok(waited <= 10_000, `gave up after ${String(waited)} ms of (virtual) time, not the journal's 10 minutes`);
  assert.equal(store.load().brokerDownTimeoutMs, 5000);
  assert.equal(store.load().limits.maxMovesPerBroker, 2);
});

test("the cluster's execution lock: a second execution, resume or cancel is refused naming the holder; every exit releases it", async () => {
  const { ctx, store } = pendingExecution();
  const other = await ctx.port.acquireExecutionLock("ballast pid 1 on elsewhere, state folder /other");
  assert.equal(other.status, "acquired");
  const locked = (e: unknown): boolean => isBallastError(e) && e.code === "LOCKED" && /another Ballast execution is changing this cluster \(ballast pid 1 on elsewhere, state folder \/other\)/.test(e.message);
  await assert.rejects(resumeExecution(ctx), locked);
  await assert.rejects(cancelExecution(ctx), locked);
  assert.equal(store.load().status, "running", "a refused command changes nothing");
  assert.equal(store.load().cancelRequested, false);
  if (other.status === "acquired") await other.release();
  // A run that fails part-way releases the lock too.
  const failing = { ...ctx, port: { ...ctx.port, listPartitionReassignments: () => Promise.reject(new Error("bug")) } };
  await assert.rejects(resumeExecution(failing));
  assert.equal(await resumeExecution(ctx), "completed");
  const after = await ctx.port.acquireExecutionLock("next");
  assert.equal(after.status, "acquired", "released after the run");
});
