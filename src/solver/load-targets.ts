/**
 * Capacity limits and load bands for network in, network out and leader bytes. Like the other
 * targets they depend only on the cluster's shape and loads, never on the placement, so re-planning
 * an applied plan aims at the same figures.
 *
 * - Capacity: a broker may carry at most threshold × capacity of a resource. A resource whose capacity
 *   is missing on some eligible broker has no limit (the capacity goal says so).
 * - Balance: each broker's ideal is its share of the cluster's total: by capacity when every eligible
 *   broker has one (utilisation balance, which is what mixed-size brokers need), otherwise by the
 *   broker's replica-count target (network in, which every replica takes) or evenly (network out and
 *   leader bytes, which only leaders carry). The band is ideal × (1 ± threshold).
 */
import { type FloorRules, type ResourceFloor, capacityOf, rackBoundedShares, resourceFloor, weightOf } from "./capacity-floor.js";
import type { PlacementState } from "./state.js";

export type Resource = "disk" | "networkIn" | "networkOut";
export const RESOURCES: readonly Resource[] = ["disk", "networkIn", "networkOut"];

/** Fraction of each resource's capacity a broker may use. */
export interface CapacityThresholds {
  readonly disk: number;
  readonly networkIn: number;
  readonly networkOut: number;
}

export { DEFAULT_CAPACITY_THRESHOLDS, DEFAULT_NETWORK_THRESHOLD } from "../model/options-spec.js";

/** Distance of x from the band [min, max] (0 inside). */
export function deviation(x: number, min: number, max: number): number {
  return x < min ? min - x : x > max ? x - max : 0;
}

/** A per-broker band [low, high] around an ideal; the ideal scales tolerances and ranks brokers. */
export class BrokerBand {
  constructor(
    readonly ideal: Float64Array,
    readonly low: Float64Array,
    readonly high: Float64Array,
  ) {}

  /** Broker b's ideal. */
  idealOf(b: number): number {
    return this.ideal[b]!;
  }

  /** The low edge of broker b's band. */
  lowOf(b: number): number {
    return this.low[b]!;
  }

  /** The high edge of broker b's band. */
  highOf(b: number): number {
    return this.high[b]!;
  }

  /** How far `value` on broker b is outside its band (0 inside). */
  deviationOf(b: number, value: number): number {
    return deviation(value, this.low[b]!, this.high[b]!);
  }
}

/** A per-broker band of a load, around each broker's share of the total. */
export class LoadBand extends BrokerBand {
  constructor(
    ideal: Float64Array,
    low: Float64Array,
    high: Float64Array,
    /** True when the ideal is a share of capacity (the band is a utilisation band). */
    readonly byCapacity: boolean,
    /** The capacity the shares are taken from, when byCapacity. */
    readonly capacity: Float64Array | null,
  ) {
    super(ideal, low, high);
  }
}

export interface LoadTargetOptions {
  readonly capacityThresholds: CapacityThresholds;
  readonly networkThreshold: number;
  /** The real-valued replica-count ideal per broker (Targets.countIdeal). */
  readonly countIdeal: Float64Array;
  /** The disk balance band's half-width as a fraction of the ideal (the network one is networkThreshold). */
  readonly diskThreshold: number;
  /** The rack rule per replication factor, for the capacity floors. */
  readonly rules: FloorRules;
}

export class LoadTargets {
  readonly thresholds: CapacityThresholds;
  /** The network bands' half-width as a fraction of the ideal (at least one average replica's load). */
  readonly networkThreshold: number;
  /** Per resource: whether every eligible broker has a capacity, so the limit applies. */
  readonly limited: Readonly<Record<Resource, boolean>>;
  /** The resources with a limit, in RESOURCES order (limitedResources). */
  readonly limitedList: readonly Resource[];
  /** Per resource and broker: threshold × capacity (Infinity when the resource has no limit). */
  readonly limit: Readonly<Record<Resource, Float64Array>>;
  /**
   * Per resource: the lowest largest utilisation any placement could reach (capacity-floor.ts); null
   * when the resource has no limit.
   */
  readonly floors: Readonly<Record<Resource, ResourceFloor | null>>;
  /**
   * Per resource and broker: the load the capacity goal holds the broker to. The limit wherever the
   * floors allow it; where the cluster's or a rack's mean utilisation is above the threshold (the
   * limits cannot be met), that mean plus one average replica's share instead, so that the goal brings
   * every broker as far under the limit as the cluster allows rather than chasing a limit no
   * placement reaches. A partition heavier than any limit raises no broker's aim: its holder ends
   * over, holding as little else as the goal can move.
   */
  readonly aim: Readonly<Record<Resource, Float64Array>>;
  /** Per resource: the load the whole cluster must carry. */
  readonly total: Readonly<Record<Resource, number>>;
  readonly networkIn: LoadBand;
  readonly networkOut: LoadBand;
  readonly leaderBytes: LoadBand;

