/**
 * Movement strategies: the order in which the batch planner offers pending moves. Each strategy is a
 * comparator on MoveTask; strategies chain (the first that tells two tasks apart decides, as in Cruise
 * Control's `executor/strategy/`), and every chain ends with a tie-break on topic name, then partition,
 * so the order never depends on the order tasks arrived in.
 */
import { BallastError } from "../model/errors.js";
import { STRATEGY_NAMES } from "./types.js";
import { added, demandOf } from "./types.js";
import type { MoveTask, StrategyName, TaskDemand, TaskHealth } from "./types.js";

/** Orders two tasks: negative when `a` goes first. */
export type TaskOrder = (a: MoveTask, b: MoveTask) => number;

/**
 * An order that is also a key per task: tasks compare as their keys do, figure by figure (the
 * smaller first), then by the topic/partition tie-break. A caller sorting many tasks reads each
 * key once instead of looking figures up at every comparison.
 */
export interface KeyedOrder extends TaskOrder {
  readonly keyOf: (task: MoveTask) => readonly number[];
  /** How many figures a key has. */
  readonly width: number;
  /** Writes a task's key (keyOf's figures), from its demand, into `out` from index `at`, making no array. */
  readonly writeKey: (demand: TaskDemand, out: Float64Array, at: number) => void;
}

/** Compares two keys of a KeyedOrder, figure by figure: negative when `a` goes first, 0 when equal. */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x - y;
  }
  return 0;
}

/** Looks up what the planner knows of a task's partition health (for at-risk-first). */
export type HealthLookup = (task: MoveTask) => TaskHealth;

/** Bytes a broker still has to send or receive over the unfinished tasks (see workLeftPerBroker). */
export type WorkLeft = (brokerId: number) => number;

/**
 * Bytes each broker has to send (as the copying leader, taken to be the first current replica, once
 * per added replica) or to receive (as an adding broker) over `tasks`: the work that decides when the
 * broker, and so the execution, can finish.
 */
export function workLeftPerBroker(tasks: readonly MoveTask[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tasks) {
    const adds = added(t);
    const leader = t.from[0];
    if (leader !== undefined && adds.length > 0) out.set(leader, (out.get(leader) ?? 0) + t.size * adds.length);
    for (const b of adds) out.set(b, (out.get(b) ?? 0) + t.size);
  }
  return out;
}

/** Bytes a task copies: the partition size once per added replica. */
export function bytesToCopy(task: MoveTask): number {
  let n = 0;
  for (const b of task.to) if (!task.from.includes(b)) n++;
  return task.size * n;
}

/** Deterministic tie-break: topic name (by code unit, not locale), then partition number. */
export function byPartition(a: MoveTask, b: MoveTask): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/** What the strategies read of a task T (its demand, or its number in the task book). */
export interface TaskFigures<T> {
  /** Bytes the task copies: size × added replicas. */
  bytesOf(t: T): number;
  atRisk(t: T): boolean;
  /** The most work left among the brokers whose slots the task takes (0 for none: a reorder). */
  mostWorkLeft(t: T): number;
}

/**
 * The figure one strategy name stands for: tasks with the smaller figure go first. small-first:
 * the bytes to copy; large-first: the same negated; busiest-first: the most work left among the
 * brokers a task sends from or copies to, negated (the busiest goes first: the execution ends no
 * sooner than its busiest broker, so that broker is kept fed); at-risk-first: −1 for a partition
 * under-replicated or with a replica offline.
 */
function strategyFigure<T>(name: StrategyName, tasks: TaskFigures<T>): (t: T) => number {
  switch (name) {
    case "busiest-first":
      return (t) => -tasks.mostWorkLeft(t);
    case "small-first":
      return (t) => tasks.bytesOf(t);
    case "large-first":
      return (t) => -tasks.bytesOf(t);
    case "at-risk-first":
      return (t) => -Number(tasks.atRisk(t));
  }
}

/** TaskFigures of demands, with `health` and `workLeft` per broker (by default none left). */
function demandFigures(health: HealthLookup, workLeft: WorkLeft = () => 0): TaskFigures<TaskDemand> {
  return {
    bytesOf: (d) => d.bytes,
    atRisk: (d) => health(d.task).atRisk,
    mostWorkLeft: ({ touches }) => {
      if (touches.length === 0) return 0;
      let most = Number.NEGATIVE_INFINITY;
      for (const b of touches) most = Math.max(most, workLeft(b));
      return most;
    },
  };
}

/** What the strategies read of tasks given by number (the task book's), instead of their demands. */
export type NumberedTasks = TaskFigures<number>;

/**
 * The keys composeStrategies(names, …) gives the tasks numbered `numbers`, figure by figure into one
 * flat array (names.length figures per task, in the order of `numbers`): the same figures, read from
 * the task book's arrays with one pass per strategy and no object per task.
 */
export function numberedKeys(names: readonly StrategyName[], numbers: readonly number[], tasks: NumberedTasks): Float64Array {
  const width = names.length;
  const keys = new Float64Array(numbers.length * width);
  names.forEach((name, f) => {
    const figure = strategyFigure(name, tasks);
    for (let at = 0; at < numbers.length; at++) keys[at * width + f] = figure(numbers[at]!);
  });
  return keys;
}

/**
 * Chains strategies in the given order and ends with the topic/partition tie-break, so two distinct
 * partitions never compare equal. With no names the order is the tie-break alone. Each task's
 * figures are read once per order (its key): make a new order when the work left changes.
 */
export function composeStrategies(names: readonly StrategyName[], health: HealthLookup, workLeft?: WorkLeft): KeyedOrder {
  const tasks = demandFigures(health, workLeft);
  const figures = names.map((n) => strategyFigure(n, tasks));
  const writeKey = (d: TaskDemand, out: Float64Array | number[], at: number): void => {
    for (let i = 0; i < figures.length; i++) out[at + i] = figures[i]!(d);
  };
  const keyOf = (t: MoveTask): number[] => {
    const key = new Array<number>(figures.length);
    writeKey(demandOf(t), key, 0);
    return key;
  };
  const keys = new Map<MoveTask, readonly number[]>();
  const key = (t: MoveTask): readonly number[] => {
    let k = keys.get(t);
    if (k === undefined) {
      k = keyOf(t);
      keys.set(t, k);
    }
    return k;
  };
  return Object.assign((a: MoveTask, b: MoveTask) => compareKeys(key(a), key(b)) || byPartition(a, b), { keyOf, width: figures.length, writeKey });
}

function isStrategyName(s: string): s is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(s);
}

/**
 * Parses a comma-separated strategy list such as `at-risk-first,small-first` (spaces around names are
 * allowed). Unknown, repeated or missing names are USAGE errors that list the valid ones.
 */
export function parseStrategies(spec: string): StrategyName[] {
  const valid = STRATEGY_NAMES.join(", ");
  const parts = spec.split(",").map((s) => s.trim());
  if (parts.every((s) => s === "")) {
    throw new BallastError("USAGE", `no movement strategy given; valid strategies: ${valid}`);
  }
  const names: StrategyName[] = [];
  for (const part of parts) {
    if (part === "") throw new BallastError("USAGE", `empty strategy name in "${spec}"; valid strategies: ${valid}`);
    if (!isStrategyName(part)) {
      throw new BallastError("USAGE", `unknown movement strategy "${part}"; valid strategies: ${valid}`);
    }
    if (names.includes(part)) throw new BallastError("USAGE", `movement strategy "${part}" is listed twice`);
    names.push(part);
  }
  return names;
}
