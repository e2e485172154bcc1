/**
 * One run of the unattended balance job: take the cluster's execution lock (or wait for it), resume
 * an unfinished execution first, snapshot, assess, decide (self-healing, triggers, the time window),
 * plan within the run's budget, then propose or execute, and report. Its memory across runs (when a
 * broker was first seen missing, the proposal awaiting approval, the last run) lives in Kafka, behind
 * the port, so any host can run the next job. Time comes from the injected clock only.
 */
import { createHash } from "node:crypto";
import type { JobConfig } from "../model/balance-config.js";
import type { CapacitySpec } from "../model/capacity-file.js";
import { BallastError, isBallastError } from "../model/errors.js";
import type { Metrics } from "../model/metrics.js";
import { formatReassignment, parseReassignment } from "../model/reassignment.js";
import { listSome } from "../model/text.js";
import type { Cluster, Reassignment } from "../model/types.js";
import { findOutliers, inWindow, triggerReasons, type Outlier } from "../solver/balance-decision.js";
import { offlineOnLiveBrokers } from "../solver/heal.js";
import { assess, plan, type BalanceReport, type PlanOptions } from "../solver/index.js";
import type { PlanOutcome } from "../solver/types.js";
import { type ExecutionContext, resumeExecution, startExecution } from "./execute.js";
import { FINAL_STATES, type StateStore } from "./journal.js";
import type { KafkaPort } from "./port.js";
import { partitionKey } from "./port.js";
import { type Emit, type ExecuteOptions, type StopSignal, taskBytes } from "./runner.js";
import { liveSnapshot } from "./snapshot.js";
import { type Clock, added } from "./types.js";

/** How a run ended. The CLI maps each to an exit status (cli/balance-exit.ts). */
export type JobOutcome = "done" | "nothing-to-do" | "proposed" | "outside-window" | "refused" | "locked" | "failed" | "stopped" | "error";

export type AnomalyKind = "broker-missing" | "broker-failure" | "offline-replicas" | "outlier";

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly message: string;
  readonly brokers: readonly number[];
}

/** The figures a run found the cluster at (before any change), for metrics and the report. */
export interface ClusterFigures {
  readonly replicaSpread: number;
  readonly leaderSpread: number;
  readonly diskDeviation: number;
  readonly networkInDeviation: number;
  readonly networkOutDeviation: number;
  readonly brokersOverCapacity: number;
  readonly rackViolations: number;
  readonly offlineReplicas: number;
  readonly deadBrokers: number;
}

