/**
 * What "balanced" means for a given cluster: the rack rule for each replication factor and the
 * replica-count, per-topic, leader and disk targets the racks allow. Targets depend only on the
 * cluster's shape (brokers, racks, hosts, replication factors, sizes), never on the current placement,
 * so re-planning an applied plan aims at the same targets.
 */
import { rackBoundedShares } from "./capacity-floor.js";
import { type CapacityThresholds, DEFAULT_CAPACITY_THRESHOLDS, DEFAULT_NETWORK_THRESHOLD, LoadBand, LoadTargets, bandHalfWidth } from "./load-targets.js";

export { deviation } from "./load-targets.js";
import type { Action, LeaderChange, PlacementState } from "./state.js";

export interface RackRule {
  /** At most this many replicas of one partition in one rack. */
  readonly maxPerRack: number;
  /** Never two replicas of one partition on one host (only when the cluster allows it). */
  readonly hostRule: boolean;
  /** Per rack: the fewest and the most replicas of one partition the rule allows there. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

export interface TargetOptions {
  /** Whether the rack-spread goal (and its host rule) applies. */
  readonly rackSpread: boolean;
  readonly diskThreshold: number;
  /**
   * Broker indices that may receive replicas (`--to-brokers`); absent: every eligible broker. A
   * broker outside the set can only lose replicas, so its lower bands are capped at what it holds.
   */
  readonly receivers?: ReadonlySet<number>;
  /** Capacity limits as fractions of capacity (default DEFAULT_CAPACITY_THRESHOLDS). */
  readonly capacityThresholds?: CapacityThresholds;
  /** Network balance band as a fraction of the ideal (default DEFAULT_NETWORK_THRESHOLD). */
  readonly networkThreshold?: number;
}

export class Targets {
  readonly rackCount: number;
  /** Eligible brokers per rack. */
  readonly rackBrokers: Int32Array;
  /** Distinct hosts of eligible brokers per rack. */
  readonly rackHosts: Int32Array;
  /** Racks that have at least one eligible broker. */
  readonly activeRacks: number;
  /** Replica count band per broker (0..0 for ineligible brokers). */
  readonly countMin: Int32Array;
  readonly countMax: Int32Array;
  /** The real-valued ideal replica count per broker. */
  readonly countIdeal: Float64Array;
  readonly hostCount: number;
  /** Per topic and host (t * hostCount + h): replica band of one broker on that host. */
  readonly topicMin: Int32Array;
  readonly topicMax: Int32Array;
  /**
   * The leader band of a broker that leads no heavy partition (`heavyLeads`): the leaderships left
   * when each heavy partition's leader leads it alone, per other eligible broker, rounded down and up.
   */
  readonly leaderMin: number;
  readonly leaderMax: number;
  readonly leaderIdeal: number;
  /**
   * Partitions whose leader's network out alone is above every eligible broker's network-out aim
   * (ascending). Whichever broker leads one is over its limit whatever else it holds, so capacity
   * lets it take no other leadership: its band is the number of them it leads (`leaderBandOf`).
   */
  readonly heavyLeads: Int32Array;
  /** Disk band per broker, bytes. */
  readonly diskLow: Float64Array;
  readonly diskHigh: Float64Array;
  readonly diskIdeal: Float64Array;
  /** The same disk band as a LoadBand (its arrays are the three above). */
  readonly diskBand: LoadBand;
  /** The size of an average replica, the least half-width of a disk band. */
  readonly diskGrain: number;
  /** The disk band's half-width as a fraction of the ideal (at least diskGrain). */
  readonly diskThreshold: number;
  /** 1 where a broker may receive replicas (eligible, and listed by `--to-brokers` when given). */
  readonly receives: Uint8Array;
  /** True when only some eligible brokers may receive replicas. */
  readonly restricted: boolean;
  /** Capacity limits and the network and leader-bytes bands. */
  readonly load: LoadTargets;

  private readonly rules = new Map<number, RackRule | null>();
  private readonly heavyView: HeavyLeadView;
  /** Eligible brokers per host, and each host's rack. */
  private readonly hostBrokers: Int32Array;
  private readonly rackOfHost: Int32Array;
  /** Racks where some host has more than one eligible broker. */
  private readonly sharedHostRacks: Uint8Array;
  private topicFloor: Uint8Array | undefined;
  /** With `--to-brokers`: per (topic, broker) bands, t * brokerCount + b (replacing the per-host ones). */
  private readonly topicMinB: Int32Array | undefined;
  private readonly topicMaxB: Int32Array | undefined;

