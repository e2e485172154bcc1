/**
 * Cruise Control's analyzer beside Ballast on the same shapes: `npm run bench -- --peer cruise-control`.
 *
 * The peer (../shared/peers/cruise-control: Cruise Control's own analyzer, built unpatched by its
 * build.sh, plus a harness that loads a Ballast snapshot into Cruise Control's ClusterModel) runs as a
 * child process per shape, under `nice`, one at a time, killed after CC_TIMEOUT_MS. Its reassignment is
 * applied to the snapshot and the cluster after it is judged by Ballast's own `assess`, exactly as
 * Ballast's plan of the same cluster is: one ruler for both.
 *
 * Nothing of Cruise Control is in this repository; the peer is found through CCPEER_WORK (its build
 * folder) and CCPEER_DIR (the peer folder, ../shared/peers/cruise-control by default).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { formatCluster } from "../src/model/format.js";
import { generateCluster, type GenerateOptions } from "../src/model/generate.js";
import { parseCluster } from "../src/model/parse.js";
import { createRng } from "../src/model/random.js";
import { applyReassignment, parseReassignment } from "../src/model/reassignment.js";
import type { Cluster, Reassignment } from "../src/model/types.js";
import { assess, type BalanceReport, type PlanOutcome } from "../src/solver/index.js";
import { DEFAULT_CAPACITY_THRESHOLDS } from "../src/solver/load-targets.js";
import { bytes, count, duration, machine, markdownTable, percent, textTable, type Row, type Table } from "./format.js";

/** A shape both planners run on (the benchmark's Scenario has these fields). */
export interface PeerScenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly cluster: GenerateOptions;
}

/** What the benchmark measured of Ballast's plan of the shape. */
export interface BallastRun {
  readonly loadMs: number;
  readonly planMs: number;
  readonly outcome: PlanOutcome;
}

export interface PeerOptions<S extends PeerScenario> {
  /** The shapes to run, in order. */
  readonly scenarios: readonly S[];
  /** Shapes of the benchmark not run here, named in the report. */
  readonly leftOut: readonly PeerScenario[];
  /** Plans one shape with Ballast as the benchmark does. */
  readonly ballast: (s: S) => BallastRun;
  /** Where to write the report; undefined: print only. */
  readonly report: URL | undefined;
}

/** One Cruise Control run may take this long; it is killed after it. */
const CC_TIMEOUT_MS = 15 * 60 * 1000;
const CC_TIMEOUT_TEXT = `${String(CC_TIMEOUT_MS / 60_000)} minutes`;

/** The peer folder when CCPEER_DIR is not set: beside the repository, from dist/bench/. */
const DEFAULT_PEER_DIR = fileURLToPath(new URL("../../../shared/peers/cruise-control/", import.meta.url));

/** Keys of Cruise Control's shipped cruisecontrol.properties that shape its plans, for the report. */
const SETTING_KEYS = [
  "replica.count.balance.threshold",
  "disk.balance.threshold",
  "network.inbound.balance.threshold",
  "network.outbound.balance.threshold",
  "cpu.balance.threshold",
  "disk.capacity.threshold",
  "network.inbound.capacity.threshold",
  "network.outbound.capacity.threshold",
  "cpu.capacity.threshold",
  "max.replicas.per.broker",
];

// ---------------------------------------------------------------------------------------------
// The peer: where it is and what it was built from

interface PeerSetup {
  readonly dir: string;
  readonly work: string;
  /** The Cruise Control commit build.sh extracts. */
  readonly commit: string;
  /** `git describe --tags` of that commit, when CC_MIRROR points at the fetched repository. */
  readonly describe: string | null;
  readonly kafkaVersion: string | null;
  readonly settings: ReadonlyArray<readonly [string, string]>;
  readonly java: string;
  readonly heap: string;
  readonly nice: string;
  /** Ballast's commit, and whether src/ had changes not committed when the bench was built. */
  readonly ballastCommit: string;
  readonly ballastDirty: boolean;
}

