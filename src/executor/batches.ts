/**
 * Batch planning: which pending moves to submit now, given the moves already in flight. Pure — no
 * clock, no Kafka — so the runner asks it again each time moves finish, and --dry-run uses it to print
 * every wave.
 *
 * Counting. A task touches (takes a slot on) the brokers it adds (a move in: that broker copies the
 * data) and the broker that sends the data (its leader, taken to be the first current replica: a
 * move out). A broker the task only drops does no work while the move runs and takes no slot: when
 * it did, a drained broker's slots went to moves other brokers sent, and a decommission ran at half
 * the speed its busiest sender allowed. A broker's load is the number of moves in and out touching
 * it across the in-flight and chosen tasks. Three caps hold for in-flight + chosen together:
 * - every broker's load ≤ `maxMovesPerBroker`;
 * - replica moves in the cluster (Σ added replicas) ≤ `maxMoves`;
 * - bytes being copied (Σ size × added replicas) ≤ `maxBytesInFlight`.
 * Reorder-only tasks (no added replica) copy nothing, touch no broker and are always submitted.
 * Tasks taking a slot on a blocked broker (one that is down) are left for later.
 *
 * Fairness: round-robin by levels. Selection runs in rounds r = 1, 2, …; in round r the tasks are
 * walked in strategy order and a task is taken when it fits the caps and every broker it touches has
 * fewer than r moves. So every broker gets its r-th move before any broker gets its (r+1)-th: a broker
 * with a long queue takes one move per round, like every other broker, and cannot use up the cluster
 * caps while other brokers sit idle. Within a round the strategy order decides. The last round is
 * `maxMovesPerBroker`, where the level rule is the per-broker cap itself, so the batch is maximal: no
 * task left out would fit. (Rounds in which no task can become eligible are skipped.)
 *
 * Never deadlock: when nothing is in flight and the first task in strategy order exceeds the cluster
 * move cap or the bytes cap on its own, it is submitted alone (with any reorder-only tasks). Each
 * task touches a broker at most once, so the per-broker cap (at least 1) never blocks a lone task.
 */
import { BallastError } from "../model/errors.js";
import { byPartition } from "./strategy.js";
import type { KeyedOrder, TaskOrder } from "./strategy.js";
import { demandOf } from "./types.js";
import type { BatchLimits, MoveTask, TaskDemand } from "./types.js";

/** Answers true for a broker that must not be touched now (it is down). */
export type BrokerBlocked = (brokerId: number) => boolean;

/** What a set of tasks puts in flight. */
export interface BatchLoad {
  /** Moves in + out per broker. */
  readonly perBroker: ReadonlyMap<number, number>;
  /** Replica moves (added replicas). */
  readonly moves: number;
  /** Bytes being copied (size × added replicas). */
  readonly bytes: number;
}

interface Load {
  readonly perBroker: Map<number, number>;
  moves: number;
  bytes: number;
}


function addLoad(load: Load, p: TaskDemand): void {
  if (p.moves === 0) return;
  for (const b of p.touches) load.perBroker.set(b, (load.perBroker.get(b) ?? 0) + 1);
  load.moves += p.moves;
  load.bytes += p.bytes;
}

function isLoad(x: readonly MoveTask[] | BatchLoad): x is BatchLoad {
  return !Array.isArray(x);
}

/** The load a set of tasks (usually those in flight) puts on brokers and the cluster. */
export function measureLoad(tasks: readonly MoveTask[]): BatchLoad {
  return loadOf(tasks);
}

function loadOf(tasks: readonly MoveTask[]): Load {
  const load: Load = { perBroker: new Map(), moves: 0, bytes: 0 };
  for (const t of tasks) addLoad(load, demandOf(t));
  return load;
}

/** Rejects limits the planner cannot work with (a cap below one move, a non-positive byte cap). */
export function checkLimits(limits: BatchLimits): void {
  const atLeastOne = (v: number): boolean => v >= 1 && (Number.isInteger(v) || v === Number.POSITIVE_INFINITY);
  if (!atLeastOne(limits.maxMovesPerBroker)) {
    throw new BallastError("USAGE", `moves per broker must be a whole number of at least 1, not ${String(limits.maxMovesPerBroker)}`);
  }
  if (!atLeastOne(limits.maxMoves)) {
    throw new BallastError("USAGE", `moves in the cluster must be a whole number of at least 1, not ${String(limits.maxMoves)}`);
  }
  if (!(limits.maxBytesInFlight > 0)) {
    throw new BallastError("USAGE", `bytes in flight must be more than 0, not ${String(limits.maxBytesInFlight)}`);
  }
}

/** The caller's order made total (and so deterministic) by the topic/partition tie-break. */
function totalOrder(order: TaskOrder): (a: TaskDemand, b: TaskDemand) => number {
  return (a, b) => order(a.task, b.task) || byPartition(a.task, b.task);
}

function isKeyed(order: TaskOrder): order is KeyedOrder {
  return typeof (order as Partial<KeyedOrder>).writeKey === "function";
}

