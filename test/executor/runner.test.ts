/**
 * The executor run end to end against the in-memory simulator: completion, throttles set and
 * removed, operator configs untouched, resume after a crash, cancel, stale plans, foreign
 * reassignments, deleted topics, timeouts and brokers going down.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { generateCluster } from "../../src/model/generate.js";
import { createRng } from "../../src/model/random.js";
import type { Cluster, Reassignment } from "../../src/model/types.js";
import { plan } from "../../src/solver/index.js";
import { cancelExecution, executionStatus, requestThrottle, resumeExecution, startExecution } from "../../src/executor/execute.js";
import type { ExecutionContext } from "../../src/executor/execute.js";
import { StateStore } from "../../src/executor/journal.js";
import type { ExecuteOptions, ExecutionEvent, StopSignal } from "../../src/executor/runner.js";
import { createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import type { SimulatedCluster } from "../../src/executor/simulator.js";
import { FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS, Throttles, emptyThrottleRecord } from "../../src/executor/throttle.js";
import { DEFAULT_LIMITS } from "../../src/executor/types.js";
import { BallastError } from "../../src/model/errors.js";

const MIB = 1024 * 1024;

function demoCluster(): Cluster {
  return generateCluster(
    { brokers: 6, racks: 3, topics: 3, partitions: { min: 4, max: 6 }, newBrokers: 2, size: { kind: "fixed", mean: 64 * MIB } },
    createRng(5),
  );
}

function planFor(cluster: Cluster): Reassignment {
  const p = plan(cluster, {});
  assert.equal(p.status, "planned");
  if (p.status !== "planned") throw new Error("unreachable");
  assert.ok(p.reassignment.partitions.length > 0);
  return p.reassignment;
}

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

const OPTIONS: ExecuteOptions = {
  limits: DEFAULT_LIMITS,
  strategy: ["small-first"],
  throttle: 20 * MIB,
  partitionTimeoutMs: 3_600_000,
  brokerDownTimeoutMs: 600_000,
  pollMs: 1000,
  allowUnderReplicated: false,
};

function setup(cluster = demoCluster()): { sim: SimulatedCluster; ctx: ExecutionContext; events: ExecutionEvent[]; stop: StopSignal; dir: string } {
  const clock = createSimClock();
  const sim = createSimulatedCluster(cluster, { clock, bandwidth: 100 * MIB });
  const events: ExecutionEvent[] = [];
  const stop: StopSignal = { level: 0 };
  const dir = mkdtempSync(join(tmpdir(), "ballast-exec-"));
  tempDirs.push(dir);
  return { sim, events, stop, dir, ctx: { port: sim.port, store: new StateStore(dir), clock, emit: (e) => events.push(e), stop, pollMs: 1000 } };
}

function replicasOf(c: Cluster): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  for (const t of c.topics) for (const p of t.partitions) out.set(`${t.name}-${String(p.partition)}`, p.replicas);
  return out;
}

async function throttleConfigs(sim: SimulatedCluster, cluster: Cluster): Promise<string[]> {
  const resources = [
    ...cluster.brokers.map((b) => ({ type: "broker" as const, name: String(b.id) })),
    ...cluster.topics.map((t) => ({ type: "topic" as const, name: t.name })),
  ];
  const configs = await sim.port.describeConfigs(resources);
  const found: string[] = [];
  for (const [key, entries] of configs) {
    for (const e of entries) {
      if ([LEADER_RATE, FOLLOWER_RATE, LEADER_REPLICAS, FOLLOWER_REPLICAS].includes(e.name) && e.value && e.source.startsWith("dynamic")) {
        found.push(`${key} ${e.name}=${e.value}`);
      }
    }
  }
  return found;
}

test("an execution moves every partition to exactly the planned replicas, throttled, and cleans up", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx, events } = setup(cluster);
  let sawThrottle = false;
  const emit = ctx.emit;
  const status = await startExecution(
    {
      ...ctx,
      emit: (e) => {
        emit(e);
        if (e.type === "submitted" && !sawThrottle) {
          void throttleConfigs(sim, cluster).then((c) => {
            if (c.length > 0) sawThrottle = true;
          });
        }
      },
    },
    { reassignment },
    OPTIONS,
    "exec-1",
  );
  assert.equal(status, "completed");
  const after = replicasOf(sim.snapshot());
  for (const e of reassignment.partitions) assert.deepEqual(after.get(`${e.topic}-${String(e.partition)}`), e.replicas);
  assert.ok(sawThrottle, "throttles were set during the run");
  assert.deepEqual(await throttleConfigs(sim, cluster), [], "no throttle left behind");
  const leaders = sim.snapshot().topics.flatMap((t) => t.partitions.filter((p) => p.leader !== p.replicas[0]));
  assert.deepEqual(leaders, [], "every partition ends led by its preferred leader");
  const s = executionStatus(ctx.store);
  assert.equal(s.counts.done, reassignment.partitions.length);
  assert.ok(events.some((e) => e.type === "progress"));
});

test("an operator's own dynamic configs survive the run untouched", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  const topic = reassignment.partitions[0]!.topic;
  await sim.port.incrementalAlterConfigs([
    { resource: { type: "topic", name: topic }, ops: [{ op: "set", name: "retention.ms", value: "3600000" }] },
    { resource: { type: "broker", name: "1" }, ops: [{ op: "set", name: LEADER_RATE, value: "52428800" }] },
    { resource: { type: "topic", name: topic }, ops: [{ op: "set", name: LEADER_REPLICAS, value: "99:1" }] },
  ]);
  const status = await startExecution(ctx, { reassignment }, OPTIONS, "exec-ops");
  assert.equal(status, "completed");
  const configs = await sim.port.describeConfigs([
    { type: "topic", name: topic },
    { type: "broker", name: "1" },
  ]);
  const get = (key: string, name: string): string | null | undefined => configs.get(key)?.find((e) => e.name === name && e.source.startsWith("dynamic"))?.value;
  assert.equal(get(`topic:${topic}`, "retention.ms"), "3600000");
  assert.equal(get("broker:1", LEADER_RATE), "52428800");
  assert.equal(get(`topic:${topic}`, LEADER_REPLICAS), "99:1");
});

test("after the executor dies mid-run, resume adopts what Kafka is moving and finishes without resubmitting", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  // Crash: stop after the first batch is submitted (the journal holds moving tasks).
  const submitted: string[][] = [];
  const crash = new Error("executor killed");
  await assert.rejects(
    startExecution(
      {
        ...ctx,
        emit: (e) => {
          if (e.type === "submitted") {
            submitted.push([...e.partitions]);
            throw crash;
          }
        },
      },
      { reassignment },
      OPTIONS,
      "exec-crash",
    ),
    crash,
  );
  assert.ok((await sim.port.listPartitionReassignments()).length > 0, "reassignments still running in Kafka");
  const calls: string[] = [];
  const port = sim.port;
  const counting = { ...port, alterPartitionReassignments: (entries: Parameters<typeof port.alterPartitionReassignments>[0]) => {
    for (const e of entries) calls.push(`${e.topic}-${String(e.partition)}`);
    return port.alterPartitionReassignments(entries);
  } };
  const status = await resumeExecution({ ...ctx, port: counting });
  assert.equal(status, "completed");
  for (const p of submitted[0]!) assert.ok(!calls.includes(p), `${p} was submitted twice`);
  const after = replicasOf(sim.snapshot());
  for (const e of reassignment.partitions) assert.deepEqual(after.get(`${e.topic}-${String(e.partition)}`), e.replicas);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);
});

test("cancel reverts in-flight moves to the original placement and removes throttles", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx, stop } = setup(cluster);
  const before = replicasOf(cluster);
  let batches = 0;
  const status = await startExecution(
    { ...ctx, emit: (e) => { if (e.type === "submitted" && ++batches === 1) stop.level = 2; } },
    { reassignment },
    OPTIONS,
    "exec-cancel",
  );
  assert.equal(status, "cancelled");
  const after = replicasOf(sim.snapshot());
  const moved = executionStatus(ctx.store);
  assert.equal(moved.counts.moving + moved.counts.pending + moved.counts.submitting, 0);
  for (const t of ctx.store.load().tasks.filter((x) => x.state === "cancelled")) {
    assert.deepEqual(after.get(`${t.topic}-${String(t.partition)}`), before.get(`${t.topic}-${String(t.partition)}`));
  }
  assert.deepEqual(await sim.port.listPartitionReassignments(), []);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);
});

test("cancel from another command on a stopped execution reverts and cleans up", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  const crash = new Error("killed");
  await assert.rejects(startExecution({ ...ctx, emit: (e) => { if (e.type === "submitted") throw crash; } }, { reassignment }, OPTIONS, "exec-c2"), crash);
  const state = await cancelExecution(ctx);
  assert.equal(state.status, "cancelled");
  assert.deepEqual(await sim.port.listPartitionReassignments(), []);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);
});

test("pre-flight refuses foreign reassignments, stale plans, unknown partitions and missing brokers", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const first = reassignment.partitions[0]!;
  {
    const { sim, ctx } = setup(cluster);
    const other = cluster.topics[0]!.partitions[0]!;
    const spare = cluster.brokers.map((b) => b.id).find((b) => !other.replicas.includes(b))!;
    await sim.port.alterPartitionReassignments([{ topic: cluster.topics[0]!.name, partition: other.partition, replicas: [spare, ...other.replicas.slice(1)] }]);
    await assert.rejects(startExecution(ctx, { reassignment }, OPTIONS, "x"), (e: unknown) => e instanceof BallastError && e.code === "PREFLIGHT" && /did not start/.test(e.message));
  }
  {
    const { ctx } = setup(cluster);
    const madeFrom = new Map([[`${first.topic}-${String(first.partition)}`, [99, 98, 97]]]);
    await assert.rejects(startExecution(ctx, { reassignment, madeFrom }, OPTIONS, "x"), /stale/);
  }
  {
    const { ctx } = setup(cluster);
    const bad = { version: 1 as const, partitions: [{ ...first, topic: "no-such-topic" }] };
    await assert.rejects(startExecution(ctx, { reassignment: bad }, OPTIONS, "x"), /does not have/);
  }
  {
    const { sim, ctx } = setup(cluster);
    sim.killBroker(first.replicas[0]!);
    await assert.rejects(startExecution(ctx, { reassignment }, OPTIONS, "x"), /not registered/);
  }
});

test("a topic deleted mid-run is reported as skipped while the rest completes", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  const victim = reassignment.partitions[reassignment.partitions.length - 1]!.topic;
  let deleted = false;
  const status = await startExecution(
    { ...ctx, emit: (e) => { if (e.type === "submitted" && !deleted) { deleted = true; sim.deleteTopic(victim); } } },
    { reassignment },
    OPTIONS,
    "exec-del",
  );
  assert.equal(status, "completed");
  const s = ctx.store.load();
  for (const t of s.tasks) assert.equal(t.state, t.topic === victim ? "skipped" : "done", `${t.topic}-${String(t.partition)}`);
});

test("a partition past its timeout is cancelled and reported while the rest go on", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { ctx } = setup(cluster);
  // 64 MiB at 1 KiB/s takes far longer than the 30 s timeout.
  const status = await startExecution(ctx, { reassignment }, { ...OPTIONS, throttle: 1024, partitionTimeoutMs: 30_000 }, "exec-to");
  assert.equal(status, "failed");
  const s = ctx.store.load();
  assert.ok(s.tasks.some((t) => t.state === "timed-out" && /cancelled/.test(t.note ?? "")));
  assert.ok(s.tasks.every((t) => t.state === "timed-out" || t.state === "done"));
});

test("a target broker going down pauses its moves, which finish when it returns", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx, events } = setup(cluster);
  const target = reassignment.partitions.flatMap((e) => e.replicas).find((b) => b > 6) ?? reassignment.partitions[0]!.replicas[0]!;
  let n = 0;
  const journalled: Array<readonly number[] | undefined> = [];
  const status = await startExecution(
    {
      ...ctx,
      emit: (e) => {
        events.push(e);
        if (e.type === "paused" || e.type === "resumed") journalled.push(ctx.store.load().paused?.brokers);
        if (e.type === "submitted" && n++ === 0) sim.killBroker(target);
        if (e.type === "progress" && n > 0 && ctx.clock.now() > 120_000) sim.startBroker(target);
      },
    },
    { reassignment },
    OPTIONS,
    "exec-down",
  );
  assert.equal(status, "completed");
  const changes = events.filter((e) => e.type === "paused" || e.type === "resumed");
  assert.deepEqual(
    changes.map((e) => [e.type, e.brokers]),
    [
      ["paused", [target]],
      ["resumed", [target]],
    ],
    "one line when the moves wait, one when they go on",
  );
  // The journal says so while it lasts (for `ballast status`), and not after.
  assert.deepEqual(journalled, [[target], undefined]);
  assert.equal(ctx.store.load().paused, undefined);
});

test("a broker down past the timeout gives up its moves with a clear report", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  const target = reassignment.partitions.flatMap((e) => e.replicas).find((b) => b > 6) ?? reassignment.partitions[0]!.replicas[0]!;
  let killed = false;
  const seen: ExecutionEvent[] = [];
  const status = await startExecution(
    { ...ctx, emit: (e) => { seen.push(e); if (e.type === "submitted" && !killed) { killed = true; sim.killBroker(target); } } },
    { reassignment },
    { ...OPTIONS, brokerDownTimeoutMs: 60_000 },
    "exec-gone",
  );
  assert.equal(status, "failed");
  // Its moves were given up, but it never came back: no "resumed" line.
  assert.ok(seen.some((e) => e.type === "paused"));
  assert.deepEqual(seen.filter((e) => e.type === "resumed"), []);
  const failed = ctx.store.load().tasks.filter((t) => t.state === "failed" || t.state === "timed-out");
  assert.ok(failed.length > 0);
  assert.ok(failed.every((t) => new RegExp(`broker ${String(target)}`).test(t.note ?? "")), JSON.stringify(failed.map((t) => t.note)));
});

test("a throttle change requested while the execution runs is applied to the brokers Ballast throttles", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  const seen: string[] = [];
  let requested = false;
  const status = await startExecution(
    {
      ...ctx,
      emit: (e) => {
        if (e.type === "submitted" && !requested) {
          requested = true;
          requestThrottle(ctx.store, 30 * MIB);
        }
        if (e.type === "throttle") {
          void throttleConfigs(sim, cluster).then((c) => seen.push(...c));
        }
      },
    },
    { reassignment },
    OPTIONS,
    "exec-rate",
  );
  assert.equal(status, "completed");
  await new Promise((r) => setImmediate(r));
  assert.ok(seen.some((c) => c.endsWith(`${LEADER_RATE}=${String(30 * MIB)}`)), JSON.stringify(seen));
  assert.ok(!seen.some((c) => c.endsWith(`${LEADER_RATE}=${String(20 * MIB)}`)), "no broker keeps the old rate");
  assert.equal(ctx.store.load().throttle.rate, 30 * MIB);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);
});

/** Two moves at a time, so a stop after the first batch leaves partitions to submit. */
const FEW_AT_A_TIME: ExecuteOptions = { ...OPTIONS, limits: { ...DEFAULT_LIMITS, maxMoves: 2 } };

