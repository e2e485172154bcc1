/**
 * The HTML report's data: what the page shows, assembled from a cluster, its balance report (the
 * `describe --json` object) and, with a plan, the `plan --json` object and the reassignment. Pure:
 * no I/O, no clock; the same input gives the same data.
 *
 * Brokers and topics are sent in full. Partitions go as columns (arrays of numbers, one entry per
 * partition; replicas flattened), which keeps a 2.8-million-replica cluster to tens of MB and lets the
 * page sort, filter and page through them without building an object per partition.
 */
import type { Cluster, Partition, Reassignment } from "../../model/types.js";
import type { Explanation } from "../../solver/types.js";

/** Bumped when the page's data changes shape. */
export const REPORT_DATA_VERSION = 1;

export interface ReportData {
  readonly version: typeof REPORT_DATA_VERSION;
  readonly title: string;
  /** Where the cluster came from: the snapshot's path or the bootstrap servers. */
  readonly source: string;
  readonly generator: string;
  /** The `describe --json` object of the cluster as it is. */
  readonly describe: object;
  readonly brokers: readonly BrokerInfo[];
  readonly topics: readonly TopicRow[];
  readonly partitions: PartitionColumns;
  readonly pairs: FollowerPairs;
  readonly plan: PlanSection | null;
}

export interface BrokerInfo {
  readonly id: number;
  readonly rack: string;
  readonly host: string;
  readonly status: "alive" | "dead";
  readonly capacity: { readonly disk?: number; readonly networkIn?: number; readonly networkOut?: number };
}

export interface TopicRow {
  readonly name: string;
  readonly partitions: number;
  readonly replicas: number;
  /** Bytes on disk over every replica. */
  readonly size: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Brokers holding at least one replica, and the fewest and most replicas of the topic on one of them. */
  readonly brokers: number;
  readonly minPerBroker: number;
  readonly maxPerBroker: number;
  /** Racks holding at least one replica. */
  readonly racks: number;
  /** Partitions with a replica out of the ISR, and with an offline replica (live snapshots). */
  readonly underReplicated: number;
  readonly offline: number;
}

/**
 * One entry per partition in snapshot order. `replicas` holds every partition's replica ids one after
 * another, `rf[i]` of them for partition i. `isr` and `offline` list only the partitions that have
 * such replicas: `[partition index, broker id, …]` flattened with `isrCount`/`offlineCount` lengths.
 */
export interface PartitionColumns {
  readonly topic: readonly number[];
  readonly partition: readonly number[];
  readonly rf: readonly number[];
  readonly replicas: readonly number[];
  readonly leader: readonly number[];
  readonly size: readonly number[];
  readonly bytesIn: readonly number[];
  readonly bytesOut: readonly number[];
  /** Per partition with replicas out of sync: [index, count, ids…]. */
  readonly outOfSync: readonly number[];
  /** Per partition with offline replicas: [index, count, ids…]. */
  readonly offlineReplicas: readonly number[];
}

/**
 * Followers fetch from the current leader: per (leader, follower) pair with at least one partition,
 * how many partitions and how many bytes/s, as columns (a random 1,000-broker cluster has 500,000
 * pairs; as objects they were most of its report).
 */
export interface FollowerPairs {
  readonly leader: readonly number[];
  readonly follower: readonly number[];
  readonly partitions: readonly number[];
  readonly bytesIn: readonly number[];
}

export interface PlanSection {
  /** "planned": made by `plan` (lower bound and goals per move known); "file": a plan file read back. */
  readonly origin: "planned" | "file";
  /** The `plan --json` object, or for a plan file the figures computed from it. */
  readonly summary: object;
  /** Describe of the cluster after the plan (broker figures after). */
  readonly after: object;
  readonly moves: readonly MoveRow[];
}

export interface MoveRow {
  readonly topic: string;
  readonly partition: number;
  readonly from: readonly number[];
  readonly to: readonly number[];
  /** Replicas added (replica moves). */
  readonly added: number;
  /** Bytes copied: the partition's size per replica added. */
  readonly bytes: number;
  /** The goals behind its actions, in the order they acted (empty when not known). */
  readonly goals: readonly string[];
}