/**
 * Positions 0 … count − 1 in key order: `keys` holds `width` figures per position, compared figure by
 * figure (the smaller first); `tie` orders two positions whose figures are all equal (it must be a
 * total order, so the result does not depend on the order the positions came in).
 */
export function sortByKeys(count: number, width: number, keys: Float64Array, tie: (i: number, j: number) => number): number[] {
  const compare = (i: number, j: number): number => {
    for (let f = 0; f < width; f++) {
      const x = keys[i * width + f]!;
      const y = keys[j * width + f]!;
      if (x !== y) return x - y;
    }
    return tie(i, j);
  };
  const positions = new Array<number>(count);
  for (let i = 0; i < count; i++) positions[i] = i;
  return positions.sort(compare);
}

/**
 * `demands` in the caller's order made total; with a keyed order, each task's key is read once, into
 * one flat array (an executor sorts its ready tasks at every poll: no object per task each time).
 */
function sortDemands<P extends TaskDemand>(demands: P[], order: TaskOrder): P[] {
  if (!isKeyed(order)) return demands.sort(totalOrder(order));
  const width = order.width;
  const keys = new Float64Array(demands.length * width);
  for (let i = 0; i < demands.length; i++) order.writeKey(demands[i]!, keys, i * width);
  return sortByKeys(demands.length, width, keys, (i, j) => byPartition(demands[i]!.task, demands[j]!.task)).map((i) => demands[i]!);
}

/**
 * The demands of many tasks in flat arrays, by task number (the task book keeps one for all its
 * tasks; select makes one for its candidates). Task i takes a slot on each broker numbered
 * slots[slotStart[i]] … slots[slotStart[i + 1] − 1] (brokers numbered densely from 0).
 */
export interface DemandTable {
  readonly slotStart: Int32Array;
  readonly slots: Int32Array;
  /** Added replicas (replica moves). */
  readonly moves: Int32Array;
  /** Bytes copied: size × added replicas. */
  readonly bytes: Float64Array;
}

/** A load with brokers numbered as in a DemandTable: moves in + out by broker number. */
export interface NumberedLoad {
  readonly perBroker: Int32Array;
  moves: number;
  bytes: number;
}

/**
 * The selection rule (see the top of this file) over tasks given by their numbers in `table`, already
 * in strategy order, given `load`, which it raises with the choice. Returns the chosen numbers in
 * strategy order.
 */
export function selectNumbers(table: DemandTable, sorted: readonly number[], load: NumberedLoad, limits: BatchLimits): number[] {
  const { slotStart, slots, moves, bytes } = table;
  const loads = load.perBroker;
  const chosen = new Uint8Array(sorted.length);
  const take = (at: number): void => {
    const i = sorted[at]!;
    chosen[at] = 1;
    for (let k = slotStart[i]!; k < slotStart[i + 1]!; k++) loads[slots[k]!]!++;
    load.moves += moves[i]!;
    load.bytes += bytes[i]!;
  };
  // Reorder-only tasks copy nothing and are always taken; the others are candidates, by position,
  // the `count` first of `left` (a pass keeps some of them in `kept`, and the two swap).
  let left = new Int32Array(sorted.length);
  let kept = new Int32Array(sorted.length);
  let count = 0;
  for (let at = 0; at < sorted.length; at++) {
    if (moves[sorted[at]!] === 0) chosen[at] = 1;
    else left[count++] = at;
  }
  const first = left[0]!;
  if (count > 0 && load.moves === 0 && (moves[sorted[first]!]! > limits.maxMoves || bytes[sorted[first]!]! > limits.maxBytesInFlight)) {
    take(first);
    count = 0;
  }
  let level = 1;
  while (count > 0) {
    let keep = 0;
    let nextLevel = Number.POSITIVE_INFINITY;
    for (let c = 0; c < count; c++) {
      const at = left[c]!;
      const i = sorted[at]!;
      // Loads only grow during one selection, so a task over a cap now stays over it: drop it.
      if (load.moves + moves[i]! > limits.maxMoves || load.bytes + bytes[i]! > limits.maxBytesInFlight) continue;
      let peak = 0;
      for (let k = slotStart[i]!; k < slotStart[i + 1]!; k++) peak = Math.max(peak, loads[slots[k]!]!);
      if (peak >= limits.maxMovesPerBroker) continue;
      if (peak >= level) {
        kept[keep++] = at;
        nextLevel = Math.min(nextLevel, peak + 1);
        continue;
      }
      take(at);
    }
    [left, kept] = [kept, left];
    count = keep;
    // A kept task needs at least the level after its peak when it was kept (peaks only grow).
    level = Math.max(level + 1, nextLevel);
  }
  const out: number[] = [];
  for (let at = 0; at < sorted.length; at++) if (chosen[at] === 1) out.push(sorted[at]!);
  return out;
}

