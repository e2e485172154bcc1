/**
 * The executor: moves partitions in throttled batches, journalling every step so that a killed run
 * can be resumed (`resume`), cancelled (`cancel`) or rolled back. It talks to Kafka only through the
 * KafkaPort, so the same code runs against a live cluster and the simulator.
 *
 * One pass of the loop: read the cluster (registered brokers, ongoing reassignments, the moving
 * partitions); settle in-flight tasks (done when Kafka lists no reassignment and every target
 * replica is in sync; skipped when the topic is gone; timed out and cancelled after the partition
 * timeout); elect preferred leaders and remove throttles for finished ones; submit the next batch
 * (batches.ts) with throttles in place first; save; report progress; wait.
 */
import { BallastError } from "../model/errors.js";
import { listSome } from "../model/text.js";
import type { Reassignment } from "../model/types.js";
import type { ExecutionState, TaskRecord, TaskState } from "./journal.js";
import { StateStore } from "./journal.js";
import type { KafkaPort, OngoingReassignment, PartitionMetadata, PartitionRef, TopicMetadata } from "./port.js";
import { partitionKey } from "./port.js";
import { CopyMeter } from "./progress.js";
import { TaskBook } from "./task-book.js";
import { Throttles, emptyThrottleRecord } from "./throttle.js";
import type { BatchLimits, Clock, MoveTask, StrategyName } from "./types.js";
import { added } from "./types.js";

export interface ExecuteOptions {
  readonly limits: BatchLimits;
  readonly strategy: readonly StrategyName[];
  /** Replication throttle in bytes/s, or null for none. */
  readonly throttle: number | null;
  readonly partitionTimeoutMs: number;
  readonly brokerDownTimeoutMs: number;
  /** Time between passes of the loop. */
  readonly pollMs: number;
  /** Start even when partitions are under-replicated. */
  readonly allowUnderReplicated: boolean;
}

export type ExecutionEvent =
  | { readonly type: "start"; readonly id: string; readonly tasks: number; readonly moves: number; readonly bytes: number; readonly resumed: boolean }
  | { readonly type: "submitted"; readonly partitions: readonly string[] }
  | { readonly type: "finished-partition"; readonly partition: string; readonly state: TaskState; readonly note?: string }
  | {
      readonly type: "progress";
      readonly done: number;
      readonly total: number;
      readonly inFlight: number;
      /** Bytes of the finished partitions. */
      readonly bytesDone: number;
      /** Bytes copied: the finished partitions' and what the brokers report the copies in flight hold. */
      readonly bytesCopied: number;
      readonly bytesTotal: number;
      /** Bytes/s copied over the last minute of this run; null until two readings a few seconds apart. */
      readonly rate: number | null;
      readonly etaMs: number | null;
      readonly elapsedMs: number;
    }
  /** Moves involving these brokers wait: they are not registered (down). */
  | { readonly type: "paused"; readonly brokers: readonly number[] }
  /** These brokers are registered again: the moves involving them go on. */
  | { readonly type: "resumed"; readonly brokers: readonly number[] }
  | { readonly type: "warning"; readonly message: string }
  | { readonly type: "throttle"; readonly rate: number }
  | { readonly type: "end"; readonly status: ExecutionState["status"] | "stopped"; readonly counts: Readonly<Record<TaskState, number>> };

export type Emit = (event: ExecutionEvent) => void;

/**
 * Asks a running loop to stop. Every stop that is not a cancel removes Ballast's throttles and
 * journals the execution "stopped", for `execute --resume` to finish.
 */
export interface StopSignal {
  /** 0: run; 1: finish what is in flight, submit nothing new, then stop; 2: cancel in-flight moves. */
  level: number;
  /**
   * Stop now (SIGTERM: a service manager waits seconds, not the minutes a copy takes): in-flight
   * reassignments are pulled back (Kafka reverts them) and become pending again for the resume.
   */
  halt?: boolean;
}

/** Request files a second process drops into the state folder for a running executor. */
const CANCEL_REQUEST = "cancel-request";
const THROTTLE_REQUEST = "throttle-request";

/** A plan ready to execute: Kafka's reassignment plus, when known, the replicas it was made from. */
export interface ExecutionPlan {
  readonly reassignment: Reassignment;
  /** `topic-partition` → replicas when the plan was made (to refuse a stale plan). */
  readonly madeFrom?: ReadonlyMap<string, readonly number[]>;
}

/** Whether a partition is under-replicated or has a replica offline (at risk). */
function underReplicated(p: PartitionMetadata): boolean {
  return p.isr.length < p.replicas.length || p.offline.length > 0;
}

/** How long metadata may lag behind a finished reassignment before the task is judged. */
const LINGER_MS = 30_000;

