/**
 * Replica count balance: every eligible broker's replica count inside its target band, the best the
 * racks allow (see Targets). Each move goes from a broker above its band to one below it where one
 * exists, so the number of moves equals the excess the lower bound counts.
 */
import { internalError } from "../../model/errors.js";
import { grown } from "../arrays.js";
import type { Goal, GoalContext } from "../goal.js";
import { moveKeepsSpread, spreadViolation } from "../rules.js";
import type { Action, PlacementState } from "../state.js";
import type { RackRule, Targets } from "../targets.js";
import { deviation } from "../targets.js";
import { replicaBandAccepts } from "./band.js";
import { firstInSortOrder } from "./lazy-order.js";
import { CallMemo, RunCount } from "./memo.js";
import { BandSteps, countDeviation } from "./scoring.js";
import { type Resource, aimUsed, limitedResources, replicaWeight, resourceLoad } from "../load-targets.js";
import { weightOf } from "../capacity-floor.js";

/**
 * The preference key of moveBestReplicas starts with four small integers: the move cost (−1, 0 or 1:
 * a replica leaving or returning to one of its partition's original brokers), the topic spread lost
 * (−2 … 2: each of the two brokers' deviations changes by at most one), the disk balance lost
 * (−1, 0 or 1: a sign) and whether the replica leads (0 or 1). Together they name one of CLASSES
 * classes, numbered in the key's order; the rest of the key is size, then partition index.
 */
const CLASSES = 3 * 5 * 3 * 2;

/** The class of a candidate from its four leading key values (see CLASSES). */
function classOf(cost: number, topicLoss: number, diskLoss: number, leader: number): number {
  return ((cost + 1) * 5 + (topicLoss + 2)) * 6 + (diskLoss + 1) * 2 + leader;
}

/**
 * Candidates of one moveBestReplicas call, in flat arrays reused from call to call (the planner is
 * single-threaded and a call finishes before the next begins): the call may weigh thousands of
 * replicas to move a handful, tens of thousands of times on a large plan. The candidates are put in
 * preference order by a counting sort on their class, then within a class by a heap on (size,
 * partition) built when the walk reaches the class: a batch usually takes the first few hundred of
 * thousands, so most classes are never ordered. When a batch takes one replica per topic, they are
 * grouped by topic instead (byTopic): see TopicFronts.
 */
class CandidateScratch {
  n = 0;
  p = new Int32Array(256);
  slot = new Int32Array(256);
  /** Where the candidate is in its source's MovableList. */
  entry = new Int32Array(256);
  topic = new Int32Array(256);
  size = new Float64Array(256);
  cls = new Int32Array(256);
  /** Candidate indexes by class: class c's are order[start[c] .. start[c + 1] − 1]. */
  order = new Int32Array(256);
  readonly start = new Int32Array(CLASSES + 1);
  /** Where group() puts the next candidate of each class. */
  private readonly next = new Int32Array(CLASSES);

  /** Forgets the candidates; room for n of them. */
  begin(n: number): void {
    this.n = 0;
    if (n <= this.p.length) return;
    const m = Math.max(n, 2 * this.p.length);
    this.p = new Int32Array(m);
    this.slot = new Int32Array(m);
    this.entry = new Int32Array(m);
    this.topic = new Int32Array(m);
    this.size = new Float64Array(m);
    this.cls = new Int32Array(m);
    this.order = new Int32Array(m);
  }

  add(p: number, slot: number, entry: number): void {
    this.p[this.n] = p;
    this.slot[this.n] = slot;
    this.entry[this.n] = entry;
    this.n++;
  }

  /** Groups the candidates by class (cls set for each), in the order they were added. */
  group(): void {
    const { start, cls, order, n } = this;
    start.fill(0);
    for (let i = 0; i < n; i++) start[cls[i]! + 1]!++;
    for (let c = 0; c < CLASSES; c++) start[c + 1]! += start[c]!;
    const next = this.next;
    for (let c = 0; c < CLASSES; c++) next[c] = start[c]!;
    for (let i = 0; i < n; i++) order[next[cls[i]!]!++] = i;
  }

  /**
   * Groups the candidates by topic (topic set for each), in the order they were added: topic t's are
   * order[start[t] .. start[t + 1] − 1], where start is the array returned (reused from call to call).
   */
  byTopic(topics: number): Int32Array {
    if (this.topicStart.length < topics + 2) this.topicStart = new Int32Array(topics + 2);
    const { topicStart: start, topic, order, n } = this;
    // Counted two places on, then placed one place on: each entry ends where its topic's range ends.
    start.fill(0, 0, topics + 2);
    for (let i = 0; i < n; i++) start[topic[i]! + 2]!++;
    for (let t = 0; t < topics; t++) start[t + 2]! += start[t + 1]!;
    for (let i = 0; i < n; i++) order[start[topic[i]! + 1]!++] = i;
    return start;
  }

  private topicStart = new Int32Array(0);

  /** Whether candidate i comes before candidate j: lower class, then smaller, then lower partition index. */
  before(i: number, j: number): boolean {
    const ci = this.cls[i]!;
    const cj = this.cls[j]!;
    if (ci !== cj) return ci < cj;
    const a = this.size[i]!;
    const b = this.size[j]!;
    return a < b || (a === b && this.p[i]! < this.p[j]!);
  }

  /** Orders order[lo, lo + size) as a heap on `before`. */
  heapify(lo: number, size: number): void {
    for (let k = (size >> 1) - 1; k >= 0; k--) this.siftDown(lo, k, size);
  }

  /** Takes the first candidate of the heap order[lo, lo + size) out of it (the heap keeps size − 1). */
  pop(lo: number, size: number): number {
    const { order } = this;
    const top = order[lo]!;
    order[lo] = order[lo + size - 1]!;
    this.siftDown(lo, 0, size - 1);
    return top;
  }