/** The demands of `demands` by their position, each broker they touch by its number (`numberOf`). */
export function demandTable(demands: readonly TaskDemand[], numberOf: (broker: number) => number): DemandTable {
  const slotStart = new Int32Array(demands.length + 1);
  const slots: number[] = [];
  const moves = new Int32Array(demands.length);
  const bytes = new Float64Array(demands.length);
  demands.forEach((p, i) => {
    slotStart[i] = slots.length;
    moves[i] = p.moves;
    bytes[i] = p.bytes;
    if (p.moves === 0) return;
    for (const b of p.touches) slots.push(numberOf(b));
  });
  slotStart[demands.length] = slots.length;
  return { slotStart, slots: Int32Array.from(slots), moves, bytes };
}

/** demandTable with the brokers numbered densely from 0 in the order met (`numbers`: id → number). */
function numberedTable(demands: readonly TaskDemand[]): { table: DemandTable; numbers: Map<number, number> } {
  const numbers = new Map<number, number>();
  const numberOf = (b: number): number => {
    let n = numbers.get(b);
    if (n === undefined) numbers.set(b, (n = numbers.size));
    return n;
  };
  return { table: demandTable(demands, numberOf), numbers };
}

/**
 * Chooses among `sorted` (already in strategy order) given `load`, which it updates with the choice.
 * Returns the chosen tasks in strategy order.
 */
function select<T extends MoveTask>(
  sorted: readonly TaskDemand<T>[],
  load: Load,
  limits: BatchLimits,
  blocked?: BrokerBlocked,
): TaskDemand<T>[] {
  const pool = blocked ? sorted.filter((p) => p.moves === 0 || !p.touches.some(blocked)) : sorted;
  const { table, numbers } = numberedTable(pool);
  const perBroker = new Int32Array(numbers.size);
  for (const [b, n] of numbers) perBroker[n] = load.perBroker.get(b) ?? 0;
  const numbered: NumberedLoad = { perBroker, moves: load.moves, bytes: load.bytes };
  const chosen = selectNumbers(table, Array.from(pool.keys()), numbered, limits);
  for (const [b, n] of numbers) if (perBroker[n]! > 0) load.perBroker.set(b, perBroker[n]!);
  load.moves = numbered.moves;
  load.bytes = numbered.bytes;
  return chosen.map((i) => pool[i]!);
}

/** A copy of `load` that a selection may add to. */
function copyLoad(load: BatchLoad): Load {
  return { perBroker: new Map(load.perBroker), moves: load.moves, bytes: load.bytes };
}

/**
 * The pending tasks to submit now, in strategy order, given those in flight: the tasks, or the load
 * they put on brokers (measureLoad; a caller that keeps it up to date need not pass every task in
 * flight at each poll). Pure. `order` is usually `composeStrategies(…)`; ties it leaves are broken
 * by topic, then partition. Generic so a caller's richer task records come back as they went in.
 */
export function planBatch<T extends MoveTask>(
  pending: readonly T[],
  inFlight: readonly MoveTask[] | BatchLoad,
  limits: BatchLimits,
  order: TaskOrder,
  blocked?: BrokerBlocked,
): T[] {
  return planDemands(pending.map(demandOf), inFlight, limits, order, blocked);
}

/** planBatch for tasks whose demands the caller keeps (the task book does): no lookup per task. */
export function planDemands<T extends MoveTask>(
  pending: readonly TaskDemand<T>[],
  inFlight: readonly MoveTask[] | BatchLoad,
  limits: BatchLimits,
  order: TaskOrder,
  blocked?: BrokerBlocked,
): T[] {
  checkLimits(limits);
  const load = isLoad(inFlight) ? copyLoad(inFlight) : loadOf(inFlight);
  // Tasks on a blocked broker or on one already at its cap cannot be chosen (loads only grow):
  // leave them out before sorting, which is most of the work when most brokers are busy.
  const open = (p: TaskDemand<T>): boolean =>
    p.moves === 0 || !p.touches.some((b) => (blocked !== undefined && blocked(b)) || (load.perBroker.get(b) ?? 0) >= limits.maxMovesPerBroker);
  const sorted = sortDemands(pending.filter(open), order);
  return select(sorted, load, limits, blocked).map((p) => p.task);
}

/**
 * Every wave of a plan, assuming each wave completes before the next starts (what --dry-run prints).
 * Pure. Every task lands in exactly one wave: each wave takes at least one task.
 */
export function planAllBatches<T extends MoveTask>(tasks: readonly T[], limits: BatchLimits, order: TaskOrder): T[][] {
  checkLimits(limits);
  const sorted = sortDemands(tasks.map(demandOf), order);
  // Numbered once for every wave: each wave is a selection among those left, with nothing in flight.
  const { table, numbers } = numberedTable(sorted);
  let remaining = Array.from(sorted.keys());
  const waves: T[][] = [];
  while (remaining.length > 0) {
    const wave = selectNumbers(table, remaining, { perBroker: new Int32Array(numbers.size), moves: 0, bytes: 0 }, limits);
    if (wave.length === 0) throw new Error("batch planner made no progress"); // unreachable: see select
    const taken = new Uint8Array(sorted.length);
    for (const i of wave) taken[i] = 1;
    remaining = remaining.filter((i) => taken[i] === 0);
    waves.push(wave.map((i) => sorted[i]!.task));
  }
  return waves;
}