export interface JobReport {
  readonly cluster: string;
  readonly outcome: JobOutcome;
  /** Why the run ended as it did, one line each. */
  readonly reasons: readonly string[];
  readonly anomalies: readonly Anomaly[];
  /** Actions announced before they started. */
  readonly actions: readonly string[];
  readonly planId?: string;
  /** The plan the run wrote (propose, approve, dry run). */
  readonly planFile?: string;
  readonly executionId?: string;
  readonly resumed: boolean;
  readonly moves: number;
  readonly bytesMoved: number;
  readonly figures?: ClusterFigures;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** A notification: start, finish, failure, anomaly, lock contention. */
export interface JobEvent {
  readonly event: "start" | "finish" | "failure" | "anomaly" | "locked";
  readonly cluster: string;
  /** One line a person reads (Slack-style webhooks show it as the message). */
  readonly text: string;
  readonly outcome?: JobOutcome;
  readonly anomalies?: readonly Anomaly[];
}

export interface JobContext {
  readonly port: KafkaPort;
  readonly store: StateStore;
  readonly clock: Clock;
  /** Executor events (progress, warnings). */
  readonly emit: Emit;
  readonly stop: StopSignal;
  /** A line for the operator: what the job found and what it is about to do. */
  readonly say: (line: string) => void;
  /** Sends a notification; must not throw. */
  readonly notify: (event: JobEvent) => Promise<void>;
}

export interface JobRequest {
  readonly cluster: string;
  readonly config: JobConfig;
  /** The balance config's options (goals, budgets, excluded brokers and topics, thresholds). */
  readonly planOptions: PlanOptions;
  readonly capacity?: CapacitySpec;
  /** Produce and consume rates from monitoring (Kafka does not know them), as `snapshot --metrics` takes. */
  readonly metrics?: Metrics;
  /** Write the plan and the report; execute nothing. */
  readonly dryRun: boolean;
  /** Approve the proposal with this id (mode approve). */
  readonly approve?: string;
  /** Wait this long for the cluster's execution lock before ending "locked" (0: do not wait). */
  readonly lockWaitMs: number;
  /** Between lock attempts while waiting, and the executor's polls. */
  readonly pollMs: number;
  /** Describes this job to a refused one (host, pid). */
  readonly owner: string;
  /** Ask the planner why each partition moves (`explain`), for a report of the run. */
  readonly explain?: boolean;
}

/** What a report of the run needs beyond the JobReport: the cluster it assessed and, when it planned, the plan. */
export interface JobDetail {
  /** The snapshot the run assessed, before any change. */
  readonly cluster: Cluster;
  /** Its balance report (as `describe --json`), which the run's figures come from. */
  readonly balance: BalanceReport;
  /** The plan the run made (proposed or executed), with explanations when asked; moves and bytes as the run counts them. */
  readonly plan?: Extract<PlanOutcome, { status: "planned" }>;
}

/** The job's memory across runs, as kept in Kafka. */
export interface JobMemory {
  readonly version: 1;
  /** Brokers missing from the cluster, and when a run first saw each missing (ms since the epoch). */
  readonly missingSince: readonly { readonly broker: number; readonly since: number }[];
  readonly proposal?: { readonly id: string; readonly createdAt: number; readonly approved: boolean; readonly plan: string };
  readonly lastRun?: { readonly at: number; readonly outcome: JobOutcome; readonly moves: number; readonly bytesMoved: number };
}

const EMPTY_MEMORY: JobMemory = { version: 1, missingSince: [] };
export const PROPOSAL_FILE = "proposal.json";

/** A plan's id: the first 12 hex digits of the SHA-256 of its text, so the same plan has the same id. */
export function planId(reassignment: Reassignment): string {
  return createHash("sha256").update(formatReassignment(reassignment)).digest("hex").slice(0, 12);
}

/** Reads the memory text; anything unreadable starts afresh (it is the job's own, rewritten every run). */
export function parseMemory(text: string | null): JobMemory {
  if (text === null) return EMPTY_MEMORY;
  try {
    const data = JSON.parse(text) as Partial<JobMemory>;
    if (data.version !== 1 || !Array.isArray(data.missingSince)) return EMPTY_MEMORY;
    const missingSince = data.missingSince.filter((m) => Number.isSafeInteger(m.broker) && Number.isFinite(m.since));
    const p = data.proposal;
    const proposal = p !== undefined && typeof p.id === "string" && typeof p.plan === "string" && typeof p.approved === "boolean" && Number.isFinite(p.createdAt) ? p : undefined;
    return { version: 1, missingSince, ...(proposal !== undefined && { proposal }), ...(data.lastRun !== undefined && { lastRun: data.lastRun }) };
  } catch {
    return EMPTY_MEMORY;
  }
}

export function figuresOf(report: BalanceReport, cluster: Cluster): ClusterFigures {
  const s = report.summary;
  return {
    replicaSpread: s.replicaCount.max - s.replicaCount.min,
    leaderSpread: s.leaderCount.max - s.leaderCount.min,
    diskDeviation: s.disk.maxDeviationRatio,
    networkInDeviation: s.networkIn.maxDeviationRatio,
    networkOutDeviation: s.networkOut.maxDeviationRatio,
    brokersOverCapacity: new Set((report.capacity?.resources ?? []).flatMap((r) => (r.brokersOver > 0 ? brokersOver(report, r.resource, r.threshold) : []))).size,
    rackViolations: s.rackViolations,
    offlineReplicas: cluster.topics.reduce((a, t) => a + t.partitions.reduce((b, p) => b + (p.offline ?? []).length, 0), 0),
    deadBrokers: cluster.brokers.filter((b) => b.status === "dead").length,
  };
}

function brokersOver(report: BalanceReport, resource: "disk" | "networkIn" | "networkOut", threshold: number): number[] {
  const use = { disk: "diskUtilization", networkIn: "networkInUtilization", networkOut: "networkOutUtilization" } as const;
  return report.brokers.filter((b) => b.eligible && (b[use[resource]] ?? 0) > threshold).map((b) => b.id);
}

/** Runs the job once. Never throws for what the cluster or the user caused: the report says it. */
export async function runBalanceJob(ctx: JobContext, req: JobRequest): Promise<JobReport> {
  return (await runBalanceJobWithDetail(ctx, req)).report;
}

/** Runs the job once and hands back, with its report, the cluster it assessed and its plan (undefined when it assessed none). */
export async function runBalanceJobWithDetail(ctx: JobContext, req: JobRequest): Promise<{ report: JobReport; detail?: JobDetail }> {
  const run = new JobRun(ctx, req);
  const report = await run.run();
  return { report, ...(run.detail !== undefined && { detail: run.detail }) };
}

class JobRun {
  private readonly startedAt: number;
  private readonly anomalies: Anomaly[] = [];
  private readonly actions: string[] = [];
  private memory: JobMemory = EMPTY_MEMORY;
  private figures: ClusterFigures | undefined;
  detail: JobDetail | undefined;