const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const sameSet = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
/** Kafka's per-partition results by partition key (the first for a partition named twice). */
function byKey<R extends PartitionRef>(results: readonly R[]): Map<string, R> {
  const out = new Map<string, R>();
  for (const r of results) {
    const k = partitionKey(r);
    if (!out.has(k)) out.set(k, r);
  }
  return out;
}

function every<T>(items: Iterable<T>, ok: (item: T) => boolean): boolean {
  for (const x of items) if (!ok(x)) return false;
  return true;
}

/** How long a cancel waits for the brokers' metadata to show where the partitions ended. */
const SETTLE_MS = 30_000;
/** Whether live replicas are the task's planned ones (for a pure reorder, in the planned order). */
const reached = (replicas: readonly number[], t: TaskRecord): boolean => (sameSet(t.from, t.to) ? sameList(replicas, t.to) : sameSet(replicas, t.to));

/** How many tasks are in each state. */
export function counts(tasks: readonly TaskRecord[]): Record<TaskState, number> {
  const c: Record<TaskState, number> = { pending: 0, submitting: 0, moving: 0, done: 0, failed: 0, skipped: 0, cancelled: 0, "timed-out": 0 };
  for (const t of tasks) c[t.state]++;
  return c;
}

export function taskBytes(t: MoveTask): number {
  return t.size * added(t).length;
}

async function partitionsByKey(port: KafkaPort, topics: Iterable<string>): Promise<Map<string, PartitionMetadata>> {
  const names = [...new Set(topics)];
  const out = new Map<string, PartitionMetadata>();
  if (names.length === 0) return out;
  for (const t of await port.describeTopics(names)) for (const p of t.partitions) out.set(partitionKey(p), p);
  return out;
}

/**
 * Checks a plan against the live cluster before anything changes; returns the tasks to run.
 * Refuses (BallastError PREFLIGHT) on: unknown partitions, target brokers not registered,
 * reassignments in progress (this execution has started none yet), a stale plan, under-replicated partitions.
 */
export async function preflight(port: KafkaPort, plan: ExecutionPlan, options: Pick<ExecuteOptions, "allowUnderReplicated">): Promise<MoveTask[]> {
  const entries = plan.reassignment.partitions;
  const live = await partitionsByKey(port, entries.map((e) => e.topic));
  const missing = entries.filter((e) => !live.has(partitionKey(e))).map((e) => partitionKey(e));
  if (missing.length > 0) {
    throw new BallastError("PREFLIGHT", `the plan names partitions the cluster does not have: ${listSome(missing)}`);
  }
  const cluster = await port.describeCluster();
  const registered = new Set(cluster.brokers.map((b) => b.id));
  const absent = [...new Set(entries.flatMap((e) => e.replicas))].filter((b) => !registered.has(b)).sort((a, b) => a - b);
  if (absent.length > 0) {
    throw new BallastError("PREFLIGHT", `target broker(s) ${absent.join(", ")} are not registered (down or unknown); start them or re-plan without them`);
  }
  const ongoing = await port.listPartitionReassignments();
  if (ongoing.length > 0) {
    throw new BallastError(
      "PREFLIGHT",
      // A running Ballast execution holds the cluster's lock, so these are another tool's or those
      // of a Ballast execution whose executor was killed; which, Kafka cannot tell.
      `reassignments this execution did not start are in progress (${listSome(ongoing.map((o) => partitionKey(o)))}): another tool's, or those of a Ballast execution whose executor was killed (finish them with 'ballast execute --resume' or 'ballast cancel' in its state folder); wait for them, or cancel them with kafka-reassign-partitions.sh --cancel`,
    );
  }
  if (plan.madeFrom) {
    const changed = entries.filter((e) => {
      const was = plan.madeFrom?.get(partitionKey(e));
      return was !== undefined && !sameList(was, live.get(partitionKey(e))!.replicas);
    });
    if (changed.length > 0) {
      throw new BallastError("PREFLIGHT", `the plan is stale: replicas changed since it was made for ${listSome(changed.map((e) => partitionKey(e)))}; plan again`);
    }
  }
  const under = [...live.values()].filter(underReplicated);
  if (under.length > 0 && !options.allowUnderReplicated) {
    throw new BallastError(
      "PREFLIGHT",
      `${String(under.length)} partition(s) of the plan are under-replicated (${listSome(under.map((p) => partitionKey(p)))}); wait for them to catch up or pass --allow-under-replicated`,
    );
  }
  return entries
    .map((e): MoveTask => ({ topic: e.topic, partition: e.partition, from: live.get(partitionKey(e))!.replicas, to: e.replicas, size: 0 }))
    .filter((t) => !sameList(t.from, t.to));
}

/**
 * The metadata of some topics, with a partition found without a map of every partition (a poll
 * reads the topics of every open task, thousands of partitions, and looks up few of them).
 */
