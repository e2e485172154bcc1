/**
 * The balance report: per broker and per rack figures, a summary, and each goal's status.
 */
import { capacityStatus } from "./capacity-check.js";
import type { Goal } from "./goal.js";
import { topicDeviation } from "./goals/topic-spread.js";
import { spreadViolation } from "./rules.js";
import type { PlacementState } from "./state.js";
import type { Targets } from "./targets.js";
import { deviation } from "./targets.js";
import { DISK, LEADER_BYTES, type LoadMeasure, NETWORK_IN, NETWORK_OUT, heaviestOn } from "./goals/load-balance.js";
import { type LoadBand, RESOURCES } from "./load-targets.js";
import type { BalanceReport, BalanceSummary, BrokerBalance, FloorFigures, GoalStatus, LoadSummary, RackBalance, UnknownCapacity } from "./types.js";

export function balanceReport(state: PlacementState, targets: Targets, goals: readonly Goal[]): BalanceReport {
  const brokers = brokerRows(state, targets);
  const limited = targets.load.limited.disk || targets.load.limited.networkIn || targets.load.limited.networkOut;
  return {
    ...(limited && goals.some((g) => g.id === "capacity") ? { capacity: capacityStatus(state, targets) } : {}),
    brokers,
    racks: rackRows(state, brokers),
    summary: summarize(state, targets, brokers),
    goals: goals.map((g): GoalStatus => ({ goal: g.id, hard: g.hard, ...g.status(state, targets), score: g.score(state, targets) })),
    unknownCapacity: unknownCapacity(state),
  };
}

/** The eligible brokers without a capacity (none, or 0), per resource; resources every one has are left out. */
function unknownCapacity(state: PlacementState): UnknownCapacity[] {
  const capacities = { disk: state.diskCapacity, networkIn: state.netInCapacity, networkOut: state.netOutCapacity };
  const out: UnknownCapacity[] = [];
  for (const resource of RESOURCES) {
    const brokers: number[] = [];
    for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b] && !(capacities[resource][b]! > 0)) brokers.push(state.idOf(b));
    if (brokers.length > 0) out.push({ resource, brokers: brokers.sort((x, y) => x - y) });
  }
  return out;
}

function brokerRows(state: PlacementState, targets: Targets): BrokerBalance[] {
  const rows: BrokerBalance[] = [];
  for (let b = 0; b < state.brokerCount; b++) {
    const cap = state.diskCapacity[b]!;
    const row: BrokerBalance = {
      id: state.idOf(b),
      rack: state.rackNameOf(state.rackIndexOf(b)),
      host: state.hostLabels[b]!,
      status: state.dead[b] ? "dead" : "alive",
      excluded: state.excluded[b] === 1,
      eligible: state.eligible[b] === 1,
      replicas: state.countOf(b),
      leaders: state.leadersOf(b),
      disk: state.diskOf(b),
      targetReplicas: { min: targets.countMinOf(b), max: targets.countMaxOf(b) },
      ...(cap > 0 ? { diskCapacity: cap, diskUtilization: state.diskOf(b) / cap } : {}),
      ...networkOf(state, b),
    };
    rows.push(row);
  }
  return rows;
}

function rackRows(state: PlacementState, brokers: readonly BrokerBalance[]): RackBalance[] {
  const byRack = new Map<string, { brokers: number; eligibleBrokers: number; replicas: number; leaders: number; disk: number }>();
  for (const b of brokers) {
    const r = byRack.get(b.rack) ?? { brokers: 0, eligibleBrokers: 0, replicas: 0, leaders: 0, disk: 0 };
    r.brokers++;
    if (b.eligible) r.eligibleBrokers++;
    r.replicas += b.replicas;
    r.leaders += b.leaders;
    r.disk += b.disk;
    byRack.set(b.rack, r);
  }
  return state.rackNames.filter((r) => byRack.has(r)).map((rack) => ({ rack, ...byRack.get(rack)! }));
}

function summarize(state: PlacementState, targets: Targets, brokers: readonly BrokerBalance[]): BalanceSummary {
  const eligible = brokers.filter((b) => b.eligible);
  let countDev = 0;
  let leaderDev = 0;
  let diskWorst = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b]) continue;
    countDev = Math.max(countDev, deviation(state.countOf(b), targets.countMinOf(b), targets.countMaxOf(b)));
    leaderDev = Math.max(leaderDev, deviation(state.leadersOf(b), targets.leaderMinOf(state, b), targets.leaderMaxOf(state, b)));
    const ideal = targets.diskIdealOf(b);
    if (ideal > 0) diskWorst = Math.max(diskWorst, Math.abs(state.diskOf(b) / ideal - 1));
  }
  const diskValues = eligible.map((b) => (state.hasDiskCapacity ? (b.diskUtilization ?? 0) : b.disk));
  const { rack, host } = spreadViolations(state, targets);
  let misplaced = 0;
  for (const b of brokers) if (!b.eligible) misplaced += b.replicas;
  return {
    brokers: state.brokerCount,
    eligibleBrokers: state.eligibleCount,
    racks: targets.activeRacks,
    partitions: state.partitionCount,
    replicas: state.replicas.length,
    replicaCount: { min: minOf(eligible.map((b) => b.replicas)), max: maxOf(eligible.map((b) => b.replicas)), maxDeviation: countDev },
    leaderCount: {
      min: minOf(eligible.map((b) => b.leaders)),
      max: maxOf(eligible.map((b) => b.leaders)),
      ideal: targets.leaderIdeal,
      maxDeviation: leaderDev,
    },
    disk: {
      min: minOf(diskValues),
      max: maxOf(diskValues),
      mean: diskValues.length ? diskValues.reduce((a, x) => a + x, 0) / diskValues.length : 0,
      maxDeviationRatio: diskWorst,
      utilization: state.hasDiskCapacity,
      ...floorFigures(state, DISK, targets.diskIdeal, targets.diskThreshold),
    },
    networkIn: loadSummary(state, NETWORK_IN, targets.load.networkIn, targets.load.networkThreshold),
    networkOut: loadSummary(state, NETWORK_OUT, targets.load.networkOut, targets.load.networkThreshold),
    leaderBytes: loadSummary(state, LEADER_BYTES, targets.load.leaderBytes, targets.load.networkThreshold),
    topicSpread: topicSpread(state, targets),
    misplacedReplicas: misplaced,
    rackViolations: rack,
    hostViolations: host,
  };
}