  constructor(
    private readonly ctx: JobContext,
    private readonly req: JobRequest,
  ) {
    this.startedAt = ctx.clock.now();
  }

  private report(outcome: JobOutcome, reasons: readonly string[], extra: Partial<JobReport> = {}): JobReport {
    return {
      cluster: this.req.cluster,
      outcome,
      reasons,
      anomalies: this.anomalies,
      actions: this.actions,
      resumed: false,
      moves: 0,
      bytesMoved: 0,
      ...(this.figures !== undefined && { figures: this.figures }),
      ...extra,
      startedAt: this.startedAt,
      finishedAt: this.ctx.clock.now(),
    };
  }

  private announce(line: string): void {
    this.actions.push(line);
    this.ctx.say(line);
  }

  async run(): Promise<JobReport> {
    const { ctx, req } = this;
    await ctx.notify({ event: "start", cluster: req.cluster, text: `ballast balance: ${req.cluster}: started` });
    let report: JobReport;
    try {
      report = await this.locked();
    } catch (err) {
      // A refusal is an outcome; anything else (Kafka unreachable, a bad state folder) is an error
      // the caller reports, after the failure is announced.
      if (!isBallastError(err) || (err.code !== "PREFLIGHT" && err.code !== "LOCKED")) {
        const text = isBallastError(err) ? err.describe() : String(err);
        await ctx.notify({ event: "failure", cluster: req.cluster, outcome: "error", text: `ballast balance: ${req.cluster}: error: ${text}` });
        throw err;
      }
      report = this.report(err.code === "LOCKED" ? "locked" : "refused", [err.describe()]);
    }
    const failed = report.outcome === "failed" || report.outcome === "refused" || report.outcome === "stopped";
    await ctx.notify({
      event: failed ? "failure" : "finish",
      cluster: req.cluster,
      outcome: report.outcome,
      text: `ballast balance: ${req.cluster}: ${report.outcome}${report.moves > 0 ? ` (${String(report.moves)} replica move(s))` : ""}${report.reasons[0] !== undefined ? `: ${report.reasons[0]}` : ""}`,
    });
    return report;
  }