  constructor(state: PlacementState, options: LoadTargetOptions) {
    this.thresholds = options.capacityThresholds;
    this.networkThreshold = options.networkThreshold;
    const capacity: Record<Resource, Float64Array> = {
      disk: state.diskCapacity,
      networkIn: state.netInCapacity,
      networkOut: state.netOutCapacity,
    };
    this.limited = { disk: state.hasDiskCapacity, networkIn: state.hasNetInCapacity, networkOut: state.hasNetOutCapacity };
    this.limitedList = RESOURCES.filter((r) => this.limited[r]);
    const limit = (r: Resource): Float64Array =>
      Float64Array.from(capacity[r], (c, b) => (this.limited[r] && state.eligible[b] ? c * this.thresholds[r] : Infinity));
    this.limit = { disk: limit("disk"), networkIn: limit("networkIn"), networkOut: limit("networkOut") };
    let disk = 0;
    let netIn = 0;
    let netOut = 0;
    let leaderBytes = 0;
    let replicas = 0;
    for (let p = 0; p < state.partitionCount; p++) {
      disk += state.sizeOf(p) * state.rfOf(p);
      netIn += state.bytesInOf(p) * state.rfOf(p);
      netOut += state.leaderOutOf(p);
      leaderBytes += state.bytesInOf(p);
      replicas += state.rfOf(p);
    }
    this.total = { disk, networkIn: netIn, networkOut: netOut };
    const per = (x: number, n: number): number => (n > 0 ? x / n : 0);
    /** One average replica's load (one leader's, for network out): the least half-width of a band. */
    const grain = (r: Resource): number => per(this.total[r], r === "networkOut" ? state.partitionCount : replicas);

    const floor = (r: Resource): ResourceFloor | null => (this.limited[r] ? resourceFloor(state, options.rules, r, this.total[r]) : null);
    this.floors = { disk: floor("disk"), networkIn: floor("networkIn"), networkOut: floor("networkOut") };
    const balance = (r: Resource): number => (r === "disk" ? options.diskThreshold : options.networkThreshold);
    const aim = (r: Resource): Float64Array => aimOf(state, r, this.thresholds[r], balance(r), grain(r), this.limit[r], this.floors[r]);
    this.aim = { disk: aim("disk"), networkIn: aim("networkIn"), networkOut: aim("networkOut") };

    const t = options.networkThreshold;
    let countTotal = 0;
    for (const x of options.countIdeal) countTotal += x;
    const byCount = (b: number): number => (countTotal > 0 ? options.countIdeal[b]! / countTotal : 1 / Math.max(1, state.eligibleCount));
    const evenly = (): number => 1 / Math.max(1, state.eligibleCount);
    // Network in is carried by every replica, so its shares by capacity keep to the racks' limits too.
    const netInShares = state.hasNetInCapacity
      ? { capacity: state.netInCapacity, shares: rackBoundedShares(state, options.rules, state.bytesIn, capacityShares(state, state.netInCapacity)) }
      : null;
    this.networkIn = band(state, netIn, t, netInShares, byCount, grain("networkIn"));
    this.networkOut = band(state, netOut, t, state.hasNetOutCapacity ? { capacity: state.netOutCapacity, shares: capacityShares(state, state.netOutCapacity) } : null, evenly, grain("networkOut"));
    // Leader bytes are produce traffic arriving at the leader: shared by network-in capacity.
    this.leaderBytes = band(state, leaderBytes, t, state.hasNetInCapacity ? { capacity: state.netInCapacity, shares: capacityShares(state, state.netInCapacity) } : null, evenly, per(leaderBytes, state.partitionCount));
  }
}

