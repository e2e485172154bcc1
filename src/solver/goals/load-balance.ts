/**
 * Shared machinery of the load goals (capacity, network in, network out, leader bytes): a per-broker
 * load measure, how an action changes it, and a greedy that brings brokers into a per-broker band
 * [low, high]. Loads only leaders carry (network out, leader bytes) are first moved by leadership
 * changes and trades, which move no data; replica moves and swaps are tried only for brokers that
 * reordering alone cannot bring into the band. Swaps include swaps of two replicas of one topic, which
 * the replica-count and topic-spread bands always allow, so a broker is not left outside its band
 * because the best-ranked moves all hit those bands' edges.
 */
import type { GoalContext } from "../goal.js";
import { grown } from "../arrays.js";
import { moveKeepsSpread } from "../rules.js";
import type { Action, PlacementState } from "../state.js";
import type { BrokerBand } from "../load-targets.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";
import { type Deltas, brokerDeltas, leaderDeltas, partnersByFill, worstFirst } from "./band.js";
import { firstAtLeast, partitionsByWeightDescending } from "./by-size.js";
import { firstInSortOrder } from "./lazy-order.js";
import { BrokerMemo, CallMemo } from "./memo.js";
import { compareKeys } from "./replica-count.js";

/** A per-broker load and what each partition contributes to it. */
export interface LoadMeasure {
  /** The live per-broker load array of the state. */
  load(state: PlacementState): Float64Array;
  /** Per partition: what one replica (or, when leaderOnly, the leader) adds to its broker. */
  weight(state: PlacementState): Float64Array;
  /** Only the leader carries the load, so a leadership change moves it. */
  readonly leaderOnly: boolean;
}

export const DISK: LoadMeasure = { load: (s) => s.disk, weight: (s) => s.size, leaderOnly: false };
export const NETWORK_IN: LoadMeasure = { load: (s) => s.netIn, weight: (s) => s.bytesIn, leaderOnly: false };
export const NETWORK_OUT: LoadMeasure = { load: (s) => s.netOut, weight: (s) => s.leaderOut, leaderOnly: true };
export const LEADER_BYTES: LoadMeasure = { load: (s) => s.leaderBytes, weight: (s) => s.bytesIn, leaderOnly: true };

/** Per-broker change of the measure an action causes. */
export function measureDeltas(state: PlacementState, action: Action, m: LoadMeasure): Deltas {
  const w = m.weight(state);
  if (!m.leaderOnly) return brokerDeltas(state, action, (p) => w[p]!);
  const out: Deltas = [];
  const add = (key: number, d: number): void => {
    const e = out.find((x) => x[0] === key);
    if (e) e[1] += d;
    else out.push([key, d]);
  };
  if (action.kind === "lead" || action.kind === "trade") {
    for (const c of state.leaderChanges(action)) {
      add(c.from, -w[c.p]!);
      add(c.to, w[c.p]!);
    }
    return out;
  }
  for (const c of state.changes(action)) {
    if (c.slot !== 0) continue;
    add(c.from, -w[c.p]!);
    add(c.to, w[c.p]!);
  }
  return out;
}

/** Per-broker sums of leadershipAccepts (a trade changes at most three leaderships, so six brokers). */
const shiftKeys = new Int32Array(6);
const shiftSums = new Float64Array(6);
let shifts = 0;

/** Adds d to key's sum (the first entry for a new key), as measureDeltas does. */
function addShift(key: number, d: number): void {
  for (let i = 0; i < shifts; i++) {
    if (shiftKeys[i] === key) {
      shiftSums[i]! += d;
      return;
    }
  }
  shiftKeys[shifts] = key;
  shiftSums[shifts++] = d;
}

/** Adds the change of the leader-only measure m when p's leadership goes to its replica in `slot`. */
function addLeadShift(state: PlacementState, w: Float64Array, p: number, slot: number): void {
  if (slot === 0) return;
  addShift(state.brokerAt(p, 0), -w[p]!);
  addShift(state.brokerAt(p, slot), w[p]!);
}

/**
 * bandAccepts over measureDeltas for a leadership change or trade (`low`/`high` the band's edges):
 * the same sums in the same order, without building the deltas (every later goal's leadership
 * changes pass through here).
 */
export function leadershipAccepts(
  state: PlacementState,
  action: Extract<Action, { kind: "lead" | "trade" }>,
  m: LoadMeasure,
  low: Float64Array,
  high: Float64Array,
  tol: number,
): boolean {
  // Only leaderships carry a leader-only measure; the rest do not change with them.
  if (!m.leaderOnly) return true;
  const w = m.weight(state);
  shifts = 0;
  addLeadShift(state, w, action.p, action.slot);
  if (action.kind === "trade") {
    addLeadShift(state, w, action.q, action.qSlot);
    if (action.r !== undefined && action.rSlot !== undefined) addLeadShift(state, w, action.r, action.rSlot);
  }
  const load = m.load(state);
  for (let i = 0; i < shifts; i++) {
    const d = shiftSums[i]!;
    if (d === 0) continue;
    const b = shiftKeys[i]!;
    const v = load[b]!;
    if (deviation(v + d, low[b]!, high[b]!) > deviation(v, low[b]!, high[b]!) + tol) return false;
  }
  return true;
}

/** Sum over eligible brokers of the distance from the band. */
export function bandDeviation(state: PlacementState, m: LoadMeasure, band: BrokerBand): number {
  const load = m.load(state);
  let s = 0;
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) s += band.deviationOf(b, load[b]!);
  return s;
}

/** Decrease of broker b's distance from its band when its load changes by d (positive = better). */
function shiftGain(load: Float64Array, band: BrokerBand, b: number, d: number): number {
  const v = load[b]!;
  return band.deviationOf(b, v) - band.deviationOf(b, v + d);
}

/** Decrease of the band deviation the action brings (positive = better). No allocation. */
export function bandGain(state: PlacementState, action: Action, m: LoadMeasure, band: BrokerBand): number {
  const load = m.load(state);
  const w = m.weight(state);
  const gain = (b: number, d: number): number => gainAt(state, load, band, b, d);
  switch (action.kind) {
    case "lead":
      return leadGain(state, m, band, action.p, action.slot);
    case "move":
      return moveGain(state, m, band, action.p, action.slot, action.to);
    case "swap":
      return swapGain(state, m, band, action.p, action.slot, action.q, action.qSlot);
    case "trade": {
      if (!m.leaderOnly) return 0;
      if (isPlainTrade(state, action)) {
        // b hands p to x while x hands q to b: only those two brokers change.
        const net = w[action.q]! - w[action.p]!;
        return gain(state.brokerAt(action.p, 0), net) + gain(state.brokerAt(action.p, action.slot), -net);
      }
      return measureDeltas(state, action, m).reduce((s, [b, d]) => s + gain(b, d), 0);
    }
  }
}

/** bandGain of making the replica at (p, slot) p's leader, without the action. */
function leadGain(state: PlacementState, m: LoadMeasure, band: BrokerBand, p: number, slot: number): number {
  if (!m.leaderOnly || slot === 0) return 0;
  const load = m.load(state);
  const x = m.weight(state)[p]!;
  return gainAt(state, load, band, state.brokerAt(p, 0), -x) + gainAt(state, load, band, state.brokerAt(p, slot), x);
}

/** bandGain of moving the replica at (p, slot) to broker `to`, without the action. */
function moveGain(state: PlacementState, m: LoadMeasure, band: BrokerBand, p: number, slot: number, to: number): number {
  const load = m.load(state);
  const x = m.leaderOnly && slot !== 0 ? 0 : m.weight(state)[p]!;
  const from = state.brokerAt(p, slot);
  return from === to ? 0 : gainAt(state, load, band, from, -x) + gainAt(state, load, band, to, x);
}

/** bandGain of swapping the replicas at (p, slot) and (q, qSlot), without the action. */
function swapGain(state: PlacementState, m: LoadMeasure, band: BrokerBand, p: number, slot: number, q: number, qSlot: number): number {
  const b1 = state.brokerAt(p, slot);
  const b2 = state.brokerAt(q, qSlot);
  if (b1 === b2) return 0;
  const w = m.weight(state);
  const net = (m.leaderOnly && qSlot !== 0 ? 0 : w[q]!) - (m.leaderOnly && slot !== 0 ? 0 : w[p]!);
  const load = m.load(state);
  return gainAt(state, load, band, b1, net) + gainAt(state, load, band, b2, -net);
}

/** Decrease of broker b's distance from its band when its load changes by d; nothing for an ineligible broker. */
function gainAt(state: PlacementState, load: Float64Array, band: BrokerBand, b: number, d: number): number {
  return d === 0 || !state.eligible[b] ? 0 : shiftGain(load, band, b, d);
}

/** A trade between two brokers: p's leader becomes q's new leader and the other way round. */
function isPlainTrade(state: PlacementState, a: Extract<Action, { kind: "trade" }>): boolean {
  return (
    a.r === undefined &&
    a.slot !== 0 &&
    a.qSlot !== 0 &&
    state.brokerAt(a.p, 0) === state.brokerAt(a.q, a.qSlot) &&
    state.brokerAt(a.p, a.slot) === state.brokerAt(a.q, 0)
  );
}