  /** Takes the lock (waiting up to lockWaitMs), runs the job under it, keeps the memory and releases it. */
  private async locked(): Promise<JobReport> {
    const { ctx, req } = this;
    const onLost = (): void => {
      ctx.emit({ type: "warning", message: "lost the cluster's execution lock (the session with Kafka lapsed); stopping" });
      ctx.stop.halt = true;
    };
    const deadline = ctx.clock.now() + req.lockWaitMs;
    let outcome = await ctx.port.acquireExecutionLock(req.owner, onLost);
    let told = false;
    while (outcome.status === "locked" && ctx.clock.now() < deadline) {
      if (!told) {
        ctx.say(`the cluster's execution lock is held (${outcome.holder ?? "holder unknown"}); waiting up to ${String(Math.round(req.lockWaitMs / 1000))} s`);
        told = true;
      }
      await ctx.clock.sleep(Math.min(req.pollMs, Math.max(0, deadline - ctx.clock.now())));
      outcome = await ctx.port.acquireExecutionLock(req.owner, onLost);
    }
    if (outcome.status === "locked") {
      const text = `another Ballast execution holds the cluster's execution lock (${outcome.holder ?? "holder unknown"})`;
      await ctx.notify({ event: "locked", cluster: req.cluster, text: `ballast balance: ${req.cluster}: locked: ${text}` });
      return this.report("locked", [text]);
    }
    try {
      this.memory = parseMemory(await ctx.port.readJobMemory());
      const report = await this.underLock();
      const moves = report.moves;
      this.memory = { ...this.memory, lastRun: { at: ctx.clock.now(), outcome: report.outcome, moves, bytesMoved: report.bytesMoved } };
      await ctx.port.writeJobMemory(JSON.stringify(this.memory));
      return report;
    } finally {
      await outcome.release();
    }
  }

