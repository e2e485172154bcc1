/**
 * How a replica change would affect the balance goals, for choosing among actions that the
 * higher-priority goals all accept. Positive gain = closer to the target band.
 */
import type { PlacementState } from "../state.js";
import type { Targets } from "../targets.js";
import { deviation } from "../targets.js";

/** Change in topic-spread deviation when partition p's replica goes from broker s to d. */
export function topicGain(state: PlacementState, targets: Targets, p: number, s: number, d: number): number {
  const B = state.brokerCount;
  const t = state.topicOf[p]!;
  const cs = state.topicCount[t * B + s]!;
  const cd = state.topicCount[t * B + d]!;
  const sMin = targets.topicMinOf(t, s);
  const sMax = targets.topicMaxOf(t, s);
  const dMin = targets.topicMinOf(t, d);
  const dMax = targets.topicMaxOf(t, d);
  return deviation(cs, sMin, sMax) + deviation(cd, dMin, dMax) - deviation(cs - 1, sMin, sMax) - deviation(cd + 1, dMin, dMax);
}

/** Change in disk deviation (bytes) when `bytes` go from broker s to d. */
export function diskGain(state: PlacementState, targets: Targets, s: number, d: number, bytes: number): number {
  const dev = (b: number, x: number): number => deviation(x, targets.diskLow[b]!, targets.diskHigh[b]!);
  return dev(s, state.disk[s]!) + dev(d, state.disk[d]!) - dev(s, state.disk[s]! - bytes) - dev(d, state.disk[d]! + bytes);
}

/** Change in replica-count deviation when one replica goes from broker s to d. */
export function countGain(state: PlacementState, targets: Targets, s: number, d: number): number {
  const dev = (b: number, x: number): number => deviation(x, targets.countMin[b]!, targets.countMax[b]!);
  return dev(s, state.count[s]!) + dev(d, state.count[d]!) - dev(s, state.count[s]! - 1) - dev(d, state.count[d]! + 1);
}

/** Sum over eligible brokers of the distance from the replica-count band. */
export function countDeviation(state: PlacementState, targets: Targets): number {
  let s = 0;
  for (let b = 0; b < state.brokerCount; b++) {
    if (state.eligible[b]) s += deviation(state.count[b]!, targets.countMin[b]!, targets.countMax[b]!);
  }
  return s;
}

