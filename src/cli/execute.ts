/**
 * The executor's commands: `execute` (or `--resume`, `--dry-run`, `--simulate`), `status`,
 * `cancel`, `rollback` and `throttle`.
 */
import { randomUUID } from "node:crypto";
import { Chalk } from "chalk";
import type { Command } from "commander";
import type { ExecutionSummary } from "../executor/execute.js";
import { type ResumeOverrides, cancelExecution, ended, executionStatus, requestThrottle, resumeExecution, rollbackText, startExecution } from "../executor/execute.js";
import { MemoryStateStore, StateStore, type TaskState } from "../executor/journal.js";
import type { BrokerNode, KafkaPort } from "../executor/port.js";
import { rackRuleBreaks } from "../executor/racks.js";
import { planAllBatches } from "../executor/batches.js";
import type { ExecuteOptions, ExecutionEvent, ExecutionPlan, StopSignal } from "../executor/runner.js";
import { preflight, withSizes } from "../executor/runner.js";
import { BOUND_ASSUMPTIONS, SIMULATED_PROGRESS_EVERY_MS, bandwidthLowerBound, createSimClock, createSimulatedCluster } from "../executor/simulator.js";
import { composeStrategies, parseStrategies, workLeftPerBroker } from "../executor/strategy.js";
import type { Clock, MoveTask, StrategyName } from "../executor/types.js";
import { DEFAULT_LIMITS, DEFAULT_STRATEGY, added, systemClock } from "../executor/types.js";
import { parseDuration } from "../model/balance-config.js";
import { BallastError } from "../model/errors.js";
import { parseReassignment } from "../model/reassignment.js";
import type { Reassignment } from "../model/types.js";
import { printable, quote } from "../model/text.js";
import { formatBytes, formatRate, parseBytes, parseRate } from "../model/units.js";
import { ACL_NEEDS } from "../executor/acls.js";
import { EXIT_CANCELLED, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_PARTIAL, EXIT_TERMINATED } from "./exit-codes.js";
import { type CliIo, ExitStatus, checkOutputPath, colorLevel, loadCluster, readTextFile, usageError, writeFileAtomic } from "./io.js";
import { type KafkaFlags, addKafkaOptions, openPort, requireAcls, withPort } from "./kafka.js";
import { type ValueParser, fromModel, integer, valueOption } from "./options.js";
import { shellCommand } from "./shell.js";


interface StateFlags {
  readonly stateDir: string;
}

interface ExecuteFlags extends KafkaFlags, StateFlags {
  readonly resume?: boolean;
  readonly throttle?: number;
  readonly maxMovesPerBroker: number;
  readonly maxMoves?: number;
  readonly maxBytesInFlight?: number;
  readonly strategy: StrategyName[];
  readonly partitionTimeout: number;
  readonly brokerDownTimeout: number;
  readonly pollInterval: number;
  readonly allowUnderReplicated?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly simulate?: boolean;
  readonly cluster?: string;
  readonly json?: boolean;
}

/**
 * `30s`, `10m`, `2h`, `500ms` or plain seconds, as milliseconds, from `min` to `max` ms: a poll of
 * 0.001 ms would spin and a timeout of 10^20 hours means none.
 */
export function duration(min: number, max: number): ValueParser<number> {
  return (raw, flag) => {
    const ms = parseDuration(raw);
    if (ms === undefined) throw usageError(flag, `expected a duration such as 30s, 10m or 2h, got ${quote(raw)}`);
    if (!(ms >= min && ms <= max)) throw usageError(flag, `must be from ${formatLimit(min)} to ${formatLimit(max)}, got ${quote(raw)}`);
    return Math.round(ms);
  };
}

/** The bounds of each duration flag. */
export const DURATION_LIMITS = {
  pollInterval: { min: 100, max: 600_000 },
  partitionTimeout: { min: 10_000, max: 30 * 86_400_000 },
  brokerDownTimeout: { min: 1000, max: 7 * 86_400_000 },
  sample: { min: 10_000, max: 3_600_000 },
  prometheusWindow: { min: 60_000, max: 86_400_000 },
} as const;

