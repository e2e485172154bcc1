/**
 * The tasks of an execution with the indexes the executor's loop asks for at every poll, kept up to
 * date at each change of a task's state (the only door: `move`). Without them a poll rescanned every
 * task several times over (tasks by state, bytes done, work left per broker, in-flight load, pending
 * tasks that might fit), which made a plan of thousands of moves quadratic; with them a poll costs
 * in proportion to what is in flight and what changed.
 *
 * What a poll reads for each of thousands of tasks (their demands, states in flight, keys, work left
 * per broker, the pending tasks waiting on each full broker) is kept in typed arrays by task number
 * (its index in the journal), so that the poll walks flat arrays instead of scattered objects, Maps
 * and Sets; `choose` picks the next batch from them by the planner's own rule (batches.ts).
 *
 * `recount` computes every figure again from the task list alone: the tests check the indexes
 * against it.
 */
import { checkLimits, demandTable, selectNumbers, sortByKeys } from "./batches.js";
import type { BatchLoad, DemandTable } from "./batches.js";
import type { TaskRecord, TaskState } from "./journal.js";
import { transition } from "./journal.js";
import { NumberLists } from "./number-lists.js";
import { partitionKey } from "./port.js";
import { byPartition, numberedKeys, workLeftPerBroker } from "./strategy.js";
import type { NumberedTasks } from "./strategy.js";
import { added, demandFor, slotBrokers } from "./types.js";
import type { BatchLimits, StrategyName, TaskDemand } from "./types.js";

const OPEN_STATES: readonly TaskState[] = ["pending", "submitting", "moving"];
const ALL_STATES: readonly TaskState[] = ["pending", "submitting", "moving", "done", "failed", "skipped", "cancelled", "timed-out"];

const isOpen = (s: TaskState): boolean => s === "pending" || s === "submitting" || s === "moving";
const isInFlight = (s: TaskState): boolean => s === "submitting" || s === "moving";

/**
 * What never changes about a task: where it is in the journal and what it asks of brokers (its
 * demand: the brokers whose slots it takes, its moves and bytes).
 */
interface Entry extends TaskDemand<TaskRecord> {
  readonly index: number;
  readonly key: string;
  /** The brokers of `touches` as numbered in the book (see TaskBook.slotIndex). */
  readonly slotIndexes: readonly number[];
  /** Its current and target replicas, each once. */
  readonly brokers: readonly number[];
  readonly size: number;
  /** Its copying leader (taken to be the first current replica, as workLeftPerBroker does); none for a reorder. */
  readonly leader: number | undefined;
  readonly adds: readonly number[];
}

/** Every figure the book keeps, in plain data (for comparing the indexes with a recount). */
export interface BookFigures {
  readonly counts: Readonly<Record<TaskState, number>>;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Broker → bytes to send or receive over the open tasks (workLeftPerBroker), without zeros. */
  readonly workLeft: ReadonlyMap<number, number>;
  readonly inFlight: { readonly perBroker: ReadonlyMap<number, number>; readonly moves: number; readonly bytes: number };
  /** Topic → open tasks (keys), sorted. */
  readonly openByTopic: ReadonlyMap<string, readonly string[]>;
}

