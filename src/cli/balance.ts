/**
 * `ballast balance`: one run of the unattended job (executor/balance-job.ts) for one cluster, or for
 * every cluster of a clusters file with bounded parallelism, then one report, the metrics file and
 * the exit status (balance-exit.ts). Meant for a scheduler: cron, a Kubernetes CronJob, a systemd timer.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { type JobEvent, type JobReport, runBalanceJobWithDetail } from "../executor/balance-job.js";
import { StateStore } from "../executor/journal.js";
import type { ExecutionEvent, StopSignal } from "../executor/runner.js";
import { systemClock } from "../executor/types.js";
import { type JobConfig, JOB_KEYS, parseJobConfig, webhookProblem } from "../model/balance-config.js";
import type { CapacitySpec } from "../model/capacity-file.js";
import { parseClustersFile } from "../model/clusters-file.js";
import { parseConfig } from "../model/config-parse.js";
import { BallastError, isBallastError } from "../model/errors.js";
import { type Metrics, parseMetrics } from "../model/metrics.js";
import { clusterFormatFor, loadYaml } from "../model/parse.js";
import { printable } from "../model/text.js";
import { formatBytes } from "../model/units.js";
import type { PlanOptions } from "../solver/index.js";
import { BALANCE_EXIT, fleetExit } from "./balance-exit.js";
import { BalanceMetrics } from "./balance-metrics.js";
import { writeBalanceReport } from "./balance-report.js";
import { DURATION_LIMITS, duration, interruptible } from "./execute.js";
import { EXIT_INTERRUPTED, EXIT_TERMINATED } from "./exit-codes.js";
import { type CliIo, ExitStatus, checkOutputPath, loadCapacityFile, readTextFile, usageError, writeFileAtomic } from "./io.js";
import { type KafkaFlags, addKafkaOptions, openPort, requireBalanceAcls } from "./kafka.js";
import { integer, plainText, valueOption } from "./options.js";
import { webhookNotifier } from "./notify.js";

interface BalanceCommandFlags extends KafkaFlags {
  readonly config?: string;
  readonly capacity?: string;
  readonly metrics?: string;
  readonly stateDir: string;
  readonly dryRun?: boolean;
  readonly approve?: string;
  readonly lockWait: number;
  readonly pollInterval: number;
  readonly notify?: readonly string[];
  readonly metricsFile?: string;
  readonly json?: boolean;
  readonly clusters?: string;
  readonly only?: readonly string[];
  readonly parallel: number;
  readonly name?: string;
  readonly report?: string;
}

/** Everything one cluster's run needs, read and checked before any connection. */
interface ClusterJob {
  readonly name: string;
  readonly kafka: KafkaFlags;
  readonly stateDir: string;
  readonly config: JobConfig;
  readonly planOptions: PlanOptions;
  readonly capacity?: CapacitySpec;
  readonly metrics?: Metrics;
  readonly notify: readonly string[];
}

const LOCK_WAIT_MAX = 86_400_000;

