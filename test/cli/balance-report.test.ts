/**
 * `ballast balance --report`: the job driven in-process against the simulator (no Kafka), its report
 * written as the command writes it. The report embeds the figures of the run's --json object and,
 * when the run planned, its plan with the goal behind each move; the flag's usage errors come before
 * any connection.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeBalanceReport } from "../../src/cli/balance-report.js";
import type { CliIo } from "../../src/cli/io.js";
import { type JobReport, type JobRequest, figuresOf, runBalanceJobWithDetail } from "../../src/executor/balance-job.js";
import { StateStore } from "../../src/executor/journal.js";
import { createSimClock, createSimulatedCluster } from "../../src/executor/simulator.js";
import { parseJobConfig } from "../../src/model/balance-config.js";
import type { Cluster } from "../../src/model/types.js";
import type { BalanceReport } from "../../src/solver/types.js";
import { loadFixture } from "../support/fixtures.js";
import { embeddedData, run } from "./helpers.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ballast-balance-report-"));
  dirs.push(dir);
  return dir;
}

/** The simulated cluster and the job's context on it. */
function setup(cluster: Cluster) {
  const dir = tempDir();
  const clock = createSimClock(Date.UTC(2026, 0, 5, 12, 0));
  const sim = createSimulatedCluster(cluster, { clock });
  const ctx = { port: sim.port, store: new StateStore(join(dir, "state")), clock, emit: () => undefined, stop: { level: 0 }, say: () => undefined, notify: () => Promise.resolve() };
  return { dir, sim, ctx };
}

/** One run of the job, as `ballast balance --report` makes it (explain asked). */
async function runJob(cluster: Cluster, yaml: string, extra: Partial<JobRequest> = {}, prepared = setup(cluster)) {
  const request: JobRequest = { cluster: "test", config: parseJobConfig(yaml), planOptions: {}, dryRun: false, lockWaitMs: 0, pollMs: 1000, owner: "test", explain: true, ...extra };
  return { ...prepared, ...(await runBalanceJobWithDetail(prepared.ctx, request)) };
}

function capture(): { io: CliIo; out: () => string } {
  let text = "";
  const stream = { write: (s: string) => (text += s) };
  return { io: { stdout: stream, stderr: stream, env: {} }, out: () => text };
}