export function tolerance(band: BrokerBand, b: number): number {
  return 1e-9 * Math.max(1, band.idealOf(b));
}

/** Brokers outside the band (beyond tolerance) and the largest |load / ideal − 1| over eligible brokers. */
export function bandStats(state: PlacementState, m: LoadMeasure, band: BrokerBand): { outside: number; worst: number } {
  const load = m.load(state);
  let outside = 0;
  let worst = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b]) continue;
    if (band.idealOf(b) > 0) worst = Math.max(worst, Math.abs(load[b]! / band.idealOf(b) - 1));
    if (band.deviationOf(b, load[b]!) > tolerance(band, b)) outside++;
  }
  return { outside, worst };
}

/** A broker above this multiple of its band's top is drained in batches (BandOptions.drain). */
const DRAIN_ABOVE = 1.5;

/** Brokers compared as move partners, per side (same rack, other racks). */
const PARTNERS = 6;
/**
 * The shortcuts of candidate gathering: walks that stop where nothing further could be kept. Tests
 * turn them off to check that every step proposes the same actions in the same order without them.
 */
export const shortcuts = { on: true };

/** Relative size of the margin a bound on a gain is raised by for rounding (Step.marginOf). */
const ROUNDING = 1e-12;
/** Actions of each kind offered to the acceptance chain per rebalancing step. */
export const TRIES = 64;
/** Replicas of the giving broker looked at on either side of the weight wanted. */
const WINDOW = 256;
/** The same when only moves are gathered (BandOptions.movesFirst): the best lie nearest the weight wanted. */
const MOVE_WINDOW = 64;

export interface BandOptions {
  /** Extra check the running goal applies to its own actions (the capacity goal's other resources). */
  readonly selfAccepts?: (a: Action) => boolean;
  /**
   * Offer replica moves alone first, and swaps only when no move is taken (the capacity goal: an
   * overloaded broker is drained by moves, and building every swap for each of its steps cost most of
   * its time on clusters far over their limits).
   */
  readonly movesFirst?: boolean;
  /**
   * A broker over its band keeps taking actions (moves, or in the leadership phase leadership
   * changes and trades) from one ranked list while it stays over, instead of building the list anew
   * for every action. Far over (more than DRAIN_ABOVE × its top), each is judged again against the
   * placement as it is then (still b's, still a gain); nearer, only while the next action ranks
   * exactly as it did when the list was built (the same gain, cost and count figures): the first
   * whose figures changed ends the batch, as the order past it is no longer known. A broker with
   * thousands of replicas too many (after a skewed placement) then costs one list per batch, not one
   * per replica.
   */
  readonly drain?: boolean;
}

/**
 * Brings brokers into the band through `ctx.propose`: first by leadership changes alone (leader-only
 * measures), then by moves and swaps as well. Worst broker first; a broker nothing can improve is
 * left alone.
 */
export function optimizeBand(ctx: GoalContext, m: LoadMeasure, band: BrokerBand, options: BandOptions = {}): void {
  const phases = m.leaderOnly ? [true, false] : [false];
  for (const leadOnly of phases) {
    worstFirst(ctx.state, m.load(ctx.state), band, (b, over) => rebalance(ctx, m, band, b, over, leadOnly, options), (b) => heaviestOn(ctx.state, m, b));
  }
}

/** Places in a candidate's key: the five figures of `rebalance`, then the action's identity (7). */
const KEY = 12;

/** Kinds of action with a TRIES budget of their own (see `kindOf`). */
const KINDS = 5;

/**
 * The candidates of one rebalancing step: the actions, the TRIES budget each draws on (see `kindOf`)
 * and their keys in one flat array. Reused from step to step (a step ends before the next begins):
 * a step weighs thousands of candidates for one action.
 *
 * Cleared with a limit (`clear(TRIES)`), it keeps only that many of each kind, the first in key
 * order: when nothing but the higher goals can refuse a candidate, bestFirst proposes at most TRIES
 * of a kind, so the rest are never looked at, and need not be kept in its heap. A candidate is then
 * placed with one comparison against its kind's worst kept one (a heap per kind), not stored.
 */
export class Candidates {
  n = 0;
  actions: Action[] = [];
  kinds: Int32Array = new Int32Array(1024);
  keys: Float64Array = new Float64Array(1024 * KEY);
  /** Per kind, when limited: the slots it holds, a max-heap by key (its worst on top). */
  private readonly held: Int32Array[] = Array.from({ length: KINDS }, () => new Int32Array(TRIES));
  private readonly heldCount = new Int32Array(KINDS);
  private limit = Infinity;
  /** visitInOrder's heap of slots. */
  private order = new Int32Array(256);

  /** Empties the list; with a limit, keeps at most that many (at most TRIES) of each kind from then on. */
  clear(limit = Infinity): this {
    this.n = 0;
    this.actions.length = 0;
    this.limit = limit === Infinity ? Infinity : Math.min(limit, TRIES);
    this.heldCount.fill(0);
    return this;
  }

  /**
   * Whether a candidate of this kind whose gain falls in `bucket` (the second place of its key) and
   * whose first place is at least 0 would be turned away: its kind keeps its limit, the worst of them
   * with a first place of 0 and a better bucket. Asked before the rest of the key is worked out.
   */
  beaten(kind: number, bucket: number): boolean {
    if (this.limit === Infinity || this.heldCount[kind] !== this.limit) return false;
    const o = this.held[kind]![0]! * KEY;
    return this.keys[o] === 0 && this.keys[o + 1]! < bucket;
  }

  /**
   * Whether a candidate of this kind would be turned away whose key begins with 0, `bucket` and
   * `worse` and whose fourth place (its moves) is at least `moves`: its kind keeps its limit and the
   * worst of them ranks before any such key by those places alone. (beaten asks the same of the
   * first two places.)
   */
  beatenAt(kind: number, bucket: number, worse: number, moves: number): boolean {
    if (this.limit === Infinity || this.heldCount[kind] !== this.limit) return false;
    const k = this.keys;
    const o = this.held[kind]![0]! * KEY;
    if (k[o] !== 0) return false;
    if (k[o + 1] !== bucket) return k[o + 1]! < bucket;
    if (k[o + 2] !== worse) return k[o + 2]! < worse;
    return k[o + 3]! < moves;
  }

  /**
   * Adds a candidate (or, when limited, keeps it if it is among its kind's best so far). `valid`, when
   * given, is a check of the action itself (the rack rule) asked only of a candidate that would be kept.
   */
  push(action: Action, kind: number, k0: number, k1: number, k2: number, k3: number, k4: number, valid?: () => boolean): void {
    const a = action;
    let staged: boolean;
    // Ties break by partition and slot, never by the order of a broker's replica list.
    switch (a.kind) {
      case "lead":
        staged = this.stage(kind, k0, k1, k2, k3, k4, 0, a.p, a.slot, 0, 0, 0, 0);
        break;
      case "move":
        staged = this.stage(kind, k0, k1, k2, k3, k4, 1, a.p, a.slot, a.to, 0, 0, 0);
        break;
      case "swap":
        staged = this.stage(kind, k0, k1, k2, k3, k4, 2, a.p, a.slot, a.q, a.qSlot, 0, 0);
        break;
      case "trade":
        staged = this.stage(kind, k0, k1, k2, k3, k4, 3, a.p, a.slot, a.q, a.qSlot, a.r ?? -1, a.rSlot ?? -1);
        break;
    }
    if (staged && (valid === undefined || valid())) this.keep(kind, action);
  }

  /** push for a swap of the replicas at (p, slot) and (q, qSlot), its figures given: the action is built only if it is kept. */
  pushSwap(p: number, slot: number, q: number, qSlot: number, kind: number, k0: number, k1: number, k2: number, k3: number, k4: number, valid?: () => boolean): void {
    if (this.stage(kind, k0, k1, k2, k3, k4, 2, p, slot, q, qSlot, 0, 0) && (valid === undefined || valid())) this.keep(kind, { kind: "swap", p, slot, q, qSlot });
  }

  /** push for a leadership change of p to its replica in `slot`: the action is built only if it is kept. */
  pushLead(p: number, slot: number, kind: number, k0: number, k1: number, k2: number, k3: number, k4: number): void {
    if (this.stage(kind, k0, k1, k2, k3, k4, 0, p, slot, 0, 0, 0, 0)) this.keep(kind, { kind: "lead", p, slot });
  }

  /** push for a move of the replica at (p, slot) to broker `to`: the action is built only if it is kept. */
  pushMove(p: number, slot: number, to: number, kind: number, k0: number, k1: number, k2: number, k3: number, k4: number, valid?: () => boolean): void {
    if (this.stage(kind, k0, k1, k2, k3, k4, 1, p, slot, to, 0, 0, 0) && (valid === undefined || valid())) this.keep(kind, { kind: "move", p, slot, to });
  }

  /** push for a plain leadership trade (no third partition): the action is built only if it is kept. */
  pushTrade(p: number, slot: number, q: number, qSlot: number, kind: number, k0: number, k1: number, k2: number, k3: number, k4: number): void {
    if (this.stage(kind, k0, k1, k2, k3, k4, 3, p, slot, q, qSlot, -1, -1)) this.keep(kind, { kind: "trade", p, slot, q, qSlot });
  }

