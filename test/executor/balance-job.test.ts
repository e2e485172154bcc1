/**
 * The balance job end to end against the simulator (no Kafka): decisions, the budget per run,
 * self-healing after the grace period, the lock, windows, propose → approve, and resuming first.
 * Time is the simulator's virtual clock, so grace periods and windows are set, not waited for.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type JobEvent, type JobRequest, parseMemory, runBalanceJob } from "../../src/executor/balance-job.js";
import { StateStore } from "../../src/executor/journal.js";
import { newExecutionState } from "../../src/executor/runner.js";
import { createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import { DEFAULT_LIMITS } from "../../src/executor/types.js";
import { parseJobConfig } from "../../src/model/balance-config.js";
import { parseMetrics } from "../../src/model/metrics.js";
import { parseCluster } from "../../src/model/parse.js";
import type { Cluster } from "../../src/model/types.js";
import { loadFixture } from "../support/fixtures.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const MINUTE = 60_000;
/** 2026-01-05 12:00 UTC. */
const NOON = Date.UTC(2026, 0, 5, 12, 0);

function setup(cluster: Cluster, startMs = NOON) {
  const dir = mkdtempSync(join(tmpdir(), "ballast-balance-"));
  dirs.push(dir);
  const clock = createSimClock(startMs);
  const sim = createSimulatedCluster(cluster, { clock });
  const store = new StateStore(dir);
  const events: JobEvent[] = [];
  const lines: string[] = [];
  const ctx = {
    port: sim.port,
    store,
    clock,
    emit: () => undefined,
    stop: { level: 0 },
    say: (l: string) => void lines.push(l),
    notify: (e: JobEvent) => {
      events.push(e);
      return Promise.resolve();
    },
  };
  const request = (yaml = "", extra: Partial<JobRequest> = {}): JobRequest => ({
    cluster: "test",
    config: parseJobConfig(yaml),
    planOptions: {},
    dryRun: false,
    lockWaitMs: 0,
    pollMs: 1000,
    owner: "test",
    ...extra,
  });
  return { sim, clock, store, ctx, events, lines, request };
}

function replicasOn(cluster: Cluster, broker: number): number {
  return cluster.topics.reduce((a, t) => a + t.partitions.filter((p) => p.replicas.includes(broker)).length, 0);
}

test("a balanced cluster: nothing to do, nothing executed, start and finish notified", async () => {
  const { ctx, request, store, events, sim } = setup(loadFixture("balanced.yaml"));
  const report = await runBalanceJob(ctx, request());
  assert.equal(report.outcome, "nothing-to-do", report.reasons.join("; "));
  assert.equal(store.exists(), false);
  assert.deepEqual(events.map((e) => e.event), ["start", "finish"]);
  assert.equal(report.figures?.replicaSpread, 0);
  // The run left its memory in the cluster.
  assert.equal(parseMemory(await sim.port.readJobMemory()).lastRun?.outcome, "nothing-to-do");
});

test("an unbalanced cluster converges over runs, each within its budget", async () => {
  const { ctx, request, sim } = setup(loadFixture("demo.yaml"));
  const runs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const report = await runBalanceJob(ctx, { ...request(), planOptions: { maxMoves: 3 } });
    if (report.outcome === "nothing-to-do") break;
    assert.equal(report.outcome, "done", report.reasons.join("; "));
    assert.ok(report.moves <= 3, `run ${String(i)} moved ${String(report.moves)}`);
    runs.push(report.moves);
  }
  assert.ok(runs.length >= 2, `converged in ${String(runs.length)} runs: ${runs.join(", ")}`);
  assert.ok(runs.length < 40, "the job converges");
  // A fresh run on the result has nothing left to do.
  const last = await runBalanceJob(ctx, { ...request(), planOptions: { maxMoves: 3 } });
  assert.equal(last.outcome, "nothing-to-do");
  const after = sim.snapshot();
  const counts = [1, 2, 3, 4, 5, 6].map((b) => replicasOn(after, b));
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `replica counts ${counts.join(",")}`);
});

test("triggers: a spread under the threshold does nothing, one over it acts", async () => {
  const { ctx, request } = setup(loadFixture("demo.yaml"));
  const lenient = await runBalanceJob(ctx, request("triggers: {replicaSpread: 20, leaderSpread: 20, diskDeviation: 5, networkDeviation: 5, topicSpread: 20, rackViolations: false}\n"));
  assert.equal(lenient.outcome, "nothing-to-do", lenient.reasons.join("; "));
  const strict = await runBalanceJob(ctx, request("mode: propose\ntriggers: {replicaSpread: 2}\n"));
  assert.equal(strict.outcome, "proposed");
  assert.match(strict.reasons[0]!, /replica spread 12 is above the trigger 2/);
});

