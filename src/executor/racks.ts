/**
 * The rack rule, checked on a plan about to run: a plan edited by hand (or made by another tool) can
 * put two replicas of a partition in one rack, which a rack outage would then take together. The
 * rule is the planner's: at most share = ceil(RF / R) replicas of a partition in one rack, R being
 * the racks of the registered brokers. A break is reported only where the rule could be kept, that
 * is where the racks have room for RF replicas at that share: Σ over racks of min(brokers, share) ≥ RF.
 * Without a rack on every registered broker there is no rule to check.
 */
import type { BrokerNode, PartitionRef } from "./port.js";
import { partitionKey } from "./port.js";

export interface RackBreak {
  /** `topic-partition`. */
  readonly partition: string;
  readonly replicas: readonly number[];
  /** The rack holding more than its share, and how many replicas it holds. */
  readonly rack: string;
  readonly count: number;
  readonly share: number;
}

export function rackRuleBreaks(entries: ReadonlyArray<PartitionRef & { readonly replicas: readonly number[] }>, brokers: readonly BrokerNode[]): RackBreak[] {
  const rackOf = new Map<number, string>();
  for (const b of brokers) {
    if (b.rack === undefined) return [];
    rackOf.set(b.id, b.rack);
  }
  const perRack = new Map<string, number>();
  for (const rack of rackOf.values()) perRack.set(rack, (perRack.get(rack) ?? 0) + 1);
  const out: RackBreak[] = [];
  for (const e of entries) {
    const rf = e.replicas.length;
    const share = Math.ceil(rf / perRack.size);
    const room = [...perRack.values()].reduce((a, n) => a + Math.min(n, share), 0);
    if (room < rf) continue;
    const held = new Map<string, number>();
    for (const b of e.replicas) {
      const rack = rackOf.get(b);
      if (rack !== undefined) held.set(rack, (held.get(rack) ?? 0) + 1);
    }
    const [rack, count] = [...held].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? ["", 0];
    if (count > share) out.push({ partition: partitionKey(e), replicas: e.replicas, rack, count, share });
  }
  return out;
}