  /**
   * Writes a candidate's key to the next free slot: its five figures, then its identity (the kind of
   * action, 0 lead, 1 move, 2 swap, 3 trade, and up to six partitions, slots and brokers). Returns
   * whether it would be kept (its kind has room, or it ranks before the kind's worst kept); `keep`
   * then keeps it, before anything else is staged.
   */
  stage(kind: number, k0: number, k1: number, k2: number, k3: number, k4: number, code: number, a: number, b: number, c: number, d: number, e: number, f: number): boolean {
    if (this.n === this.kinds.length) {
      this.kinds = grown(this.kinds, 2 * this.kinds.length);
      this.keys = grown(this.keys, 2 * this.keys.length);
    }
    const k = this.keys;
    const o = this.n * KEY;
    k[o] = k0;
    k[o + 1] = k1;
    k[o + 2] = k2;
    k[o + 3] = k3;
    k[o + 4] = k4;
    k[o + 5] = code;
    k[o + 6] = a;
    k[o + 7] = b;
    k[o + 8] = c;
    k[o + 9] = d;
    k[o + 10] = e;
    k[o + 11] = f;
    // Equal keys are the same action: the one kept first comes first, as in a stable sort.
    return this.limit === Infinity || this.heldCount[kind] !== this.limit || this.compare(this.n, this.held[kind]![0]!) < 0;
  }

  /** Keeps the candidate staged last, whose action this is: in its slot, or, when its kind is full, in place of the worst. */
  keep(kind: number, action: Action): void {
    const i = this.n;
    if (this.limit !== Infinity) {
      const heap = this.held[kind]!;
      const count = this.heldCount[kind]!;
      if (count === this.limit) {
        const worst = heap[0]!;
        this.keys.copyWithin(worst * KEY, i * KEY, (i + 1) * KEY);
        this.actions[worst] = action;
        this.siftDown(heap, count);
        return;
      }
      heap[count] = i;
      this.heldCount[kind] = count + 1;
      this.siftUp(heap, count);
    }
    this.n++;
    this.actions[i] = action;
    this.kinds[i] = kind;
  }

  /**
   * Calls `visit` on the candidates' slots in key order, ties by slot (the order a stable sort would
   * give), until it returns true; returns whether it did. A heap popped on demand: the first few are
   * usually all that is asked for.
   */
  visitInOrder(visit: (i: number) => boolean): boolean {
    const n = this.n;
    if (this.order.length < n) this.order = new Int32Array(Math.max(n, 2 * this.order.length));
    const heap = this.order;
    for (let i = 0; i < n; i++) heap[i] = i;
    for (let k = (n >> 1) - 1; k >= 0; k--) this.sinkFirst(heap, k, n);
    for (let size = n; size > 0; size--) {
      const top = heap[0]!;
      heap[0] = heap[size - 1]!;
      this.sinkFirst(heap, 0, size - 1);
      if (visit(top)) return true;
    }
    return false;
  }

  /** Whether slot i comes before slot j in visiting order (key, then slot). */
  private before(i: number, j: number): boolean {
    const c = this.compare(i, j);
    return c < 0 || (c === 0 && i < j);
  }

  /** Sifts place k of a min-heap (by `before`) of slots heap[0, size) down. */
  private sinkFirst(heap: Int32Array, at: number, size: number): void {
    let k = at;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= size) return;
      const r = l + 1;
      const m = r < size && this.before(heap[r]!, heap[l]!) ? r : l;
      if (!this.before(heap[m]!, heap[k]!)) return;
      const x = heap[k]!;
      heap[k] = heap[m]!;
      heap[m] = x;
      k = m;
    }
  }

  private siftUp(heap: Int32Array, at: number): void {
    let k = at;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (this.compare(heap[k]!, heap[parent]!) <= 0) return;
      const x = heap[k]!;
      heap[k] = heap[parent]!;
      heap[parent] = x;
      k = parent;
    }
  }

  private siftDown(heap: Int32Array, size: number): void {
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= size) return;
      const r = l + 1;
      const m = r < size && this.compare(heap[r]!, heap[l]!) > 0 ? r : l;
      if (this.compare(heap[m]!, heap[k]!) <= 0) return;
      const x = heap[k]!;
      heap[k] = heap[m]!;
      heap[m] = x;
      k = m;
    }
  }

  /** Whether candidate i's ranking figures (the first five places of its key) are `figures`. */
  ranksAs(i: number, figures: Float64Array): boolean {
    const o = i * KEY;
    for (let x = 0; x < 5; x++) if (this.keys[o + x] !== figures[x]) return false;
    return true;
  }

  /** Candidate i's key against j's, place by place (ascending: lower first). */
  compare(i: number, j: number): number {
    const k = this.keys;
    const a = i * KEY;
    const b = j * KEY;
    for (let x = 0; x < KEY; x++) {
      const d = k[a + x]! - k[b + x]!;
      if (d !== 0) return d;
    }
    return 0;
  }
}

const candidates = new Candidates();

/**
 * Refusals are counted per kind of action (leadership change, trade, move, swap of one topic's
 * replicas, other swap): when the higher goals refuse every move (replica counts at their band's
 * edge), the swaps still get their tries.
 */
function kindOf(state: PlacementState, a: Action): number {
  switch (a.kind) {
    case "lead":
      return 0;
    case "trade":
      return 1;
    case "move":
      return 2;
    case "swap":
      return state.topicOf[a.p] === state.topicOf[a.q] ? 3 : 4;
  }
}

/** Gains are ranked in buckets of this size (0.2% of the broker's ideal): near-equal gains tie. */
function gainGrain(band: BrokerBand, b: number): number {
  return Math.max(1e-12, band.idealOf(b) * 0.002);
}

/**
 * One rebalancing step of broker b: what its candidates are ranked by, and the offers that rank
 * them and keep the best (`consider` for any action; the others for one kind of action, its gain
 * known, with the same figures worked out from the replicas alone and the action built only if it
 * is kept). Reused from step to step (a step ends before the next begins), so gathering thousands
 * of candidates builds no closure per step or per replica.
 */
class Step {
  state!: PlacementState;
  targets!: Targets;
  m!: LoadMeasure;
  band!: BrokerBand;
  out!: Candidates;
  b = 0;
  over = false;
  /** The measure's live per-broker load and per-partition weight, and the band's edges. */
  load!: Float64Array;
  weight!: Float64Array;
  low!: Float64Array;
  high!: Float64Array;
  leaderOnly = false;
  /** Leadership changes that unbalance preferred-leader counts come last (the leader goal runs later). */
  counts = false;
  tol = 0;
  grain = 1;
  /** The last rack rule answer (`spreads`): the replica at (spreadP, spreadSlot) going to spreadTo. */
  private spreadP = -1;
  private spreadSlot = -1;
  private spreadTo = -1;
  private spreadOk = false;

  begin(ctx: GoalContext, m: LoadMeasure, band: BrokerBand, b: number, over: boolean, out: Candidates): this {
    this.state = ctx.state;
    this.targets = ctx.targets;
    this.m = m;
    this.band = band;
    this.out = out;
    this.b = b;
    this.over = over;
    this.load = m.load(ctx.state);
    this.weight = m.weight(ctx.state);
    this.low = band.low;
    this.high = band.high;
    this.leaderOnly = m.leaderOnly;
    this.counts = m.leaderOnly && ctx.later.includes("leader");
    this.tol = tolerance(band, b);
    this.grain = gainGrain(band, b);
    this.spreadP = -1;
    return this;
  }

  /** gainAt: the decrease of broker x's distance from its band when its load changes by d. */
  shift(x: number, d: number): number {
    if (d === 0 || !this.state.eligible[x]) return 0;
    const v = this.load[x]!;
    const lo = this.low[x]!;
    const hi = this.high[x]!;
    return deviation(v, lo, hi) - deviation(v + d, lo, hi);
  }

  /** shift(a, d) + shift(c, -d): broker a's load changes by d and c's by the opposite. */
  exchange(a: number, c: number, d: number): number {
    return this.shift(a, d) + this.shift(c, -d);
  }

  /**
   * An upper bound of exchange(a, c, d) over d in [from, to]: the sum is concave in d (a distance
   * from a band is convex in the load), so its most lies at an end or where a load crosses a band
   * edge. Raised by a margin that covers the rounding of either figure, so a candidate's gain as its
   * offer works it out never exceeds it.
   */
  changeBound(a: number, c: number, from: number, to: number): number {
    const va = this.load[a]!;
    const vc = this.load[c]!;
    let most = Math.max(this.exchange(a, c, from), this.exchange(a, c, to));
    // Where a's load crosses its band's edges, then c's.
    most = Math.max(most, this.within(a, c, this.low[a]! - va, from, to), this.within(a, c, this.high[a]! - va, from, to));
    most = Math.max(most, this.within(a, c, vc - this.low[c]!, from, to), this.within(a, c, vc - this.high[c]!, from, to));
    return most + this.marginOf(a, c) + ROUNDING * (Math.abs(from) + Math.abs(to));
  }