test("outside the time window the job only reports; inside it acts", async () => {
  const config = 'window: "01:00-05:00"\ntimeZone: Europe/Berlin\nmode: propose\n';
  const { ctx, request, clock } = setup(loadFixture("demo.yaml"));
  const outside = await runBalanceJob(ctx, request(config));
  assert.equal(outside.outcome, "outside-window");
  assert.match(outside.reasons[0]!, /01:00-05:00 Europe\/Berlin/);
  clock.advance(14 * 60 * MINUTE); // 02:00 UTC = 03:00 in Berlin
  assert.equal((await runBalanceJob(ctx, request(config))).outcome, "proposed");
});

test("a held lock: 'locked' at once, nothing changes, contention notified", async () => {
  const { ctx, request, sim, store, events } = setup(loadFixture("demo.yaml"));
  const held = await sim.port.acquireExecutionLock("someone else");
  assert.equal(held.status, "acquired");
  const report = await runBalanceJob(ctx, request());
  assert.equal(report.outcome, "locked");
  assert.match(report.reasons[0]!, /someone else/);
  assert.equal(store.exists(), false);
  assert.ok(events.some((e) => e.event === "locked"));
});

test("--lock-wait: the job waits for the holder and then runs", async () => {
  const { ctx, request, sim, clock } = setup(loadFixture("balanced.yaml"));
  const held = await sim.port.acquireExecutionLock("someone else");
  if (held.status !== "acquired") throw new Error("not acquired");
  // The holder lets go after 30 s of (virtual) time.
  const off = clock.onAdvance((_, to) => {
    if (to >= NOON + 30_000) void held.release();
  });
  const report = await runBalanceJob(ctx, request("", { lockWaitMs: 120_000, pollMs: 5000 }));
  off();
  assert.equal(report.outcome, "nothing-to-do");
});

test("a missing broker: nothing moves within the grace period, its replicas move after it", async () => {
  const { ctx, request, sim, clock, events } = setup(loadFixture("balanced.yaml"));
  sim.killBroker(4);
  const config = "selfHealing: {brokerFailure: 15m}\n";
  const first = await runBalanceJob(ctx, request(config));
  assert.equal(first.outcome, "nothing-to-do");
  assert.equal(first.anomalies[0]?.kind, "broker-missing");
  assert.ok(events.some((e) => e.event === "anomaly"));
  clock.advance(10 * MINUTE);
  assert.equal((await runBalanceJob(ctx, request(config))).outcome, "nothing-to-do", "still within 15m of when it was first seen");
  clock.advance(6 * MINUTE);
  const healed = await runBalanceJob(ctx, request(config));
  assert.equal(healed.outcome, "done", healed.reasons.join("; "));
  assert.ok(healed.actions.some((a) => /self-healing: moving the replicas of broker 4/.test(a)));
  assert.equal(replicasOn(sim.snapshot(), 4), 0);
});

test("a broker back within the grace period: nothing moves and it is forgotten", async () => {
  const { ctx, request, sim, clock } = setup(loadFixture("balanced.yaml"));
  sim.killBroker(2);
  assert.equal((await runBalanceJob(ctx, request())).outcome, "nothing-to-do");
  assert.equal(parseMemory(await sim.port.readJobMemory()).missingSince.length, 1);
  sim.startBroker(2);
  clock.advance(5 * MINUTE);
  const report = await runBalanceJob(ctx, request());
  assert.equal(report.outcome, "nothing-to-do");
  assert.equal(report.moves, 0);
  assert.equal(parseMemory(await sim.port.readJobMemory()).missingSince.length, 0);
  clock.advance(30 * MINUTE);
  assert.equal((await runBalanceJob(ctx, request())).outcome, "nothing-to-do");
});

test("broker failure healing turned off: the job does not plan over a dead broker", async () => {
  const { ctx, request, sim, clock } = setup(loadFixture("balanced.yaml"));
  sim.killBroker(4);
  clock.advance(60 * MINUTE);
  const report = await runBalanceJob(ctx, request("selfHealing: {brokerFailure: false}\n"));
  assert.equal(report.outcome, "nothing-to-do");
  assert.match(report.anomalies[0]!.message, /selfHealing.brokerFailure is off/);
  assert.equal(replicasOn(sim.snapshot(), 4) > 0, true);
});