function formatLimit(ms: number): string {
  if (ms < 1000) return `${String(ms)}ms`;
  if (ms % 86_400_000 === 0) return `${String(ms / 86_400_000)}d`;
  if (ms % 3_600_000 === 0) return `${String(ms / 3_600_000)}h`;
  if (ms % 60_000 === 0) return `${String(ms / 60_000)}m`;
  return `${String(ms / 1000)}s`;
}

/**
 * A replication throttle: a rate of at least 1 B/s after rounding. Kafka takes a rate of 0 as given,
 * and every move would stall until its timeout.
 */
export function throttleRate(raw: string, flag: string): number {
  const rate = fromModel(parseRate)(raw, flag);
  if (rate < 1) throw usageError(flag, `must be at least 1 B/s (a throttle of ${quote(raw)} would stall every move); leave --throttle out for none`);
  return rate;
}

/** A size of at least one byte. */
function positiveBytes(raw: string, flag: string): number {
  const bytes = fromModel(parseBytes)(raw, flag);
  if (bytes < 1) throw usageError(flag, `must be at least 1 byte, got ${quote(raw)}`);
  return bytes;
}

function stateOption(command: Command): Command {
  return command.option("--state-dir <dir>", "where the execution journal lives", ".ballast");
}

/**
 * Hooks the signals. Ctrl-C: the first stops new batches and waits for the partitions in flight,
 * the second cancels them. SIGTERM stops at once, pulling the partitions in flight back. Every stop
 * but a cancel ends with Ballast's throttles removed and a journal that `--resume` finishes.
 */
export function interruptible(io: CliIo, stop: StopSignal, say: (text: string) => void): { release: () => void; terminated: () => boolean } {
  let terminated = false;
  const offInt =
    io.onInterrupt?.(() => {
      stop.level++;
      say(
        stop.level === 1
          ? "stopping: no new batches; waiting for partitions in flight, then removing throttles (Ctrl-C again to cancel them)"
          : "cancelling the partitions in flight and removing throttles",
      );
    }) ?? (() => undefined);
  const offTerm =
    io.onTerminate?.(() => {
      terminated = true;
      stop.halt = true;
      say("terminated: pulling back the partitions in flight (resume submits them again) and removing throttles");
    }) ?? (() => undefined);
  return {
    release: () => {
      offInt();
      offTerm();
    },
    terminated: () => terminated,
  };
}

