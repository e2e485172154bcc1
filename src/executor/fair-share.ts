/**
 * Max-min fair sharing of capacities among flows, as the simulator uses it for replication copies:
 * each flow crosses some shared links (a broker's outgoing bandwidth, an adding broker's incoming
 * bandwidth, a throttle rate), and every link's capacity is shared so that no flow can get more
 * without taking from a flow that has no more than it (progressive filling).
 *
 * Progressive filling raises every rate together; the first link to fill fixes the rate of the flows
 * crossing it. Done naively that rescans every link per fill; here the links wait in a heap keyed by
 * their fair share (capacity left ÷ flows still open on it), and fixing a flow updates only the links
 * it crosses, so one sharing costs O((links + flow-link pairs) · log links).
 *
 * A simulation shares anew at every copy that finishes, tens of thousands of times over thousands of
 * copies; FairShareNetwork keeps the flows and links between sharings and, when flows only left,
 * fills again only the flows whose rate could change (see `reshare`).
 */

/** One shared capacity and the flows (by index) crossing it. */
export interface SharedLink {
  /** Bytes/s; may be Infinity (the link limits nothing). */
  readonly capacity: number;
  readonly flows: readonly number[];
}

/** A binary min-heap of (share, link, stamp) entries; stale entries are skipped when popped. */
class ShareHeap {
  private readonly shares: number[] = [];
  private readonly links: number[] = [];
  private readonly stamps: number[] = [];

  get size(): number {
    return this.shares.length;
  }

  push(share: number, link: number, stamp: number): void {
    let i = this.shares.length;
    this.shares.push(share);
    this.links.push(link);
    this.stamps.push(stamp);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.before(parent, i)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The stamp of the entry the last pop removed. */
  popped = 0;

  /** Removes the smallest share; returns its link (its stamp in `popped`). */
  pop(): number {
    const top = this.links[0]!;
    this.popped = this.stamps[0]!;
    const last = this.shares.length - 1;
    this.swap(0, last);
    this.shares.pop();
    this.links.pop();
    this.stamps.pop();
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < last && this.before(left, least)) least = left;
      if (right < last && this.before(right, least)) least = right;
      if (least === i) break;
      this.swap(i, least);
      i = least;
    }
    return top;
  }

  /** Smaller share first; equal shares by link index, so the result never depends on heap layout. */
  private before(a: number, b: number): boolean {
    const sa = this.shares[a]!;
    const sb = this.shares[b]!;
    return sa !== sb ? sa < sb : this.links[a]! < this.links[b]!;
  }

  private swap(a: number, b: number): void {
    const share = this.shares[a]!;
    this.shares[a] = this.shares[b]!;
    this.shares[b] = share;
    const link = this.links[a]!;
    this.links[a] = this.links[b]!;
    this.links[b] = link;
    const stamp = this.stamps[a]!;
    this.stamps[a] = this.stamps[b]!;
    this.stamps[b] = stamp;
  }
}

/**
 * The max-min fair rate of each of `flowCount` flows over `links`. A flow crossing no finite link
 * gets Infinity. Pure and deterministic.
 */
export function maxMinFairRates(flowCount: number, links: readonly SharedLink[]): Float64Array {
  const net = new FairShareNetwork();
  links.forEach((link, l) => net.setCapacity(l, link.capacity));
  const linksOfFlow: number[][] = Array.from({ length: flowCount }, () => []);
  links.forEach((link, l) => {
    for (const f of link.flows) linksOfFlow[f]?.push(l);
  });
  const slots = linksOfFlow.map((ls) => net.add(ls));
  net.reshare();
  return Float64Array.from(slots, (slot) => net.rate(slot));
}