  /**
   * A margin for the rounding of an exchange between b and c: far above what a few operations on
   * such loads can lose (about 1e-15 of them), far below any tolerance (1e-9 of an ideal).
   */
  marginOf(a: number, c: number): number {
    return ROUNDING * (Math.abs(this.load[a]!) + Math.abs(this.load[c]!) + Math.abs(this.high[a]!) + Math.abs(this.high[c]!) + Math.abs(this.low[a]!) + Math.abs(this.low[c]!));
  }

  /**
   * A change d of a's load (c's by -d), at least `from`, at which exchange(a, c, d) is largest:
   * `from` itself or a corner, as it falls without end past them. Its gain is left in `peakGain`.
   */
  peakChange(a: number, c: number, from: number): number {
    const va = this.load[a]!;
    const vc = this.load[c]!;
    this.peakAt = from;
    this.peakGain = from === -Infinity ? -Infinity : this.exchange(a, c, from);
    this.higher(a, c, this.low[a]! - va, from);
    this.higher(a, c, this.high[a]! - va, from);
    this.higher(a, c, vc - this.low[c]!, from);
    this.higher(a, c, vc - this.high[c]!, from);
    return this.peakAt;
  }

  /** Where peakChange found the largest gain so far, and that gain. */
  private peakAt = 0;
  peakGain = 0;

  /** Takes d as peakChange's peak if it lies past `from` and gains more. */
  private higher(a: number, c: number, d: number, from: number): void {
    if (!(d > from)) return;
    const g = this.exchange(a, c, d);
    if (g > this.peakGain) {
      this.peakGain = g;
      this.peakAt = d;
    }
  }

  /** exchange(a, c, d) when d lies in (from, to), else -Infinity. */
  private within(a: number, c: number, d: number, from: number, to: number): number {
    return d > from && d < to ? this.exchange(a, c, d) : -Infinity;
  }

  /**
   * Whether no candidate of this kind gaining at most `bound` and counting at least `moves` moves
   * would be kept: its gain is within the tolerance, or its key ranks after the kind's worst kept
   * (its leader count figures are 0 when counts do not matter, and unknown otherwise).
   */
  hopeless(kind: number, bound: number, moves: number): boolean {
    return bound <= this.tol || this.out.beatenAt(kind, -Math.round(bound / this.grain), this.counts ? -Infinity : 0, moves);
  }

  /** Whether no gain up to `bound` could be kept: it is within the tolerance, or its bucket ranks after `worst`, a full list's worst kept bucket. */
  outOfReach(bound: number, worst: number): boolean {
    return bound <= this.tol || -Math.round(bound / this.grain) > worst;
  }

  /** What the replica at (p, slot) carries of the measure. */
  carried(p: number, slot: number): number {
    return this.leaderOnly && slot !== 0 ? 0 : this.weight[p]!;
  }

  /** leadGain. */
  leadGain(p: number, slot: number): number {
    if (!this.leaderOnly || slot === 0) return 0;
    const x = this.weight[p]!;
    return this.shift(this.state.brokerAt(p, 0), -x) + this.shift(this.state.brokerAt(p, slot), x);
  }

  /** moveGain of the replica at (p, slot), on broker `from`, going to broker `to`. */
  moveGain(p: number, slot: number, from: number, to: number): number {
    const x = this.carried(p, slot);
    return from === to ? 0 : this.shift(from, -x) + this.shift(to, x);
  }

  /** swapGain of the replicas at (p, slot) on b1 and (q, qSlot) on b2. */
  swapGain(p: number, slot: number, b1: number, q: number, qSlot: number, b2: number): number {
    if (b1 === b2) return 0;
    const net = this.carried(q, qSlot) - this.carried(p, slot);
    return this.shift(b1, net) + this.shift(b2, -net);
  }

  /** Whether the rack rule lets the replica at (p, slot) go to `to` (moveKeepsSpread, asked once for the same replica and broker in a row). */
  spreads(p: number, slot: number, to: number): boolean {
    if (this.spreadP !== p || this.spreadSlot !== slot || this.spreadTo !== to) {
      this.spreadOk = moveKeepsSpread(this.state, this.targets, p, slot, to);
      this.spreadP = p;
      this.spreadSlot = slot;
      this.spreadTo = to;
    }
    return this.spreadOk;
  }

  /** The bucket of the gain `worthy` or `gains` last looked at. */
  private bucket = 0;

  /** Whether an action of this kind and gain could be kept (gains more than the tolerance, not beaten); its bucket in `bucket`. */
  private worthy(kind: number, gain: number): boolean {
    return gain > this.tol && this.gains(kind, gain);
  }

  /** Whether an action of this kind and gain (known not to be at most the tolerance) is not beaten; its bucket in `bucket`. */
  private gains(kind: number, gain: number): boolean {
    this.bucket = -Math.round(gain / this.grain);
    return !this.out.beaten(kind, this.bucket);
  }

  consider(action: Action, valid?: () => boolean): void {
    const { state } = this;
    // rank's figures, worked out only as far as it takes to turn the action away.
    const gain = bandGain(state, action, this.m, this.band);
    if (gain <= this.tol) return;
    const kind = kindOf(state, action);
    if (!this.gains(kind, gain)) return;
    const bucket = this.bucket;
    const cost = state.cost(action);
    const worse = this.counts ? leaderCountLoss(state, this.targets, action) : 0;
    this.out.push(action, kind, worse > 0 ? 1 : 0, bucket, worse, cost.moves, cost.bytes, valid);
  }

  /** consider for making the replica at (p, slot) p's leader. */
  offerLead(p: number, slot: number, gain: number): void {
    if (!this.worthy(0, gain)) return;
    const bucket = this.bucket;
    const worse = this.counts ? leaderShiftLoss(this.state, this.targets, this.state.brokerAt(p, 0), this.state.brokerAt(p, slot)) : 0;
    this.out.pushLead(p, slot, 0, worse > 0 ? 1 : 0, bucket, worse, 0, 0);
  }

  /** consider for moving the replica at (p, slot) from broker `from` to broker `to` (not one of p's). */
  offerMove(p: number, slot: number, from: number, to: number, gain: number): void {
    if (!this.worthy(2, gain)) return;
    const bucket = this.bucket;
    const { state } = this;
    const moves = state.moveDelta(p, slot, to);
    const worse = this.counts && slot === 0 ? leaderShiftLoss(state, this.targets, from, to) : 0;
    const out = this.out;
    if (out.stage(2, worse > 0 ? 1 : 0, bucket, worse, moves, moves * state.size[p]!, 1, p, slot, to, 0, 0, 0) && this.spreads(p, slot, to)) {
      out.keep(2, { kind: "move", p, slot, to });
    }
  }

  /**
   * consider for a swap of the replicas at (p, slot) on b1 and (q, qSlot) on b2: its leader counts
   * never change (a leader for a leader or a follower for a follower, or counts do not matter).
   */
  offerSwap(p: number, slot: number, b1: number, q: number, qSlot: number, b2: number, kind: number, gain: number): void {
    if (!this.worthy(kind, gain)) return;
    const bucket = this.bucket;
    const { state, out } = this;
    const dp = state.moveDelta(p, slot, b2);
    // q's own move counts -1 at least: a swap whose key cannot rank before the kind's worst even so is
    // turned away before that is worked out.
    if (out.beatenAt(kind, bucket, 0, dp - 1)) return;
    const dq = state.moveDelta(q, qSlot, b1);
    if (out.stage(kind, 0, bucket, 0, dp + dq, dp * state.size[p]! + dq * state.size[q]!, 2, p, slot, q, qSlot, 0, 0) && this.spreads(p, slot, b2) && moveKeepsSpread(state, this.targets, q, qSlot, b1)) {
      out.keep(kind, { kind: "swap", p, slot, q, qSlot });
    }
  }

  /**
   * consider for a trade through a third broker (threeWayTrades): b hands p to x (slot) and takes q
   * from v (qSlot), and, when r is not -1, x hands r to v (rSlot). The gain is bandGain's: the
   * per-broker sums of measureDeltas (b, x, v in that order) added up in the same order.
   */
  offerThreeWay(p: number, slot: number, x: number, q: number, qSlot: number, v: number, r: number, rSlot: number): void {
    if (this.counts) {
      this.consider(r < 0 ? { kind: "trade", p, slot, q, qSlot } : { kind: "trade", p, slot, q, qSlot, r, rSlot });
      return;
    }
    const w = this.weight;
    const wp = w[p]!;
    const wq = w[q]!;
    const gain = r < 0 ? 0 + this.shift(this.b, -wp + wq) + this.shift(x, wp) + this.shift(v, -wq) : 0 + this.shift(this.b, -wp + wq) + this.shift(x, wp + -w[r]!) + this.shift(v, -wq + w[r]!);
    if (gain <= this.tol || !this.gains(1, gain)) return;
    // No leader count changes for b; cost nothing; counts do not matter (`worse` is 0).
    if (this.out.stage(1, 0, this.bucket, 0, 0, 0, 3, p, slot, q, qSlot, r, rSlot)) {
      this.out.keep(1, r < 0 ? { kind: "trade", p, slot, q, qSlot } : { kind: "trade", p, slot, q, qSlot, r, rSlot });
    }
  }