  private siftDown(lo: number, at: number, size: number): void {
    const { order } = this;
    let k = at;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= size) return;
      const r = l + 1;
      const m = r < size && this.before(order[lo + r]!, order[lo + l]!) ? r : l;
      if (!this.before(order[lo + m]!, order[lo + k]!)) return;
      const x = order[lo + k]!;
      order[lo + k] = order[lo + m]!;
      order[lo + m] = x;
      k = m;
    }
  }
}

const scratch = new CandidateScratch();

/**
 * The walk of a batch that takes one replica per topic: a heap of topics, each keyed by its front
 * (its first candidate not yet proposed). The least front is the first candidate of a topic not yet
 * taken, so proposals come in the order of the plain walk that passes over the candidates of taken
 * topics one by one; a taken topic leaves the heap with all its candidates. A topic's candidates past
 * its front are put in a heap only when its front is refused. Arrays reused from call to call.
 */
class TopicFronts {
  private front = new Int32Array(0);
  /** Per topic, how many candidates its heap (after its front) holds; while not built, −1 − that many. */
  private rest = new Int32Array(0);
  /** Where the topic's candidates start in the scratch's order (its front first). */
  private lo = new Int32Array(0);
  private heap = new Int32Array(0);
  private size = 0;
  private c = scratch;

  /** Puts each topic's first candidate in front and the topics with candidates in the heap. */
  begin(c: CandidateScratch, topics: number): void {
    this.c = c;
    if (this.front.length < topics) {
      this.front = new Int32Array(topics);
      this.rest = new Int32Array(topics);
      this.lo = new Int32Array(topics);
      this.heap = new Int32Array(topics);
    }
    const start = c.byTopic(topics);
    const { order } = c;
    this.size = 0;
    for (let t = 0; t < topics; t++) {
      const lo = start[t]!;
      const hi = start[t + 1]!;
      if (lo === hi) continue;
      let best = lo;
      for (let at = lo + 1; at < hi; at++) if (c.before(order[at]!, order[best]!)) best = at;
      const first = order[best]!;
      order[best] = order[lo]!;
      order[lo] = first;
      this.front[t] = first;
      this.rest[t] = -1 - (hi - lo - 1);
      this.lo[t] = lo;
      this.heap[this.size++] = t;
    }
    for (let k = (this.size >> 1) - 1; k >= 0; k--) this.siftDown(k);
  }

  /** The first candidate of a topic not yet taken, or −1 when none is left. */
  first(): number {
    return this.size > 0 ? this.front[this.heap[0]!]! : -1;
  }

  /** The topic of first() is taken: its candidates leave the walk. */
  take(): void {
    this.heap[0] = this.heap[--this.size]!;
    this.siftDown(0);
  }

  /** first() was refused: its topic's next candidate becomes its front. */
  pass(): void {
    const { c } = this;
    const t = this.heap[0]!;
    const lo = this.lo[t]! + 1;
    let rest = this.rest[t]!;
    if (rest < 0) {
      rest = -rest - 1;
      c.heapify(lo, rest);
    }
    if (rest === 0) {
      this.take();
      return;
    }
    this.front[t] = c.pop(lo, rest);
    this.rest[t] = rest - 1;
    this.siftDown(0);
  }

  private siftDown(at: number): void {
    const { heap, front, c, size } = this;
    let k = at;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= size) return;
      const r = l + 1;
      const m = r < size && c.before(front[heap[r]!]!, front[heap[l]!]!) ? r : l;
      if (!c.before(front[heap[m]!]!, front[heap[k]!]!)) return;
      const x = heap[k]!;
      heap[k] = heap[m]!;
      heap[m] = x;
      k = m;
    }
  }
}

const fronts = new TopicFronts();

/** The value `cache` keeps for `state` when `fits` takes it, else a new one made and kept. */
function keptFor<T>(cache: WeakMap<PlacementState, T>, state: PlacementState, fits: (kept: T) => boolean, make: () => T): T {
  const kept = cache.get(state);
  if (kept !== undefined && fits(kept)) return kept;
  const made = make();
  cache.set(state, made);
  return made;
}

/**
 * One broker's movable (not frozen) partitions with what a batch move reads of each, in flat arrays
 * read in order rather than from partition-indexed arrays all over memory. Every field is fixed per
 * partition, so only the membership changes. In no particular order: a batch ranks its candidates
 * by a total order.
 */
interface MovableList {
  /** Entries of the broker's membership log already applied. */
  logged: number;
  length: number;
  p: Int32Array;
  offset: Int32Array;
  rf: Int32Array;
  topic: Int32Array;
  size: Float64Array;
  /** The partition's original brokers, maxRf places per entry. */
  original: Int32Array;
  /**
   * The partition's replicas (its brokers by slot), maxRf places per entry: a copy of the state's,
   * read in order by a batch where the state's are scattered over memory. Current once synced
   * (MovableLists.synced); until then as they were when the entry was added or last synced.
   */
  replicas: Int32Array;
  /** The ReplicaJournal epoch the replicas were last synced in (−1: never). */
  syncedEpoch: number;
}

/**
 * Per broker, the partitions it holds whose replica lists this goal changed since the broker's
 * MovableList was last synced: the list's replica copies stay current by refreshing those entries.
 * Any other change to the placement (another goal, a take-back, a leadership) shows as a change
 * count the journal did not see, and starts a new epoch, in which every list copies its replicas
 * afresh.
 */
class ReplicaJournal {
  epoch = 0;
  /** Per broker, its changed partitions (dirtyLength[b] of them; a partition may repeat). */
  readonly dirty: Int32Array[];
  readonly dirtyLength: Int32Array;
  /** The state's change count after the last change noted. */
  private known: number;

  constructor(private readonly state: PlacementState) {
    this.known = state.changeCount;
    this.dirty = Array.from({ length: state.brokerCount }, () => new Int32Array(16));
    this.dirtyLength = new Int32Array(state.brokerCount);
  }