test("mode approve: a proposal, then its execution by id; a wrong id is refused", async () => {
  const { ctx, request, sim } = setup(loadFixture("demo.yaml"));
  const config = "mode: approve\nmaxMoves: 4\n";
  const proposed = await runBalanceJob(ctx, { ...request(config), planOptions: { maxMoves: 4 } });
  assert.equal(proposed.outcome, "proposed");
  const id = proposed.planId!;
  assert.match(proposed.reasons.join("\n"), new RegExp(`--approve ${id}`));
  const before = sim.snapshot();
  const wrong = await runBalanceJob(ctx, request(config, { approve: "000000000000" }));
  assert.equal(wrong.outcome, "refused");
  assert.deepEqual(sim.snapshot(), before);
  const done = await runBalanceJob(ctx, request(config, { approve: id }));
  assert.equal(done.outcome, "done", done.reasons.join("; "));
  assert.equal(done.planId, id);
  assert.ok(done.moves > 0 && done.moves <= 4);
  assert.equal(parseMemory(await sim.port.readJobMemory()).proposal, undefined);
});

test("an unfinished execution is resumed first, not planned over", async () => {
  const { ctx, request, store, sim } = setup(loadFixture("demo.yaml"));
  const tasks = [{ topic: "orders", partition: 0, from: [1, 3, 5], to: [2, 3, 5], size: 1000 }];
  store.save(newExecutionState("earlier", NOON, tasks, { limits: DEFAULT_LIMITS, strategy: ["small-first"], throttle: null, partitionTimeoutMs: 3_600_000, brokerDownTimeoutMs: 600_000, pollMs: 1000, allowUnderReplicated: false }));
  const report = await runBalanceJob(ctx, request());
  assert.equal(report.outcome, "done", report.reasons.join("; "));
  assert.equal(report.resumed, true);
  assert.equal(report.executionId, "earlier");
  const p = sim.snapshot().topics.find((t) => t.name === "orders")!.partitions[0]!;
  assert.deepEqual(p.replicas, [2, 3, 5]);
});

test("a dry run writes the plan and executes nothing", async () => {
  const { ctx, request, sim } = setup(loadFixture("demo.yaml"));
  const before = sim.snapshot();
  const report = await runBalanceJob(ctx, request("", { dryRun: true }));
  assert.equal(report.outcome, "proposed");
  assert.ok(report.planFile?.endsWith("proposal.json"));
  assert.deepEqual(sim.snapshot(), before);
});

test("demoteOutliers: preferred leadership leaves a broker far busier than its peers; no data moves", async () => {
  const parts = [
    [1, 2],
    [1, 3],
    [1, 4],
    [1, 2],
    [1, 3],
    [2, 4],
    [3, 1],
    [4, 2],
  ];
  const yaml = [
    "version: 1",
    "brokers: [{id: 1}, {id: 2}, {id: 3}, {id: 4}]",
    "topics:",
    "  - name: busy",
    "    partitions:",
    ...parts.map((r, i) => `      - {partition: ${String(i)}, replicas: [${r.join(", ")}], size: 1000}`),
  ].join("\n");
  // Kafka knows no rates: they come from monitoring, as with --metrics.
  const metrics = parseMetrics("version: 1\ntopics: [{topic: busy, bytesOut: 80MiB/s}]\n", "yaml");
  const { ctx, request, sim } = setup(parseCluster(yaml, { format: "yaml" }));
  const lenient = "triggers: {replicaSpread: 100, leaderSpread: 100, diskDeviation: 100, networkDeviation: 100, topicSpread: 100, rackViolations: false}\n";
  const reportOnly = await runBalanceJob(ctx, request(lenient, { metrics }));
  assert.equal(reportOnly.outcome, "nothing-to-do");
  assert.ok(reportOnly.anomalies.some((a) => a.kind === "outlier" && a.brokers[0] === 1 && /network out 5\.0× its peers' median/.test(a.message)), JSON.stringify(reportOnly.anomalies));
  const report = await runBalanceJob(ctx, request(`${lenient}selfHealing: {demoteOutliers: true}\n`, { metrics }));
  assert.equal(report.outcome, "done", report.reasons.join("; "));
  assert.ok(report.actions.some((a) => /moving preferred leadership off outlier broker\(s\) 1/.test(a)));
  assert.equal(report.moves, 0);
  const after = sim.snapshot().topics[0]!.partitions;
  assert.ok(after.filter((p) => p.replicas[0] === 1).length < 5, JSON.stringify(after.map((p) => p.replicas)));
  assert.deepEqual(after.map((p) => [...p.replicas].sort()), parts.map((r) => [...r].sort()));
});
