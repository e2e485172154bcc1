/**
 * Movement strategies: the order in which the batch planner offers pending moves. Each strategy is a
 * comparator on MoveTask; strategies chain (the first that tells two tasks apart decides, as in Cruise
 * Control's `executor/strategy/`), and every chain ends with a tie-break on topic name, then partition,
 * so the order never depends on the order tasks arrived in.
 */
import { BallastError } from "../model/errors.js";
import { STRATEGY_NAMES } from "./types.js";
import { added } from "./types.js";
import type { MoveTask, StrategyName, TaskHealth } from "./types.js";

/** Orders two tasks: negative when `a` goes first. */
export type TaskOrder = (a: MoveTask, b: MoveTask) => number;

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

/** A task's figure read once per comparator: a sort compares each task many times. */
function once(figure: (t: MoveTask) => number): (t: MoveTask) => number {
  const known = new Map<MoveTask, number>();
  return (t) => {
    let v = known.get(t);
    if (v === undefined) {
      v = figure(t);
      known.set(t, v);
    }
    return v;
  };
}

/** Deterministic tie-break: topic name (by code unit, not locale), then partition number. */
export function byPartition(a: MoveTask, b: MoveTask): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/** Fewer bytes to copy first. */
export const smallFirst: TaskOrder = (a, b) => bytesToCopy(a) - bytesToCopy(b);

/** More bytes to copy first. */
export const largeFirst: TaskOrder = (a, b) => bytesToCopy(b) - bytesToCopy(a);

/**
 * Tasks whose busiest broker (the most work left among the brokers it sends from or copies to) has
 * more work left go first: the execution ends no sooner than its busiest broker, so that broker is
 * kept fed. Reorder-only tasks copy nothing and count as 0. Each task's figure is read once per
 * comparator: make a new comparator when the work left changes.
 */
export function busiestFirst(workLeft: WorkLeft): TaskOrder {
  const busiest = once((t) => {
    const adds = added(t);
    if (adds.length === 0) return 0;
    let most = workLeft(t.from[0] ?? -1);
    for (const b of adds) most = Math.max(most, workLeft(b));
    return most;
  });
  return (a, b) => busiest(b) - busiest(a);
}

/** Tasks whose partition is at risk (under-replicated or with a replica offline) first; health is read once per task. */
export function atRiskFirst(health: HealthLookup): TaskOrder {
  const risk = once((t) => Number(health(t).atRisk));
  return (a, b) => risk(b) - risk(a);
}

/** The comparator one strategy name stands for; `workLeft` serves busiest-first (default: none left). */
export function strategyOrder(name: StrategyName, health: HealthLookup, workLeft: WorkLeft = () => 0): TaskOrder {
  switch (name) {
    case "busiest-first":
      return busiestFirst(workLeft);
    case "small-first": {
      const size = once(bytesToCopy);
      return (a, b) => size(a) - size(b);
    }
    case "large-first": {
      const size = once(bytesToCopy);
      return (a, b) => size(b) - size(a);
    }
    case "at-risk-first":
      return atRiskFirst(health);
  }
}

/**
 * Chains strategies in the given order and ends with the topic/partition tie-break, so two distinct
 * partitions never compare equal. With no names the order is the tie-break alone.
 */
export function composeStrategies(names: readonly StrategyName[], health: HealthLookup, workLeft?: WorkLeft): TaskOrder {
  const orders = names.map((n) => strategyOrder(n, health, workLeft));
  return (a, b) => {
    for (const order of orders) {
      const c = order(a, b);
      if (c !== 0) return c;
    }
    return byPartition(a, b);
  };
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