  constructor(
    private readonly state: PlacementState,
    private readonly options: TargetOptions,
  ) {
    ({ rackCount: this.rackCount, rackBrokers: this.rackBrokers, rackHosts: this.rackHosts, activeRacks: this.activeRacks } = rackTopology(state));
    ({ hostCount: this.hostCount, hostBrokers: this.hostBrokers, rackOfHost: this.rackOfHost, sharedHostRacks: this.sharedHostRacks } = hostTopology(state, this.rackCount));
    const replicas = replicasByRf(state);
    ({ countIdeal: this.countIdeal, countMin: this.countMin, countMax: this.countMax } = replicaCountBand(state, this.spread(replicas, sumRf(replicas))));
    ({ topicMin: this.topicMin, topicMax: this.topicMax } = topicBand(state, this.hostCount, (m) => this.spread(m, sumRf(m))));
    this.diskThreshold = options.diskThreshold;
    ({ diskIdeal: this.diskIdeal, diskLow: this.diskLow, diskHigh: this.diskHigh, diskGrain: this.diskGrain } = diskBand(state, this, sumRf(replicas)));
    this.diskBand = new LoadBand(this.diskIdeal, this.diskLow, this.diskHigh, state.hasDiskCapacity, state.hasDiskCapacity ? state.diskCapacity : null);
    this.receives = Uint8Array.from(state.eligible, (e, b) => (e && (options.receivers?.has(b) ?? true) ? 1 : 0));
    this.restricted = options.receivers !== undefined;
    const topicBands = this.restricted ? this.restrict() : undefined;
    this.topicMinB = topicBands?.min;
    this.topicMaxB = topicBands?.max;
    this.load = new LoadTargets(state, {
      capacityThresholds: options.capacityThresholds ?? DEFAULT_CAPACITY_THRESHOLDS,
      networkThreshold: options.networkThreshold ?? DEFAULT_NETWORK_THRESHOLD,
      countIdeal: this.countIdeal,
      diskThreshold: options.diskThreshold,
      rules: this,
    });
    this.heavyLeads = heavyLeads(state, this.load);
    this.heavyView = new HeavyLeadView(state, this.heavyLeads);
    ({ leaderIdeal: this.leaderIdeal, leaderMin: this.leaderMin, leaderMax: this.leaderMax } = leaderBand(state, this.heavyLeads.length));
  }

  /** Heavy partitions (heavyLeads) broker b leads now. */
  heavyLedBy(state: PlacementState, b: number): number {
    return this.heavyView.of(state).count[b]!;
  }

  /**
   * The network out of the heaviest heavy partition (heavyLeads) broker b leads now, 0 when it leads
   * none: that partition alone is a floor on b's network out, whatever else b holds.
   */
  heavyLeadOutOf(state: PlacementState, b: number): number {
    return this.heavyView.of(state).most[b]!;
  }

  /** Heavy partitions broker b leads once the leaderships `handed` change hands (heavyLedBy after them). */
  heavyLedAfter(state: PlacementState, b: number, handed: readonly LeaderChange[]): number {
    let n = this.heavyLedBy(state, b);
    for (const c of handed) if (this.isHeavyLead(c.p)) n += (c.to === b ? 1 : 0) - (c.from === b ? 1 : 0);
    return n;
  }

  /** Whether p is one of the heavy partitions (heavyLeads). */
  isHeavyLead(p: number): boolean {
    return this.heavyView.isHeavy[p] === 1;
  }

  /**
   * Whether the action hands a heavy partition's leadership (heavyLeads) to another broker, which
   * changes the leader bands and network-out aims of the brokers it touches.
   */
  handsOnHeavyLead(action: Action): boolean {
    if (this.heavyLeads.length === 0) return false;
    switch (action.kind) {
      case "lead":
        return action.slot !== 0 && this.isHeavyLead(action.p);
      case "move":
        return action.slot === 0 && this.isHeavyLead(action.p);
      case "swap":
        return (action.slot === 0 && this.isHeavyLead(action.p)) || (action.qSlot === 0 && this.isHeavyLead(action.q));
      case "trade":
        return (
          (action.slot !== 0 && this.isHeavyLead(action.p)) ||
          (action.qSlot !== 0 && this.isHeavyLead(action.q)) ||
          (action.r !== undefined && action.rSlot !== 0 && this.isHeavyLead(action.r))
        );
    }
  }