test("a stop (Ctrl-C) waits for the partitions in flight, removes every throttle and journals 'stopped'; resume sets them again and completes", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx, stop } = setup(cluster);
  let batches = 0;
  const status = await startExecution({ ...ctx, emit: (e) => { if (e.type === "submitted" && ++batches === 1) stop.level = 1; } }, { reassignment }, FEW_AT_A_TIME, "exec-stop");
  assert.equal(status, "stopped");
  const journal = ctx.store.load();
  assert.equal(journal.status, "stopped");
  assert.ok(journal.tasks.some((t) => t.state === "done") && journal.tasks.some((t) => t.state === "pending"), JSON.stringify(journal.tasks.map((t) => t.state)));
  assert.ok(journal.tasks.every((t) => t.state === "done" || t.state === "pending"));
  assert.deepEqual(await throttleConfigs(sim, cluster), [], "no throttle left behind by the stop");
  assert.deepEqual(Object.keys(journal.throttle.brokers), []);
  assert.equal(journal.throttle.rate, OPTIONS.throttle, "the journal keeps the rate for the resume");

  let throttledOnResume = false;
  const resumed = await resumeExecution({
    ...ctx,
    stop: { level: 0 },
    emit: (e) => {
      if (e.type === "submitted" && !throttledOnResume) {
        void throttleConfigs(sim, cluster).then((c) => {
          if (c.some((x) => x.includes(`${LEADER_RATE}=${String(OPTIONS.throttle)}`))) throttledOnResume = true;
        });
      }
    },
  });
  assert.equal(resumed, "completed");
  assert.ok(throttledOnResume, "the resume sets the throttle again");
  const after = replicasOf(sim.snapshot());
  for (const e of reassignment.partitions) assert.deepEqual(after.get(`${e.topic}-${String(e.partition)}`), e.replicas);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);
});