  /** consider for a plain trade whose gain falls in `bucket` (it keeps leader counts and moves nothing). */
  offerTrade(p: number, slot: number, q: number, qSlot: number, bucket: number): void {
    if (!this.out.beaten(1, bucket)) this.out.pushTrade(p, slot, q, qSlot, 1, 0, bucket, 0, 0, 0);
  }

  /** The action's ranking figures (the first five places of its key) into `into`, or false when it gains nothing. */
  rank(action: Action, into: Float64Array): boolean {
    const { state } = this;
    const gain = bandGain(state, action, this.m, this.band);
    if (gain <= this.tol) return false;
    const cost = state.cost(action);
    const worse = this.counts ? leaderCountLoss(state, this.targets, action) : 0;
    into[0] = worse > 0 ? 1 : 0;
    into[1] = -Math.round(gain / this.grain);
    into[2] = worse;
    into[3] = cost.moves;
    into[4] = cost.bytes;
    return true;
  }
}

const step = new Step();

function rebalance(
  ctx: GoalContext,
  m: LoadMeasure,
  band: BrokerBand,
  b: number,
  over: boolean,
  leadOnly: boolean,
  options: BandOptions,
): boolean {
  // Only higher goals can refuse an action (no check of the goal's own, no draining): at most TRIES of
  // each kind are ever proposed, and only those are kept.
  const limit = options.selfAccepts === undefined && options.drain !== true ? TRIES : Infinity;
  const out = candidates.clear(limit);
  const here = step.begin(ctx, m, band, b, over, out);
  const drain: Drain | undefined = over && options.drain === true ? { m, band, b, rank: (a, into) => here.rank(a, into) } : undefined;
  if (m.leaderOnly) {
    leadCandidates(here);
    // bestFirst proposes at most TRIES trades, the best that the goal's own check admits (see TopTrades).
    tradeCandidates(here, options.selfAccepts);
  }
  if (!leadOnly) {
    if (options.movesFirst === true) {
      replicaCandidates(here, "moves");
      if (bestFirst(ctx, out, options, drain)) return true;
      out.clear(limit);
      replicaCandidates(here.begin(ctx, m, band, b, over, out), "swaps");
    } else replicaCandidates(here, "both");
  }
  if (bestFirst(ctx, out, options, drain)) return true;
  if (!m.leaderOnly) return false;
  // Last resort: trades through a third broker. Offered only when nothing else helps, as they use up
  // the leader band's slack on two other brokers.
  out.clear(limit);
  threeWayTrades(here);
  return bestFirst(ctx, out, options);
}

/** Replica moves, swaps or both between b and its partners that move load off b (`over`) or onto it, offered to the step. */
function replicaCandidates(here: Step, kinds: "moves" | "swaps" | "both"): void {
  const withSwaps = kinds !== "moves";
  const withMoves = kinds !== "swaps";
  const { state, m, band, b, over, weight: w, load, leaderOnly } = here;
  // Nothing is applied while the candidates are gathered: b's lists serve every partner.
  const fromB = over ? carrying(state, m, b) : null;
  // For a leader-only measure p is led by s (the carrying lists hold leads only), so its same-topic
  // partner q must be led by d: only d's leads are looked at.
  const topicsOf = (x: number): ReadonlyMap<number, readonly number[]> => (leaderOnly ? ledByTopic(state, x) : byTopic(state, x));
  const toB = !over && withSwaps ? { onD: carryingAscending(state, m, b), sameTopic: topicsOf(b) } : null;
  for (const o of partnersOf(state, m, band, b, !over)) {
    const s = over ? b : o;
    const d = over ? o : b;
    const want = Math.min(load[s]! - band.idealOf(s), band.idealOf(d) - load[d]!);
    const fromS = fromB ?? carrying(state, m, s); // heaviest first
    const onD = toB?.onD ?? (withSwaps ? carryingAscending(state, m, d) : []); // ascending weight
    const sameTopic = toB?.sameTopic ?? (withSwaps ? topicsOf(d) : NO_TOPICS);
    // Replicas of s within WINDOW places of the weight wanted, either side: the best moves, and
    // swaps for lighter replicas of d, are found there; on a broker with thousands of replicas
    // the rest would only add candidates ranked after them.
    const at = heavierThan(fromS, w, want);
    const window = withSwaps ? WINDOW : MOVE_WINDOW;
    // Where the weight wp - want falls in onD (firstAtLeast): fromS is heaviest first, so it only
    // moves down the list as p goes on; found by search once, then by stepping.
    let lo = -1;
    // Every candidate of p moves between 0 and wp from s to d (a move all of wp, a swap wp less a
    // lighter replica's weight), and gains what that brings s and d: at most the most of that gain
    // over [0, wp] (concave: the gain at its peak `top` once wp reaches it, below it wp's own), which
    // only falls as p goes on (heaviest first), while the kept candidates only get better; and each
    // of its moves counts -1 at least. So a kind none of whose candidates could be kept at one p has
    // none at any later p: it is no longer offered, and the walk ends when no kind is left. What is
    // skipped would be turned away at its turn: the candidates kept are the same.
    const top = here.peakChange(d, s, 0);
    const most = here.peakGain;
    const margin = here.marginOf(d, s);
    let moves = withMoves;
    let swaps = withSwaps;
    for (let i = Math.max(0, at - window); i < Math.min(fromS.length, at + window) && (moves || swaps); i++) {
      const p = fromS[i]!;
      const wp = w[p]!;
      if (shortcuts.on) {
        const bound = (wp >= top ? most : here.exchange(d, s, wp)) + margin + ROUNDING * wp;
        if (moves && here.hopeless(2, bound, -1)) moves = false;
        if (swaps && here.hopeless(3, bound, -2) && here.hopeless(4, bound, -2)) swaps = false;
      }
      // mayLeave(p, d) and p's slot on s, in one pass over p's replicas.
      if (state.frozen[p]) continue;
      const slot = slotAvoiding(state, p, s, d);
      if (slot < 0) continue;
      // The rack rule (moveKeepsSpread, the costly check) is asked only of candidates that would be
      // kept, and of p's replica once (Step.spreads).
      if (moves) here.offerMove(p, slot, s, d, here.moveGain(p, slot, s, d));
      if (!swaps) continue;
      // Swap with a replica of the same topic on d that carries less: topic counts stay as they
      // are (and, for leader-carried loads, leader counts too: a leader for a leader).
      const mates = sameTopic.get(state.topicIndexOf(p));
      if (mates !== undefined) {
        for (let k = 0; k < mates.length; k++) {
          const q = mates[k]!;
          if (q === p || w[q]! >= wp) continue;
          const qSlot = state.slotOf(q, d);
          if ((leaderOnly && (qSlot === 0) !== (slot === 0)) || !mayLeave(state, q, s)) continue;
          here.offerSwap(p, slot, s, q, qSlot, d, 3, here.swapGain(p, slot, s, q, qSlot, d));
        }
      }
      // Swap with a carrying replica on d about `want` lighter.
      const wanted = wp - want;
      if (lo < 0) lo = firstAtLeast(onD, w, wanted);
      else while (lo > 0 && w[onD[lo - 1]!]! >= wanted) lo--;
      for (let k = Math.max(0, lo - 2); k < Math.min(onD.length, lo + 2); k++) {
        const q = onD[k]!;
        if (q === p || w[q]! >= wp || !mayLeave(state, q, s)) continue;
        const qSlot = state.slotOf(q, d);
        // A leader for a leader (only leaders carry a leader-only measure), so leader counts stay.
        here.offerSwap(p, slot, s, q, qSlot, d, state.topicOf[p] === state.topicOf[q] ? 3 : 4, here.swapGain(p, slot, s, q, qSlot, d));
      }
    }
  }
}

const NO_TOPICS: ReadonlyMap<number, readonly number[]> = new Map();

/** What bestFirst needs to drain broker b (BandOptions.drain): its measure and band, and `rank` of `rebalance`. */
interface Drain {
  readonly m: LoadMeasure;
  readonly band: BrokerBand;
  readonly b: number;
  readonly rank: (a: Action, into: Float64Array) => boolean;
}

/** Scratch for a drained action's figures as they are now. */
const reranked = new Float64Array(5);

/**
 * Proposes candidates best first, from a heap: the first or second usually applies, and a broker
 * nothing helps stops after TRIES refusals of each kind, so the candidates are never fully sorted.
 * With `drain`, it goes on past the first applied while the broker stays over (BandOptions.drain).
 */