  /** Starts a new epoch unless every change to the placement so far was noted. */
  check(): void {
    if (this.state.changeCount === this.known) return;
    this.epoch++;
    this.dirtyLength.fill(0);
    this.known = this.state.changeCount;
  }

  /** The placement was at change count `before` when an action changing p's replicas (and q's) was applied. */
  note(before: number, p: number, q = -1): void {
    if (before !== this.known) this.check();
    this.dirtyOn(p);
    if (q >= 0) this.dirtyOn(q);
    this.known = this.state.changeCount;
  }

  /** Partition p changed: marked on every broker holding it now. */
  private dirtyOn(p: number): void {
    const { state, dirty, dirtyLength } = this;
    const o = state.offsetOf(p);
    for (let j = 0, r = state.rfOf(p); j < r; j++) {
      const b = state.replicas[o + j]!;
      const n = dirtyLength[b]!;
      if (n === dirty[b]!.length) dirty[b] = grown(dirty[b]!, 2 * n);
      dirty[b]![n] = p;
      dirtyLength[b] = n + 1;
    }
  }
}

/** ctx.propose(action), its change noted in the placement's ReplicaJournal when applied. */
function proposeNoted(ctx: GoalContext, action: Action): boolean {
  const before = ctx.state.changeCount;
  if (!ctx.propose(action)) return false;
  noteApplied(ctx, before, action);
  return true;
}

/** ctx.undo(action), noted as proposeNoted does. */
function undoNoted(ctx: GoalContext, action: Action): void {
  const before = ctx.state.changeCount;
  ctx.undo(action);
  noteApplied(ctx, before, action);
}

function noteApplied(ctx: GoalContext, before: number, action: Action): void {
  const journal = MovableLists.of(ctx.state).journal;
  if (action.kind === "move") journal.note(before, action.p);
  else if (action.kind === "swap") journal.note(before, action.p, action.q);
  else journal.check();
}

/**
 * Each broker's MovableList, kept in step with its membership log (an arrival is appended, the
 * departures taken out together), or built again when many changes are pending.
 */
/** Departures a MovableList update takes out one by one; more are taken out in one pass. */
const FEW_DEPARTURES = 8;

/** The partitions that left, for one update (reused from update to update). */
let departed = new Int32Array(64);

/** A list's replica copies are all copied again when more than 1/REFRESH_ALL of its entries changed. */
const REFRESH_ALL = 32;

/** Changed partitions a sync looks up one by one (a scan of the list each); more go in a PartitionSet. */
const FEW_CHANGED = 4;

/**
 * A small multiset of partitions, hashed with open addressing: one pass over a list asks it of
 * every entry, where a lookup per member would scan the list once each (and a partition-indexed
 * array would be read all over memory). Reused from call to call.
 */
class PartitionSet {
  private table = new Int32Array(64);
  private count = new Int32Array(64);
  private mask = 63;
  private shift = 26;

  /** The first n of `members`, each as many times as it occurs there (the previous ones forgotten). */
  of(members: Int32Array, n: number): this {
    let size = this.table.length;
    while (size < 4 * n) size *= 2;
    if (size !== this.table.length) {
      this.table = new Int32Array(size);
      this.count = new Int32Array(size);
    }
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
    this.table.fill(-1);
    for (let k = 0; k < n; k++) {
      const p = members[k]!;
      let h = this.slot(p);
      while (this.table[h] !== -1 && this.table[h] !== p) h = (h + 1) & this.mask;
      if (this.table[h] !== p) this.count[h] = 0;
      this.table[h] = p;
      this.count[h]!++;
    }
    return this;
  }

  has(p: number): boolean {
    return this.find(p) >= 0;
  }

  /** Takes one p out: false when none is left. */
  take(p: number): boolean {
    const h = this.find(p);
    if (h < 0 || this.count[h] === 0) return false;
    this.count[h]!--;
    return true;
  }

  /** Where p is in the table, or −1. */
  private find(p: number): number {
    for (let h = this.slot(p); ; h = (h + 1) & this.mask) {
      const q = this.table[h]!;
      if (q === p) return h;
      if (q === -1) return -1;
    }
  }

  private slot(p: number): number {
    return Math.imul(p, 0x9e3779b1) >>> this.shift;
  }
}

const changedSet = new PartitionSet();

/** The partitions leaving a MovableList in one update. */
const leavingSet = new PartitionSet();

export class MovableLists {
  private static readonly byState = new WeakMap<PlacementState, MovableLists>();
  private readonly lists: (MovableList | undefined)[];
  readonly journal: ReplicaJournal;

  private constructor(private readonly state: PlacementState) {
    this.lists = new Array<MovableList | undefined>(state.brokerCount);
    this.journal = new ReplicaJournal(state);
  }

  /** Broker b's list with its replica copies current. */
  synced(b: number): MovableList {
    const list = this.of(b);
    const { journal, state } = this;
    journal.check();
    const R = state.maxRf;
    const n = journal.dirtyLength[b]!;
    // Each changed partition is looked up by a scan of the list: with many, one pass copies all.
    if (list.syncedEpoch !== journal.epoch || n * REFRESH_ALL > list.length) {
      for (let at = 0; at < list.length; at++) this.copyReplicas(list, at, R);
    } else if (n <= FEW_CHANGED) {
      const changed = journal.dirty[b]!;
      for (let k = 0; k < n; k++) {
        const i = list.p.subarray(0, list.length).indexOf(changed[k]!);
        if (i >= 0) this.copyReplicas(list, i, R);
      }
    } else {
      const changed = changedSet.of(journal.dirty[b]!, n);
      for (let at = 0; at < list.length; at++) if (changed.has(list.p[at]!)) this.copyReplicas(list, at, R);
    }
    journal.dirtyLength[b] = 0;
    list.syncedEpoch = journal.epoch;
    return list;
  }