function peerSetup(env: NodeJS.ProcessEnv): PeerSetup {
  const work = env["CCPEER_WORK"];
  if (work === undefined || work === "") {
    throw new Error(
      "--peer cruise-control needs CCPEER_WORK: the scratch folder (outside the repository) where the peer's build.sh built Cruise Control; see ../shared/peers/cruise-control/README.md",
    );
  }
  const dir = env["CCPEER_DIR"] ?? DEFAULT_PEER_DIR;
  const script = path.join(dir, "run_cc.sh");
  if (!existsSync(script)) throw new Error(`no run_cc.sh in ${dir}; set CCPEER_DIR to the Cruise Control peer folder`);
  const harness = path.join(work, "hclasses", "com", "linkedin", "kafka", "cruisecontrol", "monitor", "CcPeerHarness.class");
  if (!existsSync(harness)) throw new Error(`CCPEER_WORK=${work} holds no built harness; run the peer's build.sh there first (its README)`);
  const commit = /archive\s+([0-9a-f]{40})/.exec(readFileSync(path.join(dir, "build.sh"), "utf8"))?.[1] ?? "unknown";
  const mirror = env["CC_MIRROR"];
  const describe = mirror === undefined || commit === "unknown" ? null : firstLine(spawnSync("git", ["--git-dir", mirror, "describe", "--tags", commit], { encoding: "utf8" }).stdout);
  const gradle = readOptional(path.join(work, "src", "gradle.properties"));
  const properties = parseProperties(readOptional(path.join(work, "src", "config", "cruisecontrol.properties")) ?? "");
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  return {
    dir,
    work,
    commit,
    describe,
    kafkaVersion: gradle === null ? null : (/^kafkaVersion=(.+)$/m.exec(gradle)?.[1]?.trim() ?? null),
    settings: SETTING_KEYS.filter((k) => properties.has(k)).map((k) => [k, properties.get(k) as string] as const),
    java: firstLine(java.stderr) ?? "unknown",
    heap: env["CC_HEAP"] ?? "8g",
    nice: env["CC_NICE"] ?? "19",
    ballastCommit: firstLine(git(["rev-parse", "HEAD"])) ?? "unknown",
    ballastDirty: (git(["status", "--porcelain", "--", "src"]) ?? "").trim() !== "",
  };
}

/** Output of a git command in Ballast's repository, null when git fails. */
function git(args: readonly string[]): string | null {
  const r = spawnSync("git", ["-C", fileURLToPath(new URL("../../", import.meta.url)), ...args], { encoding: "utf8" });
  return r.status === 0 ? r.stdout : null;
}