function bestFirst(ctx: GoalContext, out: Candidates, options: BandOptions, drain?: Drain): boolean {
  const { state } = ctx;
  const tries = [0, 0, 0, 0, 0];
  let exhausted = 0;
  let applied = false;
  out.visitInOrder((i) => {
    const kind = out.kinds[i]!;
    const action = out.actions[i]!;
    if (tries[kind]! >= TRIES) return false;
    // Draining: an action ranked before earlier ones were applied must still do what it did then;
    // far over, it must still gain, else it must still rank as it did (or the batch ends).
    if (applied && drain !== undefined) {
      if (!stillTakesOff(state, action, drain.b)) return false;
      if (drain.m.load(state)[drain.b]! > DRAIN_ABOVE * drain.band.highOf(drain.b)) {
        if (bandGain(state, action, drain.m, drain.band) <= tolerance(drain.band, drain.b)) return false;
      } else if (!drain.rank(action, reranked) || !out.ranksAs(i, reranked)) return true;
    }
    if (options.selfAccepts !== undefined && !options.selfAccepts(action)) return false;
    if (ctx.propose(action)) {
      applied = true;
      if (drain === undefined) return true;
      return drain.m.load(state)[drain.b]! <= drain.band.highOf(drain.b) + tolerance(drain.band, drain.b);
    }
    if (++tries[kind]! === TRIES) exhausted++;
    return exhausted === tries.length;
  });
  return applied;
}

/**
 * Whether an action gathered to take load off b still does what it did when gathered: a move still
 * takes a replica off b to a broker without one; a leadership change still takes b's leadership; a
 * plain trade still swaps a leadership of b for one of the same follower; a swap still trades a replica
 * of b for one of a broker that holds neither partition. Trades through a third broker are not drained.
 */
function stillTakesOff(state: PlacementState, a: Action, b: number): boolean {
  switch (a.kind) {
    case "move":
      return state.brokerAt(a.p, a.slot) === b && state.slotOf(a.p, a.to) < 0;
    case "lead":
      return a.slot !== 0 && state.brokerAt(a.p, 0) === b;
    case "trade":
      return a.r === undefined && a.slot !== 0 && state.brokerAt(a.p, 0) === b && state.brokerAt(a.q, a.qSlot) === b && state.brokerAt(a.q, 0) === state.brokerAt(a.p, a.slot);
    case "swap": {
      const other = state.brokerAt(a.q, a.qSlot);
      return state.brokerAt(a.p, a.slot) === b && other !== b && state.slotOf(a.q, b) < 0 && state.slotOf(a.p, other) < 0;
    }
  }
}

/** How much further from their band the preferred-leader counts end after the action. */
function leaderCountLoss(state: PlacementState, targets: Targets, action: Action): number {
  if (action.kind === "trade" && isPlainTrade(state, action)) return 0; // counts stay as they are
  let loss = 0;
  for (const [b, d] of leaderDeltas(state, action)) {
    if (d === 0) continue;
    const v = state.leadersOf(b);
    const lo = targets.leaderMinOf(state, b);
    const hi = targets.leaderMaxOf(state, b);
    loss += deviation(v + d, lo, hi) - deviation(v, lo, hi);
  }
  return loss;
}

/**
 * leaderCountLoss of one leadership going from broker `from` to broker `to` (a leadership change, or
 * a move of a leader replica): the same sum, without building the deltas.
 */
function leaderShiftLoss(state: PlacementState, targets: Targets, from: number, to: number): number {
  if (from === to) return 0;
  let loss = 0;
  loss += countShiftLoss(state, targets, from, -1);
  loss += countShiftLoss(state, targets, to, 1);
  return loss;
}

/** How much further from its leader band broker b's count ends when it changes by d. */
function countShiftLoss(state: PlacementState, targets: Targets, b: number, d: number): number {
  const v = state.leadersOf(b);
  const lo = targets.leaderMinOf(state, b);
  const hi = targets.leaderMaxOf(state, b);
  return deviation(v + d, lo, hi) - deviation(v, lo, hi);
}

/**
 * Leadership changes that take leader load off b (over) or onto b (under), offered to the step (in
 * the order of b's list, as `roles` would give them).
 */
function leadCandidates(here: Step): void {
  const { state, b, over } = here;
  const n = state.partitionsOnCount(b);
  for (let i = 0; i < n; i++) {
    const p = state.partitionOnAt(b, i);
    if (state.frozen[p]) continue;
    const leader = state.brokerAt(p, 0);
    if (over) {
      if (leader !== b) continue;
      for (let slot = 1; slot < state.rfOf(p); slot++) if (state.eligible[state.brokerAt(p, slot)]) here.offerLead(p, slot, here.leadGain(p, slot));
    } else if (leader !== b && state.eligible[leader]) {
      const slot = state.slotOf(p, b);
      here.offerLead(p, slot, here.leadGain(p, slot));
    }
  }
}

/** The partitions on b that may change, split into those b leads and those it follows, each in the order of b's list. */
interface Roles {
  readonly led: readonly number[];
  readonly followed: readonly number[];
}

/** b's Roles, kept until anything about b changes (its partitions or its leaderships); do not mutate. */
export function roles(state: PlacementState, b: number): Roles {
  return brokerRoles.get(state, b, state.touchedAt[b]!);
}

const brokerRoles = new BrokerMemo((state, b): Roles => {
  const led: number[] = [];
  const followed: number[] = [];
  const n = state.partitionsOnCount(b);
  for (let i = 0; i < n; i++) {
    const p = state.partitionOnAt(b, i);
    if (state.frozen[p]) continue;
    if (state.brokerAt(p, 0) === b) led.push(p);
    else followed.push(p);
  }
  return { led, followed };
});

/**
 * Leadership trades between b and another broker x: b hands a partition it leads to x (a follower
 * there) while x hands b a partition x leads with a follower on b. Leader counts stay as they are, so
 * leader-carried load can move after the leader goal has evened the counts. The gain decides which
 * way (and whether) a pair helps; of the pairs that gain, the `keep` best are offered (see TopTrades).
 *
 * Pairs are many (every lead of b times every lead b follows on the same broker) and few can be
 * kept, so they are not all weighed. A pair's gain depends only on x and the change of b's load,
 * w[q] - w[p], and is concave in it (each broker's distance from its band is convex in its load).
 * So per x it is largest where that change is at a band corner and falls off either side of it: x's
 * pairs are walked outward from there (both sides heaviest first) and each walk stops at the first
 * pair that, with a margin for rounding, could not be kept; the brokers x whose pairs at best
 * (changeBound) could not be kept are not walked at all, and the best are walked first so that the
 * list fills early. The pairs kept are those the full walk would keep, as the list keeps the best
 * by their key whatever order they come in.
 */
function tradeCandidates(here: Step, admits?: (a: Action) => boolean): void {
  const { state, b, weight: w, tol, grain } = here;
  const B = state.brokerCount;
  // b's leads by a follower they could go to (with its slot), and the partitions b follows by
  // their leader, each heaviest first (ties by index).
  const gives = givable.begin(B);
  const takes = takable.begin(B);
  const list = partitionsByWeightDescending(state, w, b);
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    if (state.frozen[p]) continue;
    const leader = state.brokerAt(p, 0);
    if (leader !== b) {
      takes.add(leader, p, 0, w[p]!);
      continue;
    }
    for (let slot = 1; slot < state.rfOf(p); slot++) {
      const x = state.brokerAt(p, slot);
      if (state.eligible[x]) gives.add(x, p, slot, w[p]!);
    }
  }
  gives.close();
  takes.close();
  const best = topTrades.clear(TRIES);
  /**
   * Weighs x's pairs: for each q, those of x's leads at or past `peak` (b's change rising), then
   * those before it (falling); with `stops`, each way ends at the first that could not be kept.
   */
  const walk = (x: number, peak: number, stops: boolean): void => {
    const margin = here.marginOf(b, x);
    const first = gives.start(x);
    const last = gives.end(x);
    let k = first;
    for (let j = takes.start(x); j < takes.end(x); j++) {
      const q = takes.a(j);
      const wq = takes.weightAt(j);
      // q only gets lighter, so k only moves on.
      while (k < last && wq - gives.weightAt(k) < peak) k++;
      let qSlot = -1;
      for (let side = 0; side < 2; side++) {
        for (let e = side === 0 ? k : k - 1; e >= first && e < last; e += side === 0 ? 1 : -1) {
          const net = wq - gives.weightAt(e);
          // Further from the peak than a change of nothing (which gains nothing) gains nothing.
          if (net === 0) {
            if (stops) break;
            continue;
          }
          // Both brokers are eligible and net is not 0: bandGain's gainAt is the shift itself.
          const gain = here.shift(b, net) + here.shift(x, -net);
          if (stops && (best.full ? here.outOfReach(gain + margin, best.worst) : gain + margin <= tol)) break;
          if (gain <= tol) continue;
          const bucket = -Math.round(gain / grain);
          const p = gives.a(e);
          const slot = gives.b(e);
          if (qSlot < 0) qSlot = state.slotOf(q, b);
          // The goal's own check is asked only of a trade that would be kept.
          if (best.keeps(bucket, p, slot, q, qSlot) && (admits === undefined || admits({ kind: "trade", p, slot, q, qSlot }))) best.offer(bucket, p, slot, q, qSlot);
        }
      }
    }
  };
  // Brokers with few pairs are weighed at once, in full; the others are ranked by the most their
  // pairs can gain and walked best first.
  const order = traders;
  order.length = 0;
  for (const x of gives.keys) {
    if (!takes.has(x)) continue;
    if (!shortcuts.on || (gives.end(x) - gives.start(x)) * (takes.end(x) - takes.start(x)) <= FEW_PAIRS) {
      walk(x, -Infinity, false);
      continue;
    }
    const bound = here.changeBound(b, x, takes.weightAt(takes.end(x) - 1) - gives.weightAt(gives.start(x)), takes.weightAt(takes.start(x)) - gives.weightAt(gives.end(x) - 1));
    if (bound > tol) order.push([bound, x]);
  }
  order.sort((u, v) => v[0] - u[0] || u[1] - v[1]);
  for (const [bound, x] of order) {
    if (best.full && here.outOfReach(bound, best.worst)) break;
    walk(x, here.peakChange(b, x, -Infinity), true);
  }
  best.each((p, slot, q, qSlot, bucket) => here.offerTrade(p, slot, q, qSlot, bucket));
}