/**
 * Flows over shared links, with their max-min fair rates kept as flows come and go. Flows live in
 * numbered slots; links are numbered by the caller (capacity Infinity until set).
 *
 * `reshare` after a change: when flows joined or a capacity changed, every flow is filled again.
 * When flows only left, a flow whose rate was below the lowest rate among those that left keeps it
 * — below that level progressive filling fills the same links at the same levels with or without
 * them — so only the flows at or above it are filled again, over what the others leave of each link.
 */
export class FairShareNetwork {
  private readonly capacity: number[] = [];
  /** Per link, the slots of the flows crossing it. */
  private readonly flowsOn: Array<Set<number>> = [];
  /** Per slot, the links the flow crosses (undefined: a free slot). */
  private readonly linksOf: Array<readonly number[] | undefined> = [];
  private readonly rates: number[] = [];
  private readonly free: number[] = [];
  /** Per link, a link every flow of which crosses it too (see cover). */
  private readonly covering: Array<number | undefined> = [];
  private everything = false;
  /** The lowest rate of the flows removed since the last reshare, and the links they crossed. */
  private floor = Number.POSITIVE_INFINITY;
  private seeds: number[] = [];

  /** Sets link `l`'s capacity (bytes/s; Infinity limits nothing). */
  setCapacity(l: number, capacity: number): void {
    while (this.capacity.length <= l) {
      this.capacity.push(Number.POSITIVE_INFINITY);
      this.flowsOn.push(new Set());
    }
    if (this.capacity[l] === capacity) return;
    this.capacity[l] = capacity;
    this.everything = true;
  }

  /**
   * Says that every flow crossing link `inner` crosses link `outer` too (a throttle within a
   * broker's bandwidth). While both carry the same flows and `inner` has no more capacity, `outer`
   * can never fill first, and sharing leaves it out: a simulation's throttled copies cross four
   * links, of which two decide.
   */
  cover(outer: number, inner: number): void {
    this.setCapacity(Math.max(outer, inner), this.capacity[Math.max(outer, inner)] ?? Number.POSITIVE_INFINITY);
    this.covering[outer] = inner;
  }

  /** Whether link `l` cannot fill before the link covering it (see cover). */
  private idle(l: number): boolean {
    const inner = this.covering[l];
    return inner !== undefined && this.capacity[inner]! <= this.capacity[l]! && this.flowsOn[inner]!.size === this.flowsOn[l]!.size;
  }

  /** Adds a flow crossing `links` (each once); returns its slot. Its rate is NaN until the next reshare. */
  add(links: readonly number[]): number {
    const slot = this.free.pop() ?? this.linksOf.length;
    for (const l of links) if (l >= this.capacity.length) this.setCapacity(l, Number.POSITIVE_INFINITY);
    this.linksOf[slot] = links;
    this.rates[slot] = Number.NaN;
    for (const l of links) this.flowsOn[l]!.add(slot);
    this.everything = true;
    return slot;
  }

  remove(slot: number): void {
    const links = this.linksOf[slot];
    if (links === undefined) return;
    for (const l of links) this.flowsOn[l]!.delete(slot);
    this.linksOf[slot] = undefined;
    this.floor = Math.min(this.floor, this.rates[slot]!);
    this.seeds.push(...links);
    this.free.push(slot);
  }

  /** The flow's rate as of the last reshare (Infinity when it crosses no finite link). */
  rate(slot: number): number {
    return this.rates[slot]!;
  }