function readOptional(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

function firstLine(text: string | null | undefined): string | null {
  const line = text?.split("\n")[0]?.trim();
  return line === undefined || line === "" ? null : line;
}

function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\s*([^#!\s][^=:\s]*)\s*[=:]\s*(.*)$/.exec(line);
    if (m) map.set(m[1] as string, (m[2] as string).trim());
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// One Cruise Control run

/** The harness's one-line summary on stdout (the fields used here). */
interface CcSummary {
  readonly optimize_s: number;
  readonly load_and_model_s: number;
  readonly peak_heap_mb: number;
  readonly moves: number;
  readonly leader_changes: number;
  readonly failed_goals: readonly string[];
  readonly goals_not_succeeded: readonly string[];
  readonly rack_goal: string;
  readonly fast_mode: boolean;
  readonly self_healing: boolean;
  readonly goal_s: Readonly<Record<string, number>>;
}

type CcRun =
  | { readonly status: "done"; readonly wallMs: number; readonly load: number; readonly summary: CcSummary; readonly plan: Reassignment; readonly goalErrors: readonly string[] }
  | { readonly status: "timedout"; readonly wallMs: number; readonly load: number; readonly stderr: string }
  | { readonly status: "crashed"; readonly wallMs: number; readonly load: number; readonly reason: string; readonly stderr: string };

/** Stderr lines kept for a report on a run that did not finish. */
const STDERR_TAIL = 15;

function runCruiseControl(setup: PeerSetup, snapshot: string, planFile: string): Promise<CcRun> {
  /** The one-minute load average as the run starts: under \`nice\`, Cruise Control gets less of a busy machine. */
  const load = os.loadavg()[0] ?? 0;
  const start = performance.now();
  const child = spawn(path.join(setup.dir, "run_cc.sh"), [snapshot, planFile], {
    env: { ...process.env, CCPEER_WORK: setup.work },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  const stderrLines: string[] = [];
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("GOAL FAILED") || stderrLines.length < 200) stderrLines.push(line);
    else stderrLines.splice(0, stderrLines.length, ...stderrLines.slice(-STDERR_TAIL), line);
  });
  let timedOut = false;
  // run_cc.sh execs java, so the child is the JVM itself.
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, CC_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ status: "crashed", wallMs: performance.now() - start, load, reason: e.message, stderr: "" });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (partial !== "") stderrLines.push(partial);
      const wallMs = performance.now() - start;
      const tail = stderrLines.slice(-STDERR_TAIL).join("\n");
      if (timedOut) return resolve({ status: "timedout", wallMs, load, stderr: tail });
      if (code !== 0) return resolve({ status: "crashed", wallMs, load, reason: `exit ${String(code ?? signal)}`, stderr: tail });
      try {
        const summary = JSON.parse(stdout.trim().split("\n").pop() ?? "") as CcSummary;
        const plan = parseReassignment(readFileSync(planFile, "utf8"), planFile);
        const goalErrors = stderrLines.filter((l) => l.startsWith("GOAL FAILED"));
        resolve({ status: "done", wallMs, load, summary, plan, goalErrors });
      } catch (e) {
        resolve({ status: "crashed", wallMs, load, reason: `unreadable output: ${(e as Error).message}`, stderr: tail });
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Judging a plan: the cluster after it, by Ballast's `assess`

interface Judged {
  readonly moves: number;
  readonly bytesMoved: number;
  readonly leaderChanges: number;
  readonly report: BalanceReport;
}

/** Moves (brokers added to a partition), their bytes and preferred-leader changes, as Ballast counts them. */
function judge(before: Cluster, plan: Reassignment): Judged {
  const was = new Map<string, { replicas: readonly number[]; size: number }>();
  for (const t of before.topics) for (const p of t.partitions) was.set(`${p.topic}\u0000${String(p.partition)}`, p);
  let moves = 0;
  let bytesMoved = 0;
  let leaderChanges = 0;
  for (const e of plan.partitions) {
    const old = was.get(`${e.topic}\u0000${String(e.partition)}`);
    if (old === undefined) continue; // applyReassignment below refuses such a plan
    const added = e.replicas.filter((b) => !old.replicas.includes(b)).length;
    moves += added;
    bytesMoved += added * old.size;
    if (e.replicas[0] !== old.replicas[0]) leaderChanges++;
  }
  return { moves, bytesMoved, leaderChanges, report: assess(applyReassignment(before, plan)) };
}

// ---------------------------------------------------------------------------------------------
// The run

interface PeerResult {
  readonly scenario: PeerScenario;
  readonly brokers: number;
  readonly replicas: number;
  readonly ballast: BallastRun;
  readonly ballastJudged: Judged | null;
  readonly cc: CcRun;
  readonly ccJudged: Judged | null;
}

export async function runCruiseControlPeer<S extends PeerScenario>(options: PeerOptions<S>): Promise<void> {
  const setup = peerSetup(process.env);
  process.stdout.write(`Cruise Control ${setup.describe ?? setup.commit.slice(0, 9)} from ${setup.work}\n`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "ballast-ccpeer-"));
  const results: PeerResult[] = [];
  try {
    for (const s of options.scenarios) results.push(await runShape(s, setup, scratch, options.ballast));
  } finally {
    if (results.every((r) => r.cc.status === "done")) rmSync(scratch, { recursive: true, force: true });
    else process.stdout.write(`snapshots and Cruise Control's output kept in ${scratch}\n`);
  }
  process.stdout.write(`\n${textTable(sideBySide(results))}\n`);
  if (options.report === undefined) {
    process.stdout.write(`\ndocs/BENCHMARKS-cruise-control.md left as it is (--only runs a subset, or --no-write).\n`);
    return;
  }
  writeFileSync(options.report, markdown(results, options.leftOut, setup));
  process.stdout.write(`\nwrote docs/BENCHMARKS-cruise-control.md\n`);
}

async function runShape<S extends PeerScenario>(s: S, setup: PeerSetup, scratch: string, ballastPlan: (s: S) => BallastRun): Promise<PeerResult> {
  const text = formatCluster(generateCluster(s.cluster, createRng(s.seed)), "json");
  const snapshot = path.join(scratch, `${s.name}.json`);
  writeFileSync(snapshot, text);
  const cluster = parseCluster(text, { format: "json" });
  process.stdout.write(`${s.name}: Ballast …\n`);
  const ballast = ballastPlan(s);
  const ballastJudged = ballast.outcome.status === "planned" ? judge(cluster, ballast.outcome.reassignment) : null;
  if (ballastJudged !== null && ballast.outcome.status === "planned" && ballastJudged.moves !== ballast.outcome.moves) {
    process.stdout.write(`  note: ${String(ballastJudged.moves)} moves counted from the plan, ${String(ballast.outcome.moves)} reported by plan()\n`);
  }
  process.stdout.write(`${s.name}: Cruise Control …\n`);
  const cc = await runCruiseControl(setup, snapshot, path.join(scratch, `${s.name}.ccplan.json`));
  process.stdout.write(`  ${cc.status === "done" ? `optimised in ${cc.summary.optimize_s.toFixed(1)} s` : cc.status}, ${duration(cc.wallMs)} in all\n`);
  const ccJudged = cc.status === "done" ? judge(cluster, cc.plan) : null;
  const replicas = cluster.topics.reduce((n, t) => n + t.partitions.reduce((m, p) => m + p.replicas.length, 0), 0);
  return { scenario: s, brokers: cluster.brokers.length, replicas, ballast, ballastJudged, cc, ccJudged };
}

// ---------------------------------------------------------------------------------------------
// Report

const HEADER: Row = [
  "scenario",
  "planner",
  "plan time",
  "load + plan",
  "moves",
  "bytes moved",
  "leader changes",
  "replica max−min",
  "replica dev.",
  "leader max−min",
  "topic spread",
  "disk dev.",
  "net-in dev.",
  "net-out dev.",
  "rack violations",
  "on dead brokers",
  "over capacity",
  "Ballast goals met",
  "own goals failed / not met",
];

function sideBySide(results: readonly PeerResult[]): Table {
  return { header: HEADER, rows: results.flatMap((r) => [ballastRow(r), ccRow(r)]) };
}

function ballastRow(r: PeerResult): Row {
  const { outcome, planMs, loadMs } = r.ballast;
  if (outcome.status !== "planned" || r.ballastJudged === null) return [r.scenario.name, "Ballast", duration(planMs), duration(loadMs + planMs), "infeasible"];
  const missed = outcome.balanceAfter.goals.filter((g) => !g.satisfied).map((g) => g.goal);
  return [r.scenario.name, "Ballast", duration(planMs), duration(loadMs + planMs), ...balanceCells(r.ballastJudged), missed.length === 0 ? "none" : `not met: ${missed.join(", ")}`];
}

function ccRow(r: PeerResult): Row {
  const cc = r.cc;
  if (cc.status === "timedout") return [r.scenario.name, "Cruise Control", `killed after ${CC_TIMEOUT_TEXT}`];
  if (cc.status === "crashed" || r.ccJudged === null) return [r.scenario.name, "Cruise Control", cc.status === "crashed" ? `crashed: ${cc.reason}` : "—"];
  const s = cc.summary;
  const own = [
    ...(s.failed_goals.length > 0 ? [`failed: ${s.failed_goals.join(", ")}`] : []),
    ...(s.goals_not_succeeded.length > 0 ? [`not met: ${s.goals_not_succeeded.join(", ")}`] : []),
  ];
  return [
    r.scenario.name,
    "Cruise Control",
    duration(s.optimize_s * 1000),
    duration((s.load_and_model_s + s.optimize_s) * 1000),
    ...balanceCells(r.ccJudged),
    own.length === 0 ? "none" : own.join("; "),
  ];
}

/** The columns from moves to "Ballast goals met", from the cluster after the plan. */
function balanceCells(j: Judged): string[] {
  const s = j.report.summary;
  const goals = j.report.goals;
  return [
    count(j.moves),
    bytes(j.bytesMoved),
    count(j.leaderChanges),
    String(s.replicaCount.max - s.replicaCount.min),
    String(s.replicaCount.maxDeviation),
    String(s.leaderCount.max - s.leaderCount.min),
    String(s.topicSpread.max),
    percent(s.disk.maxDeviationRatio),
    percent(s.networkIn.maxDeviationRatio),
    percent(s.networkOut.maxDeviationRatio),
    count(s.rackViolations),
    count(s.misplacedReplicas),
    overCapacity(j.report),
    `${String(goals.filter((g) => g.satisfied).length)}/${String(goals.length)}`,
  ];
}

const RESOURCE_LABEL = { disk: "disk", networkIn: "in", networkOut: "out" } as const;

/** Per resource with a capacity on every broker: brokers over Ballast's capacity threshold, and the busiest one's utilisation. */
function overCapacity(report: BalanceReport): string {
  const resources = report.capacity?.resources ?? [];
  if (resources.length === 0) return "—";
  return resources.map((c) => `${RESOURCE_LABEL[c.resource]} ${String(c.brokersOver)} (max ${percent(c.maxUtilization)})`).join(", ");
}

function details(r: PeerResult): string {
  const cc = r.cc;
  const head = `- **${r.scenario.name}**: `;
  if (cc.status === "timedout") return `${head}Cruise Control killed after ${CC_TIMEOUT_TEXT} (load average ${cc.load.toFixed(1)} as it started); its last lines:\n\n\`\`\`\n${cc.stderr}\n\`\`\``;
  if (cc.status === "crashed") return `${head}Cruise Control stopped (${cc.reason}) after ${duration(cc.wallMs)} (load average ${cc.load.toFixed(1)} as it started); its last lines:\n\n\`\`\`\n${cc.stderr}\n\`\`\``;
  const s = cc.summary;
  const slowest = Object.entries(s.goal_s)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([g, secs]) => `${g} ${secs.toFixed(1)} s`)
    .join(", ");
  const lines = [
    `${head}JVM ${duration(cc.wallMs)} in all (snapshot load and model ${s.load_and_model_s.toFixed(1)} s, goals ${s.optimize_s.toFixed(1)} s), peak heap ${count(s.peak_heap_mb)} MiB, ` +
      `load average ${cc.load.toFixed(1)} as it started; ` +
      `rack goal ${s.rack_goal}${s.self_healing ? ", self-healing (replicas on dead brokers)" : ""}; slowest goals: ${slowest}.`,
  ];
  if (r.ccJudged !== null && (r.ccJudged.moves !== s.moves || r.ccJudged.leaderChanges !== s.leader_changes)) {
    lines.push(
      `  The harness counts ${count(s.moves)} moves and ${count(s.leader_changes)} leader changes (against the leader Kafka would have elected); the table counts them as Ballast does (first replica).`,
    );
  }
  for (const e of cc.goalErrors) lines.push(`  ${e.replace(/\s+/g, " ")}`);
  return lines.join("\n");
}

