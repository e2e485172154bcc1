/**
 * Shared acceptance rule of the balance goals: an action is acceptable when no broker it touches ends
 * further from its target band than it was. Summed over brokers this means the goal's score never rises.
 */
import type { Action, PlacementState } from "../state.js";
import type { BrokerBand } from "../load-targets.js";
import { deviation, type Targets } from "../targets.js";

/** (key, delta) pairs: how an action changes per-key quantities; keys repeat at most a few times. */
export type Deltas = Array<[number, number]>;

function add(out: Deltas, key: number, delta: number): void {
  for (const e of out) {
    if (e[0] === key) {
      e[1] += delta;
      return;
    }
  }
  out.push([key, delta]);
}

/** Per-broker change of a per-replica quantity (`weight(p)`: 1 for counts, size for disk). */
export function brokerDeltas(state: PlacementState, action: Action, weight: (p: number) => number): Deltas {
  const out: Deltas = [];
  for (const c of state.changes(action)) {
    const w = weight(c.p);
    add(out, c.from, -w);
    add(out, c.to, w);
  }
  return out;
}

/** Per (topic, broker) change in replica count, keyed t * brokerCount + b. */
export function topicDeltas(state: PlacementState, action: Action): Deltas {
  const out: Deltas = [];
  const B = state.brokerCount;
  for (const c of state.changes(action)) {
    const t = state.topicIndexOf(c.p);
    add(out, t * B + c.from, -1);
    add(out, t * B + c.to, 1);
  }
  return out;
}

/** Per-broker change in preferred leaders. */
export function leaderDeltas(state: PlacementState, action: Action): Deltas {
  const out: Deltas = [];
  if (action.kind === "lead" || action.kind === "trade") {
    for (const c of state.leaderChanges(action)) {
      add(out, c.from, -1);
      add(out, c.to, 1);
    }
    return out;
  }
  for (const c of state.changes(action)) {
    if (c.slot !== 0) continue;
    add(out, c.from, -1);
    add(out, c.to, 1);
  }
  return out;
}

/** True when no key ends further outside its band [min(key), max(key)] than it is now. */
export function bandAccepts(
  deltas: Deltas,
  value: (key: number) => number,
  min: (key: number) => number,
  max: (key: number) => number,
  tolerance = 0,
): boolean {
  for (const [key, d] of deltas) {
    if (d === 0) continue;
    const v = value(key);
    const lo = min(key);
    const hi = max(key);
    if (deviation(v + d, lo, hi) > deviation(v, lo, hi) + tolerance) return false;
  }
  return true;
}

/** The actions replicaBandAccepts and topicBandAccepts judge directly. */
export type MoveOrSwap = Extract<Action, { kind: "move" | "swap" }>;

/** Whether a key at `v` in band [lo, hi] may change by d (bandAccepts' test for one key). */
function keeps(v: number, d: number, lo: number, hi: number, tolerance: number): boolean {
  return d === 0 || !(deviation(v + d, lo, hi) > deviation(v, lo, hi) + tolerance);
}

/**
 * bandAccepts for the per-broker change of a per-replica quantity (what `weights[p]` says, 1 each when
 * null; with `leaderOnly` only the replica in slot 0 carries it), computed without building the
 * deltas for moves and swaps, which every goal judges by the million. Same sums in the same order as
 * brokerDeltas, so the same verdicts as bandAccepts.
 */
export function replicaBandAccepts(
  state: PlacementState,
  action: MoveOrSwap,
  weights: ArrayLike<number> | null,
  leaderOnly: boolean,
  value: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  tolerance: number,
): boolean {
  const carried = (p: number, slot: number): number => (leaderOnly && slot !== 0 ? 0 : weights === null ? 1 : weights[p]!);
  if (action.kind === "move") {
    const from = state.brokerAt(action.p, action.slot);
    if (from === action.to) return true;
    const w = carried(action.p, action.slot);
    return keeps(value[from]!, -w, low[from]!, high[from]!, tolerance) && keeps(value[action.to]!, w, low[action.to]!, high[action.to]!, tolerance);
  }
  if (action.kind === "swap") {
    const b1 = state.brokerAt(action.p, action.slot);
    const b2 = state.brokerAt(action.q, action.qSlot);
    if (b1 === b2) return true;
    const wp = carried(action.p, action.slot);
    const wq = carried(action.q, action.qSlot);
    return keeps(value[b1]!, -wp + wq, low[b1]!, high[b1]!, tolerance) && keeps(value[b2]!, wp - wq, low[b2]!, high[b2]!, tolerance);
  }
  return true;
}