test("a halt (SIGTERM) pulls the partitions in flight back to pending, removes every throttle at once; resume completes", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx, stop } = setup(cluster);
  const before = replicasOf(cluster);
  let batches = 0;
  const status = await startExecution({ ...ctx, emit: (e) => { if (e.type === "submitted" && ++batches === 1) stop.halt = true; } }, { reassignment }, FEW_AT_A_TIME, "exec-halt");
  assert.equal(status, "stopped");
  const journal = ctx.store.load();
  assert.equal(journal.status, "stopped");
  assert.ok(journal.tasks.every((t) => t.state === "done" || t.state === "pending"), JSON.stringify(journal.tasks.map((t) => t.state)));
  assert.ok(journal.tasks.some((t) => t.state === "pending" && t.note?.includes("pulled back") === true), "partitions in flight were pulled back");
  const now = replicasOf(sim.snapshot());
  for (const t of journal.tasks.filter((x) => x.state === "pending")) assert.deepEqual(now.get(`${t.topic}-${String(t.partition)}`), before.get(`${t.topic}-${String(t.partition)}`));
  assert.deepEqual(await sim.port.listPartitionReassignments(), []);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);

  assert.equal(await resumeExecution({ ...ctx, stop: { level: 0 } }), "completed");
  const after = replicasOf(sim.snapshot());
  for (const e of reassignment.partitions) assert.deepEqual(after.get(`${e.topic}-${String(e.partition)}`), e.replicas);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);
});