class LiveTopics {
  private readonly indexes = new Map<string, Map<number, PartitionMetadata>>();

  constructor(private readonly topics: ReadonlyMap<string, TopicMetadata>) {}

  static async read(port: KafkaPort, names: readonly string[]): Promise<LiveTopics> {
    const topics = names.length === 0 ? [] : await port.describeTopics(names);
    return new LiveTopics(new Map(topics.map((t) => [t.name, t])));
  }

  topic(name: string): TopicMetadata | undefined {
    return this.topics.get(name);
  }

  /** The partitions of topics by number, as `names` numbers them (filled on first use). */
  private byNumber: (readonly PartitionMetadata[] | null | undefined)[] = [];

  /**
   * Partition `partition` of the topic numbered `topic` in `names` (the task book's topicNames):
   * get without a lookup by name per partition.
   */
  at(names: readonly string[], topic: number, partition: number): PartitionMetadata | undefined {
    const at = this.atIndex(names, topic, partition);
    return at?.partition === partition ? at : this.get({ topic: names[topic]!, partition });
  }

  /** What the topic numbered `topic` lists at index `partition` (usually, not always, that partition). */
  atIndex(names: readonly string[], topic: number, partition: number): PartitionMetadata | undefined {
    if (this.byNumber.length === 0) this.byNumber = new Array<undefined>(names.length).fill(undefined);
    let parts = this.byNumber[topic];
    if (parts === undefined) {
      parts = this.topics.get(names[topic]!)?.partitions ?? null;
      this.byNumber[topic] = parts;
    }
    return parts?.[partition];
  }

  get(ref: PartitionRef): PartitionMetadata | undefined {
    const parts = this.topics.get(ref.topic)?.partitions;
    if (parts === undefined) return undefined;
    // Brokers list a topic's partitions in order, as a rule: look there first.
    const at = parts[ref.partition];
    if (at?.partition === ref.partition) return at;
    let index = this.indexes.get(ref.topic);
    if (!index) {
      index = new Map(parts.map((p) => [p.partition, p]));
      this.indexes.set(ref.topic, index);
    }
    return index.get(ref.partition);
  }
}

type Observed = { alive: Set<number>; ongoing: Map<string, OngoingReassignment>; live: LiveTopics };

/** The brokers a task needs up: those it keeps or adds, and its current ones when none of them is up to copy from. */
function waitsFor(t: MoveTask, alive: ReadonlySet<number>): readonly number[] {
  return t.from.some((b) => alive.has(b)) ? t.to : [...t.to, ...t.from];
}

/** Partition sizes from DescribeLogDirs (largest replica), for ordering and progress. */
export async function withSizes(port: KafkaPort, tasks: readonly MoveTask[]): Promise<MoveTask[]> {
  const brokers = [...new Set(tasks.flatMap((t) => t.from))].sort((a, b) => a - b);
  const sizes = new Map<string, number>();
  try {
    const dirs = await port.describeLogDirs(brokers);
    for (const list of dirs.values()) {
      for (const r of list) {
        if (r.isFuture) continue;
        const k = partitionKey(r);
        sizes.set(k, Math.max(sizes.get(k) ?? 0, r.size));
      }
    }
  } catch {
    // Sizes only order the batches and feed the progress figures; without them every size is 0.
  }
  return tasks.map((t) => ({ ...t, size: sizes.get(partitionKey(t)) ?? t.size }));
}

export function newExecutionState(id: string, now: number, tasks: readonly MoveTask[], options: ExecuteOptions): ExecutionState {
  return {
    version: 1,
    id,
    startedAt: now,
    updatedAt: now,
    status: "running",
    cancelRequested: false,
    limits: options.limits,
    strategy: [...options.strategy],
    partitionTimeoutMs: options.partitionTimeoutMs,
    brokerDownTimeoutMs: options.brokerDownTimeoutMs,
    throttle: emptyThrottleRecord(options.throttle),
    tasks: tasks.map((t) => ({ ...t, from: [...t.from], to: [...t.to], state: "pending" })),
  };
}

/** The plan that puts every partition of an execution back where it was. */
export function rollbackPlan(state: ExecutionState): Reassignment {
  return {
    version: 1,
    partitions: state.tasks
      .filter((t) => t.state !== "skipped")
      .map((t) => ({ topic: t.topic, partition: t.partition, replicas: [...t.from], log_dirs: t.from.map(() => "any") })),
  };
}