export function addExecuteCommands(program: Command, io: CliIo): void {
  const execute = program
    .command("execute")
    .argument("[plan.json]", "reassignment plan (from 'ballast plan' or kafka-reassign-partitions.sh)")
    .description("move partitions to a plan in throttled, resumable batches");
  addKafkaOptions(stateOption(execute))
    .option("--resume", "finish the execution in --state-dir after the executor stopped or died")
    .addOption(valueOption("--throttle <rate>", "replication throttle, e.g. 50MiB/s (also changes a resumed run's rate)", throttleRate))
    .addOption(valueOption("--max-moves-per-broker <n>", "replica moves in flight per broker, in (copying) and out (sending)", integer(1)).default(DEFAULT_LIMITS.maxMovesPerBroker))
    .addOption(valueOption("--max-moves <n>", "replica moves in flight in the cluster", integer(1)))
    .addOption(valueOption("--max-bytes-in-flight <size>", "bytes being copied at once, e.g. 100GiB", positiveBytes))
    .addOption(valueOption("--strategy <list>", "batch order: at-risk-first, busiest-first, large-first, small-first (chainable)", (raw: string) => parseStrategies(raw)).default([...DEFAULT_STRATEGY], DEFAULT_STRATEGY.join(",")))
    .addOption(valueOption("--partition-timeout <duration>", "give up (and revert) a partition not done by then (10s to 30d)", duration(DURATION_LIMITS.partitionTimeout.min, DURATION_LIMITS.partitionTimeout.max)).default(3_600_000, "1h"))
    .addOption(valueOption("--broker-down-timeout <duration>", "give up moves involving a broker down this long (1s to 7d)", duration(DURATION_LIMITS.brokerDownTimeout.min, DURATION_LIMITS.brokerDownTimeout.max)).default(600_000, "10m"))
    .addOption(valueOption("--poll-interval <duration>", "time between checks of the cluster (100ms to 10m)", duration(DURATION_LIMITS.pollInterval.min, DURATION_LIMITS.pollInterval.max)).default(5000, "5s"))
    .option("--allow-under-replicated", "start even when partitions of the plan are under-replicated")
    .option("--dry-run", "print the batches and the estimated duration; change nothing")
    .option("--force", `run even when the estimated duration at --throttle is over ${String(LONG_RUN_HOURS)}h, or the plan breaks the rack rule (warned)`)
    .option("--simulate", "run against an in-process simulation of --cluster instead of Kafka")
    .option("--cluster <snapshot>", "the snapshot to simulate (with --simulate)")
    .option("--json", "print events as JSON lines")
    .action((planPath: string | undefined, flags: ExecuteFlags, command: Command) =>
      runExecute(planPath, flags, io, (attribute) => command.getOptionValueSource(attribute) === "cli"),
    );

  addKafkaOptions(stateOption(program.command("cancel").description("cancel Ballast's in-flight reassignments (reverting them) and remove its throttles")))
    .option("--json", "print the final state as JSON")
    .action((flags: KafkaFlags & StateFlags & { json?: boolean }) => runCancel(flags, io));

  stateOption(program.command("status").description("show the execution in --state-dir"))
    .option("--json", "print one JSON object")
    .action((flags: StateFlags & { json?: boolean }) => runStatus(flags, io));

  stateOption(program.command("rollback").description("write the plan that puts every partition of the execution back where it was"))
    .requiredOption("-o, --output <plan.json>", "where to write the rollback plan")
    .action((flags: StateFlags & { output: string }) => {
      checkOutputPath(flags.output, "--output", [], [flags.stateDir]);
      writeFileAtomic(flags.output, rollbackText(new StateStore(flags.stateDir)), "rollback plan");
      io.stdout.write(`Rollback plan written to ${printable(flags.output)}; run it with ${shellCommand(["ballast", "execute", flags.output, "--bootstrap-server", "<broker:9092>"])}.\n`);
    });

  stateOption(program.command("throttle").description("change the throttle of the running (or next resumed) execution"))
    .argument("<rate>", "new rate, e.g. 80MiB/s")
    .action((raw: string, flags: StateFlags) => {
      const rate = throttleRate(raw, "<rate>");
      const store = new StateStore(flags.stateDir);
      const state = store.load();
      // Only the executor that holds the cluster's lock changes the cluster (README): this
      // leaves it a request, and refuses an execution no executor will run again.
      if (ended(state)) throw new BallastError("STATE", `execution ${printable(state.id)} has ended (${state.status}); a throttle would apply to nothing`, { source: flags.stateDir });
      requestThrottle(store, rate);
      io.stdout.write(`Throttle ${formatRate(rate)} requested; ${store.lockedByOther() ? "the running executor applies it at its next check" : "it applies when the execution resumes"}.\n`);
    });
}

function executeOptions(flags: ExecuteFlags): ExecuteOptions {
  return {
    limits: {
      maxMovesPerBroker: flags.maxMovesPerBroker,
      maxMoves: flags.maxMoves ?? Number.POSITIVE_INFINITY,
      maxBytesInFlight: flags.maxBytesInFlight ?? Number.POSITIVE_INFINITY,
    },
    strategy: flags.strategy,
    throttle: flags.throttle ?? null,
    partitionTimeoutMs: flags.partitionTimeout,
    brokerDownTimeoutMs: flags.brokerDownTimeout,
    pollMs: flags.pollInterval,
    allowUnderReplicated: flags.allowUnderReplicated === true,
  };
}

