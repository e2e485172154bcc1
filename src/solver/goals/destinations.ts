/**
 * Choosing where a replica goes. Eligible brokers are kept in an order that is refreshed now and then
 * (emptiest against its target first), so a destination is usually found among the first few brokers
 * scanned instead of by a scan of the whole cluster for every replica.
 */
import { spreadViolation } from "../rules.js";
import { CallMemo } from "./memo.js";
import type { PlacementState } from "../state.js";
import type { Targets } from "../targets.js";

/** How many rule-keeping candidates to compare before taking the best. */
export const CANDIDATES = 8;

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
    const B = state.brokerCount;
    // Keys worked out once per broker, not once per comparison.
    const fill = new Float64Array(B);
    const diskRatio = new Float64Array(B);
    let n = 0;
    for (let b = 0; b < B; b++) {
      if (!state.eligible[b]) continue;
      n++;
      fill[b] = state.countOf(b) - targets.countMaxOf(b);
      diskRatio[b] = targets.diskIdealOf(b) > 0 ? state.diskOf(b) / targets.diskIdealOf(b) : 0;
    }
    const order = new Int32Array(n);
    n = 0;
    for (let b = 0; b < B; b++) if (state.eligible[b]) order[n++] = b;
    order.sort((a, b) => fill[a]! - fill[b]! || diskRatio[a]! - diskRatio[b]! || a - b);
    this.order = order;
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

/** Per rack, the violation its brokers give the replica placed (see violationAt). */
const rackMemo = new CallMemo();

export interface DestinationChoice {
  readonly to: number;
  /** spreadViolation of the partition after the move. */
  readonly violation: number;
}

/**
 * The best broker for the replica at (p, slot): first the fewest rack/host violations, then the move
 * cost (returning a replica to a broker that had it is free), then the fill against the target, then
 * this topic's count there, then the order. `accept` filters candidates (higher-priority goals).
 *
 * Brokers are scanned in `order` until CANDIDATES rule-keeping ones (adding no violation beyond what
 * the replica's partition has without it) have been seen; the best accepted broker of that prefix
 * wins. An accepted rule-keeping broker beats every other, so the scan first looks at rule-keeping
 * brokers alone, passing over whole racks known to add a violation; only when none of them is
 * accepted does it weigh every broker of the prefix (`scan`). Either way the answer is the one the
 * full comparison gives.
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
  return scan(state, targets, order, p, slot, base, accept, true) ?? scan(state, targets, order, p, slot, base, accept, false);
}

/** Whether broker d's host holds a replica of p other than the one at `slot`. */
function sharesHost(state: PlacementState, p: number, slot: number, d: number): boolean {
  const o = state.offsetOf(p);
  const rf = state.rfOf(p);
  for (let i = 0; i < rf; i++) if (i !== slot && state.hostOf[state.replicas[o + i]!] === state.hostOf[d]) return true;
  return false;
}

/**
 * p's violation with the replica at `slot` on d. A broker whose host holds none of p's other
 * replicas gives the violation any such broker of its rack gives: worked out once per rack.
 */
function violationAt(state: PlacementState, targets: Targets, byRack: CallMemo, p: number, slot: number, d: number): number {
  if (sharesHost(state, p, slot, d)) return spreadViolation(state, targets, p, slot, d);
  const rack = state.rackIndexOf(d);
  if (byRack.has(rack)) return byRack.get(rack);
  const v = spreadViolation(state, targets, p, slot, d);
  byRack.set(rack, v);
  return v;
}

/**
 * The best accepted broker of the prefix of `order` that holds CANDIDATES rule-keeping brokers (whose
 * violation is `base`), by violation, move cost, fill against target, topic fill, then the order.
 * With `ruleKeepingOnly`, every other broker is passed over unweighed, whole racks known to add a
 * violation first of all: such a broker cannot beat an accepted rule-keeping one.
 */
function scan(
  state: PlacementState,
  targets: Targets,
  order: BrokerOrder,
  p: number,
  slot: number,
  base: number,
  accept: (to: number) => boolean,
  ruleKeepingOnly: boolean,
): DestinationChoice | null {
  const t = state.topicIndexOf(p);
  const byRack = rackMemo.begin(state.rackNames.length);
  let best = -1;
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let perfect = 0;
  const brokers = order.brokers();
  for (let i = 0; i < brokers.length && perfect < CANDIDATES; i++) {
    const d = brokers[i]!;
    // A rack whose brokers add a violation: sharing a host with a replica of p only adds more.
    if (ruleKeepingOnly && byRack.has(state.rackIndexOf(d)) && byRack.get(state.rackIndexOf(d)) > base) continue;
    if (state.slotOf(p, d) >= 0 || !targets.canReceive(p, d)) continue;
    const v = violationAt(state, targets, byRack, p, slot, d);
    if (v === base) perfect++;
    else if (ruleKeepingOnly) continue;
    const c1 = state.moveDelta(p, slot, d);
    const c2 = state.countOf(d) - targets.countMaxOf(d);
    const c3 = state.topicCountOf(t, d) - targets.topicMaxOf(t, d);
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
