/**
 * The cluster model: plain, versioned data that mirrors what Kafka itself knows (brokers with racks,
 * topic partitions with ordered replica lists) plus the load figures the planner balances.
 * Numbers are bytes and bytes per second once parsed; unit strings exist only in the file format.
 */

/** The newest snapshot version this Ballast writes and reads; version 1 files are read as well. */
export const SNAPSHOT_VERSION = 2;
/** Version 2 added the optional per-partition `isr` and `offline` lists of live snapshots. */
export const SNAPSHOT_VERSIONS: readonly number[] = [1, 2];

export type BrokerStatus = "alive" | "dead";

export interface Capacity {
  /** Disk capacity in bytes. */
  readonly disk?: number;
  /** Network in capacity in bytes/s. */
  readonly networkIn?: number;
  /** Network out capacity in bytes/s. */
  readonly networkOut?: number;
}

export interface Broker {
  readonly id: number;
  /** Failure domain (rack or availability zone). Either every broker has one or none has. */
  readonly rack?: string;
  /** Physical host; two replicas of one partition should never share a host. */
  readonly host?: string;
  readonly status: BrokerStatus;
  readonly capacity: Capacity;
}

export interface Partition {
  readonly topic: string;
  readonly partition: number;
  /** Ordered replica list; the first one is the preferred leader. */
  readonly replicas: readonly number[];
  /** Current leader (defaults to replicas[0]). */
  readonly leader: number;
  /** Bytes on disk per replica. */
  readonly size: number;
  /** Produce rate, bytes/s. */
  readonly bytesIn: number;
  /** Consume rate (all consumers), bytes/s. */
  readonly bytesOut: number;
  /** Optional CPU figure of the partition (any unit, e.g. cores), counted on its leader. */
  readonly cpu?: number;
  /** In-sync replicas when the snapshot was taken (version 2; absent: all in sync). */
  readonly isr?: readonly number[];
  /** Replicas on offline log dirs or brokers (version 2). */
  readonly offline?: readonly number[];
}

export interface Topic {
  readonly name: string;
  readonly partitions: readonly Partition[];
}

/** Where a live snapshot's bytesIn/bytesOut came from (version 2). */
export interface TrafficSource {
  /**
   * `sampled`: log growth and consumer groups' committed offsets over a window (`snapshot --sample`);
   * `prometheus`: a Prometheus server's rates over a window (`--prometheus`); `metrics-file`: `--metrics`.
   */
  readonly method: "sampled" | "prometheus" | "metrics-file";
  /** Length of the measuring window, seconds (absent for a metrics file). */
  readonly windowSeconds?: number;
}

export const TRAFFIC_METHODS: readonly TrafficSource["method"][] = ["sampled", "prometheus", "metrics-file"];

export interface Cluster {
  readonly version: 1 | 2;
  readonly name?: string;
  /** How the traffic figures were measured, when a live snapshot measured them. */
  readonly traffic?: TrafficSource;
  readonly brokers: readonly Broker[];
  readonly topics: readonly Topic[];
}

/** One entry of Kafka's reassignment JSON (kafka-reassign-partitions.sh --execute). */
export interface ReassignmentEntry {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly log_dirs: readonly string[];
}

/** A partition's replicas when a plan was made (to refuse the plan once the cluster has changed). */
export interface ReassignmentOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
}

/**
 * Kafka's reassignment JSON, version 1. Ballast adds a top-level "ballast" key holding `madeFrom`,
 * which Kafka's tools ignore; the executor uses it to refuse a stale plan.
 */
export interface Reassignment {
  readonly version: 1;
  readonly partitions: readonly ReassignmentEntry[];
  readonly madeFrom?: readonly ReassignmentOrigin[];
}

/** Iterates every partition of a cluster in file order. */
export function* allPartitions(cluster: Cluster): Generator<Partition> {
  for (const t of cluster.topics) yield* t.partitions;
}

export function partitionCount(cluster: Cluster): number {
  let n = 0;
  for (const t of cluster.topics) n += t.partitions.length;
  return n;
}

export function replicaCount(cluster: Cluster): number {
  let n = 0;
  for (const t of cluster.topics) for (const p of t.partitions) n += p.replicas.length;
  return n;
}