export class Executor {
  private readonly throttles: Throttles;
  private readonly downSince = new Map<number, number>();
  /** Partitions Kafka no longer lists as moving but whose metadata is not at the target yet, since when. */
  private readonly lingering = new Map<string, number>();
  /** When Kafka calls began failing in a row (null: the last pass worked). */
  private failingSince: number | null = null;
  private readonly startedAt: number;
  private readonly meter: CopyMeter;
  /** Brokers registered at the last look (null: not looked yet); the meter asks only those. */
  private alive: ReadonlySet<number> | null = null;
  private pausedReported: readonly number[] = [];
  private readonly book: TaskBook;
  /** By task number: the partition metadata its at-risk flag was read from, and the flag (see atRisk). */
  private readonly riskReadFrom: (PartitionMetadata | undefined)[];
  private readonly risky: Uint8Array;
  /** Per topic with open tasks, how many partitions the last read found (a change: look for deleted ones). */
  private readonly partitionCounts = new Map<string, number>();

  constructor(
    private readonly port: KafkaPort,
    private readonly store: StateStore,
    private readonly state: ExecutionState,
    private readonly clock: Clock,
    private readonly emit: Emit,
    private readonly pollMs: number,
    progressEveryMs?: number,
  ) {
    this.throttles = new Throttles(
      port,
      state.throttle,
      () => this.save(),
      (message) => this.emit({ type: "warning", message }),
    );
    this.startedAt = clock.now();
    this.meter = new CopyMeter(port, progressEveryMs);
    this.book = new TaskBook(state.tasks);
    this.riskReadFrom = new Array<PartitionMetadata | undefined>(state.tasks.length).fill(undefined);
    this.risky = new Uint8Array(state.tasks.length);
  }

  private save(): void {
    this.state.updatedAt = this.clock.now();
    this.store.save(this.state);
  }

  /** The tasks in any of `states`, in journal order. */
  private tasks(...states: TaskState[]): TaskRecord[] {
    return this.book.inState(...states);
  }

  /** Changes a task's state (and the book's indexes with it). */
  private transition(t: TaskRecord, to: TaskState, now: number, note?: string): void {
    this.book.move(t, to, now, note);
  }

  private finish(t: TaskRecord, to: TaskState, note?: string): void {
    this.transition(t, to, this.clock.now(), note);
    this.emit({ type: "finished-partition", partition: partitionKey(t), state: to, ...(note !== undefined ? { note } : {}) });
  }

  /** Settles tasks recorded as "submitting" when the executor died: Kafka tells whether they were. */
  async adopt(): Promise<void> {
    const unsure = this.tasks("submitting");
    if (unsure.length === 0) return;
    const ongoing = new Set((await this.port.listPartitionReassignments()).map((o) => partitionKey(o)));
    const live = await partitionsByKey(this.port, unsure.map((t) => t.topic));
    for (const t of unsure) {
      const k = partitionKey(t);
      const p = live.get(k);
      if (ongoing.has(k)) this.transition(t, "moving", this.clock.now());
      else if (p && sameList(p.replicas, t.to)) this.transition(t, "moving", this.clock.now());
      else this.transition(t, "pending", this.clock.now(), "submission not seen by Kafka; submitting again");
    }
    this.save();
  }

  /** Runs the loop until every task is final, a stop is requested, or a cancel. */
  async run(stop: StopSignal): Promise<ExecutionState["status"] | "stopped"> {
    this.emit({
      type: "start",
      id: this.state.id,
      tasks: this.state.tasks.length,
      moves: this.book.movesTotal,
      bytes: this.book.bytesTotal,
      resumed: this.state.tasks.some((t) => t.state !== "pending"),
    });
    // The rate counts from what was copied when this run began: after a resume, the bytes done
    // before it, and what the copies Kafka kept running hold, were not copied in this run's time.
    const inFlight = this.book.inFlight();
    if (inFlight.length > 0) await this.meter.read(inFlight, this.clock.now(), true);
    this.meter.sample(this.startedAt, this.bytesCopied());
    for (;;) {
      this.applyRequests();
      if (this.state.cancelRequested || stop.level >= 2) {
        await this.cancelAll();
        this.state.status = "cancelled";
        this.save();
        return this.end("cancelled");
      }
      if (stop.halt === true) {
        await this.revertInFlight("pending");
        return await this.stopCleanly();
      }
      try {
        const snapshot = await this.observe();
        await this.settle(snapshot);
        if (this.book.count("pending", "submitting", "moving") === 0) break;
        if (stop.level === 0) await this.submit(snapshot.alive, snapshot.live);
        else if (this.book.count("submitting", "moving") === 0) return await this.stopCleanly();
        this.failingSince = null;
      } catch (err) {
        this.survive(err);
      }
      await this.progress();
      await this.clock.sleep(this.pollMs, this.nextDue());
    }
    await this.cleanUp();
    const c = counts(this.state.tasks);
    this.state.status = c.failed + c["timed-out"] > 0 ? "failed" : "completed";
    this.save();
    await this.progress();
    return this.end(this.state.status);
  }