  private async underLock(): Promise<JobReport> {
    const { ctx, req } = this;
    const exec: ExecutionContext = { port: ctx.port, store: ctx.store, clock: ctx.clock, emit: ctx.emit, stop: ctx.stop, pollMs: req.pollMs, clusterLockHeld: true };
    // 1. An execution an earlier run left unfinished is finished first, not planned over.
    if (ctx.store.exists() && !req.dryRun) {
      const previous = ctx.store.load();
      if (previous.tasks.some((t) => !FINAL_STATES.has(t.state)) || previous.status === "running" || previous.status === "stopped") {
        this.announce(`resuming execution ${previous.id}, which an earlier run left unfinished`);
        const status = await resumeExecution(exec);
        const state = ctx.store.load();
        const done = state.tasks.filter((t) => t.state === "done");
        const moves = done.reduce((a, t) => a + added(t).length, 0);
        const bytes = done.reduce((a, t) => a + taskBytes(t), 0);
        return this.report(outcomeOf(status), [`resumed execution ${previous.id}: ${status}`], { resumed: true, executionId: previous.id, moves, bytesMoved: bytes });
      }
    }
    // 2. The cluster as it is.
    const cluster = await liveSnapshot(ctx.port, {
      name: req.cluster,
      ...(req.capacity !== undefined && { capacity: req.capacity }),
      ...(req.metrics !== undefined && { metrics: req.metrics }),
    });
    const now = ctx.clock.now();
    const healing = req.config.selfHealing;
    const dead = cluster.brokers.filter((b) => b.status === "dead").map((b) => b.id);
    const known = new Map(this.memory.missingSince.map((m) => [m.broker, m.since]));
    this.memory = { ...this.memory, missingSince: dead.map((broker) => ({ broker, since: known.get(broker) ?? now })) };
    const graceMs = healing.brokerFailureMs;
    const waiting = this.memory.missingSince.filter((m) => graceMs === null || now - m.since < graceMs);
    const failedBrokers = this.memory.missingSince.filter((m) => graceMs !== null && now - m.since >= graceMs);
    for (const m of waiting) {
      const since = new Date(m.since).toISOString();
      this.anomalies.push({
        kind: "broker-missing",
        brokers: [m.broker],
        message:
          graceMs === null
            ? `broker ${String(m.broker)} is missing (since ${since}); selfHealing.brokerFailure is off, so its replicas wait for it`
            : `broker ${String(m.broker)} is missing since ${since}; its replicas move if it is still missing ${formatMs(graceMs)} after that`,
      });
    }
    for (const m of failedBrokers) {
      this.anomalies.push({ kind: "broker-failure", brokers: [m.broker], message: `broker ${String(m.broker)} has been missing since ${new Date(m.since).toISOString()}, longer than the ${formatMs(graceMs ?? 0)} grace period` });
    }
    const offline = offlineOnLiveBrokers(cluster);
    if (offline.length > 0) {
      const brokers = [...new Set(offline.map((o) => o.broker))].sort((a, b) => a - b);
      this.anomalies.push({ kind: "offline-replicas", brokers, message: `${String(offline.length)} replica(s) offline on live broker(s) ${brokers.join(", ")} (a failed log directory)` });
    }
    const report = assess(cluster, req.planOptions);
    this.figures = figuresOf(report, cluster);
    this.detail = { cluster, balance: report };
    const outliers = findOutliers(report, healing.outlierFactor);
    for (const [broker, list] of groupOutliers(outliers)) {
      this.anomalies.push({
        kind: "outlier",
        brokers: [broker],
        message: `broker ${String(broker)} is an outlier: ${list.map((o) => `${RESOURCE[o.resource]} ${(o.value / o.median).toFixed(1)}× its peers' median`).join(", ")}`,
      });
    }
    for (const a of this.anomalies) ctx.say(`anomaly: ${a.message}`);
    if (this.anomalies.length > 0) {
      await ctx.notify({ event: "anomaly", cluster: req.cluster, anomalies: this.anomalies, text: `ballast balance: ${req.cluster}: ${this.anomalies.map((a) => a.message).join("; ")}` });
    }

    // 3. Decide.
    const windowOpen = inWindow(now, req.config.windows, req.config.timeZone);
    const approved = await this.approval(windowOpen);
    if (approved !== undefined) return approved;
    if (waiting.length > 0) {
      return this.report("nothing-to-do", [`waiting for missing broker(s) ${waiting.map((m) => m.broker).join(", ")}: nothing moves while a broker may come back`]);
    }
    if (offline.length > 0 && !healing.offlineReplicas) {
      return this.report("refused", ["replicas are offline on live brokers and selfHealing.offlineReplicas is off; a plan would move them, so the job does not plan"]);
    }
    const reasons = [
      ...failedBrokers.map((m) => `broker ${String(m.broker)} failed: its replicas need new homes`),
      ...(offline.length > 0 ? [`${String(offline.length)} offline replica(s) on live brokers need new homes`] : []),
      ...triggerReasons(report, req.config.triggers),
    ];
    const demote = healing.demoteOutliers ? [...new Set(outliers.map((o) => o.broker))] : [];
    if (reasons.length === 0 && demote.length === 0) return this.report("nothing-to-do", ["the cluster is within every trigger"]);
    if (!windowOpen) {
      return this.report("outside-window", [`outside the time window (${req.config.windows.map((w) => w.text).join(", ")} ${req.config.timeZone}); would act on: ${reasons.join("; ") || "outlier demotion"}`]);
    }
    await this.refuseForeignWork(cluster, failedBrokers.map((m) => m.broker));

    // 4. Plan within the run's budget.
    const planned = this.planRun(cluster, reasons.length > 0 ? [] : demote);
    if (planned === undefined) return this.report("nothing-to-do", [...reasons, "the planner finds nothing to change"]);
    if (planned.status === "infeasible") return this.report("refused", planned.problems.map((p) => p.message));
    for (const m of failedBrokers) this.announce(`self-healing: moving the replicas of broker ${String(m.broker)}, missing since ${new Date(m.since).toISOString()}`);
    if (offline.length > 0) this.announce(`self-healing: new homes for ${String(offline.length)} offline replica(s) on live brokers`);
    if (planned.demoted.length > 0) this.announce(`self-healing: moving preferred leadership off outlier broker(s) ${planned.demoted.join(", ")} (no data moves)`);
    const id = planId(planned.reassignment);
    const summary = `plan ${id}: ${String(planned.moves)} replica move(s), ${String(planned.bytesMoved)} bytes, ${String(planned.leaderChanges)} leadership change(s)${planned.budgetLimited ? "; the run's budget stopped it short, the next run goes on" : ""}`;

    // 5. Propose, or execute.
    if (req.dryRun || req.config.mode !== "execute") {
      const text = formatReassignment(planned.reassignment);
      ctx.store.writeAtomic(PROPOSAL_FILE, text);
      this.memory = { ...this.memory, proposal: { id, createdAt: now, approved: false, plan: text } };
      const next =
        req.config.mode === "approve" && !req.dryRun ? `awaiting approval: run 'ballast balance --approve ${id}' with the same config` : "nothing executed (dry run or mode propose)";
      return this.report("proposed", [...reasons, summary, next], { planId: id, planFile: `${ctx.store.dir}/${PROPOSAL_FILE}`, moves: planned.moves, bytesMoved: planned.bytesMoved });
    }
    this.announce(`executing ${summary}`);
    return await this.execute(planned.reassignment, id, reasons, planned);
  }