  private copyReplicas(list: MovableList, at: number, R: number): void {
    const o = list.offset[at]!;
    const { replicas } = this.state;
    for (let j = 0, r = list.rf[at]!; j < r; j++) list.replicas[at * R + j] = replicas[o + j]!;
  }

  static of(state: PlacementState): MovableLists {
    return keptFor(MovableLists.byState, state, () => true, () => new MovableLists(state));
  }

  /** Broker b's list as the placement is now (shared: do not mutate). */
  of(b: number): MovableList {
    const { state } = this;
    const log = state.membershipLog[b]!;
    let list = this.lists[b];
    if (list === undefined || log.length - list.logged > list.length / 8 + 16) {
      const n = state.partitionsOnCount(b);
      const R = state.maxRf;
      list = { logged: 0, length: 0, p: new Int32Array(n), offset: new Int32Array(n), rf: new Int32Array(n), topic: new Int32Array(n), size: new Float64Array(n), original: new Int32Array(n * R), replicas: new Int32Array(n * R), syncedEpoch: -1 };
      for (let i = 0; i < n; i++) this.add(list, state.partitionOnAt(b, i));
      list.logged = log.length;
      this.lists[b] = list;
      return list;
    }
    // Arrivals are appended, departures taken out after them: a few one by one (each a search of
    // the list), many in one pass over it.
    let gone = 0;
    for (; list.logged < log.length; list.logged++) {
      const e = log[list.logged]!;
      if (e > 0) this.add(list, e - 1);
      else {
        if (gone === departed.length) departed = grown(departed, 2 * gone);
        departed[gone++] = -e - 1;
      }
    }
    if (gone > FEW_DEPARTURES) this.removeLeaving(list, leavingSet.of(departed, gone));
    else for (let i = 0; i < gone; i++) this.remove(list, departed[i]!);
    return list;
  }

  private add(list: MovableList, p: number): void {
    const { state } = this;
    if (state.frozen[p]) return;
    const at = list.length++;
    if (at === list.p.length) {
      const m = Math.max(16, 2 * at);
      list.p = grown(list.p, m);
      list.offset = grown(list.offset, m);
      list.rf = grown(list.rf, m);
      list.topic = grown(list.topic, m);
      list.size = grown(list.size, m);
      list.original = grown(list.original, m * state.maxRf);
      list.replicas = grown(list.replicas, m * state.maxRf);
    }
    const o = state.offsetOf(p);
    const r = state.rfOf(p);
    list.p[at] = p;
    list.offset[at] = o;
    list.rf[at] = r;
    list.topic[at] = state.topicIndexOf(p);
    list.size[at] = state.sizeOf(p);
    for (let j = 0; j < r; j++) list.original[at * state.maxRf + j] = state.original[o + j]!;
    this.copyReplicas(list, at, state.maxRf);
  }

  private remove(list: MovableList, p: number): void {
    if (this.state.frozen[p]) return;
    const at = list.p.subarray(0, list.length).indexOf(p);
    const last = --list.length;
    if (at !== last) this.copy(list, last, at);
  }

  /**
   * Takes out of the list, for each partition, as many entries as `leaving` counts for it: each gap
   * is filled with the last entry that stays (the list has no order to keep).
   */
  private removeLeaving(list: MovableList, leaving: PartitionSet): void {
    let end = list.length;
    for (let at = 0; at < end; ) {
      if (!leaving.take(list.p[at]!)) {
        at++;
        continue;
      }
      end--;
      while (end > at && leaving.take(list.p[end]!)) end--;
      if (end > at) this.copy(list, end, at++);
    }
    list.length = end;
  }

  /** Entry `from` of the list written over entry `to`. */
  private copy(list: MovableList, from: number, to: number): void {
    const R = this.state.maxRf;
    list.p[to] = list.p[from]!;
    list.offset[to] = list.offset[from]!;
    list.rf[to] = list.rf[from]!;
    list.topic[to] = list.topic[from]!;
    list.size[to] = list.size[from]!;
    list.original.copyWithin(to * R, from * R, from * R + R);
    list.replicas.copyWithin(to * R, from * R, from * R + R);
  }
}


/**
 * Moves up to `k` replicas from s to d, the ones the later goals like best, each accepted by every
 * higher-priority goal. Returns how many moved.
 *
 * Preference, in order: the move cost (a replica that came to s in this plan goes first), the topic
 * spread gained, the disk balance gained, not moving a preferred leader, smaller size, partition index.
 * One scan serves the whole batch; a batch takes at most one replica per topic, since moving one
 * changes what the next of the same topic would gain (other topics' gains are unaffected).
 * `openings`, when given, is told of every partition moved.
 */
export function moveBestReplicas(ctx: GoalContext, s: number, d: number, k: number, openings?: RackOpenings, refusals?: RefusalBudget): number {
  if (k <= 0 || (refusals !== undefined && refusals.left <= 0)) return 0;
  const { state } = ctx;
  const c = scratch;
  const list = MovableLists.of(state).synced(s);
  if (!collectCandidates(ctx, c, list, s, d)) {
    // Whether a higher goal accepts some candidate: on a broker at a capacity limit, often none is,
    // and then every proposal would be refused (each counting against `refusals`), whatever the order.
    if (refusals !== undefined) refusals.left = Math.max(0, refusals.left - c.n);
    return 0;
  }
  classifyCandidates(ctx, c, list, s, d);
  // Best first. With the topic spread to keep, a batch takes one replica per topic: a topic that
  // gave one leaves the walk. A candidate's rack rule check at the scan still holds when it is
  // proposed: only other partitions moved in between.
  if (ctx.later.includes("topic-spread")) return moveOnePerTopic(ctx, c, d, k, openings, refusals);
  c.group();
  let count = 0;
  for (let cls = 0; cls < CLASSES; cls++) {
    const lo = c.start[cls]!;
    let size = c.start[cls + 1]! - lo;
    c.heapify(lo, size);
    for (; size > 0; size--) {
      const i = c.pop(lo, size);
      const p = c.p[i]!;
      if (proposeNoted(ctx, { kind: "move", p, slot: c.slot[i]!, to: d })) {
        count++;
        openings?.update(p);
        if (count >= k) return count;
      } else if (refusals !== undefined && --refusals.left <= 0) return count;
    }
  }
  return count;
}

