/**
 * The executor's operations as the CLI uses them: start, resume, cancel, status, rollback and a
 * throttle change. Each takes its Kafka port, state folder and clock from the caller.
 */
import { hostname } from "node:os";
import { BallastError } from "../model/errors.js";
import { formatReassignment } from "../model/reassignment.js";
import type { ExecutionState, TaskState } from "./journal.js";
import { FINAL_STATES, StateStore } from "./journal.js";
import type { BrokerNode, KafkaPort } from "./port.js";
import type { Emit, ExecuteOptions, ExecutionPlan, StopSignal } from "./runner.js";
import { CANCEL_REQUEST, Executor, THROTTLE_REQUEST, counts, newExecutionState, preflight, rollbackPlan, withSizes } from "./runner.js";
import type { Clock, MoveTask } from "./types.js";

export interface ExecutionContext {
  readonly port: KafkaPort;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly emit: Emit;
  readonly stop: StopSignal;
  readonly pollMs: number;
  /**
   * Fewest ms between two reads of the copy progress of in-flight replicas (DescribeLogDirs): it
   * only feeds the progress report. Default: progress.ts's READ_EVERY_MS.
   */
  readonly progressEveryMs?: number;
  /** The caller (the balance job) holds the cluster's execution lock already, for longer than this execution. */
  readonly clusterLockHeld?: boolean;
}

/**
 * Runs `fn` holding the cluster's execution lock (port.ts): one execution changes a cluster at a
 * time, whatever its state folder or host. Released on every way out of `fn`. A lock lost while
 * `fn` runs halts it (ctx.stop.halt), which leaves the execution stopped and resumable.
 */
export async function withClusterLock<T>(ctx: Pick<ExecutionContext, "port" | "store" | "stop" | "emit" | "clusterLockHeld">, fn: () => Promise<T>): Promise<T> {
  if (ctx.clusterLockHeld === true) return await fn();
  const owner = `ballast pid ${String(process.pid)} on ${hostname()}, state folder ${ctx.store.dir}`;
  // Losing the lock (this process's session lapsed) means another execution may start: stop at
  // once, as on SIGTERM, rather than interleave with it.
  const onLost = (): void => {
    ctx.emit({ type: "warning", message: "lost the cluster's execution lock (the session with Kafka lapsed); stopping: resume with 'ballast execute --resume'" });
    ctx.stop.halt = true;
  };
  const outcome = await ctx.port.acquireExecutionLock(owner, onLost);
  if (outcome.status === "locked") {
    throw new BallastError(
      "LOCKED",
      `another Ballast execution is changing this cluster (${outcome.holder ?? "holder unknown"}); wait for it to end, or cancel it from its state folder; a holder that was killed frees the lock within about 10 s`,
    );
  }
  try {
    return await fn();
  } finally {
    await outcome.release();
  }
}

type Check = (tasks: readonly MoveTask[], brokers: readonly BrokerNode[]) => void;

export const PLAN_FILE = "plan.json";
export const ROLLBACK_FILE = "rollback.json";

function unfinished(state: ExecutionState): boolean {
  return state.tasks.some((t) => !FINAL_STATES.has(t.state));
}

/** Completed, cancelled or failed: no executor will run it again. */
export function ended(state: ExecutionState): boolean {
  return state.status !== "running" && state.status !== "stopped";
}

/** Whether the journal records throttle configs Ballast set and has not removed. */
function throttlesLeft(state: ExecutionState): boolean {
  return Object.keys(state.throttle.brokers).length > 0 || Object.keys(state.throttle.topics).length > 0;
}

/** The error for a command that would run an execution another live process is running. */
function busy(store: StateStore, id: string): BallastError {
  return new BallastError(
    "STATE",
    `'${store.dir}' holds execution ${id}, which ballast pid ${String(store.lockHolder())} is running; follow it with 'ballast status', stop it with 'ballast cancel', or start another execution with another --state-dir`,
    { source: store.dir },
  );
}

