/**
 * Placement for partitions that do not exist yet: new topics, partitions added to existing topics, or
 * a whole topic set laid out on a fresh (standby) cluster. Nothing that exists moves; the current
 * load is the starting point.
 *
 * Partitions are placed one at a time, topics in name order, partitions in number order. Each replica
 * goes to the eligible broker that keeps the rack (and host) rule best, then holds the fewest replicas,
 * then the fewest of this topic, then the least disk, ties by id; the loads include what was placed
 * before it. The replica with the fewest preferred leaders so far leads (ties: the order chosen), so
 * leaders spread as well. Pure and deterministic.
 */
import { BallastError } from "../model/errors.js";
import { lexLess } from "./goals/destinations.js";
import type { Cluster, Reassignment, ReassignmentEntry } from "../model/types.js";
import { PlacementState } from "./state.js";
import { type RackRule, Targets } from "./targets.js";

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Expected bytes per replica (for disk balance); 0 when unknown. */
  readonly size?: number;
}

export interface AddedPartitions {
  readonly topic: string;
  /** The partition count the topic grows to (as `kafka-topics.sh --alter --partitions`). */
  readonly partitions: number;
  /** Replication factor of the new partitions (default: the topic's largest). */
  readonly replicationFactor?: number;
}

export interface AssignRequest {
  readonly topics?: readonly NewTopic[];
  readonly addPartitions?: readonly AddedPartitions[];
  /** Brokers that take no new replicas (dead brokers never do). */
  readonly excludeBrokers?: readonly number[];
}

export interface AssignedTopic {
  readonly topic: string;
  /** True for a new topic, false for partitions added to an existing one. */
  readonly created: boolean;
  /** Partition count after the assignment. */
  readonly partitions: number;
  /**
   * The `kafka-topics.sh --replica-assignment` value: every partition of the topic in number order
   * (existing ones first, which `--alter` skips), replicas joined by ':', partitions by ','.
   */
  readonly replicaAssignment: string;
}

export interface Assignment {
  /** The new partitions as reassignment-style JSON (version 1). */
  readonly reassignment: Reassignment;
  readonly topics: readonly AssignedTopic[];
}

interface Job {
  readonly topic: string;
  readonly created: boolean;
  readonly first: number;
  readonly count: number;
  readonly rf: number;
  readonly size: number;
  readonly existing: readonly (readonly number[])[];
}

function usage(path: string, message: string): BallastError {
  return new BallastError("USAGE", message, { path });
}

/** Places the requested partitions on `cluster`; throws a USAGE error for a request that cannot be met. */
export function assign(cluster: Cluster, request: AssignRequest): Assignment {
  const known = new Set(cluster.brokers.map((b) => b.id));
  for (const id of request.excludeBrokers ?? []) if (!known.has(id)) throw usage("excludeBrokers", `broker ${String(id)} is not in the cluster`);
  const state = new PlacementState(cluster, { excludeBrokers: new Set(request.excludeBrokers ?? []), isFrozenTopic: () => false });
  const targets = new Targets(state, { rackSpread: true, diskThreshold: 0.1 });
  const jobs = plannedJobs(cluster, request);
  if (jobs.length === 0) throw usage("topics", "nothing to assign: give at least one new topic or added partitions");

  const count = Float64Array.from(state.count);
  const disk = Float64Array.from(state.disk);
  const leaders = Float64Array.from(state.leaders);
  const entries: ReassignmentEntry[] = [];
  const topics: AssignedTopic[] = [];
  for (const job of jobs) {
    const rule = targets.rule(job.rf);
    if (rule === null) {
      throw usage(`topics[${job.topic}]`, `replication factor ${String(job.rf)} of '${job.topic}' needs ${String(job.rf)} eligible brokers but only ${String(state.eligibleCount)} are alive and not excluded`);
    }
    const inTopic = new Float64Array(state.brokerCount);
    for (const replicas of job.existing) for (const id of replicas) inTopic[state.brokerIndexOf(id) ?? 0]!++;
    const placed: number[][] = [];
    for (let i = 0; i < job.count; i++) {
      const chosen: number[] = [];
      while (chosen.length < job.rf) {
        const b = nextBroker(state, rule, chosen, [count, inTopic, disk]);
        chosen.push(b);
        count[b]!++;
        inTopic[b]!++;
        disk[b]! += job.size;
      }
      let lead = 0;
      for (let k = 1; k < chosen.length; k++) if (leaders[chosen[k]!]! < leaders[chosen[lead]!]!) lead = k;
      const ordered = [chosen[lead]!, ...chosen.filter((_, k) => k !== lead)];
      leaders[ordered[0]!]!++;
      const ids = ordered.map((b) => state.idOf(b));
      placed.push(ids);
      entries.push({ topic: job.topic, partition: job.first + i, replicas: ids, log_dirs: ids.map(() => "any") });
    }
    topics.push({
      topic: job.topic,
      created: job.created,
      partitions: job.first + job.count,
      replicaAssignment: [...job.existing, ...placed].map((r) => r.join(":")).join(","),
    });
  }
  return { reassignment: { version: 1, partitions: entries }, topics };
}