function markdown(results: readonly PeerResult[], leftOut: readonly PeerScenario[], setup: PeerSetup): string {
  const goals = results.find((r) => r.cc.status === "done");
  const goalList = goals?.cc.status === "done" ? Object.keys(goals.cc.summary.goal_s) : [];
  const fastMode = goals?.cc.status === "done" ? goals.cc.summary.fast_mode : true;
  return `# Cruise Control on the same shapes

Cruise Control's real analyzer and Ballast, each planning the same generated clusters of the
[benchmark](BENCHMARKS.md), and the cluster after each plan judged by one ruler: Ballast's \`assess\`
(the same figures as the benchmark's Plans table). Written by \`npm run bench -- --peer cruise-control\`
only; \`npm run bench\` leaves this file alone. Ballast's rows are its plans at the time of this run.

## How to run

\`\`\`sh
# once: build the peer as ../shared/peers/cruise-control/README.md says (CCPEER_WORK outside the repository)
export CCPEER_WORK=/path/to/scratch CC_MIRROR=/path/to/cruise-control.git   # CC_MIRROR only names the version here
npm run bench -- --peer cruise-control                 # every shape below; rewrites this file
npm run bench -- --peer cruise-control --only dead     # one shape; leaves this file alone
\`\`\`

Per shape the bench writes the generated cluster as a JSON snapshot to a temporary folder, plans it
with Ballast (as the benchmark does), then runs the peer's \`run_cc.sh snapshot.json ccplan.json\` as a
child process under \`nice -n ${setup.nice}\` (killed after ${CC_TIMEOUT_TEXT}), reads its one-line summary and its
reassignment JSON, applies that to the snapshot (\`applyReassignment\`) and calls \`assess\` on the result.

## Cruise Control's version and settings

- linkedin/cruise-control commit \`${setup.commit}\`${setup.describe === null ? "" : ` (\`${setup.describe}\`)`}, Kafka ${setup.kafkaVersion ?? "unknown"} libraries;
  built by the peer's \`build.sh\` (javac over the main sources of three modules, unpatched), ${setup.java}, heap up to ${setup.heap}.
- The harness builds Cruise Control's \`ClusterModel\` with Cruise Control's own loader calls (\`MonitorUtils.populatePartitionLoad\`):
  disk in MB, network in/out in KB/s, CPU 0, a capacity the snapshot lacks set to 10 × the cluster's total (so it never binds).
- Goals, in priority order (Cruise Control's code default for \`default.goals\`; RackAwareGoal becomes RackAwareDistributionGoal when a
  partition's replication factor exceeds the racks): ${goalList.map((g) => `\`${g}\``).join(", ")}.
