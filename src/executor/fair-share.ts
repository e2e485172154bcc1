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

  /** Removes the smallest share; returns its link and stamp. */
  pop(): { link: number; stamp: number } {
    const top = { link: this.links[0]!, stamp: this.stamps[0]! };
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
    [this.shares[a], this.shares[b]] = [this.shares[b]!, this.shares[a]!];
    [this.links[a], this.links[b]] = [this.links[b]!, this.links[a]!];
    [this.stamps[a], this.stamps[b]] = [this.stamps[b]!, this.stamps[a]!];
  }
}

/**
 * The max-min fair rate of each of `flowCount` flows over `links`. A flow crossing no finite link
 * gets Infinity. Pure and deterministic.
 */
export function maxMinFairRates(flowCount: number, links: readonly SharedLink[]): Float64Array {
  const rates = new Float64Array(flowCount).fill(Number.POSITIVE_INFINITY);
  const fixed = new Uint8Array(flowCount);
  const linksOfFlow: number[][] = Array.from({ length: flowCount }, () => []);
  links.forEach((link, l) => {
    for (const f of link.flows) linksOfFlow[f]?.push(l);
  });
  const left = links.map((link) => link.capacity);
  const open = links.map((link) => link.flows.length);
  const stamps = new Array<number>(links.length).fill(0);
  const share = (l: number): number => Math.max(0, left[l]!) / open[l]!;

  const heap = new ShareHeap();
  links.forEach((link, l) => {
    if (link.flows.length > 0 && link.capacity !== Number.POSITIVE_INFINITY) heap.push(share(l), l, 0);
  });

  while (heap.size > 0) {
    const { link: l, stamp } = heap.pop();
    if (stamp !== stamps[l] || open[l] === 0) continue;
    const rate = share(l);
    for (const f of links[l]!.flows) {
      if (fixed[f] === 1) continue;
      fixed[f] = 1;
      rates[f] = rate;
      for (const m of linksOfFlow[f]!) {
        left[m]! -= rate;
        open[m]! -= 1;
        stamps[m]! += 1;
        if (m !== l && open[m]! > 0 && links[m]!.capacity !== Number.POSITIVE_INFINITY) heap.push(share(m), m, stamps[m]!);
      }
    }
  }
  return rates;
}