/** Starts a new execution of `plan`; refuses when the state folder holds one that is not finished. */
export async function startExecution(
  ctx: ExecutionContext,
  plan: ExecutionPlan,
  options: ExecuteOptions,
  id: string,
  /** Sees the tasks (with their sizes) and the registered brokers before anything changes; throws to refuse the run. */
  check?: Check,
): Promise<ExecutionState["status"] | "stopped"> {
  if (ctx.store.exists()) {
    const previous = ctx.store.load();
    if (ctx.store.lockedByOther()) throw busy(ctx.store, previous.id);
    if (unfinished(previous)) {
      throw new BallastError(
        "STATE",
        `'${ctx.store.dir}' holds execution ${previous.id}, not finished; resume it with 'ballast execute --resume', cancel it with 'ballast cancel', or use another --state-dir`,
        { source: ctx.store.dir },
      );
    }
  }
  ctx.store.lock();
  try {
    return await withClusterLock(ctx, () => runNew(ctx, plan, options, id, check));
  } finally {
    ctx.store.unlock();
  }
}

async function runNew(
  ctx: ExecutionContext,
  plan: ExecutionPlan,
  options: ExecuteOptions,
  id: string,
  check: Check | undefined,
): Promise<ExecutionState["status"] | "stopped"> {
  const tasks = await withSizes(ctx.port, await preflight(ctx.port, plan, options));
  if (check !== undefined) check(tasks, (await ctx.port.describeCluster()).brokers);
  const state = newExecutionState(id, ctx.clock.now(), tasks, options);
  ctx.store.writeAtomic(PLAN_FILE, formatReassignment(plan.reassignment));
  ctx.store.writeAtomic(ROLLBACK_FILE, formatReassignment(rollbackPlan(state)));
  ctx.store.takeRequest(CANCEL_REQUEST);
  ctx.store.takeRequest(THROTTLE_REQUEST);
  ctx.store.save(state);
  return await executorOf(ctx, state).run(ctx.stop);
}

function executorOf(ctx: ExecutionContext, state: ExecutionState): Executor {
  return new Executor(ctx.port, ctx.store, state, ctx.clock, ctx.emit, ctx.pollMs, ctx.progressEveryMs);
}

/**
 * Finishes an execution whose executor stopped or died: reassignments Kafka is still running are
 * adopted, recorded-but-unconfirmed submissions are checked against Kafka, nothing is submitted twice.
 */
export async function resumeExecution(ctx: ExecutionContext, overrides: ResumeOverrides = {}): Promise<ExecutionState["status"] | "stopped"> {
  if (ctx.store.lockedByOther()) throw busy(ctx.store, ctx.store.load().id);
  ctx.store.lock();
  try {
    return await withClusterLock(ctx, () => resume(ctx, overrides));
  } finally {
    ctx.store.unlock();
  }
}

async function resume(ctx: ExecutionContext, overrides: ResumeOverrides): Promise<ExecutionState["status"] | "stopped"> {
  const state = ctx.store.load();
  // Every task final but the status still running: a cancel or a run died before removing its
  // throttles. Running the loop again finishes that (it cancels when a cancel was requested).
  if (!unfinished(state) && state.status !== "running") return state.status;
  state.status = "running";
  applyOverrides(state, overrides);
  ctx.store.save(state);
  const executor = executorOf(ctx, state);
  await executor.adopt();
  if (overrides.throttle !== undefined) ctx.store.putRequest(THROTTLE_REQUEST, String(overrides.throttle));
  return await executor.run(ctx.stop);
}

/** Settings given on the command line of `execute --resume`: they win over the journal's. */
export interface ResumeOverrides {
  readonly throttle?: number;
  readonly limits?: Partial<ExecutionState["limits"]>;
  readonly strategy?: ExecutionState["strategy"];
  readonly partitionTimeoutMs?: number;
  readonly brokerDownTimeoutMs?: number;
}

function applyOverrides(state: ExecutionState, o: ResumeOverrides): void {
  if (o.limits !== undefined) state.limits = { ...state.limits, ...o.limits };
  if (o.strategy !== undefined) state.strategy = [...o.strategy];
  if (o.partitionTimeoutMs !== undefined) state.partitionTimeoutMs = o.partitionTimeoutMs;
  if (o.brokerDownTimeoutMs !== undefined) state.brokerDownTimeoutMs = o.brokerDownTimeoutMs;
}