  /** Brings every rate up to date; returns the slots whose rate changed. */
  reshare(): number[] {
    // A rate equal to the floor but for rounding is filled again too, or the figures drift from
    // those of filling everything.
    const everything = this.everything;
    const floor = everything ? Number.NEGATIVE_INFINITY : this.floor * (1 - 1e-9);
    const seeds = this.seeds;
    this.everything = false;
    this.floor = Number.POSITIVE_INFINITY;
    this.seeds = [];
    if (floor === Number.POSITIVE_INFINITY) return [];
    const slots = this.linksOf.length;
    if (this.isOpen.length < slots) this.isOpen = new Uint8Array(2 * slots);
    const links = this.capacity.length;
    if (this.left.length < links) {
      this.left = new Float64Array(2 * links);
      this.openOn = new Int32Array(2 * links);
      this.stamps = new Int32Array(2 * links);
      this.seen = new Uint8Array(2 * links);
      this.skip = new Uint8Array(2 * links);
    }
    const { isOpen, left, openOn, stamps, seen, skip } = this;
    const open: number[] = [];
    if (everything) {
      for (let slot = 0; slot < slots; slot++) {
        if (this.linksOf[slot] === undefined) continue;
        open.push(slot);
        isOpen[slot] = 1;
      }
    } else {
      // Flows that left change only the flows at or above the floor that share a link with them,
      // or with such a flow, and so on: the others' share of what is left stays as it was.
      const stack = [...seeds];
      while (stack.length > 0) {
        const l = stack.pop()!;
        if (seen[l] === 1) continue;
        seen[l] = 1;
        for (const f of this.flowsOn[l]!) {
          if (isOpen[f] === 1 || this.rates[f]! < floor) continue;
          isOpen[f] = 1;
          open.push(f);
          for (const m of this.linksOf[f]!) if (seen[m] !== 1) stack.push(m);
        }
      }
      for (const l of seeds) seen[l] = 0;
      for (const f of open) for (const l of this.linksOf[f]!) seen[l] = 0;
    }
    if (open.length === 0) return [];
    // The links the open flows cross, with what the other flows leave of them.
    const touched: number[] = [];
    const idle: number[] = [];
    for (const slot of open) {
      for (const l of this.linksOf[slot]!) {
        if (seen[l] === 1) continue;
        seen[l] = 1;
        if (this.idle(l)) {
          skip[l] = 1;
          idle.push(l);
          continue;
        }
        touched.push(l);
        let capacity = this.capacity[l]!;
        let count = 0;
        for (const other of this.flowsOn[l]!) {
          if (isOpen[other] === 1) count++;
          else capacity -= this.rates[other]!;
        }
        left[l] = capacity;
        openOn[l] = count;
        stamps[l] = 0;
      }
    }
    touched.sort((a, b) => a - b);
    const share = (l: number): number => Math.max(0, left[l]!) / openOn[l]!;
    const heap = new ShareHeap();
    for (const l of touched) if (this.capacity[l] !== Number.POSITIVE_INFINITY) heap.push(share(l), l, 0);
    const before = open.map((slot) => this.rates[slot]!);
    for (const slot of open) this.rates[slot] = Number.POSITIVE_INFINITY;
    while (heap.size > 0) {
      const l = heap.pop();
      const stamp = heap.popped;
      if (stamp !== stamps[l] || openOn[l] === 0) continue;
      const rate = share(l);
      for (const f of this.flowsOn[l]!) {
        if (isOpen[f] !== 1) continue;
        isOpen[f] = 0;
        this.rates[f] = rate;
        for (const m of this.linksOf[f]!) {
          if (skip[m] === 1) continue;
          left[m]! -= rate;
          openOn[m]! -= 1;
          stamps[m]! += 1;
          if (m !== l && openOn[m]! > 0 && this.capacity[m] !== Number.POSITIVE_INFINITY) heap.push(share(m), m, stamps[m]!);
        }
      }
    }
    for (const slot of open) isOpen[slot] = 0;
    for (const l of touched) seen[l] = 0;
    for (const l of idle) {
      seen[l] = 0;
      skip[l] = 0;
    }
    return open.filter((slot, i) => !Object.is(this.rates[slot], before[i]));
  }

  // Scratch space for reshare, kept between calls.
  private isOpen = new Uint8Array(0);
  private left = new Float64Array(0);
  private openOn = new Int32Array(0);
  private stamps = new Int32Array(0);
  private seen = new Uint8Array(0);
  private skip = new Uint8Array(0);
}