  /**
   * A Kafka call failing during a pass (a broker just died, a leader is moving) is reported and the
   * pass retried at the next poll; only failures lasting past the broker-down timeout end the run.
   * A failure that no wait cures (authentication, authorization, configuration: `retryable` false)
   * ends it at once.
   */
  private survive(err: unknown): void {
    if (!(err instanceof BallastError) || err.code !== "KAFKA" || err.retryable === false) throw err;
    const now = this.clock.now();
    this.failingSince ??= now;
    if (now - this.failingSince > this.state.brokerDownTimeoutMs) throw err;
    this.emit({ type: "warning", message: `${err.message}; retrying at the next check` });
  }

  /**
   * Ends a run that did not finish, leaving nothing of Ballast's in the cluster: no throttle rate,
   * no throttled-replica entry. The journal keeps the rate, so a resume sets it again.
   */
  private async stopCleanly(): Promise<"stopped"> {
    await this.cleanUp();
    this.state.status = "stopped";
    this.save();
    this.end("stopped");
    return "stopped";
  }

  private end(status: ExecutionState["status"] | "stopped"): ExecutionState["status"] | "stopped" {
    // A pause is a fact about a running executor; a later `status` must not show it.
    if (this.state.paused !== undefined) {
      delete this.state.paused;
      this.save();
    }
    this.emit({ type: "end", status, counts: counts(this.state.tasks) });
    return status;
  }

  /** Picks up cancel and throttle-change requests dropped by another ballast process. */
  private applyRequests(): void {
    if (this.store.takeRequest(CANCEL_REQUEST) !== null) this.state.cancelRequested = true;
    const rate = this.store.takeRequest(THROTTLE_REQUEST);
    if (rate !== null) this.pendingRate = Number(rate);
  }

  private pendingRate: number | null = null;

  private async observe(): Promise<Observed> {
    if (this.pendingRate !== null && Number.isFinite(this.pendingRate)) {
      await this.throttles.setRate(this.pendingRate);
      this.emit({ type: "throttle", rate: this.pendingRate });
      this.pendingRate = null;
    }
    const cluster = await this.port.describeCluster();
    const alive = new Set(cluster.brokers.map((b) => b.id));
    this.alive = alive;
    const ongoing = new Map((await this.port.listPartitionReassignments()).map((o) => [partitionKey(o), o]));
    const live = await LiveTopics.read(this.port, this.book.openTopics());
    return { alive, ongoing, live };
  }

  /**
   * The open tasks a pass of settle has something to do with, in journal order: those in flight,
   * except moves Kafka is still running within their time, and those whose partition is gone.
   */
  private toSettle(s: Observed, now: number): TaskRecord[] {
    const out = new Set<TaskRecord>();
    // Read from the book's arrays: this runs over every task in flight at every poll.
    const book = this.book;
    for (const i of book.inFlightNumbers()) {
      const quiet = book.isMoving(i) && s.ongoing.has(book.keyAt(i)) && !(now - (book.submittedAtOf(i) ?? now) > this.state.partitionTimeoutMs);
      if (!quiet) out.add(book.taskAt(i));
    }
    // Partitions are never taken from a topic: one is gone only with its topic, or when the count
    // of its topic's partitions changed (deleted and made again).
    for (const topic of this.book.openTopics()) {
      const count = s.live.topic(topic)?.partitions.length;
      if (count !== undefined && count === this.partitionCounts.get(topic)) continue;
      if (count === undefined) this.partitionCounts.delete(topic);
      else this.partitionCounts.set(topic, count);
      for (const t of this.book.openOfTopic(topic)) if (s.live.get(t) === undefined) out.add(t);
    }
    return this.book.sorted(out);
  }