export function addBalanceCommand(program: Command, io: CliIo): void {
  addKafkaOptions(program.command("balance").description("one run of the unattended balancing job: assess, decide, plan within a budget, execute, report"))
    .option("--config <file>", "balance config (YAML): the plan config's keys and the job's (mode, window, triggers, selfHealing, …)")
    .option("--capacity <file>", "broker capacities (YAML), over the config's capacity")
    .option("--metrics <file>", "per-topic or per-partition bytesIn/bytesOut from monitoring (YAML or JSON), as for 'ballast snapshot'")
    .option("--state-dir <dir>", "the execution journal folder (per cluster: <dir>/<name> with --clusters)", ".ballast")
    .option("--dry-run", "write the plan and the report; execute nothing (as mode: propose)")
    .addOption(valueOption("--approve <plan-id>", "execute the proposal with this id (mode: approve), now or in the next window", plainText))
    .addOption(valueOption("--lock-wait <duration>", "wait this long for the cluster's execution lock, then exit 'locked' (0: do not wait)", duration(0, LOCK_WAIT_MAX)).default(0))
    .addOption(
      valueOption("--poll-interval <duration>", "time between checks of the cluster (100ms to 10m)", duration(DURATION_LIMITS.pollInterval.min, DURATION_LIMITS.pollInterval.max)).default(5000),
    )
    .option("--notify <url>", "POST events to this webhook (repeatable; also the config's notify)", (url: string, prev: string[] | undefined) => {
      const problem = webhookProblem(url);
      if (problem !== undefined) throw usageError("--notify", problem);
      return [...(prev ?? []), url];
    })
    .option("--metrics-file <path>", "write Prometheus metrics here at the end (node_exporter's textfile format)")
    .option("--json", "print the report as one JSON object")
    .option("--report <file.html>", "also write a self-contained HTML report of the cluster as the run found it, and of its plan (one cluster only)")
    .option("--clusters <file>", "run every cluster of this clusters file (YAML) instead of --bootstrap-server")
    .addOption(valueOption("--only <names>", "with --clusters: only these clusters, e.g. prod-eu,prod-us", (raw: string) => raw.split(",").map((s) => s.trim()).filter((s) => s !== "")))
    .addOption(valueOption("--parallel <n>", "with --clusters: clusters run at once", integer(1, 64)).default(2))
    .addOption(valueOption("--name <name>", "the cluster's name in reports, metrics and notifications (default: the first bootstrap server)", plainText))
    .action((flags: BalanceCommandFlags) => runBalanceCommand(flags, io));
}

async function runBalanceCommand(flags: BalanceCommandFlags, io: CliIo): Promise<void> {
  const jobs = prepareJobs(flags);
  const inputs = [
    { path: flags.config, flag: "--config" },
    { path: flags.clusters, flag: "--clusters" },
    { path: flags.capacity, flag: "--capacity" },
    { path: flags.metrics, flag: "--metrics" },
  ];
  const stateDirs = jobs.map((j) => j.stateDir);
  if (flags.metricsFile !== undefined) checkOutputPath(flags.metricsFile, "--metrics-file", inputs, stateDirs);
  if (flags.report !== undefined) checkOutputPath(flags.report, "--report", [...inputs, { path: flags.metricsFile, flag: "--metrics-file" }], stateDirs);
  const fleet = flags.clusters !== undefined;
  const stop: StopSignal = { level: 0 };
  const log = (name: string, line: string): void => {
    const text = `${fleet ? `[${name}] ` : ""}${printable(line)}\n`;
    if (flags.json === true) io.stderr.write(text);
    else io.stdout.write(text);
  };
  const signals = interruptible(io, stop, (t) => log(fleet ? "all" : (jobs[0]?.name ?? ""), t));
  const reports: JobReport[] = [];
  try {
    const run = async (job: ClusterJob): Promise<JobReport> => {
      try {
        return await runOne(job, flags, io, stop, (line) => log(job.name, line));
      } catch (err) {
        // One failing cluster does not stop the rest; alone, the error is the command's.
        if (!fleet || !isBallastError(err)) throw err;
        const now = Date.now();
        return { cluster: job.name, outcome: "error", reasons: [err.describe()], anomalies: [], actions: [], resumed: false, moves: 0, bytesMoved: 0, startedAt: now, finishedAt: now };
      }
    };
    reports.push(...(await inParallel(jobs, flags.parallel, run)));
  } finally {
    signals.release();
  }
  if (flags.metricsFile !== undefined) {
    const metrics = new BalanceMetrics();
    for (const r of reports) metrics.record(r);
    writeFileAtomic(flags.metricsFile, await metrics.text(), "metrics file");
  }
  if (flags.json === true) io.stdout.write(`${JSON.stringify(fleet ? { clusters: reports } : reports[0])}\n`);
  else io.stdout.write(renderReports(reports, fleet));
  if (signals.terminated()) throw new ExitStatus(EXIT_TERMINATED);
  if (stop.level > 0) throw new ExitStatus(EXIT_INTERRUPTED);
  const status = fleet ? fleetExit(reports.map((r) => r.outcome)) : BALANCE_EXIT[reports[0]!.outcome];
  if (status !== 0) throw new ExitStatus(status);
}

