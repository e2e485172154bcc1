/**
 * The tasks of an execution with the indexes the executor's loop asks for at every poll, kept up to
 * date at each change of a task's state (the only door: `move`). Without them a poll rescanned every
 * task several times over (tasks by state, bytes done, work left per broker, in-flight load, pending
 * tasks that might fit), which made a plan of thousands of moves quadratic; with them a poll costs
 * in proportion to what is in flight and what changed.
 *
 * `recount` computes every figure again from the task list alone: the tests check the indexes
 * against it.
 */
import type { BatchLoad } from "./batches.js";
import type { TaskRecord, TaskState } from "./journal.js";
import { transition } from "./journal.js";
import { partitionKey } from "./port.js";
import { workLeftPerBroker } from "./strategy.js";
import { added, demandFor, slotBrokers } from "./types.js";
import type { TaskDemand } from "./types.js";

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
  /** For a pending task that did not fit at the last look: the full broker (slot number) it waits on; else -1. */
  waitsOn: number;
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
  const demand = demandFor(task, adds);
  return {
    ...demand,
    index,
    key: partitionKey(task),
    slotIndexes: demand.touches.map(slotIndex),
    brokers: [...new Set([...task.from, ...task.to])],
    size: task.size,
    leader: adds.length > 0 ? task.from[0] : undefined,
    adds,
    waitsOn: -1,
  };
}

export class TaskBook {
  private readonly entries = new Map<TaskRecord, Entry>();
  private readonly byState = new Map<TaskState, Set<TaskRecord>>(ALL_STATES.map((s) => [s, new Set()]));
  private readonly openByTopic = new Map<string, Set<TaskRecord>>();
  private readonly openByBroker = new Map<number, Set<TaskRecord>>();
  /** Pending tasks that did not fit at the last look, by the full broker (slot number) each waits on (mayFit). */
  private readonly waiting: Set<Entry>[] = [];
  private readonly work = new Map<number, number>();
  private readonly flightPerBroker = new Map<number, number>();
  /** Brokers whose slots tasks take, numbered from 0, and their moves in flight by that number. */
  private readonly slotIndexes = new Map<number, number>();
  private flightAt = new Int32Array(0);
  private flightMoves = 0;
  private flightBytes = 0;
  private doneBytes = 0;
  readonly bytesTotal: number;
  readonly movesTotal: number;
  /** Pending tasks to look at again in `mayFit`: new to pending, or left over from the last call. */
  private readonly recheck = new Set<Entry>();
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
    tasks.forEach((t, i) => {
      const e = entryOf(t, i, slotIndex);
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
    this.leave(t, e, was);
    this.enter(t, e, t.state);
  }

  private enter(t: TaskRecord, e: Entry, s: TaskState): void {
    this.byState.get(s)!.add(t);
    if (s === "done") this.doneBytes += e.bytes;
    if (isOpen(s)) {
      addTo(this.openByTopic, t.topic, t);
      for (const b of e.brokers) addTo(this.openByBroker, b, t);
      this.addWork(e, 1);
    }
    if (s === "pending") {
      this.recheck.add(e);
    }
    if (isInFlight(s)) this.addFlight(e, 1);
  }

  private leave(t: TaskRecord, e: Entry, s: TaskState): void {
    this.byState.get(s)!.delete(t);
    if (s === "done") this.doneBytes -= e.bytes;
    if (isOpen(s)) {
      removeFrom(this.openByTopic, t.topic, t);
      for (const b of e.brokers) removeFrom(this.openByBroker, b, t);
      this.addWork(e, -1);
    }
    if (s === "pending") {
      this.recheck.delete(e);
      this.stopWaiting(e);
    }
    if (isInFlight(s)) {
      this.addFlight(e, -1);
      for (const i of e.slotIndexes) this.freed.add(i);
    }
  }

  private addWork(e: Entry, sign: 1 | -1): void {
    if (e.leader === undefined) return;
    add(this.work, e.leader, sign * e.bytes);
    for (const b of e.adds) add(this.work, b, sign * e.size);
  }

  private addFlight(e: Entry, sign: 1 | -1): void {
    if (e.moves === 0) return;
    for (const b of e.touches) add(this.flightPerBroker, b, sign);
    if (this.flightAt.length < this.slotIndexes.size) {
      const grown = new Int32Array(this.slotIndexes.size);
      grown.set(this.flightAt);
      this.flightAt = grown;
    }
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
    if (this.lastCap !== maxPerBroker) {
      for (const t of this.byState.get("pending")!) {
        const e = this.entry(t);
        this.stopWaiting(e);
        this.recheck.add(e);
      }
      this.lastCap = maxPerBroker;
    }
    const flight = this.flightAt;
    /** The first broker (slot number) of `e` with no slot free, or -1 when it fits. */
    const fullOf = (e: Entry): number => {
      for (const i of e.slotIndexes) if ((flight[i] ?? 0) >= maxPerBroker) return i;
      return -1;
    };
    const out: Entry[] = [];
    for (const e of this.recheck) {
      const full = fullOf(e);
      if (full < 0) out.push(e);
      else {
        this.recheck.delete(e);
        this.waitOn(e, full);
      }
    }
    // The recheck set now holds only tasks that fit: add those waiting on brokers with a slot freed.
    for (const b of this.freed) {
      const waiting = this.waiting[b];
      if (waiting === undefined) continue;
      for (const e of waiting) {
        const full = fullOf(e);
        if (full === b) continue;
        this.stopWaiting(e);
        if (full >= 0) this.waitOn(e, full);
        else {
          this.recheck.add(e);
          out.push(e);
        }
      }
    }
    this.freed.clear();
    return out;
  }

  private waitOn(e: Entry, slot: number): void {
    (this.waiting[slot] ??= new Set()).add(e);
    e.waitsOn = slot;
  }

  private stopWaiting(e: Entry): void {
    if (e.waitsOn < 0) return;
    this.waiting[e.waitsOn]!.delete(e);
    e.waitsOn = -1;
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