/** moveBestReplicas' walk when a batch takes one replica per topic (TopicFronts). */
function moveOnePerTopic(ctx: GoalContext, c: CandidateScratch, d: number, k: number, openings?: RackOpenings, refusals?: RefusalBudget): number {
  fronts.begin(c, ctx.state.topicNames.length);
  let count = 0;
  for (let i = fronts.first(); i >= 0; i = fronts.first()) {
    const p = c.p[i]!;
    if (proposeNoted(ctx, { kind: "move", p, slot: c.slot[i]!, to: d })) {
      count++;
      openings?.update(p);
      if (count >= k) return count;
      fronts.take();
    } else {
      if (refusals !== undefined && --refusals.left <= 0) return count;
      fronts.pass();
    }
  }
  return count;
}

/**
 * Puts into `c` the replicas of s that may go to d as far as the partition goes (not frozen, d holds
 * none of it, the rack rule kept). Returns whether a higher goal accepts moving one of them (asked
 * until one is).
 */
function collectCandidates(ctx: GoalContext, c: CandidateScratch, list: MovableList, s: number, d: number): boolean {
  const { state, targets } = ctx;
  const { rackOf, hostOf } = state;
  const replicas = list.replicas;
  const R = state.maxRf;
  const rackS = rackOf[s]!;
  const rackD = rackOf[d]!;
  const hostD = hostOf[d]!;
  c.begin(list.length);
  let someAccepted = false;
  // The rack rule of the last replication factor seen (nearly every partition has the same).
  let ruleRf = -1;
  let rule: RackRule | null = null;
  for (let i = 0; i < list.length; i++) {
    const o = i * R;
    const r = list.rf[i]!;
    let slot = -1;
    let onD = false;
    let inRack = 0;
    let hostClash = false;
    for (let j = 0; j < r; j++) {
      const b = replicas[o + j]!;
      if (b === s) {
        slot = j;
        continue;
      }
      if (b === d) onD = true;
      if (rackOf[b] === rackD) inRack++;
      if (hostOf[b] === hostD) hostClash = true;
    }
    if (onD) continue;
    const p = list.p[i]!;
    // moveKeepsSpread, its fast path read off the scan above.
    if (r !== ruleRf) {
      rule = targets.rule(r);
      ruleRf = r;
    }
    const fast = rule === null || ((rackS === rackD || inRack < rule.maxPerRack) && !(rule.hostRule && hostClash));
    if (!fast && !moveKeepsSpread(state, targets, p, slot, d)) continue;
    c.add(p, slot, i);
    someAccepted ||= ctx.accepted({ kind: "move", p, slot, to: d });
  }
  return someAccepted;
}

/** Sets each candidate's topic, size and class (CLASSES) for a move from s to d. */
function classifyCandidates(ctx: GoalContext, c: CandidateScratch, list: MovableList, s: number, d: number): void {
  const { state, targets } = ctx;
  const R = state.maxRf;
  const wantTopic = ctx.later.includes("topic-spread");
  const wantDisk = ctx.later.includes("disk");
  const wantLeader = ctx.later.includes("leader");
  // topicGain(state, targets, p, s, d) as the sum of its two brokers' steps.
  const steps = BandSteps.of(state, targets);
  const leaving = steps.leaving(s);
  const arriving = steps.arriving(d);
  // diskGain(state, s, d, bytes, targets.diskBand), its first two terms (the same for every candidate) once.
  const diskS = state.diskOf(s);
  const diskD = state.diskOf(d);
  const lowS = targets.diskLowOf(s);
  const highS = targets.diskHighOf(s);
  const lowD = targets.diskLowOf(d);
  const highD = targets.diskHighOf(d);
  const diskNow = deviation(diskS, lowS, highS) + deviation(diskD, lowD, highD);
  for (let i = 0; i < c.n; i++) {
    const at = c.entry[i]!;
    const p = c.p[i]!;
    const size = list.size[at]!;
    const t = list.topic[at]!;
    c.topic[i] = t;
    c.size[i] = size;
    // state.moveDelta(p, slot, d): whether d, and whether s, held p at the start.
    const r = list.rf[at]!;
    let toOriginal = false;
    let fromOriginal = false;
    for (let j = 0; j < r; j++) {
      const b = list.original[at * R + j]!;
      if (b === d) toOriginal = true;
      else if (b === s) fromOriginal = true;
    }
    const cost = (toOriginal ? 0 : 1) - (fromOriginal ? 0 : 1);
    let topicLoss = 0;
    if (wantTopic) topicLoss = -(leaving[t]! + arriving[t]!);
    const diskLoss = wantDisk ? -Math.sign(diskNow - deviation(diskS - size, lowS, highS) - deviation(diskD + size, lowD, highD)) : 0;
    const cls = classOf(cost, topicLoss, diskLoss, wantLeader && c.slot[i] === 0 ? 1 : 0);
    if (!(cls >= 0 && cls < CLASSES && Number.isInteger(cls))) throw internalError(`replica-count: no preference class for partition ${String(p)}`);
    c.cls[i] = cls;
  }
}

/**
 * How many more moves higher goals may refuse for one broker's shedding or filling, across all its
 * partners. A broker a higher goal keeps where it is (capacity: one at its network-in limit cannot
 * take another replica; one holding a partition heavier than the limit) would otherwise have every
 * replica of every partner proposed to it, every round.
 */
interface RefusalBudget {
  left: number;
}

