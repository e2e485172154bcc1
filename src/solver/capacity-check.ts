/**
 * Whether the load can fit under the capacity limits at all, checked before planning. Three necessary
 * conditions, each reported with the resource, the brokers, the shortfall and a change that would fix
 * it:
 *
 * - the cluster: the total load of a resource within the sum of the eligible brokers' limits;
 * - a rack: what the rack rule forces into a rack (at least `lo` replicas of each partition there)
 *   within the limits of the rack's brokers (disk and network in; leadership can go anywhere);
 * - a partition: one replica (disk, network in) or one leader (network out) within the largest limit.
 *
 * Passing these does not prove a placement exists (packing is hard); the hard capacity goal then
 * reports any broker it could not bring under its limit.
 */
import { formatBytes as human } from "../model/units.js";
import { utilisation } from "./goals/capacity.js";
import type { CapacityStatus, Infeasibility, ResourceCapacity } from "./types.js";
import { type ResourceFloor, capacityOf, weightOf } from "./capacity-floor.js";
import { type Resource, RESOURCES } from "./load-targets.js";
import type { PlacementState } from "./state.js";
import type { Targets } from "./targets.js";

const LABEL: Readonly<Record<Resource, string>> = { disk: "disk", networkIn: "network in", networkOut: "network out" };
const KEY: Readonly<Record<Resource, string>> = { disk: "disk", networkIn: "network-in", networkOut: "network-out" };

/** Capacity problems of the cluster, in a fixed order (resources, then racks, then partitions). */
export function capacityInfeasibilities(state: PlacementState, targets: Targets): Infeasibility[] {
  const problems: Infeasibility[] = [];
  for (const r of RESOURCES) {
    if (!targets.load.limited[r]) continue;
    const cluster = clusterProblem(state, targets, r);
    if (cluster !== null) {
      problems.push(cluster);
      continue;
    }
    if (r !== "networkOut") problems.push(...rackProblems(state, targets, r));
    problems.push(...partitionProblems(state, targets, r));
  }
  return problems;
}

/** The capacity figures of the placement: feasibility, problems, and per limited resource its floor and maximum. */
export function capacityStatus(state: PlacementState, targets: Targets): CapacityStatus {
  const problems = capacityInfeasibilities(state, targets);
  const resources: ResourceCapacity[] = [];
  for (const r of RESOURCES) {
    const floor = targets.load.floors[r];
    if (floor === null) continue;
    const { worst, over } = utilisation(state, targets, r);
    resources.push({
      resource: r,
      threshold: targets.load.thresholds[r],
      floor: floor.floor,
      floorCause: floor.cause,
      floorDetail: floorDetail(state, floor),
      maxUtilization: worst,
      brokersOver: over,
    });
  }
  return { feasible: problems.length === 0, problems, resources };
}

function floorDetail(state: PlacementState, floor: ResourceFloor): string {
  switch (floor.cause) {
    case "cluster":
      return "the eligible brokers' mean utilisation";
    case "rack": {
      let k = 0;
      for (let i = 1; i < floor.racks.length; i++) if (floor.racks[i]! > floor.racks[k]!) k = i;
      return `what the rack rule puts in rack ${state.rackNameOf(k)}`;
    }
    case "partition":
      return `partition ${state.partitionName(floor.heaviest)} on the largest broker it fits`;
  }
}

function eligibleIn(state: PlacementState, inRack: number | null): number[] {
  const out: number[] = [];
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b] && (inRack === null || state.rackOf[b] === inRack)) out.push(b);
  return out;
}

function clusterProblem(state: PlacementState, targets: Targets, r: Resource): Infeasibility | null {
  const brokers = eligibleIn(state, null);
  const need = targets.load.total[r];
  return shortfall(state, targets, r, brokers, need, "the cluster", null);
}

