/**
 * Capacity floors: per resource, the lowest largest utilisation any placement could reach. Three
 * lower bounds, each placement-independent, and the floor is the largest of them:
 *
 * - the cluster: the total load over the eligible brokers' total capacity (their mean utilisation);
 * - a rack: what the rack rule forces into a rack (at least `lo` replicas of each partition there) over
 *   the rack's capacity (disk and network in; leadership can go anywhere);
 * - a partition: its replica (disk, network in) or its leader (network out) alone, on the largest
 *   broker it could sit on (for replicas, the rf-th largest: its replicas need rf distinct brokers).
 *
 * When the floor is above the capacity threshold the limits cannot be met, and the capacity goal aims
 * at the floor instead (best effort, load-targets.ts); capacity-check.ts says why and what would fix it.
 */
import type { Resource } from "./load-targets.js";
import type { PlacementState } from "./state.js";
import type { RackRule } from "./targets.js";

/** Which lower bound sets a resource's floor. */
export type FloorCause = "cluster" | "rack" | "partition";

export interface ResourceFloor {
  /** The lowest largest utilisation any placement could reach (0 when the resource has no limit). */
  readonly floor: number;
  /** The bound that sets it (the first of cluster, rack, partition on a tie). */
  readonly cause: FloorCause;
  /** The eligible brokers' mean utilisation. */
  readonly cluster: number;
  /** Per rack: the lowest mean utilisation the rack rule forces on the rack's brokers (0: none). */
  readonly racks: Float64Array;
  /** The heaviest partition's own utilisation on the largest broker it could sit on, and which one (-1: none). */
  readonly partition: number;
  readonly heaviest: number;
  /** Per rack: the load the rack rule forces into it. */
  readonly forced: Float64Array;
}

/** What the floors need of the targets: the rack rule per replication factor. */
export interface FloorRules {
  readonly rackCount: number;
  rule(rf: number): RackRule | null;
}

export function capacityOf(state: PlacementState, r: Resource): Float64Array {
  return r === "disk" ? state.diskCapacity : r === "networkIn" ? state.netInCapacity : state.netOutCapacity;
}

/** Per partition: what one replica (or its leader, for network out) needs of the resource. */
export function weightOf(state: PlacementState, r: Resource): Float64Array {
  return r === "disk" ? state.size : r === "networkIn" ? state.bytesIn : state.leaderOut;
}

/**
 * The floor of resource r, whose `total` load the cluster must carry (LoadTargets.total); the resource
 * must have a capacity on every eligible broker.
 */
export function resourceFloor(state: PlacementState, rules: FloorRules, r: Resource, total: number): ResourceFloor {
  const cap = capacityOf(state, r);
  const w = weightOf(state, r);
  let capTotal = 0;
  const capacities: number[] = [];
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b]) continue;
    capTotal += cap[b]!;
    capacities.push(cap[b]!);
  }
  capacities.sort((a, b) => b - a);
  const cluster = capTotal > 0 ? total / capTotal : 0;

  const forced = forcedPerRack(state, rules, w, r);
  const rackCap = new Float64Array(rules.rackCount);
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) rackCap[state.rackIndexOf(b)]! += cap[b]!;
  const racks = new Float64Array(rules.rackCount);
  let rack = 0;
  for (let k = 0; k < rules.rackCount; k++) {
    if (rackCap[k]! > 0) racks[k] = forced[k]! / rackCap[k]!;
    rack = Math.max(rack, racks[k]!);
  }

  let partition = 0;
  let heaviest = -1;
  for (let p = 0; p < state.partitionCount; p++) {
    // A leader can sit on the largest broker; rf replicas need rf distinct ones.
    const room = capacities[Math.min(capacities.length, r === "networkOut" ? 1 : state.rfOf(p)) - 1] ?? 0;
    if (room <= 0 || w[p]! <= 0) continue;
    const u = w[p]! / room;
    if (u > partition) {
      partition = u;
      heaviest = p;
    }
  }
  const floor = Math.max(cluster, rack, partition);
  const cause: FloorCause = floor === cluster ? "cluster" : floor === rack ? "rack" : "partition";
  return { floor, cause, cluster, racks, partition, heaviest, forced };
}

/** Per rack, the load the rack rule forces there (disk and network in only: leaders can go anywhere). */
function forcedPerRack(state: PlacementState, rules: FloorRules, w: Float64Array, r: Resource): Float64Array {
  const forced = new Float64Array(rules.rackCount);
  if (r === "networkOut" || rules.rackCount < 2) return forced;
  for (let p = 0; p < state.partitionCount; p++) {
    const rule = rules.rule(state.rfOf(p));
    if (rule === null) continue;
    for (let k = 0; k < rules.rackCount; k++) forced[k]! += rule.lo[k]! * w[p]!;
  }
  return forced;
}

/**
 * Per eligible broker, its share of a load every replica carries (`w` per partition): by `base` (a
 * share per broker summing to 1, such as capacity ÷ total capacity), but with each rack's total held
 * within what the rack rule lets it carry: at least `lo` and at most `hi` replicas of each partition
 * sit in each rack, so a rack of fewer (or smaller) brokers may be forced above its natural share, and
 * the others then share the rest in proportion. Without racks, `base` itself.
 */
export function rackBoundedShares(state: PlacementState, rules: FloorRules, w: Float64Array, base: Float64Array): Float64Array {
  const R = rules.rackCount;
  if (R < 2) return base;
  const lo = new Float64Array(R);
  const hi = new Float64Array(R);
  let total = 0;
  for (let p = 0; p < state.partitionCount; p++) {
    const rf = state.rfOf(p);
    total += w[p]! * rf;
    const rule = rules.rule(rf);
    for (let k = 0; k < R; k++) {
      lo[k]! += (rule === null ? 0 : rule.lo[k]!) * w[p]!;
      hi[k]! += (rule === null ? rf : rule.hi[k]!) * w[p]!;
    }
  }
  if (total <= 0) return base;
  const natural = new Float64Array(R);
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) natural[state.rackIndexOf(b)]! += base[b]!;
  // Water-filling: racks whose proportional share falls outside [lo, hi] are fixed at the bound; the
  // rest share what is left in proportion to their natural shares. Each pass fixes a rack or ends.
  const target = Float64Array.from(natural);
  const fixed = new Uint8Array(R);
  for (let pass = 0; pass < R; pass++) {
    let mass = 1;
    let free = 0;
    for (let k = 0; k < R; k++) {
      if (fixed[k]) mass -= target[k]!;
      else free += natural[k]!;
    }
    if (free <= 0) break;
    let changed = false;
    for (let k = 0; k < R; k++) {
      if (fixed[k] || natural[k]! <= 0) continue;
      const t = (natural[k]! / free) * mass;
      const low = lo[k]! / total;
      const high = hi[k]! / total;
      target[k] = t < low ? low : t > high ? high : t;
      if (target[k] !== t) {
        fixed[k] = 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return Float64Array.from(base, (x, b) => {
    const k = state.rackIndexOf(b);
    return state.eligible[b] && natural[k]! > 0 ? (x * target[k]!) / natural[k]! : x;
  });
}
