import { grown } from "../arrays.js";
import type { PlacementState } from "../state.js";

/**
 * A number per small integer key (a rack, a topic), remembered for the length of one call and
 * forgotten by the next `begin` without clearing anything: each entry carries the stamp of the call
 * that wrote it. Reused from call to call (the planner is single-threaded and a call ends before the
 * next begins), so hot loops build no map per call.
 */
export class CallMemo {
  private stamp = new Uint32Array(0);
  private value = new Float64Array(0);
  private now = 0;

  /** Forgets every key's value; room for keys 0 .. size - 1. */
  begin(size: number): this {
    if (this.stamp.length < size) {
      this.stamp = new Uint32Array(size);
      this.value = new Float64Array(size);
      this.now = 0;
    }
    if (++this.now === 0xffffffff) {
      this.stamp.fill(0);
      this.now = 1;
    }
    return this;
  }

  has(key: number): boolean {
    return this.stamp[key] === this.now;
  }

  /** The value set for `key` in this call (only after has(key)). */
  get(key: number): number {
    return this.value[key]!;
  }

  set(key: number, v: number): void {
    this.stamp[key] = this.now;
    this.value[key] = v;
  }
}

/**
 * A value per broker of a placement, kept from call to call and built again only when the stamp the
 * caller gives (state.versionOf(b) for what depends on the broker's set of partitions alone,
 * state.touchedAt[b] for what also depends on its leaderships) differs from the one it was built at.
 * Values are shared: callers must not mutate them.
 */
export class BrokerMemo<T> {
  private readonly perState = new WeakMap<PlacementState, { stamps: Float64Array; values: Array<T | undefined> }>();

  constructor(private readonly build: (state: PlacementState, b: number) => T) {}

  get(state: PlacementState, b: number, stamp: number): T {
    let kept = this.perState.get(state);
    if (kept === undefined) {
      kept = { stamps: new Float64Array(state.brokerCount), values: new Array<T | undefined>(state.brokerCount) };
      this.perState.set(state, kept);
    }
    const value = kept.values[b];
    if (value !== undefined && kept.stamps[b] === stamp) return value;
    const built = this.build(state, b);
    kept.values[b] = built;
    kept.stamps[b] = stamp;
    return built;
  }
}

/**
 * Lists of (a, b) pairs per small integer key (a broker), for the length of one call: appended to,
 * read back in the order added, and forgotten by the next `begin` without clearing anything. Reused
 * from call to call, so a call that groups thousands of pairs by broker builds no map or object.
 */
export class KeyedPairs {
  private readonly heads = new CallMemo();
  private tails = new Int32Array(0);
  private next = new Int32Array(64);
  private as = new Int32Array(64);
  private bs = new Int32Array(64);
  private n = 0;

  /** Forgets every list; room for keys 0 .. size - 1. */
  begin(size: number): this {
    this.heads.begin(size);
    if (this.tails.length < size) this.tails = new Int32Array(size);
    this.n = 0;
    return this;
  }

  /** Appends (a, b) to key's list. */
  add(key: number, a: number, b: number): void {
    const e = this.n++;
    if (e === this.next.length) {
      this.next = grown(this.next, 2 * e);
      this.as = grown(this.as, 2 * e);
      this.bs = grown(this.bs, 2 * e);
    }
    this.next[e] = -1;
    this.as[e] = a;
    this.bs[e] = b;
    if (this.heads.has(key)) this.next[this.tails[key]!] = e;
    else this.heads.set(key, e);
    this.tails[key] = e;
  }

  /** Whether no pair was added since `begin`. */
  get empty(): boolean {
    return this.n === 0;
  }

  /** The first entry of key's list, or -1. */
  first(key: number): number {
    return this.heads.has(key) ? this.heads.get(key) : -1;
  }

  /** The entry after e in its list, or -1. */
  after(e: number): number {
    return this.next[e]!;
  }

  a(e: number): number {
    return this.as[e]!;
  }

  b(e: number): number {
    return this.bs[e]!;
  }
}

/**
 * How many times a goal has run on each placement: a goal that holds back a costly step until a
 * later round of the optimizer counts its runs with one of these.
 */
export class RunCount {
  private readonly runs = new WeakMap<PlacementState, number>();

  /** Counts one more run on `state`; returns which run this is (1 for the first). */
  next(state: PlacementState): number {
    const n = (this.runs.get(state) ?? 0) + 1;
    this.runs.set(state, n);
    return n;
  }
}