/**
 * Entries (a, b, weight) grouped by a small integer key (a broker), each group laid out contiguously
 * in the order its entries were added. Reused from call to call.
 */
class Groups {
  /** The keys added to, in the order first added. */
  readonly keys: number[] = [];
  private count = new Int32Array(0);
  private from = new Int32Array(0);
  private n = 0;
  private addedKey = new Int32Array(64);
  private addedA = new Int32Array(64);
  private addedB = new Int32Array(64);
  private addedW = new Float64Array(64);
  private as = new Int32Array(64);
  private bs = new Int32Array(64);
  private ws = new Float64Array(64);

  /** Forgets every group; room for keys 0 .. size - 1. */
  begin(size: number): this {
    for (const key of this.keys) this.count[key] = 0;
    this.keys.length = 0;
    if (this.count.length < size) {
      this.count = new Int32Array(size);
      this.from = new Int32Array(size);
    }
    this.n = 0;
    return this;
  }

  add(key: number, a: number, b: number, weight: number): void {
    const e = this.n++;
    if (e === this.addedKey.length) {
      this.addedKey = grown(this.addedKey, 2 * e);
      this.addedA = grown(this.addedA, 2 * e);
      this.addedB = grown(this.addedB, 2 * e);
      this.addedW = grown(this.addedW, 2 * e);
      this.as = grown(this.as, 2 * e);
      this.bs = grown(this.bs, 2 * e);
      this.ws = grown(this.ws, 2 * e);
    }
    this.addedKey[e] = key;
    this.addedA[e] = a;
    this.addedB[e] = b;
    this.addedW[e] = weight;
    const had = this.count[key]!;
    if (had === 0) this.keys.push(key);
    this.count[key] = had + 1;
  }

  /** Lays the groups out (after the last add, before reading). */
  close(): void {
    let at = 0;
    for (const key of this.keys) {
      this.from[key] = at;
      at += this.count[key]!;
    }
    for (let e = 0; e < this.n; e++) {
      const key = this.addedKey[e]!;
      const i = this.from[key]!;
      this.from[key] = i + 1;
      this.as[i] = this.addedA[e]!;
      this.bs[i] = this.addedB[e]!;
      this.ws[i] = this.addedW[e]!;
    }
    // `from` now holds each group's end.
    for (const key of this.keys) this.from[key] = this.from[key]! - this.count[key]!;
  }

  has(key: number): boolean {
    return this.count[key]! > 0;
  }

  /** Where key's group starts (then a(i), b(i), weightAt(i) for i in [start, end)). */
  start(key: number): number {
    return this.from[key]!;
  }

  end(key: number): number {
    return this.from[key]! + this.count[key]!;
  }

  a(i: number): number {
    return this.as[i]!;
  }

  b(i: number): number {
    return this.bs[i]!;
  }

  weightAt(i: number): number {
    return this.ws[i]!;
  }
}

/** tradeCandidates' groups of b's leads by follower and of what b follows by leader, and its brokers in order (reused from call to call). */
const givable = new Groups();
const takable = new Groups();
const traders: Array<[bound: number, x: number]> = [];
/** Pairs of one broker weighed in full rather than ranked and walked (the ranking costs more). */
const FEW_PAIRS = 8;

/**
 * The `keep` best trades by the key bestFirst ranks them with: a plain trade keeps leader counts
 * and moves nothing, so its key is its gain bucket, then (p, slot, q, qSlot). bestFirst stops
 * trying trades after TRIES refusals and skips those the goal's own check refuses (nothing is applied
 * before the first success), so only the first TRIES in that order that the check admits can ever be
 * proposed: those are the ones kept.
 */
/** A trade's sort key and the trade: [bucket, p, slot, q, qSlot]. */
type TradeRow = readonly [bucket: number, p: number, slot: number, q: number, qSlot: number];

class TopTrades {
  /** Max-heap (worst kept trade on top) of trade rows. */
  private readonly rows: TradeRow[] = [];
  private keep = 0;

  /** Forgets the trades kept; keeps at most `keep` (at least 1) from then on. */
  clear(keep: number): this {
    this.rows.length = 0;
    this.keep = keep;
    return this;
  }

  /** Whether as many trades are kept as may be: a trade is kept from then on only if it ranks before the worst. */
  get full(): boolean {
    return this.rows.length >= this.keep;
  }

  /** The gain bucket of the worst trade kept (when full). */
  get worst(): number {
    return this.rows[0]![0];
  }

  /** Whether a trade with this key would be kept now. */
  keeps(bucket: number, p: number, slot: number, q: number, qSlot: number): boolean {
    const { rows } = this;
    if (rows.length < this.keep) return true;
    if (this.keep <= 0) return false;
    const top = rows[0]!;
    return (bucket - top[0] || p - top[1] || slot - top[2] || q - top[3] || qSlot - top[4]) < 0;
  }

  offer(bucket: number, p: number, slot: number, q: number, qSlot: number): void {
    const { rows } = this;
    if (rows.length < this.keep) {
      rows.push([bucket, p, slot, q, qSlot]);
      this.up(rows.length - 1);
      return;
    }
    if (this.keep <= 0) return;
    const top = rows[0]!;
    // Allocate only for a trade better than the worst kept.
    const c = bucket - top[0] || p - top[1] || slot - top[2] || q - top[3] || qSlot - top[4];
    if (c < 0) {
      rows[0] = [bucket, p, slot, q, qSlot];
      this.down(0);
    }
  }

  /** Visits the trades kept, each with its gain bucket. */
  each(visit: (p: number, slot: number, q: number, qSlot: number, bucket: number) => void): void {
    for (const [bucket, p, slot, q, qSlot] of this.rows) visit(p, slot, q, qSlot, bucket);
  }

  private up(i: number): void {
    const { rows } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareKeys(rows[i]!, rows[parent]!) <= 0) return;
      [rows[i], rows[parent]] = [rows[parent]!, rows[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const { rows } = this;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= rows.length) return;
      const r = l + 1;
      const m = r < rows.length && compareKeys(rows[r]!, rows[l]!) > 0 ? r : l;
      if (compareKeys(rows[m]!, rows[i]!) <= 0) return;
      [rows[i], rows[m]] = [rows[m]!, rows[i]!];
      i = m;
    }
  }
}

const topTrades = new TopTrades();

/** Partitions of each side a three-way trade looks at. */
const THREE_WAY = 8;

/**
 * Leadership trades through a third broker: b hands a partition p it leads to one of its followers x
 * while b takes the lead of a partition q led by another broker v that b follows. b's leader count
 * stays, x gains one and v loses one, which the leader goal allows wherever x is below the band's
 * top and v above its bottom. Where counts have no such room, the ring is closed as well: x hands v
 * a partition r that x leads and v follows, and every count stays (x's and v's loads each change by
 * the difference of two weights, so r is taken near the middle of p's and q's). This reaches a broker
 * that shares no partition led the other way with any follower (a broker that joined lately holds
 * few). Only the THREE_WAY heaviest and lightest partitions of each side are paired.
 */
function threeWayTrades(here: Step): void {
  const { state, b, over, weight: w } = here;
  // Over: give a heavy lead for a light one; under: the other way round. Ties by index.
  const heavy = (x: number, y: number): number => w[y]! - w[x]! || x - y;
  const light = (x: number, y: number): number => w[x]! - w[y]! || x - y;
  // The partitions b leads and those it follows whose leader is eligible (roles), picked from b's
  // list as it is (the orders are total, so the pick does not depend on the list's order).
  const on = state.partitionsOn(b);
  const give = firstInSortOrder(on, THREE_WAY, over ? heavy : light, (p) => !state.frozen[p] && state.brokerAt(p, 0) === b);
  const take = firstInSortOrder(on, THREE_WAY, over ? light : heavy, (p) => {
    const v = state.brokerAt(p, 0);
    return !state.frozen[p] && v !== b && state.eligible[v] === 1;
  });
  const leadingFollowedBy = ringClosers(state, give, take);
  for (const p of give) {
    for (let slot = 1; slot < state.rfOf(p); slot++) {
      const x = state.brokerAt(p, slot);
      if (!state.eligible[x]) continue;
      for (const q of take) {
        const v = state.brokerAt(q, 0);
        if (q === p || v === x) continue; // a plain trade: tradeCandidates offers it
        const qSlot = state.slotOf(q, b);
        here.offerThreeWay(p, slot, x, q, qSlot, v, -1, -1);
        const closers = leadingFollowedBy(x, v);
        if (closers.length === 0) continue;
        const [first, second] = nearestTwo(w, closers, (w[p]! + w[q]!) / 2);
        here.offerThreeWay(p, slot, x, q, qSlot, v, first, state.slotOf(first, v));
        if (second >= 0) here.offerThreeWay(p, slot, x, q, qSlot, v, second, state.slotOf(second, v));
      }
    }
  }
}