test("a cancel that finds partitions Kafka has finished records them done and elects their preferred leaders", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  const crash = new Error("killed");
  await assert.rejects(startExecution({ ...ctx, emit: (e) => { if (e.type === "submitted") throw crash; } }, { reassignment }, OPTIONS, "exec-race"), crash);
  // Kafka finishes the batch before the cancel reaches it.
  sim.clock.advance(3_600_000);
  assert.deepEqual(await sim.port.listPartitionReassignments(), []);
  const state = await cancelExecution(ctx);
  const done = state.tasks.filter((t) => t.state === "done");
  assert.ok(done.length > 0);
  const byKey = new Map(sim.snapshot().topics.flatMap((t) => t.partitions.map((p) => [`${t.name}-${String(p.partition)}`, p] as const)));
  for (const t of done) {
    const p = byKey.get(`${t.topic}-${String(t.partition)}`)!;
    assert.equal(p.leader, t.to[0], `${t.topic}-${String(t.partition)} is led by its preferred leader`);
    assert.equal(t.elected, true);
  }
});

test("after a resume, rate and ETA count only the bytes copied since the resume", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { ctx, stop } = setup(cluster);
  let batches = 0;
  assert.equal(await startExecution({ ...ctx, emit: (e) => { if (e.type === "submitted" && ++batches === 1) stop.level = 1; } }, { reassignment }, FEW_AT_A_TIME, "exec-rate"), "stopped");
  const doneBefore = ctx.store.load().tasks.filter((t) => t.state === "done").reduce((a, t) => a + t.size * t.to.filter((b) => !t.from.includes(b)).length, 0);
  assert.ok(doneBefore > 0);
  const progress: Array<Extract<ExecutionEvent, { type: "progress" }>> = [];
  assert.equal(await resumeExecution({ ...ctx, stop: { level: 0 }, emit: (e) => { if (e.type === "progress") progress.push(e); } }), "completed");
  assert.ok(progress.length > 0);
  // No run can copy faster than every broker receiving at the throttle: counting the bytes done
  // before the resume as copied in its first seconds would.
  const most = cluster.brokers.length * OPTIONS.throttle!;
  const rated = progress.filter((e) => e.rate !== null);
  assert.ok(rated.length > 0);
  for (const e of rated) {
    assert.ok(e.rate! <= most, `rate ${String(e.rate)} B/s after ${String(e.elapsedMs)} ms is above ${String(most)} B/s`);
    if (e.etaMs !== null) assert.ok(Math.abs((e.etaMs / 1000) * e.rate! - (e.bytesTotal - e.bytesCopied)) < 1);
  }
});