/** bandAccepts over (topic, broker) counts (topicDeltas), without building the deltas for moves and swaps. */
export function topicBandAccepts(state: PlacementState, targets: Targets, action: MoveOrSwap): boolean {
  const B = state.brokerCount;
  const count = state.topicCount;
  const ok = (t: number, b: number, d: number): boolean => keeps(count[t * B + b]!, d, targets.topicMinOf(t, b), targets.topicMaxOf(t, b), 0);
  if (action.kind === "move") {
    const from = state.brokerAt(action.p, action.slot);
    if (from === action.to) return true;
    const t = state.topicIndexOf(action.p);
    return ok(t, from, -1) && ok(t, action.to, 1);
  }
  if (action.kind === "swap") {
    const b1 = state.brokerAt(action.p, action.slot);
    const b2 = state.brokerAt(action.q, action.qSlot);
    const tp = state.topicIndexOf(action.p);
    const tq = state.topicIndexOf(action.q);
    if (b1 === b2 || tp === tq) return true;
    return ok(tp, b1, -1) && ok(tp, b2, 1) && ok(tq, b2, -1) && ok(tq, b1, 1);
  }
  return true;
}

/**
 * Up to `count` eligible brokers of b's rack and `count` of other racks with the lowest `fill` (how
 * full a broker is against its ideal), lowest first; one pass, no sort of the whole cluster.
 */
export function partnersByFill(state: PlacementState, b: number, fill: (x: number) => number, count: number): number[] {
  const rack = state.rackIndexOf(b);
  // One pass keeps both lists, each with its entries' fills (fill is asked once per broker).
  const same = new FillList(count);
  const other = new FillList(count);
  for (let x = 0; x < state.brokerCount; x++) {
    if (!state.eligible[x] || x === b) continue;
    (state.rackOf[x] === rack ? same : other).offer(x, fill(x));
  }
  return same.brokers.concat(other.brokers);
}

/** The `count` brokers of least fill offered so far, in ascending fill (ties: the one offered first). */
class FillList {
  readonly brokers: number[] = [];
  private readonly fills: number[] = [];

  constructor(private readonly count: number) {}

  offer(x: number, f: number): void {
    let i = this.brokers.length;
    while (i > 0 && this.fills[i - 1]! > f) i--;
    if (i >= this.count) return;
    this.brokers.splice(i, 0, x);
    this.fills.splice(i, 0, f);
    if (this.brokers.length > this.count) {
      this.brokers.pop();
      this.fills.pop();
    }
  }
}

/**
 * Works brokers outside their band, the furthest (relative to its ideal) first: `fix(b, over)` tries
 * one improvement for broker b and says whether it made one; a broker it cannot improve is skipped
 * from then on. Bounded by 4 × brokers + partitions steps.
 *
 * `heaviest(b)`, when given, is the most one replica on b carries: a broker over its band that carries
 * no more than that is at the floor its own heaviest replica sets (moving that replica only moves the
 * excess to another broker), and is skipped without a try. Asked only of the broker about to be tried.
 *
 * `load` is a live per-broker array of the state (a count or load it keeps), so a broker's entry
 * changes only when the broker is touched (state.touchedAt): each broker's distance is worked out
 * again only then, not for every step.
 */
export function worstFirst(
  state: PlacementState,
  load: Float64Array,
  band: BrokerBand,
  fix: (b: number, over: boolean) => boolean,
  heaviest?: (b: number) => number,
): void {
  const B = state.brokerCount;
  const stuck = new Uint8Array(B);
  const ratios = new BandRatios(state, load, band);
  const limit = 4 * B + state.partitionCount;
  for (let i = 0; i < limit; i++) {
    const ratio = ratios.now();
    let worstBroker = -1;
    let worst = 0;
    for (let b = 0; b < B; b++) {
      if (stuck[b] === 0 && ratio[b]! > worst) {
        worstBroker = b;
        worst = ratio[b]!;
      }
    }
    if (worstBroker < 0) return;
    const over = load[worstBroker]! > band.highOf(worstBroker);
    if (over && heaviest !== undefined && load[worstBroker]! <= heaviest(worstBroker) * (1 + 1e-9)) {
      stuck[worstBroker] = 1;
      continue;
    }
    if (!fix(worstBroker, over)) stuck[worstBroker] = 1;
  }
}

/**
 * Per broker, how far its load is outside its band relative to its ideal (0 for an ineligible broker
 * or one within tolerance of its band), kept up to date from the brokers touched since last asked.
 */
export class BandRatios {
  private readonly ratio: Float64Array;
  private seen = -1;

  constructor(
    private readonly state: PlacementState,
    private readonly load: Float64Array,
    private readonly band: BrokerBand,
  ) {
    this.ratio = new Float64Array(state.brokerCount);
  }

  /** The ratios for the placement as it is now; do not mutate. */
  now(): Float64Array {
    const { state } = this;
    if (this.seen === state.changeCount) return this.ratio;
    const touched = state.touchedAt;
    for (let b = 0; b < state.brokerCount; b++) if (this.seen < 0 || touched[b]! > this.seen) this.ratio[b] = this.of(b);
    this.seen = state.changeCount;
    return this.ratio;
  }

  private of(b: number): number {
    if (!this.state.eligible[b]) return 0;
    const scale = Math.max(1, this.band.idealOf(b));
    const off = this.band.deviationOf(b, this.load[b]!);
    return off > 1e-9 * scale ? off / scale : 0;
  }
}