/** Marks the brokers x a three-way trade may hand a partition to (reused from call to call). */
const ringStarts = new CallMemo();

/**
 * For the rings threeWayTrades may close: per pair of x (a follower, eligible, of a partition in
 * `give`) and v (the leader of a partition in `take`), the partitions x leads and v follows, that may
 * change. Gathered in one pass over the partitions each v follows (a handful of brokers), not over
 * every x's; closeRing orders what it needs, so the order they are gathered in does not matter.
 */
export function ringClosers(state: PlacementState, give: readonly number[], take: readonly number[]): (x: number, v: number) => readonly number[] {
  const starts = ringStarts.begin(state.brokerCount);
  for (const p of give) {
    for (let slot = 1; slot < state.rfOf(p); slot++) {
      const x = state.brokerAt(p, slot);
      if (state.eligible[x]) starts.set(x, 1);
    }
  }
  const B = state.brokerCount;
  const lists = new Map<number, number[]>();
  const ends: number[] = [];
  for (const q of take) {
    const v = state.brokerAt(q, 0);
    if (ends.includes(v)) continue;
    ends.push(v);
    // The partitions v follows (roles), read from v's list in place.
    const n = state.partitionsOnCount(v);
    for (let i = 0; i < n; i++) {
      const r = state.partitionOnAt(v, i);
      const x = state.brokerAt(r, 0);
      if (x === v || !starts.has(x) || state.frozen[r]) continue;
      const key = x * B + v;
      const list = lists.get(key);
      if (list) list.push(r);
      else lists.set(key, [r]);
    }
  }
  return (x, v) => lists.get(x * B + v) ?? [];
}

/** Scratch for nearestTwo's answer. */
const nearest: [number, number] = [-1, -1];

/**
 * The RING_CLOSERS (two) partitions of `led` (not empty) whose weight is nearest `mid`, nearest
 * first, ties by index (-1 for a second one missing); firstInSortOrder's answer, without a closure.
 * The answer is scratch, read before the next call.
 */
function nearestTwo(w: Float64Array, led: readonly number[], mid: number): readonly [number, number] {
  let first = led[0]!;
  let second = -1;
  for (let i = 1; i < led.length; i++) {
    const r = led[i]!;
    if (nearer(w, mid, r, first) < 0) {
      second = first;
      first = r;
    } else if (second < 0 || nearer(w, mid, r, second) < 0) second = r;
  }
  nearest[0] = first;
  nearest[1] = second;
  return nearest;
}

/** Whether partition x's weight is nearer `mid` than y's (negative), ties by index. */
function nearer(w: Float64Array, mid: number, x: number, y: number): number {
  return Math.abs(w[x]! - mid) - Math.abs(w[y]! - mid) || x - y;
}

/**
 * Partitions whose replica on b carries the measure, heaviest first (ties by index): a view of the
 * broker's list kept in that order (by-size.ts), valid until b's partitions change; do not mutate.
 * For measures only leaders carry, the ones b leads, in the same order, kept until anything about b
 * changes (its partitions or its leaderships).
 */
export function carrying(state: PlacementState, m: LoadMeasure, b: number): ArrayLike<number> {
  if (m.leaderOnly) return memosOf(m).led.get(state, b, state.touchedAt[b]!);
  const w = m.weight(state);
  const all = partitionsByWeightDescending(state, w, b);
  // Replicas carrying nothing sit at the end of the list.
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (w[all[mid]!]! > 0) lo = mid + 1;
    else hi = mid;
  }
  return all.subarray(0, lo);
}

/** Per measure, the per-broker lists `carrying` and `carryingAscending` keep between calls. */
interface CarryingMemos {
  readonly led: BrokerMemo<number[]>;
  readonly ascending: BrokerMemo<number[]>;
}

const carryingMemos = new WeakMap<LoadMeasure, CarryingMemos>();

function memosOf(m: LoadMeasure): CarryingMemos {
  let memos = carryingMemos.get(m);
  if (memos === undefined) {
    memos = {
      led: new BrokerMemo((state, b) => ledCarrying(state, m, b)),
      ascending: new BrokerMemo((state, b) => reversed(carrying(state, m, b))),
    };
    carryingMemos.set(m, memos);
  }
  return memos;
}

/** The partitions b leads that carry the leader-only measure m, heaviest first (ties by index). */
function ledCarrying(state: PlacementState, m: LoadMeasure, b: number): number[] {
  const w = m.weight(state);
  const all = partitionsByWeightDescending(state, w, b);
  const led: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const p = all[i]!;
    if (w[p]! > 0 && state.brokerAt(p, 0) === b) led.push(p);
  }
  return led;
}

function reversed(list: ArrayLike<number>): number[] {
  const out: number[] = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) out[list.length - 1 - i] = list[i]!;
  return out;
}

/** Partitions b leads that carry network out and may change, heaviest first (ties by index), as a new array. */
export function ledHeaviestFirst(state: PlacementState, b: number): number[] {
  const out: number[] = [];
  const list = carrying(state, NETWORK_OUT, b);
  for (let i = 0; i < list.length; i++) if (!state.frozen[list[i]!]) out.push(list[i]!);
  return out;
}

/** The same list lightest first, kept until anything about b changes; do not mutate. */
export function carryingAscending(state: PlacementState, m: LoadMeasure, b: number): readonly number[] {
  return memosOf(m).ascending.get(state, b, state.touchedAt[b]!);
}

/** The most one replica on b carries of the measure (for leader-carried measures, one partition b leads). */
export function heaviestOn(state: PlacementState, m: LoadMeasure, b: number): number {
  const w = m.weight(state);
  let most = 0;
  const n = state.partitionsOnCount(b);
  for (let i = 0; i < n; i++) {
    const p = state.partitionOnAt(b, i);
    if (m.leaderOnly && state.brokerAt(p, 0) !== b) continue;
    if (w[p]! > most) most = w[p]!;
  }
  return most;
}

/** How many entries of `list` (sorted heaviest first) weigh at least `value`. */
function heavierThan(list: ArrayLike<number>, weight: Float64Array, value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (weight[list[mid]!]! >= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Partitions on broker d by topic (in the order of d's list), kept until d's partitions change; do not mutate. */
export function byTopic(state: PlacementState, d: number): ReadonlyMap<number, readonly number[]> {
  return topicLists.get(state, d, state.versionOf(d));
}

/** The partitions d leads by topic, in the same order, kept until anything about d changes; do not mutate. */
export function ledByTopic(state: PlacementState, d: number): ReadonlyMap<number, readonly number[]> {
  return ledTopicLists.get(state, d, state.touchedAt[d]!);
}

const topicLists = new BrokerMemo((state, d) => groupByTopic(state, d, false));
const ledTopicLists = new BrokerMemo((state, d) => groupByTopic(state, d, true));

function groupByTopic(state: PlacementState, d: number, ledOnly: boolean): ReadonlyMap<number, readonly number[]> {
  const out = new Map<number, number[]>();
  const n = state.partitionsOnCount(d);
  for (let i = 0; i < n; i++) {
    const q = state.partitionOnAt(d, i);
    if (ledOnly && state.brokerAt(q, 0) !== d) continue;
    const t = state.topicIndexOf(q);
    const list = out.get(t);
    if (list) list.push(q);
    else out.set(t, [q]);
  }
  return out;
}

/** The slot of broker s in partition p (which s holds), or -1 when p has a replica on d as well. */
function slotAvoiding(state: PlacementState, p: number, s: number, d: number): number {
  const o = state.offsetOf(p);
  let slot = -1;
  for (let k = 0; k < state.rfOf(p); k++) {
    const x = state.replicas[o + k]!;
    if (x === d) return -1;
    if (x === s) slot = k;
  }
  return slot;
}

/**
 * Whether partition p may be given a replica on d at all: it may change and is not there yet. With
 * the rack rule (moveKeepsSpread) a cheap pre-filter of a replica's move; propose checks everything.
 */
function mayLeave(state: PlacementState, p: number, d: number): boolean {
  return !state.frozen[p] && state.slotOf(p, d) < 0;
}

/**
 * Up to PARTNERS brokers of b's rack and PARTNERS of other racks, emptiest against their ideal first
 * (fullest first when `fullest`).
 */
function partnersOf(state: PlacementState, m: LoadMeasure, band: BrokerBand, b: number, fullest: boolean): number[] {
  const load = m.load(state);
  const sign = fullest ? -1 : 1;
  const fill = (x: number): number => (sign * (load[x]! - band.idealOf(x))) / Math.max(1e-12, band.idealOf(x));
  return partnersByFill(state, b, fill, PARTNERS);
}