- The shipped \`config/cruisecontrol.properties\`: ${setup.settings.map(([k, v]) => `\`${k}=${v}\``).join(", ")}; its
  \`hard.goals\` kept where they are among the goals run, and the code defaults for the rest (leader count balance 1.1,
  topic replica count balance 3.0 with a gap of 2 to 40 replicas).
- Fast mode ${fastMode ? "on" : "off"}. A goal that throws \`OptimizationFailureException\` is recorded ("failed") and skipped, where a real
  Cruise Control would abort the whole proposal; a goal whose \`optimize\` returns false is "not met".

## Machine

${machine()}
- Date: ${new Date().toISOString()}
- Ballast at \`${setup.ballastCommit.slice(0, 9)}\`${setup.ballastDirty ? " with changes under src/ not yet committed (the working tree the bench was built from)" : ""}

## Shapes

${results.map((r) => `- **${r.scenario.name}** (seed ${String(r.scenario.seed)}; ${count(r.brokers)} brokers, ${count(r.replicas)} replicas): ${r.scenario.description}`).join("\n")}

Not run here: ${leftOut.map((s) => `**${s.name}**`).join(", ")}. On 1,000 brokers and 300,000 replicas Cruise Control took
1,100 s and 3.4 GiB of heap in the peer's own measurement, too long for every run on this shared two-core machine; the
2.8-million-replica shapes are larger still.

## Side by side

${markdownTable(sideBySide(results))}

## Per shape (Cruise Control)

${results.map(details).join("\n")}

## Reading the table

- **plan time**: Ballast's \`plan(cluster)\`; Cruise Control's goal loop (model built, every goal optimised, proposals diffed).
  **load + plan** adds reading the snapshot: Ballast's \`parseCluster\`, the harness's JSON read and \`ClusterModel\` build.
  The JVM's start is in neither (the per-shape lines give the JVM's whole run). Cruise Control runs in a fresh JVM per shape
  (its JIT warm-up is in its times) under \`nice\`, so on a busy machine (the load average in the per-shape lines; 2 means both
  cores busy) it gets less CPU than Ballast, which runs at normal priority in the benchmark's one Node process.
- Cruise Control's plans depend on the clock: its resource distribution goals (disk, network in and out) stop the search for
  a broker after \`fast.mode.per.broker.move.timeout.ms\` (500 ms by default) of moves in fast mode, and after twice that of
  swaps in any mode, so a slower or busier machine gets a plan from less search, and two runs of the same shape can differ.
  Ballast's plans are the same on every run (a seeded generator, no clock).
- **moves**, **bytes moved**, **leader changes**: counted from each plan against the snapshot the same way (brokers added to a
  partition's replica set, their partitions' sizes, partitions whose first replica changes).
- The balance columns are Ballast's \`assess\` of the cluster after the plan, as in the benchmark: **replica max−min** and **leader
  max−min** over eligible brokers, **replica dev.** the largest distance of a broker's replica count from its target band
  (where the racks differ in size, as in uneven-racks-200, the rack rule alone sets replica max−min apart), **topic spread** the largest per-topic (max − min) replica count, **disk / net-in / net-out dev.**
  the largest |x − ideal| ÷ ideal, **rack violations** partitions breaking the rack rule, **on dead brokers** replicas left on dead
  brokers, **over capacity** per resource every broker has a capacity for, brokers over Ballast's capacity threshold (disk
  ${percent(DEFAULT_CAPACITY_THRESHOLDS.disk)}, network in ${percent(DEFAULT_CAPACITY_THRESHOLDS.networkIn)}, network out ${percent(DEFAULT_CAPACITY_THRESHOLDS.networkOut)}) and the busiest broker's utilisation ("—": no capacities in the snapshot).
- **Ballast goals met**: Ballast's goals (valid placement included) the cluster after the plan satisfies. **own goals failed / not
  met**: each planner's view of its own goals (Ballast's goal statuses; Cruise Control's failed and not-met goals as above).
- Cruise Control balances to its own thresholds (each broker's replicas, leaders, disk and network within 1.1 × the mean,
  less a 10 % margin; a topic's replicas on a broker within 3 × the topic's mean), not to Ballast's (within 10 % of each
  broker's ideal, topic spread within 2, leader counts within 1): the balance columns say how far its plan is from Ballast's
  targets; whether it met its own is in the last column.
`;
}