  /**
   * `--approve <id>`, or a proposal approved earlier: executes it when the window is open, else keeps
   * the approval for the next run in the window. Undefined when there is no approval to act on.
   */
  private async approval(windowOpen: boolean): Promise<JobReport | undefined> {
    const { req } = this;
    const proposal = this.memory.proposal;
    if (req.approve !== undefined) {
      if (proposal === undefined || proposal.id !== req.approve) {
        const known = proposal === undefined ? "there is no proposal awaiting approval" : `the proposal awaiting approval is ${proposal.id}`;
        return this.report("refused", [`no proposal ${req.approve} to approve: ${known}`]);
      }
      this.memory = { ...this.memory, proposal: { ...proposal, approved: true } };
    } else if (proposal?.approved !== true || req.config.mode !== "approve") return undefined;
    const current = this.memory.proposal!;
    if (!windowOpen) return this.report("outside-window", [`proposal ${current.id} is approved; it executes in the next run inside the time window`], { planId: current.id });
    if (req.dryRun) return this.report("proposed", [`proposal ${current.id} is approved; a dry run executes nothing`], { planId: current.id });
    const reassignment = parseReassignment(current.plan, "the approved proposal");
    await this.refuseForeignWork(undefined, []);
    this.announce(`executing approved proposal ${current.id}`);
    const moves = reassignment.partitions.reduce((a, e) => {
      const was = reassignment.madeFrom?.find((o) => o.topic === e.topic && o.partition === e.partition)?.replicas ?? [];
      return a + e.replicas.filter((b) => !was.includes(b)).length;
    }, 0);
    return await this.execute(reassignment, current.id, [`approved proposal ${current.id}`], { moves });
  }

