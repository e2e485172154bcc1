/**
 * How a replica change would affect the balance goals, for choosing among actions that the
 * higher-priority goals all accept. Positive gain = closer to the target band.
 */
import type { PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";

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

/** Change in disk deviation (bytes) when `bytes` go from broker s to d. */
export function diskGain(state: PlacementState, targets: Targets, s: number, d: number, bytes: number): number {
  const dev = (b: number, x: number): number => deviation(x, targets.diskLowOf(b), targets.diskHighOf(b));
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