  /** Broker b's preferred-leader band: the heavy partitions it leads when it leads one, else leaderMin–leaderMax. */
  leaderMinOf(state: PlacementState, b: number): number {
    if (this.heavyLeads.length === 0) return this.leaderMin;
    const n = this.heavyLedBy(state, b);
    return n > 0 ? n : this.leaderMin;
  }

  leaderMaxOf(state: PlacementState, b: number): number {
    if (this.heavyLeads.length === 0) return this.leaderMax;
    const n = this.heavyLedBy(state, b);
    return n > 0 ? n : this.leaderMax;
  }

  /**
   * With `--to-brokers`, a broker that may not receive can only lose replicas: its ideal is capped at
   * the largest ideal whose band still reaches what it holds (so it never has to gain). Capping at the
   * band rather than at the holding itself makes the targets a fixed point: a plan leaves such a
   * broker somewhere in its band, and re-planning the result finds the same caps and the same
   * receiver targets. Within each rack, the receivers' ideals rise by one common factor to carry the
   * rack's share (racks keep the totals the rack rule gave them); what a rack without receivers
   * cannot hold goes to every receiver in proportion to its ideal.
   */
  private restrict(): { min: Int32Array; max: Int32Array } {
    const { state } = this;
    const B = state.brokerCount;
    const capped = (ideal: Float64Array, reach: (b: number) => number): Float64Array => {
      const out = new Float64Array(B);
      const fill = (members: readonly number[], share: number): number => {
        const at = (k: number, b: number): number => (this.receives[b] ? ideal[b]! * k : Math.min(reach(b), ideal[b]! * k));
        const load = (k: number): number => members.reduce((a, b) => a + at(k, b), 0);
        let hi = 1;
        for (let i = 0; i < 64 && load(hi) < share; i++) hi *= 2;
        let lo = 0;
        for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
          const mid = (lo + hi) / 2;
          if (load(mid) < share) lo = mid;
          else hi = mid;
        }
        for (const b of members) out[b] = at(hi, b);
        return Math.max(0, share - load(hi));
      };
      let spill = 0;
      for (let r = 0; r < this.rackCount; r++) {
        const members: number[] = [];
        for (let b = 0; b < B; b++) if (state.eligible[b] && state.rackOf[b] === r) members.push(b);
        spill += fill(members, members.reduce((a, b) => a + ideal[b]!, 0));
      }
      let weight = 0;
      for (let b = 0; b < B; b++) if (this.receives[b]) weight += ideal[b]!;
      if (spill > 0 && weight > 0) for (let b = 0; b < B; b++) if (this.receives[b]) out[b]! += (spill * ideal[b]!) / weight;
      return out;
    };
    const t = this.options.diskThreshold;
    // The largest ideal whose band's lower edge is at most what the broker holds: floor(x) ≤ held for
    // counts; x − max(x·t, grain) ≤ held for disk.
    const count = capped(this.countIdeal, (b) => state.countOf(b) + 1 - 2 * EPS);
    const disk = capped(this.diskIdeal, (b) => Math.max(state.diskOf(b) / (1 - t), state.diskOf(b) + this.diskGrain));
    for (let b = 0; b < B; b++) {
      if (!state.eligible[b]) continue;
      this.countIdeal[b] = count[b]!;
      this.countMin[b] = floorEps(count[b]!);
      this.countMax[b] = ceilEps(count[b]!);
      this.diskIdeal[b] = disk[b]!;
      const half = bandHalfWidth(disk[b]!, t, this.diskGrain);
      this.diskLow[b] = Math.max(0, disk[b]! - half);
      this.diskHigh[b] = disk[b]! + half;
      if (!this.receives[b]) {
        // It can only lose: a band below what it holds cannot be reached, so it starts there.
        this.countMin[b] = Math.min(this.countMinOf(b), state.countOf(b));
        this.diskLow[b] = Math.min(this.diskLowOf(b), state.diskOf(b));
      }
    }
    // Each topic follows the restricted replica counts: its replicas in proportion to each broker's
    // ideal count; a broker that may not receive keeps at most a floor of what it holds of the topic.
    const T = state.topicNames.length;
    const min = new Int32Array(T * B);
    const max = new Int32Array(T * B);
    let all = 0;
    for (let b = 0; b < B; b++) all += this.countIdealOf(b);
    for (let t = 0; t < T; t++) {
      let n = 0;
      for (let b = 0; b < B; b++) n += state.topicCountOf(t, b);
      for (let b = 0; b < B; b++) {
        if (!state.eligible[b] || all <= 0) continue;
        const x = (n * this.countIdealOf(b)) / all;
        const held = state.topicCountOf(t, b);
        min[t * B + b] = this.receives[b] ? floorEps(x) : Math.min(floorEps(x), held);
        max[t * B + b] = ceilEps(x);
      }
    }
    return { min, max };
  }

  // Typed reads of the per-broker and per-rack arrays above: a broker or rack index is always in range.

  /** The fewest replicas broker b should hold. */
  countMinOf(b: number): number {
    return this.countMin[b]!;
  }

  /** The most replicas broker b should hold. */
  countMaxOf(b: number): number {
    return this.countMax[b]!;
  }

  /** Broker b's real-valued ideal replica count. */
  countIdealOf(b: number): number {
    return this.countIdeal[b]!;
  }

  /** The low edge of broker b's disk band, bytes. */
  diskLowOf(b: number): number {
    return this.diskLow[b]!;
  }

  /** The high edge of broker b's disk band, bytes. */
  diskHighOf(b: number): number {
    return this.diskHigh[b]!;
  }

  /** Broker b's ideal disk use, bytes. */
  diskIdealOf(b: number): number {
    return this.diskIdeal[b]!;
  }

  /** Eligible brokers in rack r. */
  rackBrokersOf(r: number): number {
    return this.rackBrokers[r]!;
  }

  /** Distinct hosts of eligible brokers in rack r. */
  rackHostsOf(r: number): number {
    return this.rackHosts[r]!;
  }

  /** Whether broker b may take a replica of partition p: it may receive, or p was there before. */
  canReceive(p: number, b: number): boolean {
    return this.receives[b] === 1 || (this.state.eligible[b] === 1 && this.state.wasOriginally(p, b));
  }

  /**
   * The rack rule for a replication factor, or null when fewer eligible brokers exist than replicas.
   * maxPerRack is the smallest m with sum over racks of min(capacity, m) >= rf: ceil(rf / racks) when
   * every rack has room, more only where small racks cannot take their share.
   */
  rule(rf: number): RackRule | null {
    let rule = this.rules.get(rf);
    if (rule === undefined) {
      rule = this.computeRule(rf);
      this.rules.set(rf, rule);
    }
    return rule;
  }

  private computeRule(rf: number): RackRule | null {
    const R = this.rackCount;
    const brokers = sum(this.rackBrokers);
    if (brokers < rf) return null;
    const hostRule = this.options.rackSpread && sum(this.rackHosts) >= rf;
    const cap = hostRule ? this.rackHosts : this.rackBrokers;
    let m = rf;
    if (this.options.rackSpread) {
      m = 1;
      while (capped(cap, m) < rf) m++;
    }
    const hi = new Int32Array(R);
    for (let r = 0; r < R; r++) hi[r] = Math.min(cap[r]!, m);
    const hiSum = sum(hi);
    const lo = new Int32Array(R);
    for (let r = 0; r < R; r++) lo[r] = Math.max(0, rf - (hiSum - hi[r]!));
    return { maxPerRack: m, hostRule, lo, hi };
  }

  /**
   * The ideal replica count of one broker on each host: racks first (waterFill), then, in racks where
   * hosts have several brokers, over hosts, since the host rule lets a host take a partition once
   * however many brokers it has. Returns one value per host.
   */
  private spread(rfCount: ReadonlyMap<number, number>, total: number): Float64Array {
    const perRack = this.waterFill(rfCount, total);
    const H = this.hostCount;
    const out = new Float64Array(H);
    for (let h = 0; h < H; h++) out[h] = perRack[this.rackOfHost[h]!]!;
    for (let r = 0; r < this.rackCount; r++) {
      if (!this.sharedHostRacks[r]) continue;
      const hosts: number[] = [];
      for (let h = 0; h < H; h++) if (this.rackOfHost[h] === r && this.hostBrokers[h]! > 0) hosts.push(h);
      const load = perRack[r]! * this.rackBrokersOf(r);
      // What one host can take: each partition at most once under the host rule, else up to its brokers.
      const cap = new Map<number, number>();
      for (const h of hosts) {
        let c = 0;
        for (const [rf, n] of rfCount) {
          const rule = this.rule(rf);
          const inRack = rule ? rule.hi[r]! : rf;
          c += n * Math.min(inRack, rule?.hostRule ? 1 : this.hostBrokers[h]!);
        }
        cap.set(h, c);
      }
      const fill = (y: number): number => hosts.reduce((a, h) => a + Math.min(cap.get(h)!, y * this.hostBrokers[h]!), 0);
      let lo = 0;
      let hi = Math.max(1, load);
      for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
        const mid = (lo + hi) / 2;
        if (fill(mid) < load) lo = mid;
        else hi = mid;
      }
      for (const h of hosts) out[h] = Math.min(cap.get(h)!, hi * this.hostBrokers[h]!) / this.hostBrokers[h]!;
    }
    return out;
  }

  /**
   * Spreads `total` replicas (partitions grouped by replication factor) over racks as evenly per
   * broker as the rack rule allows; returns the ideal per-broker count of each rack.
   */
  private waterFill(rfCount: ReadonlyMap<number, number>, total: number): Float64Array {
    const R = this.rackCount;
    const LO = new Float64Array(R);
    const HI = new Float64Array(R);
    for (const [rf, n] of rfCount) {
      const rule = this.rule(rf);
      for (let r = 0; r < R; r++) {
        if (this.rackBrokers[r] === 0) continue;
        // Infeasible factors are reported elsewhere; spread them as if unconstrained.
        LO[r]! += n * (rule ? rule.lo[r]! : 0);
        HI[r]! += n * (rule ? rule.hi[r]! : Math.min(rf, this.rackBrokersOf(r)));
      }
    }
    const load = (x: number): number => {
      let s = 0;
      for (let r = 0; r < R; r++) {
        const n = this.rackBrokersOf(r);
        if (n > 0) s += Math.min(HI[r]!, Math.max(LO[r]!, x * n));
      }
      return s;
    };
    let lo = 0;
    let hi = Math.max(1, total);
    for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
      const mid = (lo + hi) / 2;
      if (load(mid) < total) lo = mid;
      else hi = mid;
    }
    const out = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      const n = this.rackBrokersOf(r);
      if (n > 0) out[r] = Math.min(HI[r]!, Math.max(LO[r]!, hi * n)) / n;
    }
    return out;
  }

  /** Whether any topic's band in rack r starts above 0 (some topic can be short on a broker there). */
  rackHasTopicFloor(r: number): boolean {
    if (this.topicMinB !== undefined) return true;
    if (this.topicFloor === undefined) {
      const floor = new Uint8Array(this.rackCount);
      for (let i = 0; i < this.topicMin.length; i++) {
        if (this.topicMin[i]! > 0) floor[this.rackOfHost[i % this.hostCount]!] = 1;
      }
      this.topicFloor = floor;
    }
    return this.topicFloor[r] === 1;
  }

  /** Lower end of topic t's band on broker b (no allocation; 0 for ineligible brokers). */
  topicMinOf(t: number, b: number): number {
    if (!this.state.eligible[b]) return 0;
    if (this.topicMinB !== undefined) return this.topicMinB[t * this.state.brokerCount + b]!;
    return this.topicMin[t * this.hostCount + this.state.hostIndexOf(b)]!;
  }

  /** Upper end of topic t's band on broker b (0 for ineligible brokers). */
  topicMaxOf(t: number, b: number): number {
    if (!this.state.eligible[b]) return 0;
    if (this.topicMaxB !== undefined) return this.topicMaxB[t * this.state.brokerCount + b]!;
    return this.topicMax[t * this.hostCount + this.state.hostIndexOf(b)]!;
  }
}