/** Writes the run's report and reads its data back. */
function reportOf(job: Awaited<ReturnType<typeof runJob>>) {
  const path = join(job.dir, "run.html");
  const { io, out } = capture();
  writeBalanceReport(io, path, "live cluster 127.0.0.1:9092", job.report, job.detail);
  assert.match(out(), /^Report written to .*run\.html \(/);
  return embeddedData(readFileSync(path, "utf8"));
}

/** The run's report as `--json` prints it. */
function asJson(report: JobReport): JobReport {
  return JSON.parse(JSON.stringify(report)) as JobReport;
}

test("a run that proposed: the report has the run's figures, outcome and its plan with the goal of each move", async () => {
  const job = await runJob(loadFixture("demo.yaml"), "mode: propose\n", { planOptions: { maxMoves: 4 } });
  assert.equal(job.report.outcome, "proposed", job.report.reasons.join("; "));
  assert.ok(job.report.moves > 0);
  const json = asJson(job.report);
  const data = reportOf(job);
  const describe = data.describe as BalanceReport;
  assert.deepEqual(figuresOf(describe, job.detail!.cluster), json.figures);
  assert.ok(describe.notes?.includes("ballast balance: proposed"));
  for (const reason of json.reasons) assert.ok(describe.notes?.includes(reason), reason);
  const plan = data.plan!;
  assert.equal(plan.origin, "planned");
  const summary = plan.summary as { moves: number; bytesMoved: number; planId: string; lowerBound: { moves: number } };
  assert.deepEqual([summary.moves, summary.bytesMoved, summary.planId], [json.moves, json.bytesMoved, json.planId]);
  assert.ok(summary.lowerBound.moves >= 0);
  // The moved partitions are the proposal's, each with the goal that asked for it.
  const moves = plan.moves as { topic: string; partition: number; to: number[]; added: number; goals: string[] }[];
  const proposal = JSON.parse(readFileSync(json.planFile!, "utf8")) as { partitions: { topic: string; partition: number; replicas: number[] }[] };
  assert.deepEqual(
    moves.map((m) => [m.topic, m.partition, m.to]),
    proposal.partitions.map((p) => [p.topic, p.partition, p.replicas]),
  );
  assert.equal(moves.reduce((a, m) => a + m.added, 0), json.moves);
  assert.ok(moves.every((m) => m.goals.length > 0), "every move names its goal");
});

test("a run that executed: the plan shown is the one executed, with the same moves and bytes", async () => {
  const job = await runJob(loadFixture("demo.yaml"), "", { planOptions: { maxMoves: 3 } });
  assert.equal(job.report.outcome, "done", job.report.reasons.join("; "));
  const json = asJson(job.report);
  const data = reportOf(job);
  assert.deepEqual(figuresOf(data.describe as BalanceReport, job.detail!.cluster), json.figures);
  const summary = data.plan!.summary as { moves: number; bytesMoved: number; planId: string };
  assert.deepEqual([summary.moves, summary.bytesMoved, summary.planId], [json.moves, json.bytesMoved, json.planId]);
  // The snapshot shown is the cluster before the run changed it.
  assert.notDeepEqual(job.sim.snapshot().topics, job.detail!.cluster.topics);
});

test("a balanced cluster: the report shows the cluster, the outcome, and no plan", async () => {
  const job = await runJob(loadFixture("balanced.yaml"), "");
  assert.equal(job.report.outcome, "nothing-to-do");
  const data = reportOf(job);
  assert.equal(data.plan, null);
  assert.ok((data.describe as BalanceReport).notes?.includes("ballast balance: nothing-to-do"));
  assert.deepEqual(figuresOf(data.describe as BalanceReport, job.detail!.cluster), asJson(job.report).figures);
});

test("a locked run assessed nothing: no report file, and a line that says why", async () => {
  const prepared = setup(loadFixture("demo.yaml"));
  assert.equal((await prepared.sim.port.acquireExecutionLock("someone else")).status, "acquired");
  const { dir, report, detail } = await runJob(loadFixture("demo.yaml"), "", {}, prepared);
  assert.equal(report.outcome, "locked");
  assert.equal(detail, undefined);
  const { io, out } = capture();
  writeBalanceReport(io, join(dir, "run.html"), "live cluster x:1", report, detail);
  assert.equal(existsSync(join(dir, "run.html")), false);
  assert.match(out(), /^No report written to .*run\.html: the run ended locked before it assessed the cluster\.\n$/);
});

test("--report: one cluster only, and never over an input or inside the state folder", async () => {
  const dir = tempDir();
  const clusters = join(dir, "clusters.yaml");
  writeFileSync(clusters, "clusters:\n  - {name: a, bootstrapServers: 'x:1'}\n  - {name: b, bootstrapServers: 'y:1'}\n");
  const fleet = await run(["balance", "--clusters", clusters, "--report", join(dir, "r.html")]);
  assert.equal(fleet.code, 2);
  assert.match(fleet.stderr, /^error: --report: writes one cluster's report: name the cluster with --only/);
  const cfg = join(dir, "b.yaml");
  writeFileSync(cfg, "mode: propose\n");
  const over = await run(["balance", "--bootstrap-server", "127.0.0.1:1", "--config", cfg, "--report", cfg]);
  assert.equal(over.code, 2);
  assert.match(over.stderr, /--report: .* is also the input of --config/);
  const inState = await run(["balance", "--bootstrap-server", "127.0.0.1:1", "--state-dir", join(dir, "state"), "--report", join(dir, "state", "r.html")]);
  assert.equal(inState.code, 2);
  assert.match(inState.stderr, /--report: .* is inside the state folder/);
  assert.equal(readFileSync(cfg, "utf8"), "mode: propose\n");
});