async function runOne(job: ClusterJob, flags: BalanceCommandFlags, io: CliIo, stop: StopSignal, say: (line: string) => void): Promise<JobReport> {
  const port = openPort(job.kafka, "balance");
  const notify = webhookNotifier(job.notify, io);
  try {
    await requireBalanceAcls(port, flags.dryRun !== true && job.config.mode !== "propose");
    const { report, detail } = await runBalanceJobWithDetail(
      {
        port,
        store: new StateStore(job.stateDir),
        clock: systemClock,
        emit: (e) => {
          const line = eventLine(e);
          if (line !== undefined) say(line);
        },
        stop,
        say,
        notify: (event: JobEvent) => notify(event),
      },
      {
        cluster: job.name,
        config: job.config,
        planOptions: job.planOptions,
        ...(job.capacity !== undefined && { capacity: job.capacity }),
        ...(job.metrics !== undefined && { metrics: job.metrics }),
        dryRun: flags.dryRun === true,
        ...(flags.approve !== undefined && { approve: flags.approve }),
        lockWaitMs: flags.lockWait,
        pollMs: flags.pollInterval,
        owner: `ballast balance pid ${String(process.pid)} on ${hostname()}, state folder ${job.stateDir}`,
        explain: flags.report !== undefined,
      },
    );
    if (flags.report !== undefined) writeBalanceReport(io, flags.report, `live cluster ${job.kafka.bootstrapServer ?? ""}`, report, detail, flags.json === true ? io.stderr : io.stdout);
    return report;
  } finally {
    await port.close();
  }
}

/** The executor's events worth a line in the job's log. */
function eventLine(e: ExecutionEvent): string | undefined {
  switch (e.type) {
    case "start":
      return `${e.resumed ? "resuming" : "starting"} execution ${e.id}: ${String(e.tasks)} partition(s), ${String(e.moves)} replica move(s), ${formatBytes(e.bytes)} to copy`;
    case "finished-partition":
      return e.state === "done" ? undefined : `${e.state} ${e.partition}${e.note !== undefined ? `: ${e.note}` : ""}`;
    case "paused":
      return `paused moves involving broker(s) ${e.brokers.join(", ")}: not registered`;
    case "warning":
      return `warning: ${e.message}`;
    case "end":
      return `execution ${e.status}: ${String(e.counts.done)} done, ${String(e.counts.failed + e.counts["timed-out"])} failed or timed out`;
    default:
      return undefined;
  }
}

/** Runs `fn` over `items` with at most `limit` at once; results in the items' order. */
async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function renderReports(reports: readonly JobReport[], fleet: boolean): string {
  const lines: string[] = [];
  for (const r of reports) {
    const head = `${r.cluster}: ${r.outcome}${r.moves > 0 ? `, ${String(r.moves)} replica move(s), ${formatBytes(r.bytesMoved)}` : ""}${r.planId !== undefined ? `, plan ${r.planId}` : ""}`;
    lines.push(printable(head));
    if (!fleet || r.outcome !== "nothing-to-do") for (const reason of r.reasons) lines.push(`  ${printable(reason)}`);
    if (r.planFile !== undefined) lines.push(`  plan written to ${printable(r.planFile)}`);
  }
  return `${lines.join("\n")}\n`;
}

// ---- reading the inputs ---------------------------------------------------------------------------