function readPlan(path: string | undefined): ExecutionPlan {
  if (path === undefined) throw usageError("<plan.json>", "give the plan to execute (or --resume)");
  const reassignment: Reassignment = parseReassignment(readTextFile(path, "plan"), path);
  const pinned = reassignment.partitions.findIndex((e) => e.log_dirs.some((d) => d !== "any"));
  if (pinned >= 0) {
    throw new BallastError(
      "USAGE",
      "the plan names log dirs, which Ballast's executor cannot honour (it moves replicas between brokers, not between disks); set log_dirs to \"any\" or run the plan with kafka-reassign-partitions.sh",
      { source: path, path: `partitions[${String(pinned)}].log_dirs` },
    );
  }
  if (reassignment.madeFrom === undefined) return { reassignment };
  return { reassignment, madeFrom: new Map(reassignment.madeFrom.map((o) => [`${o.topic}-${String(o.partition)}`, o.replicas])) };
}

/** Whether the user typed a flag (not its default), by commander's attribute name. */
type Given = (attribute: string) => boolean;

/** On --resume, the flags the user typed win over the settings the journal recorded. */
function resumeOverrides(flags: ExecuteFlags, given: Given): ResumeOverrides {
  const limits = {
    ...(given("maxMovesPerBroker") ? { maxMovesPerBroker: flags.maxMovesPerBroker } : {}),
    ...(flags.maxMoves !== undefined ? { maxMoves: flags.maxMoves } : {}),
    ...(flags.maxBytesInFlight !== undefined ? { maxBytesInFlight: flags.maxBytesInFlight } : {}),
  };
  return {
    ...(flags.throttle !== undefined ? { throttle: flags.throttle } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(given("strategy") ? { strategy: flags.strategy } : {}),
    ...(given("partitionTimeout") ? { partitionTimeoutMs: flags.partitionTimeout } : {}),
    ...(given("brokerDownTimeout") ? { brokerDownTimeoutMs: flags.brokerDownTimeout } : {}),
  };
}

/** Flag combinations that would leave a flag silently unused are refused before anything happens. */
function checkExecuteFlags(planPath: string | undefined, flags: ExecuteFlags): void {
  if (flags.simulate === true && flags.cluster === undefined) throw usageError("--simulate", "needs --cluster <snapshot> to simulate");
  if (flags.simulate !== true && flags.cluster !== undefined) throw usageError("--cluster", "only goes with --simulate");
  if (flags.simulate === true) {
    for (const [given, flag] of [
      [flags.bootstrapServer, "--bootstrap-server"],
      [flags.commandConfig, "--command-config"],
    ] as const) {
      if (given !== undefined) throw usageError(flag, "does not go with --simulate, which runs against the snapshot, not Kafka");
    }
  }
  if (flags.resume === true && planPath !== undefined) {
    throw usageError("--resume", "takes no plan: it finishes the execution in --state-dir with the plan journalled there");
  }
  if (flags.resume === true && flags.dryRun === true) throw usageError("--dry-run", "does not go with --resume");
  if (flags.force === true && (flags.dryRun === true || flags.resume === true)) {
    throw usageError("--force", "only goes with a new execution (the duration check it skips runs when one starts)");
  }
  if (flags.resume === true && flags.allowUnderReplicated === true) {
    throw usageError("--allow-under-replicated", "does not go with --resume: the checks it skips ran when the execution started");
  }
}

async function runExecute(planPath: string | undefined, flags: ExecuteFlags, io: CliIo, given: Given): Promise<void> {
  checkExecuteFlags(planPath, flags);
  const plan = flags.resume === true ? undefined : readPlan(planPath);
  const options = executeOptions(flags);
  const reporter = new Reporter(io, flags.json === true);
  let port: KafkaPort;
  let clock: Clock = systemClock;
  let simulated: ReturnType<typeof createSimulatedCluster> | undefined;
  /** Brokers the simulated snapshot has down (they lead nothing: the bound leaves them out as senders). */
  let down = new Set<number>();
  if (flags.simulate === true) {
    // As the benchmark runs it: polls at which no copy finished and no time-out is due are skipped
    // (the executor acts at the same instants as when polling every --poll-interval).
    const cluster = loadCluster(flags.cluster!);
    down = new Set(cluster.brokers.filter((b) => b.status !== "alive").map((b) => b.id));
    const sim = createSimulatedCluster(cluster, { clock: createSimClock(), skipQuietPolls: true });
    simulated = sim;
    port = sim.port;
    clock = sim.clock;
  } else port = openPort(flags, "execute");
  try {
    if (flags.dryRun === true) {
      await dryRun(port, plan!, options, reporter);
      return;
    }
    // A simulated execution cannot be resumed (the simulated cluster ends with the process): its
    // journal stays in memory unless a --state-dir is given.
    const inMemory = flags.simulate === true && flags.stateDir === ".ballast";
    const stateDir = flags.stateDir;
    if (flags.simulate !== true) {
      const topics = plan !== undefined ? plan.reassignment.partitions.map((e) => e.topic) : new StateStore(stateDir).load().tasks.map((t) => t.topic);
      await requireAcls(port, ACL_NEEDS.execute, topics);
    }
    const stop: StopSignal = { level: 0 };
    const signals = flags.simulate === true ? { release: () => undefined, terminated: () => false } : interruptible(io, stop, (t) => reporter.note(t));
    const ctx = {
      port,
      store: inMemory ? new MemoryStateStore() : new StateStore(stateDir),
      clock,
      emit: (e: ExecutionEvent) => reporter.event(e),
      stop,
      pollMs: options.pollMs,
      // A simulation runs in simulated time and reports its makespan: copy progress, which only
      // feeds the progress lines, is read once a simulated minute.
      ...(simulated !== undefined ? { progressEveryMs: SIMULATED_PROGRESS_EVERY_MS } : {}),
    };
    try {
      const status =
        plan === undefined
          ? await resumeExecution(ctx, resumeOverrides(flags, given))
          : await startExecution(ctx, plan, options, randomUUID(), (tasks, brokers) => {
              checkRacks(tasks, brokers, flags.force === true, reporter);
              checkDuration(tasks, options, flags.force === true);
            });
      if (simulated !== undefined) reporter.simulated(simulated.makespan(), ctx.store, options.throttle, down);
      if (status === "stopped" || status === "cancelled") {
        reporter.note(status === "stopped" ? `stopped; resume with ${shellCommand(["ballast", "execute", "--resume", "--state-dir", stateDir])}` : "cancelled");
        if (signals.terminated()) throw new ExitStatus(EXIT_TERMINATED);
        if (stop.level > 0) throw new ExitStatus(EXIT_INTERRUPTED);
        // Halted without a signal: the cluster's execution lock was lost.
        if (stop.halt === true) throw new ExitStatus(EXIT_LOCKED);
        if (status === "cancelled") throw new ExitStatus(EXIT_CANCELLED);
      }
      if (status === "failed") throw new ExitStatus(EXIT_PARTIAL);
    } finally {
      signals.release();
    }
  } finally {
    reporter.finish();
    await port.close();
  }
}

/** Above this estimated duration at the given throttle, `execute` asks for --force: a typo (5 for 5MiB/s) more likely than a plan. */
export const LONG_RUN_HOURS = 24;

/** The batches of `tasks` and the least time they take at `rate` (each batch bound by its busiest broker). */
function estimate(tasks: readonly MoveTask[], options: ExecuteOptions): { waves: MoveTask[][]; seconds: number } {
  const workLeft = workLeftPerBroker(tasks);
  const order = composeStrategies(options.strategy, () => ({ atRisk: false }), (b) => workLeft.get(b) ?? 0);
  const waves = planAllBatches(tasks, options.limits, order);
  const rate = options.throttle;
  let seconds = 0;
  for (const w of waves) seconds += rate === null ? 0 : bandwidthLowerBound(w, rate);
  return { waves, seconds };
}

/** Refuses a run that would take more than LONG_RUN_HOURS at --throttle, unless --force. */
function checkDuration(tasks: readonly MoveTask[], options: ExecuteOptions, force: boolean): void {
  if (options.throttle === null || force) return;
  const { seconds } = estimate(tasks, options);
  if (seconds <= LONG_RUN_HOURS * 3600) return;
  throw usageError(
    "--throttle",
    `at ${formatRate(options.throttle)} the plan takes at least ${formatDuration(seconds * 1000)} (over ${String(LONG_RUN_HOURS)}h); give a higher rate, or --force to run it anyway`,
  );
}

/**
 * Refuses a plan that puts more replicas of a partition in one rack than the rack rule allows where
 * the racks could keep it (a plan edited by hand); with `force`, or on a dry run, only warns.
 */
function checkRacks(tasks: readonly MoveTask[], brokers: readonly BrokerNode[], force: boolean, reporter: Reporter): void {
  const breaks = rackRuleBreaks(
    tasks.map((t) => ({ topic: t.topic, partition: t.partition, replicas: t.to })),
    brokers,
  );
  if (breaks.length === 0) return;
  const some = breaks.slice(0, 5).map((b) => `${b.partition} [${b.replicas.join(",")}]: ${String(b.count)} in rack ${quote(b.rack)} (at most ${String(b.share)})`);
  const list = `${some.join("; ")}${breaks.length > 5 ? `; and ${String(breaks.length - 5)} more` : ""}`;
  const what = `the plan puts more replicas of ${String(breaks.length)} partition(s) in one rack than the rack rule allows, where the racks could keep it: ${list}`;
  if (!force) throw new BallastError("PREFLIGHT", `${what}; fix the plan ('ballast plan' keeps the rule), or pass --force to run it anyway`);
  reporter.event({ type: "warning", message: what });
}

async function dryRun(port: KafkaPort, plan: ExecutionPlan, options: ExecuteOptions, reporter: Reporter): Promise<void> {
  const tasks = await withSizes(port, await preflight(port, plan, options));
  checkRacks(tasks, (await port.describeCluster()).brokers, true, reporter);
  const { waves, seconds } = estimate(tasks, options);
  reporter.dryRun(waves, options.throttle, seconds);
}

async function runCancel(flags: KafkaFlags & StateFlags & { json?: boolean }, io: CliIo): Promise<void> {
  const store = new StateStore(flags.stateDir);
  const before = store.load();
  const reporter = new Reporter(io, flags.json === true);
  const state = await withPort(flags, "cancel", async (port) => {
    // An execution that has ended is answered from its journal: no broker is asked anything.
    if (!ended(before)) await requireAcls(port, ACL_NEEDS.execute, store.load().tasks.map((t) => t.topic));
    return cancelExecution({ port, store, clock: systemClock, emit: (e) => reporter.event(e), stop: { level: 0 }, pollMs: 1000 });
  });
  reporter.finish();
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(executionStatus(store))}\n`);
    return;
  }
  if (ended(before)) {
    io.stdout.write(`Execution ${printable(state.id)} had already ended (${state.status}); nothing to cancel, and its journal records no throttle left.\n`);
    return;
  }
  const newly = (s: TaskState): number => state.tasks.filter((t) => t.state === s).length - before.tasks.filter((t) => t.state === s).length;
  const done = newly("done");
  io.stdout.write(
    `Execution ${printable(state.id)}: ${String(newly("cancelled"))} partition(s) cancelled and reverted${done > 0 ? `, ${String(done)} found already finished (leaders elected)` : ""}; Ballast's throttles removed.\n`,
  );
}

