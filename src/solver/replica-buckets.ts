/**
 * Replicas (partition, slot) filed under integer keys, read back key by key in the order they were
 * filed: what a `Map<number, {p, slot}[]>` gives, without an object per replica or an array per key.
 * The take-back passes file every replica away from home (hundreds of thousands on a large plan)
 * once per pass, so the map's allocations were most of their cost.
 *
 * Filing appends to flat arrays; `seal` sorts the entries by key once, keeping the filing order
 * among equal keys (a counting sort when keys are few for the entries, else a numeric sort of
 * key × n + position). After a counting sort a key's entries are found by index, after the others
 * by binary search.
 *
 * A reader may `drop` an entry it will never want again (a replica that left the broker it was filed
 * under): `live` then steps over it, so a key read again and again is not walked past the same dead
 * entries each time.
 */
import { grown } from "./arrays.js";

export class ReplicaBuckets {
  private keys = new Float64Array(1024);
  private ps = new Int32Array(1024);
  private slots = new Int32Array(1024);
  private tags = new Int32Array(1024);
  /** Entries filed so far. */
  private filed = 0;
  private sortedKeys = new Float64Array(0);
  private sortedP = new Int32Array(0);
  private sortedSlot = new Int32Array(0);
  private sortedTag = new Int32Array(0);
  private n = 0;
  /** After a counting sort: ends[k] is one past the last entry under key k (keys 0 .. length - 1). */
  private ends: Int32Array | null = null;
  /**
   * Once an entry is dropped: per entry, itself if not dropped, else an entry after it to look at
   * next (n for none); paths are shortened as they are walked. Null while nothing is dropped.
   */
  private next: Int32Array | null = null;

  /**
   * Files replica (p, slot) under `key` (a non-negative integer), with a `tag` of the caller's (an
   * integer read back with the entry, so a reader can pass over entries without looking them up).
   * Only before `seal`.
   */
  add(key: number, p: number, slot: number, tag = 0): void {
    const i = this.filed++;
    if (i === this.keys.length) {
      this.keys = grown(this.keys, 2 * i);
      this.ps = grown(this.ps, 2 * i);
      this.slots = grown(this.slots, 2 * i);
      this.tags = grown(this.tags, 2 * i);
    }
    this.keys[i] = key;
    this.ps[i] = p;
    this.slots[i] = slot;
    this.tags[i] = tag;
  }

  /** Ends filing: entries are then read with `start`, `end`, `p` and `slot`. */
  seal(): this {
    const n = this.filed;
    this.n = n;
    this.next = null;
    let largest = 0;
    for (let i = 0; i < n; i++) if (this.keys[i]! > largest) largest = this.keys[i]!;
    this.sortedP = new Int32Array(n);
    this.sortedSlot = new Int32Array(n);
    this.sortedTag = new Int32Array(n);
    if (largest < 4 * n + 1024) {
      // Few keys for the entries: a counting sort (stable, so ties keep the filing order), each
      // entry written straight to its place; lookups then go by index and need no sorted keys.
      const at = new Int32Array(largest + 2);
      for (let i = 0; i < n; i++) at[this.keys[i]! + 1]!++;
      for (let k = 1; k < at.length; k++) at[k]! += at[k - 1]!;
      for (let i = 0; i < n; i++) {
        const j = at[this.keys[i]!]!++;
        this.sortedP[j] = this.ps[i]!;
        this.sortedSlot[j] = this.slots[i]!;
        this.sortedTag[j] = this.tags[i]!;
      }
      // at[k] now ends key k's entries, where key k + 1's begin.
      this.ends = at.subarray(0, largest + 1);
      return this;
    }
    const order = new Float64Array(n);
    if ((largest + 1) * n <= Number.MAX_SAFE_INTEGER) {
      // key × n + position is exact: a plain numeric sort orders by key, then position.
      for (let i = 0; i < n; i++) order[i] = this.keys[i]! * n + i;
      order.sort();
      for (let j = 0; j < n; j++) order[j] = order[j]! % n;
    } else {
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => this.keys[a]! - this.keys[b]! || a - b);
    }
    this.sortedKeys = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      this.sortedKeys[j] = this.keys[i]!;
      this.sortedP[j] = this.ps[i]!;
      this.sortedSlot[j] = this.slots[i]!;
      this.sortedTag[j] = this.tags[i]!;
    }
    return this;
  }

  /** The first entry filed under `key` or a larger key. */
  start(key: number): number {
    const ends = this.ends;
    if (ends !== null) return key <= 0 ? 0 : key > ends.length ? this.n : ends[key - 1]!;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sortedKeys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** One past the last entry filed under `key`, for an entry `from` filed under it (or start(key)). */
  end(key: number, from: number): number {
    const ends = this.ends;
    if (ends !== null) return key < 0 ? from : key >= ends.length ? this.n : ends[key]!;
    let i = from;
    while (i < this.n && this.sortedKeys[i] === key) i++;
    return i;
  }

  /** Drops entry i (an index between start and end): `live` steps over it from now on. Only after `seal`. */
  drop(i: number): void {
    if (this.next === null) {
      this.next = new Int32Array(this.n + 1);
      for (let j = 0; j <= this.n; j++) this.next[j] = j;
    }
    this.next[i] = i + 1;
  }

  /** The first entry at or after i that has not been dropped (i itself when none was); n if none. */
  live(i: number): number {
    const next = this.next;
    if (next === null) return i;
    let j = i;
    while (next[j] !== j) j = next[j]!;
    // Every entry on the path now points straight at the live one.
    for (let k = i; k !== j; ) {
      const after = next[k]!;
      next[k] = j;
      k = after;
    }
    return j;
  }

  p(i: number): number {
    return this.sortedP[i]!;
  }

  /** Entries filed: `filedKey`, `filedP` and `filedSlot` read entry i in the order filed (also after `seal`). */
  get filedCount(): number {
    return this.filed;
  }

  filedKey(i: number): number {
    return this.keys[i]!;
  }

  filedP(i: number): number {
    return this.ps[i]!;
  }

  filedSlot(i: number): number {
    return this.slots[i]!;
  }

  slot(i: number): number {
    return this.sortedSlot[i]!;
  }

  tag(i: number): number {
    return this.sortedTag[i]!;
  }
}