function rackProblems(state: PlacementState, targets: Targets, r: Resource): Infeasibility[] {
  const floor = targets.load.floors[r];
  if (targets.rackCount < 2 || floor === null) return [];
  const forced = floor.forced;
  const out: Infeasibility[] = [];
  for (let k = 0; k < targets.rackCount; k++) {
    if (forced[k]! <= 0 || targets.rackBrokers[k] === 0) continue;
    const problem = shortfall(state, targets, r, eligibleIn(state, k), forced[k]!, `rack ${state.rackNameOf(k)}`, state.rackNameOf(k));
    if (problem !== null) out.push(problem);
  }
  return out;
}

/**
 * The problem when `need` exceeds the limits of `brokers`, with the shortfall and two fixes: more
 * brokers like the largest of them (in the rack, for a rack), or a higher threshold.
 */
function shortfall(
  state: PlacementState,
  targets: Targets,
  r: Resource,
  brokers: readonly number[],
  need: number,
  where: string,
  rack: string | null,
): Infeasibility | null {
  const cap = capacityOf(state, r);
  const limit = targets.load.limit[r];
  let allowed = 0;
  let capacity = 0;
  let largest = 0;
  for (const b of brokers) {
    allowed += limit[b]!;
    capacity += cap[b]!;
    largest = Math.max(largest, cap[b]!);
  }
  if (need <= allowed * (1 + 1e-12)) return null;
  const short = need - allowed;
  const threshold = targets.load.thresholds[r];
  const more = largest > 0 ? Math.ceil(short / (largest * threshold) - 1e-9) : 0;
  const raise = capacity > 0 ? Math.ceil((need / capacity) * 100) / 100 : Infinity;
  const unit = r === "disk" ? "" : "/s";
  const fixes = [`add ${String(more)} broker(s)${rack === null ? "" : ` in rack ${rack}`} with ${human(largest)}${unit} of ${LABEL[r]} capacity`];
  if (raise <= 1) fixes.push(`raise the ${KEY[r]} capacity threshold to ${raise.toFixed(2)}`);
  fixes.push(rack === null ? "or reduce the load" : "or lower the replication factor");
  return {
    rule: "capacity",
    message:
      `${LABEL[r]}: ${where} needs ${human(need)}${unit} but its ${String(brokers.length)} broker(s) (${ids(state, brokers)}) may carry ` +
      `${human(allowed)}${unit} (${pct(threshold)} of ${human(capacity)}${unit}), short by ${human(short)}${unit}; ${fixes.join(", ")}`,
    ...(rack === null ? {} : { path: `racks[${rack}]` }),
  };
}

function partitionProblems(state: PlacementState, targets: Targets, r: Resource): Infeasibility[] {
  const limit = targets.load.limit[r];
  let largest = 0;
  for (let b = 0; b < state.brokerCount; b++) if (state.eligible[b]) largest = Math.max(largest, limit[b]!);
  const w = weightOf(state, r);
  const out: Infeasibility[] = [];
  const unit = r === "disk" ? "" : "/s";
  const what = r === "networkOut" ? "its leader sends" : "one replica needs";
  for (let p = 0; p < state.partitionCount; p++) {
    if (w[p]! <= largest * (1 + 1e-12)) continue;
    const cap = largest / targets.load.thresholds[r];
    const raise = cap > 0 ? Math.ceil((w[p]! / cap) * 100) / 100 : Infinity;
    out.push({
      rule: "capacity",
      message:
        `${LABEL[r]}: partition ${state.partitionName(p)} does not fit on any broker: ${what} ${human(w[p]!)}${unit}, ` +
        `the largest limit is ${human(largest)}${unit}; add a broker with more ${LABEL[r]} capacity` +
        (raise <= 1 ? ` or raise the ${KEY[r]} capacity threshold to ${raise.toFixed(2)}` : ""),
      path: `topics[${state.topicNameOf(state.topicIndexOf(p))}].partitions[${String(state.partitionNumber[p])}]`,
    });
  }
  return out;
}

function ids(state: PlacementState, brokers: readonly number[]): string {
  const list = brokers.map((b) => String(state.brokerIds[b]));
  return list.length <= 8 ? list.join(", ") : `${list.slice(0, 8).join(", ")}, … ${String(list.length - 8)} more`;
}

function pct(x: number): string {
  return `${String(Math.round(x * 1000) / 10)}%`;
}