export interface ReportInput {
  readonly cluster: Cluster;
  readonly source: string;
  readonly generator: string;
  readonly describe: object;
  readonly plan?: PlanInput;
}

export interface PlanInput {
  readonly origin: "planned" | "file";
  readonly summary: object;
  readonly after: object;
  readonly reassignment: Reassignment;
  readonly explanations?: readonly Explanation[];
}

export function reportData(input: ReportInput): ReportData {
  const { cluster } = input;
  return {
    version: REPORT_DATA_VERSION,
    title: cluster.name ?? "cluster",
    source: input.source,
    generator: input.generator,
    describe: input.describe,
    brokers: cluster.brokers.map((b) => ({
      id: b.id,
      rack: b.rack ?? String(b.id),
      host: b.host ?? String(b.id),
      status: b.status,
      capacity: b.capacity,
    })),
    topics: topicRows(cluster),
    partitions: partitionColumns(cluster),
    pairs: followerPairs(cluster),
    plan: input.plan === undefined ? null : planSection(cluster, input.plan),
  };
}

function topicRows(cluster: Cluster): TopicRow[] {
  const rackOf = new Map(cluster.brokers.map((b) => [b.id, b.rack ?? String(b.id)]));
  return cluster.topics.map((t) => {
    const perBroker = new Map<number, number>();
    const racks = new Set<string>();
    let replicas = 0;
    let size = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    let underReplicated = 0;
    let offline = 0;
    for (const part of t.partitions) {
      for (const id of part.replicas) {
        perBroker.set(id, (perBroker.get(id) ?? 0) + 1);
        racks.add(rackOf.get(id) ?? String(id));
      }
      replicas += part.replicas.length;
      size += part.size * part.replicas.length;
      bytesIn += part.bytesIn;
      bytesOut += part.bytesOut;
      if (outOfSync(part.replicas, part.isr).length > 0) underReplicated++;
      if ((part.offline ?? []).length > 0) offline++;
    }
    const counts = [...perBroker.values()];
    return {
      name: t.name,
      partitions: t.partitions.length,
      replicas,
      size,
      bytesIn,
      bytesOut,
      brokers: counts.length,
      minPerBroker: counts.length === 0 ? 0 : Math.min(...counts),
      maxPerBroker: counts.length === 0 ? 0 : Math.max(...counts),
      racks: racks.size,
      underReplicated,
      offline,
    };
  });
}

/** Replicas not in the ISR; none when the snapshot has no ISR for the partition. */
function outOfSync(replicas: readonly number[], isr: readonly number[] | undefined): number[] {
  if (isr === undefined) return [];
  return replicas.filter((id) => !isr.includes(id));
}

function partitionColumns(cluster: Cluster): PartitionColumns {
  const columns = {
    topic: [] as number[],
    partition: [] as number[],
    rf: [] as number[],
    replicas: [] as number[],
    leader: [] as number[],
    size: [] as number[],
    bytesIn: [] as number[],
    bytesOut: [] as number[],
    outOfSync: [] as number[],
    offlineReplicas: [] as number[],
  };
  let index = 0;
  cluster.topics.forEach((t, topicIndex) => {
    for (const part of t.partitions) {
      columns.topic.push(topicIndex);
      columns.partition.push(part.partition);
      columns.rf.push(part.replicas.length);
      for (const id of part.replicas) columns.replicas.push(id);
      columns.leader.push(part.leader);
      columns.size.push(part.size);
      columns.bytesIn.push(part.bytesIn);
      columns.bytesOut.push(part.bytesOut);
      const short = outOfSync(part.replicas, part.isr);
      if (short.length > 0) columns.outOfSync.push(index, short.length, ...short);
      const down = part.offline ?? [];
      if (down.length > 0) columns.offlineReplicas.push(index, down.length, ...down);
      index++;
    }
  });
  return columns;
}