/**
 * Cancels Ballast's in-flight reassignments (Kafka reverts them) and removes its throttles, leaving
 * everything else alone. When an executor is running, it is asked to do so and waited for. An
 * execution that already ended and left no throttle is returned as it is, without contacting Kafka.
 */
export async function cancelExecution(ctx: ExecutionContext, waitMs = 120_000): Promise<ExecutionState> {
  if (ctx.store.lockedByOther()) {
    ctx.store.putRequest(CANCEL_REQUEST, "cancel");
    const deadline = ctx.clock.now() + waitMs;
    while (ctx.clock.now() < deadline) {
      await ctx.clock.sleep(ctx.pollMs);
      const s = ctx.store.load();
      if (!unfinished(s) && !ctx.store.lockedByOther()) return s;
    }
    throw new BallastError("STATE", `the running executor did not cancel within ${String(Math.round(waitMs / 1000))} s; is it stuck? (pid ${String(ctx.store.lockHolder())})`);
  }
  const state = ctx.store.load();
  if (ended(state) && !throttlesLeft(state)) return state;
  ctx.store.lock();
  try {
    return await withClusterLock(ctx, () => cancelHere(ctx));
  } finally {
    ctx.store.unlock();
  }
}

async function cancelHere(ctx: ExecutionContext): Promise<ExecutionState> {
  const state = ctx.store.load();
  // The intent is journalled first: when Kafka fails half-way, the state says a cancel is
  // pending (status and a later resume finish it) rather than looking finished.
  const open = state.status === "running" || state.status === "stopped";
  if (open && !state.cancelRequested) {
    state.cancelRequested = true;
    ctx.store.save(state);
  }
  const executor = executorOf(ctx, state);
  await executor.cancelAll();
  if (open) state.status = "cancelled";
  ctx.store.save(state);
  return state;
}

/** Asks a running (or the next resumed) execution to use a new throttle rate. */
export function requestThrottle(store: StateStore, rate: number): void {
  store.putRequest(THROTTLE_REQUEST, String(rate));
}

export interface ExecutionSummary {
  readonly id: string;
  readonly status: ExecutionState["status"];
  readonly running: boolean;
  /** While the executor runs: moves held back because these brokers are down, since when. */
  readonly paused: { readonly brokers: readonly number[]; readonly since: number } | null;
  /** A cancel was asked for and has not finished. */
  readonly cancelRequested: boolean;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly counts: Readonly<Record<TaskState, number>>;
  readonly throttle: number | null;
  readonly throttledBrokers: readonly string[];
  readonly throttledTopics: readonly string[];
  readonly inFlight: ReadonlyArray<{ readonly partition: string; readonly from: readonly number[]; readonly to: readonly number[]; readonly since: number | null }>;
  readonly problems: ReadonlyArray<{ readonly partition: string; readonly state: TaskState; readonly note: string }>;
}

export function executionStatus(store: StateStore): ExecutionSummary {
  const s = store.load();
  const name = (t: { topic: string; partition: number }): string => `${t.topic}-${String(t.partition)}`;
  const running = store.lockedByOther();
  return {
    id: s.id,
    status: s.status,
    running,
    // A pause journalled by an executor that has since died is not a current one.
    paused: running && s.paused !== undefined ? { brokers: s.paused.brokers, since: s.paused.since } : null,
    cancelRequested: s.cancelRequested && s.status === "running",
    startedAt: s.startedAt,
    updatedAt: s.updatedAt,
    counts: counts(s.tasks),
    throttle: s.throttle.rate,
    throttledBrokers: Object.keys(s.throttle.brokers),
    throttledTopics: Object.keys(s.throttle.topics),
    inFlight: s.tasks
      .filter((t) => t.state === "moving" || t.state === "submitting")
      .map((t) => ({ partition: name(t), from: t.from, to: t.to, since: t.submittedAt ?? null })),
    problems: s.tasks
      .filter((t) => t.state === "failed" || t.state === "timed-out" || t.state === "skipped")
      .map((t) => ({ partition: name(t), state: t.state, note: t.note ?? "" })),
  };
}

/** The plan that puts every partition of the execution back where it was before it started. */
export function rollbackText(store: StateStore): string {
  return formatReassignment(rollbackPlan(store.load()));
}