/**
 * Half the width of a load band around `ideal`: the threshold's share of it, but never less than
 * `grain`, the load of one average replica. A broker's load changes in whole replicas, so a band
 * narrower than one cannot in general be reached, and chasing it (on clusters with a few replicas per
 * broker) costs moves for nothing. On clusters with many replicas per broker the threshold decides.
 */
export function bandHalfWidth(ideal: number, threshold: number, grain: number): number {
  return Math.max(ideal * threshold, grain);
}

/** Per-broker shares of capacity (0 for brokers that are not eligible), summing to 1. */
function capacityShares(state: PlacementState, capacity: Float64Array): Float64Array {
  let total = 0;
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) total += capacity[b]!;
  return Float64Array.from(capacity, (c, b) => (state.eligible[b] && total > 0 ? c / total : 0));
}

/**
 * The band of each eligible broker around its ideal, total × its share: `byCapacity.shares` (from the
 * capacities, see LoadTargets) when the resource has a capacity on every eligible broker, else `share`.
 */
function band(
  state: PlacementState,
  total: number,
  threshold: number,
  byCapacity: { readonly capacity: Float64Array; readonly shares: Float64Array } | null,
  share: (b: number) => number,
  grain: number,
): LoadBand {
  const B = state.brokerCount;
  const ideal = new Float64Array(B);
  const low = new Float64Array(B);
  const high = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    if (!state.eligible[b]) continue;
    const x = total * (byCapacity !== null ? byCapacity.shares[b]! : share(b));
    ideal[b] = x;
    const half = bandHalfWidth(x, threshold, grain);
    low[b] = Math.max(0, x - half);
    high[b] = x + half;
  }
  return new LoadBand(ideal, low, high, byCapacity !== null, byCapacity?.capacity ?? null);
}

/**
 * The capacity goal's per-broker aim for one resource (LoadTargets.aim): where the cluster's or the
 * broker's rack's mean utilisation is above the threshold, the top of the balance band around that mean
 * (the band's half-width `balance` of it, at least `grain`: one average replica's load), else the limit.
 */
function aimOf(
  state: PlacementState,
  r: Resource,
  threshold: number,
  balance: number,
  grain: number,
  limit: Float64Array,
  floor: ResourceFloor | null,
): Float64Array {
  if (floor === null) return limit;
  const cap = capacityOf(state, r);
  const racks = floor.racks;
  let above = floor.cluster > threshold;
  for (const u of racks) above ||= u > threshold;
  if (!above) return limit;
  return Float64Array.from(limit, (l, b) => {
    if (!state.eligible[b]) return l;
    const shared = Math.max(floor.cluster, racks[state.rackIndexOf(b)] ?? 0);
    if (shared <= threshold) return l;
    const mean = shared * cap[b]!;
    return Math.max(l, mean + bandHalfWidth(mean, balance, grain));
  });
}

/** The resources with a limit (a capacity on every eligible broker), in RESOURCES order. */
export function limitedResources(load: LoadTargets): readonly Resource[] {
  return load.limitedList;
}

/** What replica (p, slot) adds to its broker's load of resource r (network out: the leader only). */
export function replicaWeight(state: PlacementState, r: Resource, p: number, slot: number): number {
  return r === "networkOut" ? (slot === 0 ? state.leaderOut[p]! : 0) : weightOf(state, r)[p]!;
}

/** Broker b's load of resource r. */
export function resourceLoad(state: PlacementState, r: Resource, b: number): number {
  return r === "disk" ? state.disk[b]! : r === "networkIn" ? state.netIn[b]! : state.netOut[b]!;
}

/** The largest share of one of its aims broker b uses, over the limited resources (0 when none is). */
export function aimUsed(state: PlacementState, load: LoadTargets, b: number): number {
  let most = 0;
  for (const r of limitedResources(load)) most = Math.max(most, resourceLoad(state, r, b) / Math.max(1e-12, load.aim[r][b]!));
  return most;
}