/** Every (leader, follower) pair with at least one partition, by leader then follower id. */
function followerPairs(cluster: Cluster): FollowerPairs {
  const pairs = new Map<number, Map<number, { partitions: number; bytesIn: number }>>();
  for (const t of cluster.topics) {
    for (const part of t.partitions) {
      let row = pairs.get(part.leader);
      if (row === undefined) pairs.set(part.leader, (row = new Map()));
      for (const follower of part.replicas) {
        if (follower === part.leader) continue;
        const cell = row.get(follower) ?? { partitions: 0, bytesIn: 0 };
        cell.partitions++;
        cell.bytesIn += part.bytesIn;
        row.set(follower, cell);
      }
    }
  }
  const out = { leader: [] as number[], follower: [] as number[], partitions: [] as number[], bytesIn: [] as number[] };
  for (const leader of [...pairs.keys()].sort((a, b) => a - b)) {
    const row = pairs.get(leader)!;
    for (const follower of [...row.keys()].sort((a, b) => a - b)) {
      const cell = row.get(follower)!;
      out.leader.push(leader);
      out.follower.push(follower);
      out.partitions.push(cell.partitions);
      out.bytesIn.push(cell.bytesIn);
    }
  }
  return out;
}

function planSection(cluster: Cluster, plan: PlanInput): PlanSection {
  return { origin: plan.origin, summary: plan.summary, after: plan.after, moves: moveRows(cluster, plan.reassignment, plan.explanations ?? []) };
}

/** Per partition the plan changes: replicas before and after, bytes copied and the goals that asked. */
function moveRows(cluster: Cluster, reassignment: Reassignment, explanations: readonly Explanation[]): MoveRow[] {
  const current = partitionsByName(cluster);
  const why = new Map<string, Map<number, Explanation>>();
  for (const e of explanations) {
    let byPartition = why.get(e.topic);
    if (byPartition === undefined) why.set(e.topic, (byPartition = new Map()));
    byPartition.set(e.partition, e);
  }
  return reassignment.partitions.map((entry): MoveRow => {
    const was = current.get(entry.topic)?.get(entry.partition);
    const from = was?.replicas ?? [];
    const added = entry.replicas.filter((id) => !from.includes(id)).length;
    const actions = why.get(entry.topic)?.get(entry.partition)?.actions ?? [];
    return {
      topic: entry.topic,
      partition: entry.partition,
      from,
      to: entry.replicas,
      added,
      bytes: added * (was?.size ?? 0),
      goals: [...new Set(actions.map((a) => a.goal))],
    };
  });
}

/**
 * The figures of a plan read from a file: replica moves, bytes and leadership changes, as `plan`
 * counts them (replicas added to a partition; a changed first replica).
 */
export function planFileFigures(cluster: Cluster, reassignment: Reassignment): { moves: number; bytesMoved: number; leaderChanges: number } {
  const rows = moveRows(cluster, reassignment, []);
  return {
    moves: rows.reduce((sum, row) => sum + row.added, 0),
    bytesMoved: rows.reduce((sum, row) => sum + row.bytes, 0),
    leaderChanges: rows.filter((row) => row.from[0] !== row.to[0]).length,
  };
}

/** Partitions whose replicas differ from those the plan was made from (its `madeFrom`): a stale plan. */
export function changedSincePlanned(cluster: Cluster, reassignment: Reassignment): number {
  const current = partitionsByName(cluster);
  let changed = 0;
  for (const origin of reassignment.madeFrom ?? []) {
    const now = current.get(origin.topic)?.get(origin.partition)?.replicas ?? [];
    if (now.length !== origin.replicas.length || now.some((id, i) => id !== origin.replicas[i])) changed++;
  }
  return changed;
}

/** The cluster's partitions by topic name, then partition number. */
function partitionsByName(cluster: Cluster): Map<string, Map<number, Partition>> {
  return new Map(cluster.topics.map((t) => [t.name, new Map(t.partitions.map((p) => [p.partition, p]))]));
}
