/**
 * Choosing where a replica goes. Eligible brokers are kept in an order that is refreshed now and then
 * (emptiest against its target first), so a destination is usually found among the first few brokers
 * scanned instead of by a scan of the whole cluster for every replica.
 */
import { spreadViolation } from "../rules.js";
import type { PlacementState } from "../state.js";
import type { Targets } from "../targets.js";

/** How many rule-keeping candidates to compare before taking the best. */
const CANDIDATES = 8;

export class BrokerOrder {
  private order: Int32Array;
  private changesSinceRefresh = 0;

  constructor(
    private readonly state: PlacementState,
    private readonly targets: Targets,
    /** Refresh after this many applied changes. */
    private readonly refreshEvery = 32,
  ) {
    this.order = new Int32Array(0);
    this.refresh();
  }

  refresh(): void {
    const { state, targets } = this;
    const list: number[] = [];
    for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) list.push(b);
    const fill = (b: number): number => state.count[b]! - targets.countMax[b]!;
    const diskRatio = (b: number): number => (targets.diskIdeal[b]! > 0 ? state.disk[b]! / targets.diskIdeal[b]! : 0);
    list.sort((a, b) => fill(a) - fill(b) || diskRatio(a) - diskRatio(b) || a - b);
    this.order = Int32Array.from(list);
    this.changesSinceRefresh = 0;
  }

  /** Call after each applied change; re-sorts now and then. */
  touched(): void {
    if (++this.changesSinceRefresh >= this.refreshEvery) this.refresh();
  }

  brokers(): Int32Array {
    return this.order;
  }
}

export interface DestinationChoice {
  readonly to: number;
  /** spreadViolation of the partition after the move. */
  readonly violation: number;
}

/**
 * The best broker for the replica at (p, slot): first the fewest rack/host violations, then the move
 * cost (returning a replica to a broker that had it is free), then the fill against the target, then
 * this topic's count there, then the order. `accept` filters candidates (higher-priority goals).
 */
export function chooseDestination(
  state: PlacementState,
  targets: Targets,
  order: BrokerOrder,
  p: number,
  slot: number,
  accept: (to: number) => boolean = () => true,
): DestinationChoice | null {
  const base = spreadViolation(state, targets, p, slot, -1);
  const B = state.brokerCount;
  const t = state.topicOf[p]!;
  let best = -1;
  // The key, compared in order: violation, move cost, fill against target, topic fill, order.
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let perfect = 0;
  // A broker whose host holds none of p's other replicas gives p the violation any such broker of its
  // rack gives: worked out once per rack.
  const o = state.offset[p]!;
  const rf = state.rf[p]!;
  const byRack = new Map<number, number>();
  const sharesHost = (d: number): boolean => {
    for (let i = 0; i < rf; i++) if (i !== slot && state.hostOf[state.replicas[o + i]!] === state.hostOf[d]) return true;
    return false;
  };
  const brokers = order.brokers();
  for (let i = 0; i < brokers.length && perfect < CANDIDATES; i++) {
    const d = brokers[i]!;
    if (state.slotOf(p, d) >= 0 || !targets.canReceive(p, d)) continue;
    let v: number;
    if (sharesHost(d)) v = spreadViolation(state, targets, p, slot, d);
    else {
      const known = byRack.get(state.rackOf[d]!);
      v = known ?? spreadViolation(state, targets, p, slot, d);
      if (known === undefined) byRack.set(state.rackOf[d]!, v);
    }
    if (v === base) perfect++;
    const c1 = state.moveDelta(p, slot, d);
    const c2 = state.count[d]! - targets.countMax[d]!;
    const c3 = state.topicCount[t * B + d]! - targets.topicMaxOf(t, d);
    const better = best < 0 || (v !== k0 ? v < k0 : c1 !== k1 ? c1 < k1 : c2 !== k2 ? c2 < k2 : c3 < k3);
    if (better && accept(d)) {
      best = d;
      k0 = v;
      k1 = c1;
      k2 = c2;
      k3 = c3;
    }
  }
  return best < 0 ? null : { to: best, violation: k0 };
}

export function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y;
  }
  return false;
}
