/**
 * Execution model shared by the batch planner, the runner, the journal and the simulator.
 */

/** One partition's reassignment. */
export interface MoveTask {
  readonly topic: string;
  readonly partition: number;
  /** Replicas before the plan (also the rollback target). */
  readonly from: readonly number[];
  /** Replicas the plan asks for, in order (first = preferred leader). */
  readonly to: readonly number[];
  /** Bytes per replica (partition size), for ordering and the bytes-in-flight cap. */
  readonly size: number;
}

/** Brokers a task adds (they copy the data) and removes. */
export function added(task: MoveTask): number[] {
  return task.to.filter((b) => !task.from.includes(b));
}

export function removed(task: MoveTask): number[] {
  return task.from.filter((b) => !task.to.includes(b));
}

/**
 * What a task asks of brokers, the figures the batch planner, the movement strategies and the task
 * book read at every poll: made once per task (its replicas and size do not change).
 */
export interface TaskDemand<T extends MoveTask = MoveTask> {
  readonly task: T;
  /**
   * Brokers whose slots it takes (batches.ts): those it adds, which copy the data in, then the one
   * that sends it (its leader, taken to be the first current replica) unless it adds that one too.
   * None for a reorder, which copies nothing.
   */
  readonly touches: readonly number[];
  /** Added replicas (replica moves). */
  readonly moves: number;
  /** Bytes it copies: size × added replicas. */
  readonly bytes: number;
}

/** The brokers whose slots a task takes (TaskDemand.touches). */
export function slotBrokers(task: MoveTask): number[] {
  return touchesOf(task, added(task));
}

function touchesOf(task: MoveTask, adds: number[]): number[] {
  if (adds.length === 0) return [];
  const sender = task.from[0];
  return sender === undefined || adds.includes(sender) ? adds : [...adds, sender];
}

const demands = new WeakMap<MoveTask, TaskDemand>();

/** A task's demand, made on first use and kept with the task. */
export function demandOf<T extends MoveTask>(task: T): TaskDemand<T> {
  let d = demands.get(task);
  if (d === undefined) {
    d = demandFor(task);
    demands.set(task, d);
  }
  return d as TaskDemand<T>;
}

/** A task's demand made anew, from the replicas it adds (for a caller keeping its own record). */
export function demandFor<T extends MoveTask>(task: T, adds: number[] = added(task)): TaskDemand<T> {
  return { task, touches: touchesOf(task, adds), moves: adds.length, bytes: task.size * adds.length };
}

/** A task that only reorders replicas: no data moves, it completes at once. */
export function isReorderOnly(task: MoveTask): boolean {
  return added(task).length === 0;
}

export interface BatchLimits {
  /** Most replica moves in flight per broker, counting moves in (it copies) and out (it sends; batches.ts) (default 5). */
  readonly maxMovesPerBroker: number;
  /** Most replica moves in flight in the whole cluster (default: unlimited). */
  readonly maxMoves: number;
  /** Most bytes being copied at once (sum of size × added replicas; default: unlimited). */
  readonly maxBytesInFlight: number;
}

export const DEFAULT_LIMITS: BatchLimits = {
  maxMovesPerBroker: 5,
  maxMoves: Number.POSITIVE_INFINITY,
  maxBytesInFlight: Number.POSITIVE_INFINITY,
};

export const STRATEGY_NAMES = ["small-first", "large-first", "at-risk-first", "busiest-first"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * The default batch order: partitions at risk first, then those on the brokers with the most work
 * left, the longest copies first (with heavy-tailed sizes, small-first starts the largest copies last
 * and the busiest brokers finish late).
 */
export const DEFAULT_STRATEGY: readonly StrategyName[] = ["at-risk-first", "busiest-first", "large-first"];

/** What the batch planner knows of a partition's health when ordering (at-risk-first). */
export interface TaskHealth {
  /** In-sync replicas fewer than the replication factor, or a replica offline. */
  readonly atRisk: boolean;
}

/** Time, injected: the real clock in the CLI, a virtual one in the simulator and tests. */
export interface Clock {
  now(): number;
  /**
   * Waits `ms`. `wakeBy` is a time (on this clock) from which the sleeper has something to check,
   * such as a time-out: a clock that sleeps exactly `ms` has no use for it; one that skips polls at
   * which nothing changed (the simulator's) ends the sleep at the first poll at or after it.
   */
  sleep(ms: number, wakeBy?: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