  /**
   * Refuses while reassignments the job did not start are running, or partitions are under-replicated
   * for reasons other than the ones it heals (replicas on the failed brokers or offline on live ones).
   */
  private async refuseForeignWork(cluster: Cluster | undefined, healing: readonly number[]): Promise<void> {
    const ongoing = await this.ctx.port.listPartitionReassignments();
    if (ongoing.length > 0) {
      throw new BallastError("PREFLIGHT", `reassignments Ballast did not start are running (${listSome(ongoing.map((o) => partitionKey(o)))}); the job waits for them to end`);
    }
    const topics = cluster === undefined ? await this.ctx.port.describeTopics() : undefined;
    const partitions =
      topics?.flatMap((t) => t.partitions.map((p) => ({ name: partitionKey(p), replicas: p.replicas, isr: p.isr, offline: p.offline }))) ??
      cluster!.topics.flatMap((t) => t.partitions.map((p) => ({ name: `${p.topic}-${String(p.partition)}`, replicas: p.replicas, isr: p.isr ?? p.replicas, offline: p.offline ?? [] })));
    const explained = new Set(healing);
    // Offline replicas are the job's to heal (or refused before this when their healing is off).
    const under = partitions.filter((p) => p.replicas.some((b) => !p.isr.includes(b) && !explained.has(b) && !p.offline.includes(b)));
    if (under.length > 0) {
      throw new BallastError(
        "PREFLIGHT",
        `${String(under.length)} partition(s) are under-replicated for reasons the job does not heal (${listSome(under.map((p) => p.name))}); it acts once they have caught up`,
      );
    }
  }

  private planRun(cluster: Cluster, demote: readonly number[]): (PlannedRun & { status: "planned" }) | { status: "infeasible"; problems: readonly { message: string }[] } | undefined {
    // The heuristic only (no integer search): a run is bounded by its budget, not by proving optimality.
    const base = this.req.explain === true ? { ...this.req.planOptions, explain: true } : this.req.planOptions;
    if (demote.length > 0) {
      const { maxMoves: _m, maxBytesMoved: _b, ...rest } = base;
      const outcome = plan(cluster, { ...rest, demoteBrokers: demote });
      if (outcome.status === "planned" && outcome.reassignment.partitions.length > 0) {
        this.detail = { ...this.detail!, plan: outcome };
        return { ...planned(outcome), demoted: demote };
      }
    }
    const outcome = plan(cluster, base);
    if (outcome.status !== "planned") return { status: "infeasible", problems: outcome.problems };
    const copyable = withLiveSource(outcome.reassignment, cluster);
    if (copyable.dropped.length > 0) {
      this.anomalies.push({
        kind: "broker-failure",
        brokers: [...new Set(copyable.dropped.flatMap((d) => d.replicas))].sort((a, b) => a - b),
        message: `${String(copyable.dropped.length)} partition(s) have no live replica to copy from (${listSome(copyable.dropped.map((d) => `${d.topic}-${String(d.partition)}`))}); they stay until a broker holding them comes back`,
      });
    }
    if (copyable.reassignment.partitions.length === 0) return undefined;
    this.detail = { ...this.detail!, plan: { ...outcome, ...copyable.sizes, reassignment: copyable.reassignment } };
    return { ...planned(outcome), ...copyable.sizes, reassignment: copyable.reassignment, demoted: [] };
  }