test("progress counts what the copies in flight hold: a rate and an ETA before the first partition finishes", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { ctx, events } = setup(cluster);
  // 64 MiB partitions at 1 MiB/s: about a minute each.
  assert.equal(await startExecution(ctx, { reassignment }, { ...OPTIONS, throttle: MIB }, "exec-meter"), "completed");
  const progress = events.filter((e) => e.type === "progress");
  // (A partition whose replicas only change order finishes at once, copying nothing.)
  const before = progress.slice(0, progress.findIndex((e) => e.bytesDone > 0));
  assert.ok(before.length > 5, `progress reported ${String(before.length)} times before the first finish`);
  const measured = before.filter((e) => e.rate !== null && e.rate > 0 && e.etaMs !== null);
  assert.ok(measured.length > 0 && measured[0]!.elapsedMs <= 15_000, `a rate within 15 s: ${JSON.stringify(before.slice(0, 4))}`);
  for (const e of measured) {
    assert.equal(e.bytesDone, 0);
    assert.ok(e.bytesCopied > 0 && e.bytesCopied < e.bytesTotal);
    assert.ok(e.rate! <= cluster.brokers.length * MIB, `rate ${String(e.rate)}`);
  }
  // Measured over a minute at a steady throttle, the ETA moves with the clock, not by minutes.
  const steady = measured.filter((e) => e.elapsedMs >= 60_000 || e === measured.at(-1));
  for (const [a, b] of steady.slice(0, -1).map((e, i) => [e, steady[i + 1]!] as const)) {
    const drift = Math.abs(a.elapsedMs + a.etaMs! - (b.elapsedMs + b.etaMs!));
    assert.ok(drift <= 0.25 * (a.elapsedMs + a.etaMs!), `predicted end moved by ${String(drift)} ms`);
  }
});