  private async settle(s: Observed): Promise<void> {
    const now = this.clock.now();
    const finished: TaskRecord[] = [];
    const toCancel: TaskRecord[] = [];
    for (const t of this.toSettle(s, now)) {
      const k = this.book.key(t);
      const p = s.live.get(t);
      if (!p) {
        this.finish(t, "skipped", "topic or partition deleted during the run");
        finished.push(t);
        continue;
      }
      if (t.state === "pending") continue;
      if (s.ongoing.has(k)) {
        if (now - (t.submittedAt ?? now) > this.state.partitionTimeoutMs) toCancel.push(t);
        else if (t.state === "submitting") this.transition(t, "moving", now);
        continue;
      }
      if (sameList(p.replicas, t.to) && t.to.every((b) => p.isr.includes(b))) {
        this.lingering.delete(k);
        this.finish(t, "done");
        finished.push(t);
        continue;
      }
      // The controller says the reassignment is over, but a broker's metadata can lag behind it
      // (still listing the replicas being removed, or a replica not yet in sync): give it time.
      const since = this.lingering.get(k) ?? now;
      this.lingering.set(k, since);
      if (now - since < Math.max(LINGER_MS, 5 * this.pollMs)) continue;
      this.lingering.delete(k);
      if (t.state === "submitting") this.transition(t, "pending", now, "submission not seen by Kafka; submitting again");
      else if (!sameSet(p.replicas, t.to)) {
        this.finish(t, "failed", `the reassignment ended without reaching [${t.to.join(",")}] (replicas now [${p.replicas.join(",")}]); cancelled outside Ballast?`);
        finished.push(t);
      }
    }
    this.trackDownBrokers(s.alive, now, toCancel);
    if (toCancel.length > 0) {
      const results = byKey(await this.port.alterPartitionReassignments(toCancel.map((t) => ({ topic: t.topic, partition: t.partition, replicas: null }))));
      for (const t of toCancel) {
        const r = results.get(partitionKey(t));
        const why = t.note ?? `not finished within ${String(Math.round(this.state.partitionTimeoutMs / 1000))} s`;
        if (r && r.errorCode !== 0) this.emit({ type: "warning", message: `could not cancel ${partitionKey(t)}: ${r.message ?? r.errorName ?? String(r.errorCode)}` });
        this.finish(t, "timed-out", `${why}; its reassignment was cancelled (back to [${t.from.join(",")}])`);
        finished.push(t);
      }
      await this.restoreOrder(toCancel);
    }
    if (finished.length > 0) {
      await this.throttles.removePartitions(finished);
      const elect = finished.filter((t) => t.state === "done");
      if (elect.length > 0) await this.elect(elect);
      this.save();
    }
  }

  /**
   * The earliest time from which a pass has a time limit to act on: a move past the partition
   * time-out, a broker down past the broker-down time-out, metadata lagging past its grace. A
   * clock that skips quiet polls wakes by then (Clock.sleep), so each is acted on at the poll at
   * which polling every pollMs would act on it.
   */
  private nextDue(): number {
    let due = Number.POSITIVE_INFINITY;
    for (const i of this.book.inFlightNumbers()) due = Math.min(due, (this.book.submittedAtOf(i) ?? Number.POSITIVE_INFINITY) + this.state.partitionTimeoutMs);
    for (const b of this.pausedReported) due = Math.min(due, (this.downSince.get(b) ?? Number.POSITIVE_INFINITY) + this.state.brokerDownTimeoutMs);
    for (const since of this.lingering.values()) due = Math.min(due, since + Math.max(LINGER_MS, 5 * this.pollMs));
    return due;
  }

  /** Brokers down past the timeout give up the moves that involve them; pending ones wait meanwhile. */
  private trackDownBrokers(alive: ReadonlySet<number>, now: number, toCancel: TaskRecord[]): void {
    // A broker a task only removes does not hold it up: Kafka finishes the move without it (that is
    // how a dead broker is drained). One the task keeps or adds does.
    // A task none of whose current replicas is up waits for them as for a target.
    for (const b of [...this.downSince.keys()]) if (alive.has(b)) this.downSince.delete(b);
    const down: number[] = [];
    for (const b of this.book.openBrokers()) {
      if (alive.has(b) || ![...this.book.openOfBroker(b)].some((t) => waitsFor(t, alive).includes(b))) continue;
      if (!this.downSince.has(b)) this.downSince.set(b, now);
      down.push(b);
    }
    down.sort((a, b) => a - b);
    this.reportPause(down, alive);
    const expired = new Set(down.filter((b) => now - this.downSince.get(b)! > this.state.brokerDownTimeoutMs));
    if (expired.size === 0) return;
    const affected = new Set([...expired].flatMap((b) => [...this.book.openOfBroker(b)]));
    for (const t of this.book.sorted(affected).filter((x) => x.state === "pending" || x.state === "moving")) {
      const gone = waitsFor(t, alive).filter((b) => expired.has(b));
      if (gone.length === 0) continue;
      const note = `broker ${gone.join(", ")} down for more than ${String(Math.round(this.state.brokerDownTimeoutMs / 1000))} s`;
      if (t.state === "pending") this.finish(t, "failed", note);
      else if (!toCancel.includes(t)) {
        t.note = note;
        toCancel.push(t);
      }
    }
  }

  /**
   * Says when moves start and stop waiting for down brokers, and journals the pause for `status`.
   * A broker is reported back only when it is registered again (not when its moves were given up).
   */
  private reportPause(down: readonly number[], alive: ReadonlySet<number>): void {
    const back = this.pausedReported.filter((b) => alive.has(b));
    const changed = this.pausedReported.length !== down.length || down.some((b) => !this.pausedReported.includes(b));
    this.pausedReported = down;
    if (!changed) return;
    if (down.length > 0) this.state.paused = { brokers: [...down], since: Math.min(...down.map((b) => this.downSince.get(b)!)) };
    else delete this.state.paused;
    this.save();
    if (back.length > 0) this.emit({ type: "resumed", brokers: back });
    if (down.length > 0) this.emit({ type: "paused", brokers: down });
  }