/** A broker's network figures, with utilisation where its capacity is known. */
function networkOf(state: PlacementState, b: number): Omit<BrokerBalance, "id" | "rack" | "host" | "status" | "excluded" | "eligible" | "replicas" | "leaders" | "disk" | "targetReplicas"> {
  const inCap = state.netInCapacity[b]!;
  const outCap = state.netOutCapacity[b]!;
  return {
    networkIn: state.netInOf(b),
    networkOut: state.netOutOf(b),
    leaderBytes: state.leaderBytesOf(b),
    ...(state.hasCpu ? { cpu: state.cpuOf(b) } : {}),
    ...(inCap > 0 ? { networkInCapacity: inCap, networkInUtilization: state.netInOf(b) / inCap } : {}),
    ...(outCap > 0 ? { networkOutCapacity: outCap, networkOutUtilization: state.netOutOf(b) / outCap } : {}),
  };
}

/**
 * Where a broker's own heaviest replica (or led partition) is above its band, that replica sets a
 * floor no placement gets the broker below: how many such brokers there are, how far the furthest is
 * above its floor, and the largest |load ÷ ideal − 1| over the other brokers.
 */
function floorFigures(state: PlacementState, m: LoadMeasure, ideal: Float64Array, threshold: number): FloorFigures {
  const load = m.load(state);
  let floorBound = 0;
  let overFloor = 0;
  let elsewhere = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || !(ideal[b]! > 0)) continue;
    const heaviest = heaviestOn(state, m, b);
    if (heaviest > ideal[b]! * (1 + threshold)) {
      floorBound++;
      overFloor = Math.max(overFloor, load[b]! / heaviest - 1);
    } else elsewhere = Math.max(elsewhere, Math.abs(load[b]! / ideal[b]! - 1));
  }
  return { floorBound, overFloor, deviationElsewhere: elsewhere };
}

/** Min, max and mean of a load over eligible brokers (as utilisation when the band is by capacity). */
function loadSummary(state: PlacementState, m: LoadMeasure, band: LoadBand, threshold: number): LoadSummary {
  const load = m.load(state);
  const values: number[] = [];
  let worst = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b]) continue;
    const ideal = band.idealOf(b);
    if (ideal > 0) worst = Math.max(worst, Math.abs(load[b]! / ideal - 1));
    values.push(band.byCapacity && band.capacity !== null ? load[b]! / band.capacity[b]! : load[b]!);
  }
  return {
    min: minOf(values),
    max: maxOf(values),
    mean: values.length ? values.reduce((a, x) => a + x, 0) / values.length : 0,
    maxDeviationRatio: worst,
    utilization: band.byCapacity,
    ...floorFigures(state, m, band.ideal, threshold),
  };
}

function minOf(xs: readonly number[]): number {
  return xs.length ? Math.min(...xs) : 0;
}

function maxOf(xs: readonly number[]): number {
  return xs.length ? Math.max(...xs) : 0;
}

/** The widest topic (max − min replicas across eligible brokers); no topic when every one is even. */
function topicSpread(state: PlacementState, targets: Targets): { max: number; topic: string | null } {
  const d = topicDeviation(state, targets);
  return { max: d.worstSpread, topic: d.worstSpread > 0 ? state.topicNameOf(d.worstTopic) : null };
}

/** Partitions breaking the rack maximum, and partitions with two replicas on one host where the rule applies. */
function spreadViolations(state: PlacementState, targets: Targets): { rack: number; host: number } {
  let rack = 0;
  let host = 0;
  for (let p = 0; p < state.partitionCount; p++) {
    if (spreadViolation(state, targets, p) === 0) continue;
    const rule = targets.rule(state.rfOf(p));
    if (rule === null) continue;
    const o = state.offsetOf(p);
    const racks = new Map<number, number>();
    const hosts = new Set<number>();
    let hostClash = false;
    for (let i = 0; i < state.rfOf(p); i++) {
      const b = state.replicas[o + i]!;
      racks.set(state.rackIndexOf(b), (racks.get(state.rackIndexOf(b)) ?? 0) + 1);
      if (hosts.has(state.hostIndexOf(b))) hostClash = true;
      hosts.add(state.hostIndexOf(b));
    }
    if ([...racks.values()].some((n) => n > rule.maxPerRack)) rack++;
    if (rule.hostRule && hostClash) host++;
  }
  return { rack, host };
}