/** Refusals allowed per broker shed or filled (RefusalBudget). */
const REFUSALS_PER_BROKER = 512;

export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * For each rack, how many partitions might still take a replica there from a broker in another rack:
 * those with fewer replicas in the rack than the rule allows, and (not judged further) every
 * partition that breaks the rack or host rule or has no rule. A partition with its full share in
 * the rack and no violation refuses every such move (moveKeepsSpread: the move would add a
 * violation). When a rack's count is 0, no broker of another rack can give a replica to one of its
 * brokers, and `fill` skips those sources without scanning their replicas (on a cluster where every
 * partition has one replica per rack, that is every source in another rack).
 *
 * Counted when first asked (most rounds of the goal never fill), then kept up to date through
 * `update` after each move this goal makes (no other goal acts while it runs). Off (everything
 * open) without racks or with more than 32 of them.
 */
export class RackOpenings {
  private open = new Int32Array(0);
  /** Per partition, the racks it counts as open to, one bit each. */
  private bits = new Uint32Array(0);
  private readonly on: boolean;
  private counted = false;

  constructor(
    private readonly state: PlacementState,
    private readonly targets: Targets,
  ) {
    const R = state.rackNames.length;
    this.on = R >= 2 && R <= 32;
  }

  /** Whether some broker outside `rack` might move a replica to a broker in it. */
  openFromOutside(rack: number): boolean {
    if (!this.on) return true;
    if (!this.counted) this.count();
    return this.open[rack]! > 0;
  }

  /** Partition p's replicas changed. */
  update(p: number): void {
    if (!this.counted) return;
    const b = this.bitsOf(p);
    this.add(this.bits[p]!, -1);
    this.bits[p] = b;
    this.add(b, 1);
  }

  private count(): void {
    const { state } = this;
    this.open = new Int32Array(state.rackNames.length);
    this.bits = new Uint32Array(state.partitionCount);
    for (let p = 0; p < state.partitionCount; p++) {
      const b = this.bitsOf(p);
      this.bits[p] = b;
      this.add(b, 1);
    }
    this.counted = true;
  }

  private add(bits: number, by: number): void {
    for (let r = 0; bits !== 0; r++, bits >>>= 1) if (bits & 1) this.open[r]! += by;
  }

  private bitsOf(p: number): number {
    const { state, targets } = this;
    const R = state.rackNames.length;
    const all = R === 32 ? 0xffffffff : (1 << R) - 1;
    if (state.frozen[p]) return 0;
    const rule = targets.rule(state.rfOf(p));
    if (rule === null || spreadViolation(state, targets, p) > 0) return all;
    const o = state.offsetOf(p);
    let bits = 0;
    for (let r = 0; r < R; r++) {
      let inRack = 0;
      for (let i = 0; i < state.rfOf(p); i++) if (state.rackOf[state.replicas[o + i]!] === r) inRack++;
      if (inRack < rule.maxPerRack && inRack < state.rfOf(p)) bits |= 1 << r;
    }
    return bits >>> 0;
  }
}

/** Eligible brokers sorted by `key` ascending, ties by index. */
function sortedBrokers(state: PlacementState, key: (b: number) => number, filter: (b: number) => boolean): number[] {
  const out: number[] = [];
  if (brokerKeys.length < state.brokerCount) brokerKeys = new Float64Array(state.brokerCount);
  const keys = brokerKeys;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || !filter(b)) continue;
    out.push(b);
    keys[b] = key(b);
  }
  return out.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** sortedBrokers' keys, by broker (reused from call to call). */
let brokerKeys = new Float64Array(0);

/** The eligible broker maximising `key` (> 0), ties by index, skipping `skip`; -1 when none. */
function mostBy(state: PlacementState, key: (b: number) => number, skip: ReadonlySet<number>): number {
  let best = -1;
  let bestKey = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || skip.has(b)) continue;
    const k = key(b);
    if (k > bestKey) {
      best = b;
      bestKey = k;
    }
  }
  return best;
}

/**
 * For each rack, whether some movable replica on s could go there without crowding the rack (its
 * partition has fewer than the rack maximum there). Brokers in closed racks need not be tried.
 */
function openRacks(ctx: GoalContext, s: number): Uint8Array {
  const { state, targets } = ctx;
  const R = state.rackNames.length;
  const full = new Int32Array(R);
  const list = MovableLists.of(state).synced(s);
  const { replicas } = list;
  const movable = list.length;
  for (let i = 0; i < list.length; i++) {
    const o = i * state.maxRf;
    const r = list.rf[i]!;
    const m = targets.rule(r)?.maxPerRack ?? Infinity;
    for (let a = 0; a < r; a++) {
      const ba = replicas[o + a]!;
      if (ba === s) continue;
      const rack = state.rackIndexOf(ba);
      let inRack = 0;
      let first = true;
      for (let c = 0; c < r; c++) {
        const bc = replicas[o + c]!;
        if (bc === s || state.rackOf[bc] !== rack) continue;
        inRack++;
        if (c < a) first = false;
      }
      if (first && inRack >= m) full[rack]!++;
    }
  }
  const open = new Uint8Array(R);
  for (let r = 0; r < R; r++) open[r] = r === state.rackOf[s] || full[r]! < movable ? 1 : 0;
  return open;
}

function shed(ctx: GoalContext, openings: RackOpenings): boolean {
  const { state, targets } = ctx;
  const stuck = new Set<number>();
  let any = false;
  for (;;) {
    const s = mostBy(state, (b) => state.countOf(b) - targets.countMaxOf(b), stuck);
    if (s < 0) return any;
    const open = openRacks(ctx, s);
    const dests = sortedBrokers(
      state,
      (b) => state.countOf(b) - targets.countMinOf(b),
      (b) => state.countOf(b) < targets.countMaxOf(b) && open[state.rackIndexOf(b)] === 1,
    );
    const excess = state.countOf(s) - targets.countMaxOf(s);
    const refusals: RefusalBudget = { left: REFUSALS_PER_BROKER };
    if (!dests.some((d) => moveBestReplicas(ctx, s, d, Math.min(excess, targets.countMaxOf(d) - state.countOf(d)), openings, refusals) > 0)) stuck.add(s);
    else any = true;
  }
}