  private async execute(reassignment: Reassignment, id: string, reasons: readonly string[], sizes: { moves: number; bytesMoved?: number }): Promise<JobReport> {
    const { ctx, req } = this;
    if (ctx.stop.halt === true) return this.report("stopped", ["the cluster's execution lock was lost before the execution started"]);
    const exec: ExecutionContext = { port: ctx.port, store: ctx.store, clock: ctx.clock, emit: ctx.emit, stop: ctx.stop, pollMs: req.pollMs, clusterLockHeld: true };
    const options: ExecuteOptions = {
      limits: { maxMovesPerBroker: req.config.maxMovesPerBroker, maxMoves: Number.POSITIVE_INFINITY, maxBytesInFlight: Number.POSITIVE_INFINITY },
      strategy: ["at-risk-first", "small-first"],
      throttle: req.config.throttle,
      partitionTimeoutMs: req.config.partitionTimeoutMs,
      brokerDownTimeoutMs: 600_000,
      pollMs: req.pollMs,
      // The job refused under-replication it does not heal; what is left is what it heals.
      allowUnderReplicated: true,
    };
    const madeFrom = new Map((reassignment.madeFrom ?? []).map((o) => [`${o.topic}-${String(o.partition)}`, o.replicas]));
    const executionId = `balance-${id}-${String(ctx.clock.now())}`;
    const status = await startExecution(exec, { reassignment, madeFrom }, options, executionId);
    const { proposal: _done, ...rest } = this.memory;
    this.memory = rest;
    const state = ctx.store.load();
    const failed = state.tasks.filter((t) => t.state !== "done");
    const outcome = outcomeOf(status);
    return this.report(
      outcome,
      [...reasons, `execution ${executionId}: ${status}${failed.length > 0 ? `, ${String(failed.length)} partition(s) not done` : ""}`],
      { planId: id, executionId, moves: sizes.moves, bytesMoved: sizes.bytesMoved ?? state.tasks.reduce((a, t) => a + taskBytes(t), 0) },
    );
  }
}

interface PlannedRun {
  readonly reassignment: Reassignment;
  readonly moves: number;
  readonly bytesMoved: number;
  readonly leaderChanges: number;
  readonly budgetLimited: boolean;
  readonly demoted: readonly number[];
}

function planned(outcome: Extract<ReturnType<typeof plan>, { status: "planned" }>): Omit<PlannedRun, "demoted"> & { status: "planned" } {
  return {
    status: "planned",
    reassignment: outcome.reassignment,
    moves: outcome.moves,
    bytesMoved: outcome.bytesMoved,
    leaderChanges: outcome.leaderChanges,
    budgetLimited: outcome.budgetLimited,
  };
}

/**
 * The plan without the partitions none of whose replicas is on a live broker: no broker can copy
 * them, so their reassignment would never finish. Moves and bytes are counted again without them.
 */
function withLiveSource(
  reassignment: Reassignment,
  cluster: Cluster,
): { reassignment: Reassignment; dropped: { topic: string; partition: number; replicas: readonly number[] }[]; sizes: { moves: number; bytesMoved: number } } {
  const alive = new Set(cluster.brokers.filter((b) => b.status === "alive").map((b) => b.id));
  const partitions = new Map<string, Cluster["topics"][number]["partitions"][number]>(cluster.topics.flatMap((t) => t.partitions.map((p) => [`${p.topic}-${String(p.partition)}`, p] as const)));
  const keep = new Set<string>();
  const dropped: { topic: string; partition: number; replicas: readonly number[] }[] = [];
  let moves = 0;
  let bytesMoved = 0;
  for (const e of reassignment.partitions) {
    const key = `${e.topic}-${String(e.partition)}`;
    const p = partitions.get(key);
    const from = p?.replicas ?? [];
    if (p !== undefined && !from.some((b) => alive.has(b) && !(p.offline ?? []).includes(b))) {
      dropped.push({ topic: e.topic, partition: e.partition, replicas: from });
      continue;
    }
    keep.add(key);
    const adds = e.replicas.filter((b) => !from.includes(b)).length;
    moves += adds;
    bytesMoved += adds * (p?.size ?? 0);
  }
  const kept = <T extends { topic: string; partition: number }>(list: readonly T[]): T[] => list.filter((x) => keep.has(`${x.topic}-${String(x.partition)}`));
  return {
    reassignment: { ...reassignment, partitions: kept(reassignment.partitions), ...(reassignment.madeFrom !== undefined && { madeFrom: kept(reassignment.madeFrom) }) },
    dropped,
    sizes: { moves, bytesMoved },
  };
}

function outcomeOf(status: string): JobOutcome {
  return status === "completed" ? "done" : status === "failed" ? "failed" : "stopped";
}

const RESOURCE = { disk: "disk", networkIn: "network in", networkOut: "network out" } as const;

function groupOutliers(outliers: readonly Outlier[]): Map<number, Outlier[]> {
  const out = new Map<number, Outlier[]>();
  for (const o of outliers) out.set(o.broker, [...(out.get(o.broker) ?? []), o]);
  return out;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${String(ms / 3_600_000)}h`;
  if (ms % 60_000 === 0) return `${String(ms / 60_000)}m`;
  return `${String(Math.round(ms / 1000))}s`;
}