const EPS = 1e-7;

/** Eligible brokers and distinct hosts per rack, and the racks with at least one eligible broker. */
function rackTopology(state: PlacementState): { rackCount: number; rackBrokers: Int32Array; rackHosts: Int32Array; activeRacks: number } {
  const rackCount = state.rackNames.length;
  const rackBrokers = new Int32Array(rackCount);
  const rackHosts = new Int32Array(rackCount);
  const hostsSeen = new Set<number>();
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b]) continue;
    const rack = state.rackIndexOf(b);
    rackBrokers[rack]!++;
    if (!hostsSeen.has(state.hostIndexOf(b))) {
      hostsSeen.add(state.hostIndexOf(b));
      rackHosts[rack]!++;
    }
  }
  const activeRacks = rackBrokers.reduce((a, n) => a + (n > 0 ? 1 : 0), 0);
  return { rackCount, rackBrokers, rackHosts, activeRacks };
}

/** Eligible brokers per host, each host's rack, and the racks where some host has more than one. */
function hostTopology(state: PlacementState, rackCount: number): { hostCount: number; hostBrokers: Int32Array; rackOfHost: Int32Array; sharedHostRacks: Uint8Array } {
  const hostCount = state.hostNames.length;
  const hostBrokers = new Int32Array(hostCount);
  const rackOfHost = new Int32Array(hostCount);
  for (let b = 0; b < state.brokerCount; b++) {
    rackOfHost[state.hostIndexOf(b)] = state.rackIndexOf(b);
    if (state.eligible[b]) hostBrokers[state.hostIndexOf(b)]!++;
  }
  const sharedHostRacks = new Uint8Array(rackCount);
  for (let h = 0; h < hostCount; h++) if (hostBrokers[h]! > 1) sharedHostRacks[rackOfHost[h]!] = 1;
  return { hostCount, hostBrokers, rackOfHost, sharedHostRacks };
}