function fill(ctx: GoalContext, openings: RackOpenings, makeRoom: boolean): boolean {
  const { state, targets } = ctx;
  const stuck = new Set<number>();
  let any = false;
  for (;;) {
    const d = mostBy(state, (b) => targets.countMinOf(b) - state.countOf(b), stuck);
    if (d < 0) return any;
    const sources = sortedBrokers(
      state,
      (b) => -(state.countOf(b) - targets.countMaxOf(b)),
      (b) => state.countOf(b) > targets.countMinOf(b),
    );
    const deficit = targets.countMinOf(d) - state.countOf(d);
    const mayGive = mayGiveTo(state, openings, d);
    const refusals: RefusalBudget = { left: REFUSALS_PER_BROKER };
    const gives = (s: number): boolean => mayGive(s) && moveBestReplicas(ctx, s, d, Math.min(deficit, state.countOf(s) - targets.countMinOf(s)), openings, refusals) > 0;
    if (!sources.some(gives) && !(makeRoom && fillMakingRoom(ctx, d, sources, openings))) stuck.add(d);
    else any = true;
  }
}

/**
 * Whether broker b's replicas may go to d as far as racks go: b is in d's rack, or the rack rule
 * lets replicas come into d's rack from outside it.
 */
function mayGiveTo(state: PlacementState, openings: RackOpenings, d: number): (b: number) => boolean {
  const rack = state.rackIndexOf(d);
  const fromOutside = openings.openFromOutside(rack);
  return (b) => fromOutside || state.rackOf[b] === rack;
}

/** How many times the goal has run on each placement (fillMakingRoom waits for the second). */
const runsOn = new RunCount();

/** Sources, replicas per source and swap partners tried by fillMakingRoom for one broker. */
const ROOM_SOURCES = 4;
const ROOM_REPLICAS = 4;
const ROOM_PARTNERS = 8;
const ROOM_HEAVY = 4;

/**
 * A replica for d where d is at a capacity limit (so every move to it is refused): d first swaps one
 * of its heavy replicas for a lighter one with a broker of its rack that has room for the difference
 * (both keep their counts, nobody goes over), then takes a light replica from a source that can
 * spare one; if that is refused the swap is taken back. A few of each are tried, the lightest
 * replicas of the sources first and the partners with most room first. True when d took one.
 */
export function fillMakingRoom(ctx: GoalContext, d: number, sources: readonly number[], openings: RackOpenings): boolean {
  const { state, targets } = ctx;
  const limited = limitedResources(targets.load);
  if (limited.length === 0) return false;
  const rack = state.rackIndexOf(d);
  const aim = targets.load.aim;
  // Brokers of d's rack with the most room (the smallest largest share of their aims in use).
  const used = new Map<number, number>();
  for (let b = 0; b < state.brokerCount; b++) {
    if (b === d || !state.eligible[b] || state.rackOf[b] !== rack) continue;
    const most = aimUsed(state, targets.load, b);
    if (most < 1) used.set(b, most);
  }
  const partners = [...used.keys()].sort((x, y) => used.get(x)! - used.get(y)! || x - y);
  if (partners.length === 0) return false;
  const light = (x: number, y: number): number => state.sizeOf(x) - state.sizeOf(y) || x - y;
  // Sources d can take from as fill does.
  const mayGive = mayGiveTo(state, openings, d);
  const canGive = (b: number): boolean => b !== d && state.countOf(b) > targets.countMinOf(b) && mayGive(b);
  for (const s of sources.filter(canGive).slice(0, ROOM_SOURCES)) {
    const canGo = (p: number): boolean => !state.frozen[p] && state.slotOf(p, d) < 0 && moveKeepsSpread(state, targets, p, state.slotOf(p, s), d);
    for (const p of firstInSortOrder(state.partitionsOn(s), ROOM_REPLICAS, light, canGo)) {
      const slot = state.slotOf(p, s);
      // Per limited resource, what d must free first: p's load over d's room; where p adds nothing
      // (a follower's network out), only that the swap itself leaves d no further over its aim.
      const lacking = limited.map((r) => {
        const w = replicaWeight(state, r, p, slot);
        const over = resourceLoad(state, r, d) - aim[r][d]!;
        return w > 0 ? over + w : Math.min(0, over);
      });
      if (lacking.every((x) => x <= 0)) {
        // It fits: what turned it away was fill's refusal budget running out on heavier candidates.
        if (proposeNoted(ctx, { kind: "move", p, slot, to: d })) {
          openings.update(p);
          return true;
        }
        continue;
      }
      const swap = roomBySwap(ctx, d, s, lacking, limited, partners);
      if (swap === null || !proposeNoted(ctx, swap)) continue;
      if (proposeNoted(ctx, { kind: "move", p, slot: state.slotOf(p, s), to: d })) {
        openings.update(p);
        openings.update(swap.p);
        openings.update(swap.q);
        return true;
      }
      undoNoted(ctx, swap); // the same two slots exchanged again
    }
  }
  return false;
}

/**
 * A swap that frees at least `lacking` (per limited resource) on d: one of d's heaviest replicas h
 * goes to a partner z (not `avoid`) and a lighter replica l of z comes to d, with z within its aims
 * and the rack rule kept both ways. Null when none is found among the first few tried.
 */
