/**
 * Replication factor changes (`--replication-factor topic=3`): a first step before balancing that
 * gives each matched partition its new replica count. An added replica goes to the broker that keeps
 * the rack (and host) rule for the new factor, then the least loaded by replica count, then by disk,
 * ties by id; it is appended, so the leader stays. A removed replica comes off a dead or excluded
 * broker first, then off the most loaded broker whose removal leaves the rack rule kept; the leader
 * is removed only when it sits on an ineligible broker. Running loads include the changes made so far.
 *
 * Patterns are regular expressions matched against the whole topic name. Each added replica is a
 * copy of the partition, so it counts as a move.
 */
import { BallastError, internalError } from "../model/errors.js";
import { PatternProblem, topicPattern } from "../model/topic-pattern.js";
import { lexLess } from "./goals/destinations.js";
import type { Cluster, Partition } from "../model/types.js";
import type { PlacementState } from "./state.js";
import type { RackRule, Targets } from "./targets.js";
import type { ReplicationFactorChange } from "./types.js";

export interface ReplicationResult {
  /** The cluster with the new replica lists (what balancing starts from). */
  readonly cluster: Cluster;
  /** Replicas added (each one a copy). */
  readonly added: number;
  readonly addedBytes: number;
}

function configError(message: string, index: number): BallastError {
  return new BallastError("USAGE", message, { path: `replicationFactor[${String(index)}]` });
}

/** The new factor per topic name; throws when a pattern is bad, matches nothing, or cannot be met. */
export function replicationTargets(cluster: Cluster, changes: readonly ReplicationFactorChange[], eligibleCount: number): Map<string, number> {
  const out = new Map<string, number>();
  const from = new Map<string, number>();
  changes.forEach((c, i) => {
    // The model's matcher runs in linear time (a JavaScript RegExp can backtrack for minutes).
    const re = topicPattern(c.topics);
    if (re instanceof PatternProblem) throw configError(`topic pattern '${c.topics}': ${re.message}`, i);
    if (!Number.isSafeInteger(c.replicationFactor) || c.replicationFactor < 1) {
      throw configError(`replication factor for '${c.topics}' must be a whole number of at least 1, got ${String(c.replicationFactor)}`, i);
    }
    if (c.replicationFactor > eligibleCount) {
      throw configError(
        `replication factor ${String(c.replicationFactor)} for '${c.topics}' needs ${String(c.replicationFactor)} eligible brokers but only ${String(eligibleCount)} are alive and not excluded`,
        i,
      );
    }
    const matched = cluster.topics.filter((t) => re.test(t.name));
    if (matched.length === 0) throw configError(`topic pattern '${c.topics}' matches no topic in the cluster`, i);
    for (const t of matched) {
      const earlier = from.get(t.name);
      if (earlier !== undefined && out.get(t.name) !== c.replicationFactor) {
        throw configError(`topic '${t.name}' is matched by '${changes[earlier]!.topics}' and '${c.topics}' with different replication factors`, i);
      }
      out.set(t.name, c.replicationFactor);
      from.set(t.name, i);
    }
  });
  return out;
}

/** How far a set of brokers is from the rack (and host) rule: replicas over the rack maximum or sharing a host. */
function violation(state: PlacementState, rule: RackRule, brokers: readonly number[]): number {
  let v = 0;
  for (let i = 0; i < brokers.length; i++) {
    let sameRack = 0;
    let sameHost = false;
    for (let j = 0; j < i; j++) {
      if (state.rackOf[brokers[j]!] === state.rackOf[brokers[i]!]) sameRack++;
      if (state.hostOf[brokers[j]!] === state.hostOf[brokers[i]!]) sameHost = true;
    }
    if (sameRack >= rule.maxPerRack || (rule.hostRule && sameHost)) v++;
  }
  return v;
}

/**
 * Applies the factor changes to the cluster as `state` and `targets` (built on it, with the plan's
 * eligibility and receivers) see it. Partitions are visited in (topic, partition) order.
 */
export function changeReplication(cluster: Cluster, state: PlacementState, targets: Targets, factors: ReadonlyMap<string, number>): ReplicationResult {
  const count = Float64Array.from(state.count);
  const disk = Float64Array.from(state.disk);
  const replaced = new Map<Partition, Partition>();
  let added = 0;
  let addedBytes = 0;
  for (let p = 0; p < state.partitionCount; p++) {
    const want = factors.get(state.topicNameOf(state.topicIndexOf(p)));
    const rf = state.rfOf(p);
    if (want === undefined || want === rf) continue;
    const rule = targets.rule(want);
    if (rule === null) throw internalError("replication factors are checked against the eligible brokers first");
    const list = Array.from({ length: rf }, (_, s) => state.brokerAt(p, s));
    const size = state.sizeOf(p);
    while (list.length < want) {
      const b = bestAddition(state, targets, rule, p, list, count, disk);
      list.push(b);
      count[b]!++;
      disk[b]! += size;
      added++;
      addedBytes += size;
    }
    while (list.length > want) {
      const i = bestRemoval(state, rule, list, count, disk);
      const [b] = list.splice(i, 1);
      count[b!]!--;
      disk[b!]! -= size;
    }
    const src = state.source[p]!;
    const replicas = list.map((b) => state.idOf(b));
    replaced.set(src, withReplicas(src, replicas));
  }
  return {
    cluster: {
      ...cluster,
      topics: cluster.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => replaced.get(p) ?? p) })),
    },
    added,
    addedBytes,
  };
}

function withReplicas(src: Partition, replicas: number[]): Partition {
  const keep = (ids: readonly number[] | undefined): number[] | undefined => ids?.filter((id) => replicas.includes(id));
  const next: { -readonly [K in keyof Partition]: Partition[K] } = {
    ...src,
    replicas,
    leader: replicas.includes(src.leader) ? src.leader : replicas[0]!,
  };
  const isr = keep(src.isr);
  const offline = keep(src.offline);
  if (isr !== undefined) next.isr = isr;
  if (offline !== undefined) next.offline = offline;
  return next;
}

/** The broker to add to `list`: keeps the rule best, then fewest replicas, least disk, lowest index. */
function bestAddition(
  state: PlacementState,
  targets: Targets,
  rule: RackRule,
  p: number,
  list: readonly number[],
  count: Float64Array,
  disk: Float64Array,
): number {
  let best = -1;
  let bestKey: number[] = [];
  for (let b = 0; b < state.brokerCount; b++) {
    if (!targets.receives[b] || list.includes(b)) continue;
    const key = [violation(state, rule, [...list, b]), count[b]!, disk[b]!, b];
    if (best < 0 || lexLess(key, bestKey)) {
      best = b;
      bestKey = key;
    }
  }
  if (best < 0) throw new BallastError("INFEASIBLE", `no broker can take another replica of ${state.partitionName(p)}`);
  return best;
}

/**
 * The index in `list` to remove: an ineligible broker first; then the removal that leaves the fewest
 * rule violations; then the most replicas, the most disk, the highest index. The leader (index 0)
 * only when it is ineligible.
 */
function bestRemoval(state: PlacementState, rule: RackRule, list: readonly number[], count: Float64Array, disk: Float64Array): number {
  let best = -1;
  let bestKey: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const b = list[i]!;
    if (i === 0 && state.eligible[b]) continue;
    const rest = list.filter((_, j) => j !== i);
    const key = [state.eligible[b]!, violation(state, rule, rest), -count[b]!, -disk[b]!, -b];
    if (best < 0 || lexLess(key, bestKey)) {
      best = i;
      bestKey = key;
    }
  }
  return best;
}