/** Partitions per replication factor, in the order first seen. */
function replicasByRf(state: PlacementState): Map<number, number> {
  const rfCount = new Map<number, number>();
  for (let p = 0; p < state.partitionCount; p++) rfCount.set(state.rfOf(p), (rfCount.get(state.rfOf(p)) ?? 0) + 1);
  return rfCount;
}

/** The replica-count band: each eligible broker's host's ideal (`idealPerHost`), rounded down and up. */
function replicaCountBand(state: PlacementState, idealPerHost: Float64Array): { countIdeal: Float64Array; countMin: Int32Array; countMax: Int32Array } {
  const B = state.brokerCount;
  const countMin = new Int32Array(B);
  const countMax = new Int32Array(B);
  const countIdeal = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    if (!state.eligible[b]) continue;
    const x = idealPerHost[state.hostIndexOf(b)]!;
    countIdeal[b] = x;
    countMin[b] = floorEps(x);
    countMax[b] = ceilEps(x);
  }
  return { countIdeal, countMin, countMax };
}

/** The topic-spread band per (topic, host): the topic's replicas spread as the rack rule allows, rounded down and up. */
function topicBand(
  state: PlacementState,
  hostCount: number,
  spread: (rfCount: ReadonlyMap<number, number>) => Float64Array,
): { topicMin: Int32Array; topicMax: Int32Array } {
  const T = state.topicNames.length;
  const topicMin = new Int32Array(T * hostCount);
  const topicMax = new Int32Array(T * hostCount);
  const perTopic: Map<number, number>[] = Array.from({ length: T }, () => new Map());
  for (let p = 0; p < state.partitionCount; p++) {
    const m = perTopic[state.topicIndexOf(p)]!;
    m.set(state.rfOf(p), (m.get(state.rfOf(p)) ?? 0) + 1);
  }
  for (let t = 0; t < T; t++) {
    const x = spread(perTopic[t]!);
    for (let h = 0; h < hostCount; h++) {
      topicMin[t * hostCount + h] = floorEps(x[h]!);
      topicMax[t * hostCount + h] = ceilEps(x[h]!);
    }
  }
  return { topicMin, topicMax };
}