test("an executor that loses the cluster's lock stops at once, removing its throttles, resumable", async () => {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx, events } = setup(cluster);
  let batches = 0;
  const status = await startExecution({ ...ctx, emit: (e) => { events.push(e); if (e.type === "submitted" && ++batches === 1) sim.loseLock(); } }, { reassignment }, FEW_AT_A_TIME, "exec-lost");
  assert.equal(status, "stopped");
  assert.ok(events.some((e) => e.type === "warning" && e.message.startsWith("lost the cluster's execution lock")));
  assert.equal(ctx.store.load().status, "stopped");
  assert.deepEqual(await sim.port.listPartitionReassignments(), []);
  assert.deepEqual(await throttleConfigs(sim, cluster), []);
  assert.equal(await resumeExecution({ ...ctx, stop: { level: 0 } }), "completed");
});

test("removing throttles when one topic's config read fails (deleted a moment ago) still deletes the other topics' emptied lists", async () => {
  const cluster = demoCluster();
  const { sim } = setup(cluster);
  const [kept, gone] = cluster.topics;
  const record = emptyThrottleRecord(1000);
  const task = (t: (typeof cluster.topics)[number]) => {
    const p = t.partitions[0]!;
    const spare = cluster.brokers.map((b) => b.id).find((b) => !p.replicas.includes(b))!;
    return { topic: t.name, partition: p.partition, from: p.replicas, to: [spare, ...p.replicas.slice(1)], size: 1 };
  };
  await new Throttles(sim.port, record, () => undefined).addPartitions([task(kept!), task(gone!)]);
  // The broker still lists `gone`, but reading its configs fails, as for a topic being deleted.
  const port = {
    ...sim.port,
    describeConfigs: (rs: Parameters<typeof sim.port.describeConfigs>[0]) =>
      rs.some((r) => r.name === gone!.name) ? Promise.reject(new BallastError("KAFKA", "UNKNOWN_TOPIC_OR_PARTITION")) : sim.port.describeConfigs(rs),
  };
  await new Throttles(port, record, () => undefined).clearAll();
  const left = (await sim.port.describeConfigs([{ type: "topic", name: kept!.name }])).get(`topic:${kept!.name}`) ?? [];
  assert.deepEqual(left.filter((e) => e.name === LEADER_REPLICAS || e.name === FOLLOWER_REPLICAS), [], "no emptied list left as \"\"");
});