function runStatus(flags: StateFlags & { json?: boolean }, io: CliIo): void {
  const s = executionStatus(new StateStore(flags.stateDir));
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  io.stdout.write(renderStatus(s, new Chalk({ level: colorLevel(io) })));
}

function statusNote(s: ExecutionSummary): string {
  if (s.running) return s.cancelRequested ? " (executor running, cancelling)" : " (executor running)";
  if (s.status === "stopped") return " (stopped, Ballast's throttles removed: resume with 'ballast execute --resume', which sets them again)";
  if (s.status !== "running") return "";
  if (s.cancelRequested) return " (a cancel did not finish: run 'ballast cancel' again, or 'ballast execute --resume' to finish it)";
  return " (no executor running: resume with 'ballast execute --resume')";
}

export function renderStatus(s: ExecutionSummary, chalk: InstanceType<typeof Chalk>): string {
  const c = s.counts;
  const total = Object.values(c).reduce((a, n) => a + n, 0);
  const lines = [
    `${chalk.bold("Execution")} ${printable(s.id)}: ${s.status}${statusNote(s)}`,
    `started ${new Date(s.startedAt).toISOString()}, last update ${new Date(s.updatedAt).toISOString()}`,
    `partitions: ${String(c.done)}/${String(total)} done, ${String(c.moving + c.submitting)} moving, ${String(c.pending)} pending` +
      (c.failed + c["timed-out"] + c.skipped + c.cancelled > 0
        ? `, ${String(c.failed)} failed, ${String(c["timed-out"])} timed out, ${String(c.skipped)} skipped, ${String(c.cancelled)} cancelled`
        : ""),
    `throttle: ${s.throttle === null ? "none" : formatRate(s.throttle)}${s.throttledBrokers.length > 0 ? ` on brokers ${s.throttledBrokers.join(", ")}` : ""}`,
  ];
  if (s.paused !== null) {
    lines.push(
      `${chalk.yellow("paused")}: moves involving broker(s) ${s.paused.brokers.join(", ")} wait for them to be registered again (down since ${new Date(s.paused.since).toISOString()})`,
    );
  }
  if (s.inFlight.length > 0) {
    lines.push("in flight:");
    for (const f of s.inFlight.slice(0, 20)) lines.push(`  ${f.partition}: [${f.from.join(",")}] → [${f.to.join(",")}]`);
    if (s.inFlight.length > 20) lines.push(`  … and ${String(s.inFlight.length - 20)} more`);
  }
  for (const p of s.problems) lines.push(`${chalk.yellow(p.state)} ${p.partition}: ${printable(p.note)}`);
  return `${lines.join("\n")}\n`;
}