function roomBySwap(
  ctx: GoalContext,
  d: number,
  avoid: number,
  lacking: readonly number[],
  limited: readonly Resource[],
  partners: readonly number[],
): Extract<Action, { kind: "swap" }> | null {
  const { state, targets } = ctx;
  const aim = targets.load.aim;
  // Heaviest in what d lacks: its share of d's aim of each resource short of room (worked out once
  // per replica, not once per comparison).
  const shares = shareMemo.begin(state.partitionCount);
  const share = (x: number): number => {
    if (shares.has(x)) return shares.get(x);
    let w = 0;
    for (let k = 0; k < limited.length; k++) if (lacking[k]! > 0) w += replicaWeight(state, limited[k]!, x, state.slotOf(x, d)) / aim[limited[k]!][d]!;
    shares.set(x, w);
    return w;
  };
  const heavy = firstInSortOrder(state.partitionsOn(d), ROOM_HEAVY, (x, y) => share(y) - share(x) || x - y, (h) => !state.frozen[h]);
  for (const h of heavy) {
    const hSlot = state.slotOf(h, d);
    for (const z of partners.slice(0, ROOM_PARTNERS)) {
      if (z === avoid || state.slotOf(h, z) >= 0 || !moveKeepsSpread(state, targets, h, hSlot, z)) continue;
      const best = lightForHeavy(ctx, d, z, h, hSlot, lacking, limited);
      if (best >= 0) return { kind: "swap", p: h, slot: hSlot, q: best, qSlot: state.slotOf(best, z) };
    }
  }
  return null;
}

/** roomBySwap's shares of d's aims, by partition, for one call. */
const shareMemo = new CallMemo();

/** Per limited resource (roomBySwap's order), what the heavy replica weighs, the partner's load and its aim. */
const heavyWeight = new Float64Array(3);
const partnerLoad = new Float64Array(3);
const partnerAim = new Float64Array(3);

/**
 * The replica l of partner z that roomBySwap swaps with d's heavy replica (h, hSlot): the largest
 * (ties: lowest index) that d does not hold, whose swap frees at least `lacking` on d and keeps z
 * within its aims, and that may go to d by the rack rule; −1 when none does. A replica no larger
 * than the best so far is passed over before anything else is read of it: it could not replace it.
 */
export function lightForHeavy(ctx: GoalContext, d: number, z: number, h: number, hSlot: number, lacking: readonly number[], limited: readonly Resource[]): number {
  const { state, targets } = ctx;
  const aim = targets.load.aim;
  const n = limited.length;
  let leadOnly = -1;
  for (let k = 0; k < n; k++) {
    const r = limited[k]!;
    heavyWeight[k] = replicaWeight(state, r, h, hSlot);
    partnerLoad[k] = resourceLoad(state, r, z);
    partnerAim[k] = aim[r][z]!;
    if (r === "networkOut") leadOnly = k;
  }
  // z's movable partitions, read in order (the best is the same whatever the order).
  const list = MovableLists.of(state).synced(z);
  const R = state.maxRf;
  let best = -1;
  let bestSize = 0;
  for (let i = 0; i < list.length; i++) {
    const l = list.p[i]!;
    const sizeL = list.size[i]!;
    if (best >= 0 && (sizeL < bestSize || (sizeL === bestSize && l > best))) continue;
    let lSlot = -1;
    let onD = false;
    for (let j = 0, r = list.rf[i]!; j < r; j++) {
      const b = list.replicas[i * R + j]!;
      if (b === z) lSlot = j;
      else if (b === d) onD = true;
    }
    if (onD) continue;
    let fits = true;
    for (let k = 0; k < n && fits; k++) {
      const wl = k === leadOnly ? (lSlot === 0 ? state.leaderOut[l]! : 0) : weightOf(state, limited[k]!)[l]!;
      const freed = heavyWeight[k]! - wl;
      fits = freed >= lacking[k]! && (freed <= 0 || partnerLoad[k]! + freed <= partnerAim[k]!);
    }
    if (fits && moveKeepsSpread(state, targets, l, lSlot, d)) {
      best = l;
      bestSize = sizeL;
    }
  }
  return best;
}

export const replicaCountGoal: Goal = {
  id: "replica-count",
  hard: false,

  score: countDeviation,

  status(state, targets) {
    let outside = 0;
    let min = Infinity;
    let max = -Infinity;
    let tmin = Infinity;
    let tmax = -Infinity;
    for (let b = 0; b < state.brokerCount; b++) {
      if (!state.eligible[b]) continue;
      const c = state.countOf(b);
      min = Math.min(min, c);
      max = Math.max(max, c);
      tmin = Math.min(tmin, targets.countMinOf(b));
      tmax = Math.max(tmax, targets.countMaxOf(b));
      if (deviation(c, targets.countMinOf(b), targets.countMaxOf(b)) > 0) outside++;
    }
    if (!Number.isFinite(min)) return { satisfied: true, detail: "no eligible brokers" };
    const range = `replicas per broker ${String(min)}–${String(max)}, targets ${String(tmin)}–${String(tmax)}`;
    return outside === 0
      ? { satisfied: true, detail: range }
      : { satisfied: false, detail: `${range}; ${String(outside)} broker(s) off target` };
  },

  accepts(action: Action, state: PlacementState, targets: Targets): boolean {
    if (action.kind !== "move") return true;
    return replicaBandAccepts(state, action, null, false, state.count, targets.countMin, targets.countMax, 0);
  },

  optimize(ctx: GoalContext): void {
    const openings = new RackOpenings(ctx.state, ctx.targets);
    // Making room costs a swap per replica; the later goals of a round often make that room anyway,
    // so it waits for the goal's second run on the placement (the optimizer's second round), unless
    // the first run can move nothing without it.
    const runs = runsOn.next(ctx.state);
    for (let round = 0; round < 4; round++) {
      const a = shed(ctx, openings);
      const b = fill(ctx, openings, runs > 1);
      if (!a && !b) {
        // Nothing else moved in the first run: no later round comes to make the room.
        if (runs === 1 && round === 0) fill(ctx, openings, true);
        return;
      }
    }
  },
};