/**
 * The leader band: partitions per eligible broker, rounded down and up; with `heavy` partitions led
 * alone (Targets.heavyLeads), the other partitions per other broker.
 */
function leaderBand(state: PlacementState, heavy: number): { leaderIdeal: number; leaderMin: number; leaderMax: number } {
  const alone = heavy < state.eligibleCount ? heavy : 0;
  const leaderIdeal = (state.partitionCount - alone) / Math.max(1, state.eligibleCount - alone);
  return { leaderIdeal, leaderMin: floorEps(leaderIdeal), leaderMax: ceilEps(leaderIdeal) };
}

/**
 * Which brokers lead the heavy partitions (Targets.heavyLeads): per broker how many, and the largest
 * network out among them. Read again from the placement only when it has changed since (the goals ask
 * for every action they weigh; there are few heavy partitions, and their leaders change rarely).
 */
class HeavyLeadView {
  readonly count: Int32Array;
  readonly most: Float64Array;
  /** 1 per heavy partition. */
  readonly isHeavy: Uint8Array;
  private readonly leading: number[] = [];
  private state: PlacementState | null = null;
  private at = -1;

  constructor(
    state: PlacementState,
    private readonly heavy: Int32Array,
  ) {
    this.count = new Int32Array(state.brokerCount);
    this.most = new Float64Array(state.brokerCount);
    this.isHeavy = new Uint8Array(state.partitionCount);
    for (const p of heavy) this.isHeavy[p] = 1;
  }