function prepareJobs(flags: BalanceCommandFlags): ClusterJob[] {
  if (flags.clusters === undefined) {
    for (const [given, flag] of [
      [flags.only, "--only"],
      [flags.parallel !== 2 ? flags.parallel : undefined, "--parallel"],
    ] as const) {
      if (given !== undefined) throw usageError(flag, "only goes with --clusters");
    }
    if (flags.bootstrapServer === undefined) throw usageError("--bootstrap-server", "'ballast balance' needs the cluster's brokers, or --clusters <file>");
    const text = flags.config === undefined ? "" : readTextFile(flags.config, "config file");
    const name = flags.name ?? flags.bootstrapServer.split(",")[0]!.trim();
    return [clusterJob(name, flags, text, flags.config, { bootstrapServer: flags.bootstrapServer, ...(flags.commandConfig !== undefined && { commandConfig: flags.commandConfig }) }, flags.stateDir)];
  }
  for (const [given, flag] of [
    [flags.bootstrapServer, "--bootstrap-server"],
    [flags.commandConfig, "--command-config"],
    [flags.name, "--name"],
  ] as const) {
    if (given !== undefined) throw usageError(flag, "does not go with --clusters, whose file gives each cluster's");
  }
  const entries = parseClustersFile(readTextFile(flags.clusters, "clusters file"), flags.clusters);
  const unknown = (flags.only ?? []).filter((n) => !entries.some((e) => e.name === n));
  if (unknown.length > 0) throw usageError("--only", `no cluster named ${unknown.map((n) => printable(n)).join(", ")} in ${printable(flags.clusters)}`);
  const chosen = flags.only === undefined ? entries : entries.filter((e) => flags.only!.includes(e.name));
  if (flags.approve !== undefined && chosen.length !== 1) throw usageError("--approve", "approves one cluster's proposal: name the cluster with --only");
  if (flags.report !== undefined && chosen.length !== 1) throw usageError("--report", "writes one cluster's report: name the cluster with --only, or run each cluster with its own --report");
  const baseText = flags.config === undefined ? "" : readTextFile(flags.config, "config file");
  // Validate the shared file on its own first, so its errors carry its lines.
  parseConfig(baseText, flags.config, JOB_KEYS);
  parseJobConfig(baseText, flags.config);
  const base = (loadYaml(baseText, flags.config).data ?? {}) as Record<string, unknown>;
  return chosen.map((e) => {
    const merged = Object.keys(e.config).length === 0 ? baseText : stringify({ ...base, ...e.config });
    const source = `${flags.clusters!} (cluster ${e.name}: the config with its overrides)`;
    const kafka = { bootstrapServer: e.bootstrapServers, ...(e.commandConfig !== undefined && { commandConfig: e.commandConfig }) };
    return clusterJob(e.name, flags, merged, Object.keys(e.config).length === 0 ? flags.config : source, kafka, e.stateDir ?? join(flags.stateDir, e.name));
  });
}

function clusterJob(name: string, flags: BalanceCommandFlags, configText: string, source: string | undefined, kafka: KafkaFlags, stateDir: string): ClusterJob {
  const balance = parseConfig(configText, source, JOB_KEYS);
  const config = parseJobConfig(configText, source);
  if (flags.approve !== undefined && config.mode !== "approve") {
    throw usageError("--approve", `needs mode: approve in the config (${name}'s mode is ${config.mode})`);
  }
  const capacity = flags.capacity !== undefined ? loadCapacityFile(flags.capacity) : balance.capacity;
  const metrics = flags.metrics === undefined ? undefined : parseMetrics(readTextFile(flags.metrics, "metrics file"), clusterFormatFor(flags.metrics), flags.metrics);
  const planOptions: PlanOptions = {
    ...(balance.goals !== undefined && { goals: balance.goals }),
    ...(balance.excludeBrokers !== undefined && { excludeBrokers: balance.excludeBrokers }),
    ...(balance.excludeTopics !== undefined && { excludeTopics: balance.excludeTopics }),
    ...(balance.maxMoves !== undefined && { maxMoves: balance.maxMoves }),
    ...(balance.maxBytesMoved !== undefined && { maxBytesMoved: balance.maxBytesMoved }),
    ...(balance.diskBalanceThreshold !== undefined && { diskBalanceThreshold: balance.diskBalanceThreshold }),
    ...(balance.networkBalanceThreshold !== undefined && { networkBalanceThreshold: balance.networkBalanceThreshold }),
    ...(balance.capacityThreshold !== undefined && { capacityThreshold: balance.capacityThreshold }),
    ...(balance.strictCapacity !== undefined && { strictCapacity: balance.strictCapacity }),
  };
  if (balance.toBrokers !== undefined || balance.replicationFactor !== undefined) {
    throw new BallastError("CONFIG", "toBrokers and replicationFactor are one-off operations; run them with 'ballast plan' and 'ballast execute', not in the unattended job", {
      ...(source !== undefined && { source }),
    });
  }
  return { name, kafka, stateDir, config, planOptions, ...(capacity !== undefined && { capacity }), ...(metrics !== undefined && { metrics }), notify: [...(flags.notify ?? []), ...config.notify] };
}