/** Runs the demo plan on a port whose reassignment listing fails with `failure` once the first batch is in. */
async function runFailingAfterSubmit(failure: BallastError): Promise<{ error: unknown; elapsedMs: number; warnings: number }> {
  const cluster = demoCluster();
  const reassignment = planFor(cluster);
  const { sim, ctx } = setup(cluster);
  let failing = false;
  let warnings = 0;
  let failedAt = 0;
  const port = {
    ...sim.port,
    listPartitionReassignments: () => (failing ? Promise.reject(failure) : sim.port.listPartitionReassignments()),
  };
  const emit = (e: ExecutionEvent): void => {
    if (e.type === "submitted" && !failing) {
      failing = true;
      failedAt = ctx.clock.now();
    }
    if (e.type === "warning" && /retrying at the next check/.test(e.message)) warnings++;
  };
  const error = await startExecution({ ...ctx, port, emit }, { reassignment }, OPTIONS, "exec-failing").then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, elapsedMs: ctx.clock.now() - failedAt, warnings };
}

test("an authorization failure ends the run at once instead of waiting out the broker-down timeout", async () => {
  const refused = new BallastError("KAFKA", "CLUSTER_AUTHORIZATION_FAILED (31)", {}, false);
  const { error, elapsedMs, warnings } = await runFailingAfterSubmit(refused);
  assert.equal(error, refused);
  assert.equal(warnings, 0);
  assert.ok(elapsedMs <= OPTIONS.pollMs, `gave up after ${String(elapsedMs)} ms of simulated time`);
});

test("a failure that may pass is retried until the broker-down timeout", async () => {
  const down = new BallastError("KAFKA", "connection refused");
  const { error, elapsedMs, warnings } = await runFailingAfterSubmit(down);
  assert.equal(error, down);
  assert.ok(warnings > 1);
  assert.ok(elapsedMs > OPTIONS.brokerDownTimeoutMs, `gave up after ${String(elapsedMs)} ms of simulated time`);
});