  private async elect(tasks: readonly TaskRecord[]): Promise<void> {
    const results = byKey(await this.port.electPreferredLeaders(tasks.map((t) => ({ topic: t.topic, partition: t.partition }))));
    for (const t of tasks) {
      const r = results.get(partitionKey(t));
      if (r && r.errorCode === 0) t.elected = true;
      else this.emit({ type: "warning", message: `preferred leader election for ${partitionKey(t)} failed: ${r?.message ?? r?.errorName ?? "no result"}` });
    }
  }

  /**
   * Whether the partition of the task numbered `i` is under-replicated or has a replica offline (for
   * at-risk-first), remembered with the metadata it was read from: a poll orders thousands of ready
   * tasks, and the metadata of most partitions is the same object as at the last poll.
   */
  private atRisk(i: number, live: LiveTopics): boolean {
    const { topicNames } = this.book;
    const topic = this.book.topicNumberOf(i);
    const partition = this.book.partitionAt(i);
    // The metadata object the flag was read from, where it was (it is that partition's): no need to look inside.
    const seen = live.atIndex(topicNames, topic, partition);
    if (seen !== undefined && seen === this.riskReadFrom[i]) return this.risky[i] === 1;
    const p = live.at(topicNames, topic, partition);
    if (p === undefined) return false;
    if (this.riskReadFrom[i] !== p) {
      this.riskReadFrom[i] = p;
      this.risky[i] = Number(underReplicated(p));
    }
    return this.risky[i] === 1;
  }

  private async submit(alive: ReadonlySet<number>, live: LiveTopics): Promise<void> {
    if (this.book.count("pending") === 0) return;
    // Tasks wait while a broker they keep or add is down, or while none of their current replicas is
    // up to copy from; a down broker they only remove (a dead broker being drained) does not stop them.
    // Only the pending tasks with a free slot on each of their brokers can be chosen (mayFit).
    // With every broker of the open tasks up, as is usual, only a task with no current replica waits.
    const book = this.book;
    const fit = book.fitNumbers(this.state.limits.maxMovesPerBroker);
    const allUp = every(book.openBrokers(), (b) => alive.has(b));
    const upToMove = (t: MoveTask): boolean => t.to.every((b) => alive.has(b)) && t.from.some((b) => alive.has(b));
    const ready = fit.filter(allUp ? (i) => book.hasSource(i) : (i) => upToMove(book.taskAt(i)));
    // The strategies' order (composeStrategies), read from the book's arrays.
    const batch = book.choose(ready, this.state.limits, this.state.strategy, (i) => this.atRisk(i, live));
    if (batch.length === 0) return;
    const now = this.clock.now();
    for (const t of batch) this.transition(t, "submitting", now);
    this.save();
    await this.throttles.coverBrokers(batch.flatMap((t) => [...t.from, ...added(t)]));
    await this.throttles.addPartitions(batch);
    const results = byKey(await this.port.alterPartitionReassignments(batch.map((t) => ({ topic: t.topic, partition: t.partition, replicas: t.to }))));
    for (const t of batch) {
      const r = results.get(this.book.key(t));
      if (r && r.errorCode !== 0) this.finish(t, "failed", `Kafka refused the reassignment: ${r.message ?? r.errorName ?? String(r.errorCode)}`);
      else this.transition(t, "moving", this.clock.now());
    }
    const refused = batch.filter((t) => t.state === "failed");
    if (refused.length > 0) await this.throttles.removePartitions(refused);
    this.save();
    this.emit({ type: "submitted", partitions: batch.filter((t) => t.state === "moving").map((t) => partitionKey(t)) });
  }

  /**
   * Cancels Ballast's in-flight reassignments in Kafka (reverting them), removes its throttles, and
   * then cancels every pending task: the Kafka steps first, so that a cluster that cannot be reached
   * leaves the journal as it was (with the cancel requested) instead of reporting cancels that
   * did not happen.
   */
  async cancelAll(): Promise<void> {
    await this.revertInFlight("cancelled");
    await this.cleanUp();
    for (const t of this.tasks("pending")) this.finish(t, "cancelled");
    this.save();
  }