/** The eligible broker, not yet chosen, with the smallest (rule violation, loads…, id). */
function nextBroker(state: PlacementState, rule: RackRule, chosen: readonly number[], loads: readonly Float64Array[]): number {
  let best = -1;
  let bestKey: number[] = [];
  for (let b = 0; b < state.brokerCount; b++) {
    if (!state.eligible[b] || chosen.includes(b)) continue;
    let sameRack = 0;
    let sameHost = false;
    for (const c of chosen) {
      if (state.rackOf[c] === state.rackOf[b]) sameRack++;
      if (state.hostOf[c] === state.hostOf[b]) sameHost = true;
    }
    const violation = sameRack >= rule.maxPerRack || (rule.hostRule && sameHost) ? 1 : 0;
    const key = [violation, ...loads.map((l) => l[b]!), b];
    if (best < 0 || lexLess(key, bestKey)) {
      best = b;
      bestKey = key;
    }
  }
  return best;
}


/** The request as placement jobs in topic-name order, checked against the cluster. */
function plannedJobs(cluster: Cluster, request: AssignRequest): Job[] {
  const existing = new Map(cluster.topics.map((t) => [t.name, t]));
  const jobs = new Map<string, Job>();
  (request.topics ?? []).forEach((t, i) => {
    const path = `topics[${String(i)}]`;
    if (t.name === "") throw usage(path, "a topic needs a name");
    if (existing.has(t.name)) throw usage(path, `topic '${t.name}' already exists; to add partitions, grow it instead`);
    if (jobs.has(t.name)) throw usage(path, `topic '${t.name}' is listed twice`);
    if (!Number.isSafeInteger(t.partitions) || t.partitions < 1) throw usage(path, `topic '${t.name}' needs at least 1 partition, got ${String(t.partitions)}`);
    if (!Number.isSafeInteger(t.replicationFactor) || t.replicationFactor < 1) {
      throw usage(path, `topic '${t.name}' needs a replication factor of at least 1, got ${String(t.replicationFactor)}`);
    }
    jobs.set(t.name, { topic: t.name, created: true, first: 0, count: t.partitions, rf: t.replicationFactor, size: t.size ?? 0, existing: [] });
  });
  (request.addPartitions ?? []).forEach((a, i) => {
    const path = `addPartitions[${String(i)}]`;
    const topic = existing.get(a.topic);
    if (topic === undefined) throw usage(path, `topic '${a.topic}' is not in the cluster; to create it, list it as a new topic`);
    if (jobs.has(a.topic)) throw usage(path, `topic '${a.topic}' is listed twice`);
    const parts = [...topic.partitions].sort((x, y) => x.partition - y.partition);
    const have = parts.length;
    if (!Number.isSafeInteger(a.partitions) || a.partitions <= have) {
      throw usage(path, `topic '${a.topic}' has ${String(have)} partitions; the new count must be larger, got ${String(a.partitions)}`);
    }
    const rf = a.replicationFactor ?? Math.max(...parts.map((p) => p.replicas.length));
    const size = have > 0 ? parts.reduce((s, p) => s + p.size, 0) / have : 0;
    jobs.set(a.topic, { topic: a.topic, created: false, first: have, count: a.partitions - have, rf, size, existing: parts.map((p) => p.replicas) });
  });
  return [...jobs.values()].sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : 0));
}

/**
 * The topics of `source` as a request against `target` (the standby case): topics missing from the
 * target are created with the source's partition count, its replication factor or `replicationFactor`,
 * and its mean partition size; topics the target has with fewer partitions grow. Topics already
 * complete are left out.
 */
export function mirrorRequest(source: Cluster, target: Cluster, replicationFactor?: number): AssignRequest {
  const have = new Map(target.topics.map((t) => [t.name, t.partitions.length]));
  const topics: NewTopic[] = [];
  const addPartitions: AddedPartitions[] = [];
  for (const t of source.topics) {
    const n = t.partitions.length;
    if (n === 0) continue;
    const rf = replicationFactor ?? Math.max(...t.partitions.map((p) => p.replicas.length));
    const there = have.get(t.name);
    if (there === undefined) {
      topics.push({ name: t.name, partitions: n, replicationFactor: rf, size: t.partitions.reduce((s, p) => s + p.size, 0) / n });
    } else if (there < n) {
      addPartitions.push({ topic: t.name, partitions: n, ...(replicationFactor === undefined ? {} : { replicationFactor }) });
    }
  }
  return { topics, addPartitions };
}