function add<K>(map: Map<K, number>, key: K, by: number): void {
  const v = (map.get(key) ?? 0) + by;
  if (v === 0) map.delete(key);
  else map.set(key, v);
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

function entryOf(task: TaskRecord, index: number, slotIndex: (b: number) => number): Entry {
  const adds = added(task);
  const { touches, moves, bytes } = demandFor(task, adds);
  const brokers: number[] = [];
  for (const b of task.from) if (!brokers.includes(b)) brokers.push(b);
  for (const b of task.to) if (!brokers.includes(b)) brokers.push(b);
  // One literal of a fixed shape (a spread of the demand made each entry a slow copy).
  return {
    task,
    touches,
    moves,
    bytes,
    index,
    key: partitionKey(task),
    slotIndexes: touches.map(slotIndex),
    brokers,
    size: task.size,
    leader: adds.length > 0 ? task.from[0] : undefined,
    adds,
  };
}

/** Each task's place in topic/partition order (byPartition), by task number. */
function rankByPartition(tasks: readonly TaskRecord[]): Int32Array {
  const rank = new Int32Array(tasks.length);
  const order = Array.from(tasks.keys()).sort((a, b) => byPartition(tasks[a]!, tasks[b]!));
  order.forEach((i, at) => (rank[i] = at));
  return rank;
}

export class TaskBook {
  private readonly entries = new Map<TaskRecord, Entry>();
  private readonly byState = new Map<TaskState, Set<TaskRecord>>(ALL_STATES.map((s) => [s, new Set()]));
  private readonly openByTopic = new Map<string, Set<TaskRecord>>();
  private readonly openByBroker = new Map<number, Set<TaskRecord>>();
  private readonly work = new Map<number, number>();
  private readonly flightPerBroker = new Map<number, number>();
  /** Brokers whose slots tasks take, numbered from 0 (slot numbers). */
  private readonly slotIndexes = new Map<number, number>();
  /** By slot number: moves in flight, and work left (as `work`). */
  private readonly flightAt: Int32Array;
  private readonly workAt: Float64Array;
  private flightMoves = 0;
  private flightBytes = 0;
  private doneBytes = 0;
  readonly bytesTotal: number;
  readonly movesTotal: number;
  /** The entries by task number (journal index), and their demands in flat arrays. */
  private readonly entryAt: readonly Entry[];
  private readonly table: DemandTable;
  /** By task number: whether it has a current replica. */
  private readonly sourced: Uint8Array;
  /** By task number: its topic's number (in `topicNames`) and its partition. */
  private readonly topicOf: Int32Array;
  private readonly partitionOf: Int32Array;
  /** The tasks' topics, each once, numbered from 0 in order of first appearance. */
  readonly topicNames: readonly string[];
  /** By task number: its partition key (as its entry's, in one array: settling reads them at every poll). */
  private readonly keys: readonly string[];
  /** The tasks in flight by number: on list 0 when submitting, 1 when moving. */
  private readonly flying: NumberLists;
  /** By task number: its submittedAt (NaN when it has none), as the task records it. */
  private readonly since: Float64Array;
  /** By task number: its place in topic/partition order (the strategies' tie-break), made on first use. */
  private rank: Int32Array | undefined;
  /**
   * The pending tasks for mayFit: each on the list of the full broker (slot number) it waited on at
   * the last look, or on the `recheck` list (new to pending, or fitting at the last look).
   */
  private readonly lists: NumberLists;
  private readonly recheck: number;
  /** Brokers (slot numbers) whose in-flight load went down since the last `mayFit`. */
  private readonly freed = new Set<number>();
  private lastCap: number | undefined;

  constructor(readonly tasks: readonly TaskRecord[]) {
    let bytes = 0;
    let moves = 0;
    const slotIndex = (b: number): number => {
      let i = this.slotIndexes.get(b);
      if (i === undefined) {
        i = this.slotIndexes.size;
        this.slotIndexes.set(b, i);
      }
      return i;
    };
    this.entryAt = tasks.map((t, i) => entryOf(t, i, slotIndex));
    const slots = this.slotIndexes.size;
    this.flightAt = new Int32Array(slots);
    this.workAt = new Float64Array(slots);
    this.lists = new NumberLists(tasks.length, slots + 1);
    this.recheck = slots;
    this.table = demandTable(this.entryAt, slotIndex);
    this.sourced = Uint8Array.from(tasks, (t) => Number(t.from.length > 0));
    const topicNumbers = new Map<string, number>();
    this.topicOf = Int32Array.from(tasks, (t) => {
      let n = topicNumbers.get(t.topic);
      if (n === undefined) topicNumbers.set(t.topic, (n = topicNumbers.size));
      return n;
    });
    this.topicNames = [...topicNumbers.keys()];
    this.partitionOf = Int32Array.from(tasks, (t) => t.partition);
    this.flying = new NumberLists(tasks.length, 2);
    this.since = new Float64Array(tasks.length);
    this.keys = this.entryAt.map((e) => e.key);
    tasks.forEach((t, i) => {
      const e = this.entryAt[i]!;
      this.entries.set(t, e);
      bytes += e.bytes;
      moves += e.moves;
      this.enter(t, e, t.state);
    });
    this.bytesTotal = bytes;
    this.movesTotal = moves;
  }

  private entry(t: TaskRecord): Entry {
    const e = this.entries.get(t);
    if (!e) throw new Error(`bug: task ${partitionKey(t)} is not in the book`);
    return e;
  }

  /** The task's partition key (`topic-partition`), computed once. */
  key(t: TaskRecord): string {
    return this.entry(t).key;
  }

  /** Changes a task's state (journal.ts's transition table applies) and every index with it. */
  move(t: TaskRecord, to: TaskState, now: number, note?: string): void {
    const was = t.state;
    transition(t, to, now, note);
    if (t.state === was) return;
    const e = this.entry(t);
    // From one open state to another, the task stays in the open-task indexes.
    const stays = isOpen(was) && isOpen(t.state);
    this.leave(t, e, was, stays);
    this.enter(t, e, t.state, stays);
  }

  private enter(t: TaskRecord, e: Entry, s: TaskState, stays = false): void {
    this.byState.get(s)!.add(t);
    this.since[e.index] = t.submittedAt ?? Number.NaN;
    if (s === "done") this.doneBytes += e.bytes;
    if (isOpen(s)) {
      if (!stays) {
        addTo(this.openByTopic, t.topic, t);
        for (const b of e.brokers) addTo(this.openByBroker, b, t);
      }
      this.addWork(e, 1);
    }
    if (s === "pending") this.lists.put(e.index, this.recheck);
    if (isInFlight(s)) {
      this.addFlight(e, 1);
      this.flying.put(e.index, s === "submitting" ? 0 : 1);
    }
  }

  private leave(t: TaskRecord, e: Entry, s: TaskState, stays: boolean): void {
    this.byState.get(s)!.delete(t);
    if (s === "done") this.doneBytes -= e.bytes;
    if (isOpen(s)) {
      if (!stays) {
        removeFrom(this.openByTopic, t.topic, t);
        for (const b of e.brokers) removeFrom(this.openByBroker, b, t);
      }
      this.addWork(e, -1);
    }
    if (s === "pending") this.lists.remove(e.index);
    if (isInFlight(s)) {
      this.flying.remove(e.index);
      this.addFlight(e, -1);
      for (const i of e.slotIndexes) this.freed.add(i);
    }
  }

  private addWork(e: Entry, sign: 1 | -1): void {
    if (e.leader === undefined) return;
    add(this.work, e.leader, sign * e.bytes);
    for (const b of e.adds) add(this.work, b, sign * e.size);
    // The slots of a copying task are those of its added brokers, then that of its leader.
    const slots = e.slotIndexes;
    this.workAt[slots[e.adds.length]!]! += sign * e.bytes;
    for (let k = 0; k < e.adds.length; k++) this.workAt[slots[k]!]! += sign * e.size;
  }

  private addFlight(e: Entry, sign: 1 | -1): void {
    if (e.moves === 0) return;
    for (const b of e.touches) add(this.flightPerBroker, b, sign);
    for (const i of e.slotIndexes) this.flightAt[i]! += sign;
    this.flightMoves += sign * e.moves;
    this.flightBytes += sign * e.bytes;
  }

  /** The tasks in any of `states`, in journal order. */
  inState(...states: TaskState[]): TaskRecord[] {
    if (states.length === 1) return this.sorted(this.byState.get(states[0]!)!);
    const out: TaskRecord[] = [];
    for (const s of states) for (const t of this.byState.get(s)!) out.push(t);
    return this.sorted(out);
  }

  /** `tasks` in journal order. */
  sorted(tasks: Iterable<TaskRecord>): TaskRecord[] {
    return [...tasks].sort((a, b) => this.entry(a).index - this.entry(b).index);
  }

  count(...states: TaskState[]): number {
    let n = 0;
    for (const s of states) n += this.byState.get(s)!.size;
    return n;
  }

  /** Tasks in flight (submitting or moving), in no particular order. */
  inFlight(): TaskRecord[] {
    return [...this.byState.get("submitting")!, ...this.byState.get("moving")!];
  }

  get bytesDone(): number {
    return this.doneBytes;
  }

  /** Bytes broker `b` still has to send or receive over the open tasks (strategy.ts's workLeftPerBroker). */
  workLeft(b: number): number {
    return this.work.get(b) ?? 0;
  }

  /** What the tasks in flight put on brokers and the cluster (batches.ts's measureLoad of them). */
  inFlightLoad(): BatchLoad {
    return { perBroker: this.flightPerBroker, moves: this.flightMoves, bytes: this.flightBytes };
  }

  /** Topics with open tasks. */
  openTopics(): string[] {
    return [...this.openByTopic.keys()];
  }

  /** The open tasks of `topic`, in no particular order. */
  openOfTopic(topic: string): ReadonlySet<TaskRecord> {
    return this.openByTopic.get(topic) ?? new Set();
  }

  /** The open tasks that have broker `b` among their current or target replicas. */
  openOfBroker(b: number): ReadonlySet<TaskRecord> {
    return this.openByBroker.get(b) ?? new Set();
  }

  /** Brokers some open task has among its current or target replicas. */
  openBrokers(): Iterable<number> {
    return this.openByBroker.keys();
  }

  /**
   * The pending tasks that can be chosen now under a cap of `maxPerBroker` moves per broker: those
   * copying nothing, and those every broker of whose slots has one free. The rest cannot be
   * (batches.ts: loads only grow during a selection), so the planner need not see them. Looks only
   * at tasks new to pending, those left from the last call, and those waiting on a broker whose
   * load went down since (a task that does not fit waits on one full broker of its own: it cannot fit
   * before that broker's load goes down, and it is looked at again only then). Each comes with its
   * demand, for the batch planner (batches.ts, planDemands).
   */
  mayFit(maxPerBroker: number): TaskDemand<TaskRecord>[] {
    return this.fitNumbers(maxPerBroker).map((i) => this.entryAt[i]!);
  }

  /** mayFit's tasks by number (journal index), in no particular order. */
  fitNumbers(maxPerBroker: number): number[] {
    const { lists, recheck } = this;
    if (this.lastCap !== maxPerBroker) {
      for (const t of this.byState.get("pending")!) lists.put(this.entry(t).index, recheck);
      this.lastCap = maxPerBroker;
    }
    const { slotStart, slots } = this.table;
    const flight = this.flightAt;
    /** The first broker (slot number) of task `i` with no slot free, or -1 when it fits. */
    const fullOf = (i: number): number => {
      for (let k = slotStart[i]!; k < slotStart[i + 1]!; k++) if (flight[slots[k]!]! >= maxPerBroker) return slots[k]!;
      return -1;
    };
    const out: number[] = [];
    lists.walk(recheck, (i) => {
      const full = fullOf(i);
      if (full < 0) out.push(i);
      else lists.put(i, full);
    });
    // The recheck list now holds only tasks that fit: add those waiting on brokers with a slot freed.
    for (const b of this.freed) {
      lists.walk(b, (i) => {
        const full = fullOf(i);
        if (full === b) return;
        lists.put(i, full >= 0 ? full : recheck);
        if (full < 0) out.push(i);
      });
    }
    this.freed.clear();
    return out;
  }

  /** The numbers of the tasks in flight (submitting, then moving). */
  inFlightNumbers(): number[] {
    return [...this.flying.items(0), ...this.flying.items(1)];
  }

  /** Whether the task numbered `i` is moving (else, when in flight, submitting). */
  isMoving(i: number): boolean {
    return this.flying.listOf(i) === 1;
  }

  /** The submittedAt of the task numbered `i`, or undefined. */
  submittedAtOf(i: number): number | undefined {
    const at = this.since[i]!;
    return Number.isNaN(at) ? undefined : at;
  }

  /** The partition key of the task numbered `i`. */
  keyAt(i: number): string {
    return this.keys[i]!;
  }

  /** The number of the topic of the task numbered `i` (in topicNames) and its partition. */
  topicNumberOf(i: number): number {
    return this.topicOf[i]!;
  }

  partitionAt(i: number): number {
    return this.partitionOf[i]!;
  }

  /** The task numbered `i` (its index in the journal). */
  taskAt(i: number): TaskRecord {
    return this.tasks[i]!;
  }

  /** Whether the task numbered `i` has a current replica (one to copy from). */
  hasSource(i: number): boolean {
    return this.sourced[i] === 1;
  }

  /**
   * The batch to submit now among the pending tasks numbered `ready` (mayFit's, or some of them):
   * what planDemands chooses given the tasks in flight, in the order composeStrategies(`names`,
   * health from `atRisk`, work left from the book) gives, read from the book's arrays.
   */
  choose(ready: readonly number[], limits: BatchLimits, names: readonly StrategyName[], atRisk: (i: number) => boolean): TaskRecord[] {
    checkLimits(limits);
    const { slotStart, slots, bytes } = this.table;
    const work = this.workAt;
    const figures: NumberedTasks = {
      bytesOf: (i) => bytes[i]!,
      atRisk,
      mostWorkLeft: (i) => {
        let most = 0;
        for (let k = slotStart[i]!; k < slotStart[i + 1]!; k++) most = Math.max(most, work[slots[k]!]!);
        return most;
      },
    };
    const keys = numberedKeys(names, ready, figures);
    const rank = (this.rank ??= rankByPartition(this.tasks));
    const sorted = sortByKeys(ready.length, names.length, keys, (a, b) => rank[ready[a]!]! - rank[ready[b]!]!).map((at) => ready[at]!);
    const load = { perBroker: this.flightAt.slice(), moves: this.flightMoves, bytes: this.flightBytes };
    return selectNumbers(this.table, sorted, load, limits).map((i) => this.tasks[i]!);
  }

  /** The figures as the indexes hold them. */
  figures(): BookFigures {
    const counts = Object.fromEntries(ALL_STATES.map((s) => [s, this.byState.get(s)!.size])) as Record<TaskState, number>;
    const openByTopic = new Map([...this.openByTopic].map(([topic, set]) => [topic, [...set].map((t) => this.key(t)).sort()]));
    return {
      counts,
      bytesDone: this.doneBytes,
      bytesTotal: this.bytesTotal,
      workLeft: new Map(this.work),
      inFlight: { perBroker: new Map(this.flightPerBroker), moves: this.flightMoves, bytes: this.flightBytes },
      openByTopic,
    };
  }
}

/** The figures computed from the task list alone, as the executor did before it kept indexes. */
export function recount(tasks: readonly TaskRecord[]): BookFigures {
  const counts = Object.fromEntries(ALL_STATES.map((s) => [s, tasks.filter((t) => t.state === s).length])) as Record<TaskState, number>;
  const open = tasks.filter((t) => OPEN_STATES.includes(t.state));
  const workLeft = workLeftPerBroker(open);
  for (const [b, v] of workLeft) if (v === 0) workLeft.delete(b);
  const perBroker = new Map<number, number>();
  let moves = 0;
  let bytes = 0;
  for (const t of tasks.filter((x) => x.state === "submitting" || x.state === "moving")) {
    const adds = added(t);
    if (adds.length === 0) continue;
    for (const b of slotBrokers(t)) perBroker.set(b, (perBroker.get(b) ?? 0) + 1);
    moves += adds.length;
    bytes += t.size * adds.length;
  }
  const openByTopic = new Map<string, string[]>();
  for (const t of open) openByTopic.set(t.topic, [...(openByTopic.get(t.topic) ?? []), partitionKey(t)]);
  for (const list of openByTopic.values()) list.sort();
  return {
    counts,
    bytesDone: tasks.filter((t) => t.state === "done").reduce((a, t) => a + t.size * added(t).length, 0),
    bytesTotal: tasks.reduce((a, t) => a + t.size * added(t).length, 0),
    workLeft,
    inFlight: { perBroker, moves, bytes },
    openByTopic,
  };
}