  /**
   * Cancels the in-flight reassignments in Kafka (reverting them); the tasks Kafka finished first
   * are done (and their preferred leaders elected, as on every path to done), the others become
   * `fate`: cancelled, or pending again to be submitted by a resume.
   */
  private async revertInFlight(fate: "cancelled" | "pending"): Promise<void> {
    const inFlight = this.tasks("submitting", "moving");
    if (inFlight.length === 0) return;
    const ongoing = new Set((await this.port.listPartitionReassignments()).map((o) => partitionKey(o)));
    const mine = inFlight.filter((t) => ongoing.has(partitionKey(t)));
    if (mine.length > 0) {
      const results = await this.port.alterPartitionReassignments(mine.map((t) => ({ topic: t.topic, partition: t.partition, replicas: null })));
      for (const r of results) {
        if (r.errorCode !== 0) this.emit({ type: "warning", message: `could not cancel ${partitionKey(r)}: ${r.message ?? r.errorName ?? String(r.errorCode)}` });
      }
    }
    // Those Kafka finished before the cancel (a reorder completes at once) are done, not
    // cancelled; which is which shows only once the brokers' metadata has caught up.
    const live = await this.settled(inFlight);
    const done: TaskRecord[] = [];
    const reverted: TaskRecord[] = [];
    for (const t of inFlight) {
      const p = live.get(partitionKey(t));
      if (p && reached(p.replicas, t)) {
        this.finish(t, "done");
        done.push(t);
      } else {
        if (fate === "cancelled") this.finish(t, "cancelled");
        else this.transition(t, "pending", this.clock.now(), "pulled back when the executor was stopped; submitted again on resume");
        reverted.push(t);
      }
    }
    this.save();
    if (done.length > 0) await this.elect(done);
    await this.restoreOrder(reverted);
    this.save();
  }

  /**
   * The live metadata of `tasks` once Kafka has no reassignment in progress for them and the
   * brokers report each on its original or its planned replica set (metadata lags the controller
   * for a moment after a cancel or a completion). Gives up after SETTLE_MS with what it last saw.
   */
  private async settled(tasks: readonly TaskRecord[]): Promise<Map<string, PartitionMetadata>> {
    const deadline = this.clock.now() + SETTLE_MS;
    for (;;) {
      const ongoing = new Set((await this.port.listPartitionReassignments()).map((o) => partitionKey(o)));
      const live = await partitionsByKey(this.port, tasks.map((t) => t.topic));
      const calm = tasks.every((t) => {
        const p = live.get(partitionKey(t));
        return p === undefined || (!ongoing.has(partitionKey(t)) && (sameSet(p.replicas, t.from) || sameSet(p.replicas, t.to)));
      });
      if (calm || this.clock.now() >= deadline) return live;
      await this.clock.sleep(Math.min(this.pollMs, 250));
    }
  }

  /**
   * A cancelled reassignment gets its replica set back but, in KRaft, in id order; reordering it
   * (no data moves) and electing restores the original preferred leader too.
   */
  private async restoreOrder(tasks: readonly TaskRecord[]): Promise<void> {
    if (tasks.length === 0) return;
    const live = await this.settled(tasks);
    const reorder = tasks.filter((t) => {
      const p = live.get(partitionKey(t));
      return p !== undefined && sameSet(p.replicas, t.from) && !sameList(p.replicas, t.from);
    });
    if (reorder.length === 0) return;
    await this.port.alterPartitionReassignments(reorder.map((t) => ({ topic: t.topic, partition: t.partition, replicas: t.from })));
    await this.port.electPreferredLeaders(reorder.map((t) => ({ topic: t.topic, partition: t.partition })));
  }

  /** Removes every throttle Ballast set (topic entries of deleted topics are gone with them). */
  async cleanUp(): Promise<void> {
    const topics = Object.keys(this.state.throttle.topics);
    const existing = new Set((await this.port.describeTopics(topics)).map((t) => t.name));
    await this.throttles.clearAll(existing);
  }

  /** Bytes of the finished partitions and what the copies in flight held at the meter's last read. */
  private bytesCopied(): number {
    let copied = this.book.bytesDone;
    for (const t of this.book.inFlight()) copied += this.meter.copiedOf(t);
    return copied;
  }

  private async progress(): Promise<void> {
    const now = this.clock.now();
    const inFlight = this.book.inFlight();
    if (await this.meter.read(inFlight, now, false, this.alive)) this.meter.sample(now, this.bytesCopied());
    const total = this.state.tasks.length;
    const bytesTotal = this.book.bytesTotal;
    const bytesCopied = this.bytesCopied();
    const rate = this.meter.rate();
    this.emit({
      type: "progress",
      done: total - this.book.count("pending", "submitting", "moving"),
      total,
      inFlight: inFlight.length,
      bytesDone: this.book.bytesDone,
      bytesCopied,
      bytesTotal,
      rate,
      etaMs: rate !== null && rate > 0 ? ((bytesTotal - bytesCopied) / rate) * 1000 : null,
      elapsedMs: Math.max(1, now - this.startedAt),
    });
  }
}

export { CANCEL_REQUEST, THROTTLE_REQUEST };