/** Turns executor events into a progress bar (terminal), periodic lines, or JSON lines. */
class Reporter {
  private readonly chalk: InstanceType<typeof Chalk>;
  private readonly tty: boolean;
  private lastLine = 0;
  private barShown = false;

  constructor(
    private readonly io: CliIo,
    private readonly json: boolean,
  ) {
    this.chalk = new Chalk({ level: colorLevel(io) });
    this.tty = io.stdout.isTTY === true && !json;
  }

  private line(text: string): void {
    if (this.barShown) {
      this.io.stdout.write("\r\x1b[K");
      this.barShown = false;
    }
    this.io.stdout.write(`${text}\n`);
  }

  note(text: string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify({ type: "note", message: text })}\n`);
    else this.line(printable(text));
  }

  event(e: ExecutionEvent): void {
    if (this.json) {
      this.io.stdout.write(`${JSON.stringify({ ...e, time: new Date().toISOString() })}\n`);
      return;
    }
    switch (e.type) {
      case "start":
        this.line(
          `${e.resumed ? "Resuming" : "Starting"} execution ${e.id}: ${String(e.tasks)} partition(s), ${String(e.moves)} replica move(s), ${formatBytes(e.bytes)} to copy`,
        );
        return;
      case "progress":
        this.progress(e);
        return;
      case "finished-partition":
        if (e.state !== "done") this.line(`${this.chalk.yellow(e.state)} ${e.partition}${e.note !== undefined ? `: ${printable(e.note)}` : ""}`);
        return;
      case "paused":
        this.line(`${this.chalk.yellow("paused")} moves involving broker(s) ${e.brokers.join(", ")}: not registered`);
        return;
      case "resumed":
        this.line(`resumed moves involving broker(s) ${e.brokers.join(", ")}: registered again`);
        return;
      case "warning":
        this.line(`${this.chalk.yellow("warning:")} ${printable(e.message)}`);
        return;
      case "throttle":
        this.line(`throttle now ${formatRate(e.rate)}`);
        return;
      case "end": {
        const c = e.counts;
        this.line(
          `Execution ${e.status}: ${String(c.done)} done, ${String(c.failed)} failed, ${String(c["timed-out"])} timed out, ${String(c.skipped)} skipped, ${String(c.cancelled)} cancelled, ${String(c.pending + c.moving + c.submitting)} unfinished`,
        );
        return;
      }
      case "submitted":
        return;
    }
  }

  private progress(e: Extract<ExecutionEvent, { type: "progress" }>): void {
    const eta = e.etaMs === null ? "ETA –" : `ETA ${formatDuration(e.etaMs)}`;
    const rate = e.rate === null ? "measuring rate" : formatRate(e.rate);
    const text = `${String(e.done)}/${String(e.total)} partitions, ${formatBytes(e.bytesCopied)}/${formatBytes(e.bytesTotal)} copied, ${rate}, ${String(e.inFlight)} in flight, ${eta}`;
    if (this.tty) {
      const width = 24;
      const filled = e.total === 0 ? width : Math.round((e.done / e.total) * width);
      this.io.stdout.write(`\r\x1b[K[${this.chalk.green("#".repeat(filled))}${"-".repeat(width - filled)}] ${text}`);
      this.barShown = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastLine >= 10_000 || e.done === e.total) {
      this.lastLine = now;
      this.line(text);
    }
  }

  dryRun(waves: readonly (readonly MoveTask[])[], rate: number | null, seconds: number): void {
    if (this.json) {
      this.io.stdout.write(
        `${JSON.stringify({ type: "dry-run", batches: waves.map((w) => w.map((t) => ({ topic: t.topic, partition: t.partition, from: t.from, to: t.to, bytes: t.size * added(t).length }))), throttle: rate, estimatedSeconds: rate === null ? null : seconds })}\n`,
      );
      return;
    }
    waves.forEach((w, i) => {
      const bytes = w.reduce((a, t) => a + t.size * added(t).length, 0);
      this.line(`batch ${String(i + 1)}: ${String(w.length)} partition(s), ${formatBytes(bytes)}`);
      for (const t of w.slice(0, 10)) this.line(`  ${t.topic}-${String(t.partition)}: [${t.from.join(",")}] → [${t.to.join(",")}]`);
      if (w.length > 10) this.line(`  … and ${String(w.length - 10)} more`);
    });
    this.line(
      rate === null
        ? `${String(waves.length)} batch(es); no --throttle given, so no duration estimate`
        : `${String(waves.length)} batch(es); at ${formatRate(rate)} at least ${formatDuration(seconds * 1000)} (each batch limited by its busiest broker)`,
    );
  }

  simulated(makespanSeconds: number, store: StateStore, rate: number | null, down: ReadonlySet<number>): void {
    const tasks = store.load().tasks;
    const bound = rate === null ? null : bandwidthLowerBound(tasks, rate, down);
    const text =
      `simulated makespan ${formatDuration(makespanSeconds * 1000)}` +
      (bound === null ? "" : `; bandwidth lower bound ${formatDuration(bound * 1000)} (ratio ${(makespanSeconds / Math.max(bound, 1e-9)).toFixed(2)})`);
    if (this.json) this.io.stdout.write(`${JSON.stringify({ type: "simulation", makespanSeconds, lowerBoundSeconds: bound })}\n`);
    else {
      this.line(text);
      if (bound !== null) this.line(`the bound is ${BOUND_ASSUMPTIONS}.`);
    }
  }

  finish(): void {
    if (this.barShown) {
      this.io.stdout.write("\n");
      this.barShown = false;
    }
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${String(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${String(m)}m${String(s % 60).padStart(2, "0")}s`;
  return `${String(Math.floor(m / 60))}h${String(m % 60).padStart(2, "0")}m`;
}

