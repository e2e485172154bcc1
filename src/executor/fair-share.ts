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
 * fills again only flows near them, as many as the check of the result asks for (see `reshare`).
 */

/** One shared capacity and the flows (by index) crossing it. */
export interface SharedLink {
  /** Bytes/s; may be Infinity (the link limits nothing). */
  readonly capacity: number;
  readonly flows: readonly number[];
}

/**
 * A binary min-heap of links keyed by share, with each link's position kept so that a key can move
 * in place (a link is in the heap at most once). Equal shares go by link index, so the order in
 * which links come out never depends on the heap's layout.
 */
class LinkHeap {
  private keys = new Float64Array(0);
  private heap = new Int32Array(0);
  /** Per link, its index in `heap`, or -1. */
  private where = new Int32Array(0);
  size = 0;

  /** Makes room for links numbered below `links`; the heap must be empty. */
  reserve(links: number): void {
    if (this.where.length >= links) return;
    this.keys = new Float64Array(2 * links);
    this.heap = new Int32Array(2 * links);
    this.where = new Int32Array(2 * links).fill(-1);
  }

  /** Puts link `l` in with key `share`, or moves it to that key. */
  set(l: number, share: number): void {
    let i = this.where[l]!;
    if (i === -1) {
      i = this.size++;
      this.put(i, l);
      this.keys[l] = share;
      this.up(i);
      return;
    }
    const was = this.keys[l]!;
    this.keys[l] = share;
    if (share < was) this.up(i);
    else this.down(i);
  }

  /** Takes out link `l` if it is in. */
  delete(l: number): void {
    const i = this.where[l]!;
    if (i === -1) return;
    this.where[l] = -1;
    const last = this.heap[--this.size]!;
    if (i === this.size) return;
    this.put(i, last);
    if (i > 0 && this.before(last, this.heap[(i - 1) >> 1]!)) this.up(i);
    else this.down(i);
  }

  /** Removes the link with the smallest share and returns it. */
  pop(): number {
    const top = this.heap[0]!;
    this.delete(top);
    return top;
  }

  private before(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka !== kb ? ka < kb : a < b;
  }

  private up(i: number): void {
    const l = this.heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent]!;
      if (!this.before(l, p)) break;
      this.put(i, p);
      i = parent;
    }
    this.put(i, l);
  }

  /** Puts link `l` at heap index `i`. */
  private put(i: number, l: number): void {
    this.heap[i] = l;
    this.where[l] = i;
  }

  private down(i: number): void {
    const { heap } = this;
    const l = heap[i]!;
    const n = this.size;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let least = left;
      const right = left + 1;
      if (right < n && this.before(heap[right]!, heap[left]!)) least = right;
      const c = heap[least]!;
      if (!this.before(c, l)) break;
      this.put(i, c);
      i = least;
    }
    this.put(i, l);
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
 * them — so only flows at or above it are filled again, over what the others leave of each link:
 * those on the links the flows left, then those next to a flow whose rate changed, until none
 * changes next to a flow left out (`refillNear`). On a simulation of 38,000 copies that is about
 * 5 flows per sharing, where all those reachable through links (`reachFrom`) are hundreds. The
 * rates agree with filling everything to rounding (a few parts in 1e15).
 */
export class FairShareNetwork {
  private readonly capacity: number[] = [];
  /** Per link, the slots of the flows crossing it, in the order they joined. */
  private readonly flowsOn: number[][] = [];
  /** Per slot, the links the flow crosses (undefined: a free slot). */
  private readonly linksOf: Array<readonly number[] | undefined> = [];
  private readonly rates: number[] = [];
  private readonly free: number[] = [];
  /** Per link, a link every flow of which crosses it too (see cover); -1 for none. */
  private readonly covering: number[] = [];
  private everything = false;
  /** The lowest rate of the flows removed since the last reshare, and the links they crossed. */
  private floor = Number.POSITIVE_INFINITY;
  private seeds: number[] = [];

