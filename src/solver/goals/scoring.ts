/**
 * How a replica change would affect the balance goals, for choosing among actions that the
 * higher-priority goals all accept. Positive gain = closer to the target band.
 */
import { type PlacementState, loggedPartition } from "../state.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";
import type { BrokerBand } from "../load-targets.js";

/** Change in topic-spread deviation when partition p's replica goes from broker s to d. */
export function topicGain(state: PlacementState, targets: Targets, p: number, s: number, d: number): number {
  const t = state.topicIndexOf(p);
  const cs = state.topicCountOf(t, s);
  const cd = state.topicCountOf(t, d);
  const sMin = targets.topicMinOf(t, s);
  const sMax = targets.topicMaxOf(t, s);
  const dMin = targets.topicMinOf(t, d);
  const dMax = targets.topicMaxOf(t, d);
  return deviation(cs, sMin, sMax) + deviation(cd, dMin, dMax) - deviation(cs - 1, sMin, sMax) - deviation(cd + 1, dMin, dMax);
}

/** Change in disk deviation (bytes, from `band`: the disk goal's reachable one or its aims, DiskFloors) when `bytes` go from broker s to d. */
export function diskGain(state: PlacementState, s: number, d: number, bytes: number, band: BrokerBand): number {
  const dev = (b: number, x: number): number => band.deviationOf(b, x);
  return dev(s, state.diskOf(s)) + dev(d, state.diskOf(d)) - dev(s, state.diskOf(s) - bytes) - dev(d, state.diskOf(d) + bytes);
}

/** Change in replica-count deviation when one replica goes from broker s to d. */
export function countGain(state: PlacementState, targets: Targets, s: number, d: number): number {
  const dev = (b: number, x: number): number => deviation(x, targets.countMinOf(b), targets.countMaxOf(b));
  return dev(s, state.countOf(s)) + dev(d, state.countOf(d)) - dev(s, state.countOf(s) - 1) - dev(d, state.countOf(d) + 1);
}

/** Sum over eligible brokers of the distance from the replica-count band. */
export function countDeviation(state: PlacementState, targets: Targets): number {
  let s = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (state.eligible[b]) s += deviation(state.countOf(b), targets.countMinOf(b), targets.countMaxOf(b));
  }
  return s;
}

/**
 * Per broker and topic, what one replica of the topic leaving the broker (`leaving`) or arriving on
 * it (`arriving`) does to the broker's distance from the topic's band: topicGain of a replica of
 * topic u going from s to d is leaving(s)[u] + arriving(d)[u], the same deviations summed (each step
 * is -1, 0 or 1). Worked out per broker when first asked and kept up to date by replaying its
 * membership log: only the topics of partitions that came or went change. One per placement serves
 * every goal that asks (`of`).
 */
export class BandSteps {
  private static readonly byState = new WeakMap<PlacementState, BandSteps>();

  private readonly leavingOf: Array<Int8Array | undefined> = [];
  private readonly arrivingOf: Array<Int8Array | undefined> = [];
  private readonly logged: Int32Array;
  /** Per broker, the topics a replica leaving (arriving) takes closer to the band: those above it (below it). */
  private readonly aboveSets: Array<TopicSet | undefined> = [];
  private readonly belowSets: Array<TopicSet | undefined> = [];

  constructor(
    private readonly state: PlacementState,
    private readonly targets: Targets,
  ) {
    this.logged = new Int32Array(state.brokerCount);
  }

  /** The steps kept for this placement and targets (new ones when the targets differ). */
  static of(state: PlacementState, targets: Targets): BandSteps {
    const kept = BandSteps.byState.get(state);
    if (kept !== undefined && kept.targets === targets) return kept;
    const made = new BandSteps(state, targets);
    BandSteps.byState.set(state, made);
    return made;
  }

  /** How many topics b holds above their band. */
  aboveCount(b: number): number {
    this.update(b);
    return this.aboveSets[b]!.size;
  }

  /** How many topics b holds below their band. */
  belowCount(b: number): number {
    this.update(b);
    return this.belowSets[b]!.size;
  }

  /** The topics b holds above their band, unordered: a view valid until b's partitions next change. */
  aboveTopics(b: number): Int32Array {
    this.update(b);
    return this.aboveSets[b]!.view();
  }

  /** The topics b holds below their band, unordered: a view valid until b's partitions next change. */
  belowTopics(b: number): Int32Array {
    this.update(b);
    return this.belowSets[b]!.view();
  }

  leaving(b: number): Int8Array {
    this.update(b);
    return this.leavingOf[b]!;
  }

  arriving(b: number): Int8Array {
    this.update(b);
    return this.arrivingOf[b]!;
  }

  private update(b: number): void {
    const { state } = this;
    const log = state.membershipLog[b]!;
    let leaving = this.leavingOf[b];
    let arriving = this.arrivingOf[b];
    if (leaving === undefined || arriving === undefined) {
      const T = state.topicNames.length;
      leaving = new Int8Array(T);
      arriving = new Int8Array(T);
      this.leavingOf[b] = leaving;
      this.arrivingOf[b] = arriving;
      this.aboveSets[b] = new TopicSet(T);
      this.belowSets[b] = new TopicSet(T);
      for (let u = 0; u < T; u++) this.step(leaving, arriving, u, b);
    } else {
      for (let i = this.logged[b]!; i < log.length; i++) this.step(leaving, arriving, state.topicIndexOf(loggedPartition(log[i]!)), b);
    }
    this.logged[b] = log.length;
  }

  private step(leaving: Int8Array, arriving: Int8Array, u: number, b: number): void {
    const { state, targets } = this;
    const c = state.topicCountOf(u, b);
    const min = targets.topicMinOf(u, b);
    const max = targets.topicMaxOf(u, b);
    const now = deviation(c, min, max);
    const leave = now - deviation(c - 1, min, max);
    const arrive = now - deviation(c + 1, min, max);
    if ((leave === 1) !== (leaving[u] === 1)) this.aboveSets[b]!.flip(u);
    if ((arrive === 1) !== (arriving[u] === 1)) this.belowSets[b]!.flip(u);
    leaving[u] = leave;
    arriving[u] = arrive;
  }
}

/** A set of topics, unordered in members[0, size): adds at the end, removes by moving the last into the gap. */
class TopicSet {
  size = 0;
  private readonly members: Int32Array;
  /** Where each topic sits in members, or -1. */
  private readonly at: Int32Array;

  constructor(topics: number) {
    this.members = new Int32Array(topics);
    this.at = new Int32Array(topics).fill(-1);
  }

  /** The members, unordered: a view valid until the set next changes. */
  view(): Int32Array {
    return this.members.subarray(0, this.size);
  }

  /** Adds u if absent, else removes it. */
  flip(u: number): void {
    const i = this.at[u]!;
    if (i < 0) {
      this.members[this.size] = u;
      this.at[u] = this.size++;
      return;
    }
    const last = this.members[--this.size]!;
    this.members[i] = last;
    this.at[last] = i;
    this.at[u] = -1;
  }
}