  of(state: PlacementState): this {
    if (state === this.state && state.changeCount === this.at) return this;
    for (const b of this.leading) {
      this.count[b] = 0;
      this.most[b] = 0;
    }
    this.leading.length = 0;
    for (const p of this.heavy) {
      const b = state.brokerAt(p, 0);
      if (this.count[b] === 0) this.leading.push(b);
      this.count[b]! += 1;
      this.most[b] = Math.max(this.most[b]!, state.leaderOutOf(p));
    }
    this.state = state;
    this.at = state.changeCount;
    return this;
  }
}

/** Partitions whose leader's network out is above every eligible broker's network-out aim (Targets.heavyLeads). */
function heavyLeads(state: PlacementState, load: LoadTargets): Int32Array {
  if (!load.limited.networkOut) return new Int32Array(0);
  let most = 0;
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) most = Math.max(most, load.aim.networkOut[b]!);
  const out: number[] = [];
  for (let p = 0; p < state.partitionCount; p++) if (state.leaderOutOf(p) > most * (1 + 1e-9)) out.push(p);
  return Int32Array.from(out);
}

/**
 * The disk band per broker: its share of the data (by capacity within what the rack rule lets each
 * rack hold, else by its ideal replica count), widened by the threshold and never narrower than one
 * average replica (the grain) on either side.
 */
function diskBand(
  state: PlacementState,
  targets: Targets,
  totalReplicas: number,
): { diskIdeal: Float64Array; diskLow: Float64Array; diskHigh: Float64Array; diskGrain: number } {
  const B = state.brokerCount;
  let totalDisk = 0;
  for (let p = 0; p < state.partitionCount; p++) totalDisk += state.sizeOf(p) * state.rfOf(p);
  let totalCap = 0;
  for (let b = 0; b < B; b++) if (state.eligible[b]) totalCap += state.diskCapacity[b]!;
  const diskLow = new Float64Array(B);
  const diskHigh = new Float64Array(B);
  const diskIdeal = new Float64Array(B);
  let replicas = 0;
  for (let p = 0; p < state.partitionCount; p++) replicas += state.rfOf(p);
  const diskGrain = replicas > 0 ? totalDisk / replicas : 0;
  // By capacity, within what the rack rule lets each rack hold (a rack of fewer brokers holds more each).
  const byCapacity = state.hasDiskCapacity
    ? rackBoundedShares(state, targets, state.size, Float64Array.from(state.diskCapacity, (c, b) => (state.eligible[b] ? c / totalCap : 0)))
    : null;
  const E = Math.max(1, state.eligibleCount);
  for (let b = 0; b < B; b++) {
    if (!state.eligible[b]) continue;
    let share: number;
    if (byCapacity !== null) share = byCapacity[b]!;
    else share = totalReplicas > 0 ? targets.countIdealOf(b) / totalReplicas : 1 / E;
    const x = totalDisk * share;
    diskIdeal[b] = x;
    const half = bandHalfWidth(x, targets.diskThreshold, diskGrain);
    diskLow[b] = Math.max(0, x - half);
    diskHigh[b] = x + half;
  }
  return { diskIdeal, diskLow, diskHigh, diskGrain };
}

function floorEps(x: number): number {
  return Math.floor(x + EPS);
}

function ceilEps(x: number): number {
  return Math.ceil(x - EPS);
}

function sum(a: Int32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

function capped(cap: Int32Array, m: number): number {
  let s = 0;
  for (const v of cap) s += Math.min(v, m);
  return s;
}

function sumRf(rfCount: ReadonlyMap<number, number>): number {
  let s = 0;
  for (const [rf, n] of rfCount) s += rf * n;
  return s;
}