  /** Sets link `l`'s capacity (bytes/s; Infinity limits nothing). */
  setCapacity(l: number, capacity: number): void {
    while (this.capacity.length <= l) {
      this.capacity.push(Number.POSITIVE_INFINITY);
      this.flowsOn.push([]);
      this.covering.push(-1);
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

  /**
   * The link to look at for `l`: the link covering it when `l` cannot fill before it (see cover),
   * and so carries the same flows; else `l` itself.
   */
  private decider(l: number): number {
    const inner = this.covering[l]!;
    return inner !== -1 && this.capacity[inner]! <= this.capacity[l]! && this.flowsOn[inner]!.length === this.flowsOn[l]!.length ? inner : l;
  }

  /** Adds a flow crossing `links` (each once); returns its slot. Its rate is NaN until the next reshare. */
  add(links: readonly number[]): number {
    const slot = this.free.pop() ?? this.linksOf.length;
    for (const l of links) if (l >= this.capacity.length) this.setCapacity(l, Number.POSITIVE_INFINITY);
    this.linksOf[slot] = links;
    this.rates[slot] = Number.NaN;
    for (const l of links) this.flowsOn[l]!.push(slot);
    this.everything = true;
    return slot;
  }

  remove(slot: number): void {
    const links = this.linksOf[slot];
    if (links === undefined) return;
    for (const l of links) {
      const on = this.flowsOn[l]!;
      on.splice(on.indexOf(slot), 1);
    }
    this.linksOf[slot] = undefined;
    this.floor = Math.min(this.floor, this.rates[slot]!);
    for (const l of links) this.seeds.push(l);
    this.free.push(slot);
  }

  /** The flow's rate as of the last reshare (Infinity when it crosses no finite link). */
  rate(slot: number): number {
    return this.rates[slot]!;
  }

  /** Every link's number, 0 … links − 1. */
  private allLinks(): number[] {
    const links = new Array<number>(this.capacity.length);
    for (let l = 0; l < links.length; l++) links[l] = l;
    return links;
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
    this.reserve();
    if (!everything) {
      const near = this.refillNear(seeds, floor);
      if (near !== undefined) return near;
    }
    const open: number[] = [];
    const reached: number[] = [];
    if (everything) this.allFlows(open);
    else this.reachFrom(seeds, floor, open, reached);
    if (open.length === 0) {
      for (const l of reached) this.seen[l] = 0;
      return [];
    }
    const touched = this.prepareLinks(everything ? this.allLinks() : reached);
    const before = this.before;
    for (let i = 0; i < open.length; i++) {
      const slot = open[i]!;
      before[i] = this.rates[slot]!;
      this.rates[slot] = Number.POSITIVE_INFINITY;
    }
    this.fill(touched);
    for (const slot of open) this.isOpen[slot] = 0;
    for (const l of touched) this.seen[l] = 0;
    const changed: number[] = [];
    for (let i = 0; i < open.length; i++) {
      const slot = open[i]!;
      if (!Object.is(this.rates[slot], before[i])) changed.push(slot);
    }
    return changed;
  }

  /**
   * After flows only left: fills again the flows at or above the floor on the links they left,
   * then checks the result where it can be wrong and fills again with more flows until it is right.
   * The flows left out keep their rates; the result is the max-min fair one when (1) every link a
   * refilled flow changed its rate on has all its flows at or above the floor refilled (the others
   * on such a link are below the floor and keep their rates, as filling below the floor is the same
   * as before) and (2) every refilled flow has a bottleneck: a full link on which no flow gets more.
   * Flows left out meet (2) on their old bottleneck, which no change touched (by 1). Usually a
   * few dozen flows are refilled, where the walk of `reachFrom` reaches hundreds. Returns the
   * slots whose rate changed, or undefined (nothing changed) when a refilled flow is left without
   * a bottleneck (rounding): then the caller fills the whole reach.
   */
  private refillNear(seeds: readonly number[], floor: number): number[] | undefined {
    const { isOpen, seen, rates } = this;
    const open: number[] = [];
    const before: number[] = [];
    const take = (f: number): void => {
      if (isOpen[f] === 1 || rates[f]! < floor) return;
      isOpen[f] = 1;
      open.push(f);
      before.push(rates[f]!);
    };
    for (const l of seeds) for (const f of this.flowsOn[l]!) take(f);
    // Flows below the floor keep their rates (see reshare): only those at or above it are taken.
    const widen = (f: number): void => {
      for (const m of this.linksOf[f]!) for (const h of this.flowsOn[m]!) take(h);
    };
    let unsure = false;
    for (;;) {
      if (open.length === 0) return [];
      const links: number[] = [];
      for (const f of open) {
        for (const m of this.linksOf[f]!) {
          const d = this.decider(m);
          if (seen[d] === 1) continue;
          seen[d] = 1;
          links.push(d);
        }
      }
      const touched = this.prepareLinks(links);
      for (const f of open) rates[f] = Number.POSITIVE_INFINITY;
      this.fill(touched);
      for (const l of touched) seen[l] = 0;
      // Filling unmarks the flows it fixes; they stay open for the checks.
      for (const f of open) isOpen[f] = 1;
      const grown = open.length;
      unsure = false;
      for (let i = 0; i < grown; i++) {
        const f = open[i]!;
        const x = rates[f]!;
        const was = before[i]!;
        const changed = !(Math.abs(x - was) <= 1e-11 * Math.max(Math.abs(x), Math.abs(was)));
        const held = this.hasBottleneck(f);
        if (changed || !held) widen(f);
        if (!held) unsure = true;
      }
      if (open.length === grown) break;
    }
    if (unsure) {
      // A flow without a bottleneck and nothing more to take: leave it to filling the whole reach.
      for (let i = 0; i < open.length; i++) {
        rates[open[i]!] = before[i]!;
        isOpen[open[i]!] = 0;
      }
      return undefined;
    }
    const changed: number[] = [];
    for (let i = 0; i < open.length; i++) {
      const f = open[i]!;
      isOpen[f] = 0;
      if (!Object.is(rates[f], before[i])) changed.push(f);
    }
    return changed;
  }

  /** Whether flow `f` crosses a full link on which no flow gets more than it (within rounding). */
  private hasBottleneck(f: number): boolean {
    const x = this.rates[f]!;
    const links = this.linksOf[f]!;
    if (x === Number.POSITIVE_INFINITY) return true;
    for (const l of links) {
      const capacity = this.capacity[l]!;
      if (capacity === Number.POSITIVE_INFINITY) continue;
      let load = 0;
      let most = 0;
      for (const h of this.flowsOn[l]!) {
        load += this.rates[h]!;
        most = Math.max(most, this.rates[h]!);
      }
      if (load >= capacity * (1 - 1e-9) && most <= x * (1 + 1e-9)) return true;
    }
    return false;
  }

  /** Grows the scratch space to the current numbers of slots and links. */
  private reserve(): void {
    const slots = this.linksOf.length;
    if (this.isOpen.length < slots) {
      this.isOpen = new Uint8Array(2 * slots);
      this.before = new Float64Array(2 * slots);
    }
    const links = this.capacity.length;
    if (this.left.length < links) {
      this.left = new Float64Array(2 * links);
      this.openOn = new Int32Array(2 * links);
      this.seen = new Uint8Array(2 * links);
      this.heap.reserve(2 * links);
    }
  }

  /** Every flow, marked open, into `open`. */
  private allFlows(open: number[]): void {
    for (let slot = 0; slot < this.linksOf.length; slot++) {
      if (this.linksOf[slot] === undefined) continue;
      open.push(slot);
      this.isOpen[slot] = 1;
    }
  }

  /**
   * The flows to fill again after flows left (marked open) into `open`: those at or above the floor
   * that share a link with them, or with such a flow, and so on — the others' share of what is left
   * stays as it was. A link that cannot fill before the one covering it carries the same flows as
   * that one, so the walk goes through the covering link only. The links it went through (marked
   * seen) go into `reached`.
   */
  private reachFrom(seeds: readonly number[], floor: number, open: number[], reached: number[]): void {
    const { isOpen, seen, rates } = this;
    const stack: number[] = [];
    const visit = (l: number): void => {
      const d = this.decider(l);
      if (seen[d] === 1) return;
      seen[d] = 1;
      stack.push(d);
      reached.push(d);
    };
    for (const l of seeds) visit(l);
    while (stack.length > 0) {
      const l = stack.pop()!;
      for (const f of this.flowsOn[l]!) {
        if (isOpen[f] === 1 || rates[f]! < floor) continue;
        isOpen[f] = 1;
        open.push(f);
        for (const m of this.linksOf[f]!) visit(m);
      }
    }
  }

  /**
   * Of `links` (marked seen or not), those that can fill and carry open flows, marked seen, with
   * what the other flows leave of each (`left`) and how many open flows cross it (`openOn`); the
   * others are unmarked. Every link an open flow crosses is among `links` or covered by one that is.
   */
  private prepareLinks(links: readonly number[]): number[] {
    const { isOpen, seen, left, openOn, rates } = this;
    const touched: number[] = [];
    for (const l of links) {
      seen[l] = 0;
      if (this.decider(l) !== l) continue;
      let capacity = this.capacity[l]!;
      let count = 0;
      for (const other of this.flowsOn[l]!) {
        if (isOpen[other] === 1) count++;
        else capacity -= rates[other]!;
      }
      if (count === 0) continue;
      seen[l] = 1;
      touched.push(l);
      left[l] = capacity;
      openOn[l] = count;
    }
    return touched;
  }

  /**
   * Progressive filling of the open flows over the `touched` links: the link with the smallest fair
   * share fills first and fixes the rate of the open flows crossing it, which leaves each other
   * link they cross with less capacity and fewer open flows. An open flow on no finite link keeps
   * Infinity.
   */
  private fill(touched: readonly number[]): void {
    const { isOpen, seen, left, openOn, rates, heap } = this;
    const share = (l: number): number => Math.max(0, left[l]!) / openOn[l]!;
    for (const l of touched) if (this.capacity[l] !== Number.POSITIVE_INFINITY) heap.set(l, share(l));
    while (heap.size > 0) {
      const l = heap.pop();
      const rate = share(l);
      for (const f of this.flowsOn[l]!) {
        if (isOpen[f] !== 1) continue;
        isOpen[f] = 0;
        rates[f] = rate;
        for (const m of this.linksOf[f]!) {
          // Only the touched links are seen; the others cannot fill first.
          if (seen[m] !== 1) continue;
          left[m]! -= rate;
          openOn[m]! -= 1;
          if (m === l || this.capacity[m] === Number.POSITIVE_INFINITY) continue;
          if (openOn[m]! > 0) heap.set(m, share(m));
          else heap.delete(m);
        }
      }
    }
  }

  // Scratch space for reshare, kept between calls.
  private isOpen = new Uint8Array(0);
  private before = new Float64Array(0);
  private left = new Float64Array(0);
  private openOn = new Int32Array(0);
  private seen = new Uint8Array(0);
  private readonly heap = new LinkHeap();
}
