/**
 * The one narrow interface through which Ballast talks to Kafka. The kafkajs adapter implements it
 * against a live cluster; the simulator implements it in memory. Executor and snapshot code depend on
 * this interface only, so the same code runs against either.
 *
 * All broker ids, topics and partitions are Kafka's own. Methods reject with a BallastError (code
 * KAFKA) for failures of the call as a whole; per-item failures come back in the results.
 */

export interface BrokerNode {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  /** broker.rack, when set. */
  readonly rack?: string;
}

export interface ClusterDescription {
  readonly clusterId: string;
  readonly controllerId: number;
  /** Brokers currently registered (alive). */
  readonly brokers: readonly BrokerNode[];
}

export interface PartitionMetadata {
  readonly topic: string;
  readonly partition: number;
  /** Assigned replicas, in order (the first is the preferred leader). */
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Current leader, -1 when none. */
  readonly leader: number;
  readonly offline: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly internal: boolean;
  readonly partitions: readonly PartitionMetadata[];
}

export interface ReplicaLogDir {
  readonly topic: string;
  readonly partition: number;
  readonly logDir: string;
  /** Bytes on disk. */
  readonly size: number;
  /** True for a future replica (a move between log dirs, or a reassignment's catching-up copy). */
  readonly isFuture: boolean;
}

export interface OngoingReassignment {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A partition-level result: no error, or Kafka's error code and message. */
export interface PartitionResult extends PartitionRef {
  readonly errorCode: number;
  readonly errorName?: string;
  readonly message?: string;
}

export type ConfigResourceType = "broker" | "topic";

export interface ConfigResource {
  readonly type: ConfigResourceType;
  /** Broker id as a string, or the topic name. */
  readonly name: string;
}

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  /** Where the value comes from: dynamic values are what an operator or tool set at runtime. */
  readonly source: "dynamic-topic" | "dynamic-broker" | "dynamic-default-broker" | "static-broker" | "default" | "other";
}

export type AlterOp =
  | { readonly op: "set"; readonly name: string; readonly value: string }
  | { readonly op: "delete"; readonly name: string }
  /** Adds items to a list config (only those not already present). */
  | { readonly op: "append"; readonly name: string; readonly value: string }
  /** Removes items from a list config (only those present). */
  | { readonly op: "subtract"; readonly name: string; readonly value: string };

export interface ResourceResult {
  readonly resource: ConfigResource;
  readonly errorCode: number;
  readonly message?: string;
}

/**
 * The cluster-wide execution lock: at most one Ballast execution (execute, cancel) changes a cluster
 * at a time, across state folders and hosts. A holder that dies frees it after a bounded timeout.
 */
export type LockOutcome =
  | { readonly status: "acquired"; readonly release: () => Promise<void> }
  /** `holder`: how the holder described itself (host, pid, state folder), when it can be told. */
  | { readonly status: "locked"; readonly holder: string | null };

/** Kafka's ACL operations, as it numbers them (bit n of an authorized-operations field). */
export const ACL_OPERATIONS = [
  "UNKNOWN",
  "ANY",
  "ALL",
  "READ",
  "WRITE",
  "CREATE",
  "DELETE",
  "ALTER",
  "DESCRIBE",
  "CLUSTER_ACTION",
  "DESCRIBE_CONFIGS",
  "ALTER_CONFIGS",
  "IDEMPOTENT_WRITE",
  "CREATE_TOKENS",
  "DESCRIBE_TOKENS",
] as const;
export type AclOperation = (typeof ACL_OPERATIONS)[number];

/** What the connected principal may do, as the cluster reports it. */
export interface AuthorizedOperations {
  /** The principal as far as the client knows it (`User:name` for SASL), else null. */
  readonly principal: string | null;
  /** Operations allowed on the cluster; null when the cluster does not say (then nothing is checked). */
  readonly cluster: ReadonlySet<AclOperation> | null;
  /** Per asked-for topic: its allowed operations (empty when it may not even be described), null when not reported. */
  readonly topics: ReadonlyMap<string, ReadonlySet<AclOperation> | null>;
}

export interface LogOffsets {
  /** First offset still in the log (older segments were deleted). */
  readonly start: number;
  /** Offset the next record will get. */
  readonly end: number;
}

/** The topic a Kafka cluster keeps the balance job's memory in. */
export const JOB_MEMORY_TOPIC = "__ballast_balance_job";

export interface KafkaPort {
  /** What this client may do on the cluster and on the given topics (Metadata's authorized operations). */
  authorizedOperations(topics: readonly string[]): Promise<AuthorizedOperations>;
  describeCluster(): Promise<ClusterDescription>;
  /** All topics (or the named ones; unknown names are left out). */
  describeTopics(topics?: readonly string[]): Promise<TopicMetadata[]>;
  /**
   * Log start and end offsets by partition key, asked of each partition's leader (ListOffsets);
   * partitions whose leader fails to answer are left out.
   */
  logOffsets(partitions: ReadonlyArray<PartitionRef & { readonly leader: number }>): Promise<Map<string, LogOffsets>>;
  /** Committed offsets of every consumer group the client may describe: group id → partition key → offset. */
  committedOffsets(): Promise<Map<string, Map<string, number>>>;
  /**
   * Replica sizes per broker, from DescribeLogDirs: every replica each broker holds, or only those of
   * `partitions` (a smaller request, for watching copies in flight; an implementation may return more).
   */
  describeLogDirs(brokerIds: readonly number[], partitions?: readonly PartitionRef[]): Promise<Map<number, ReplicaLogDir[]>>;
  listPartitionReassignments(): Promise<OngoingReassignment[]>;
  /** Starts reassignments; `replicas: null` cancels an ongoing one (reverting it). */
  alterPartitionReassignments(
    entries: ReadonlyArray<PartitionRef & { readonly replicas: readonly number[] | null }>,
  ): Promise<PartitionResult[]>;
  describeConfigs(resources: readonly ConfigResource[]): Promise<Map<string, ConfigEntry[]>>;
  /** IncrementalAlterConfigs: only the named keys change, everything else stays. */
  incrementalAlterConfigs(changes: ReadonlyArray<{ readonly resource: ConfigResource; readonly ops: readonly AlterOp[] }>): Promise<ResourceResult[]>;
  /** Preferred leader election; ELECTION_NOT_NEEDED (84) counts as success and is reported with errorCode 0. */
  electPreferredLeaders(partitions: readonly PartitionRef[]): Promise<PartitionResult[]>;
  /**
   * Takes the cluster's execution lock for `owner` (a description shown to whoever is refused), or
   * says who holds it. `onLost` is called if a held lock is taken away (this process's session
   * lapsed: a long pause, a network partition), after which another execution may start.
   */
  acquireExecutionLock(owner: string, onLost?: () => void): Promise<LockOutcome>;
  /** The balance job's memory across runs (a text it wrote last), kept in the cluster (JOB_MEMORY_TOPIC); null when none. */
  readJobMemory(): Promise<string | null>;
  writeJobMemory(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Key of a config resource in describeConfigs results: `broker:1`, `topic:orders`. */
export function resourceKey(r: ConfigResource): string {
  return `${r.type}:${r.name}`;
}

export function partitionKey(r: PartitionRef): string {
  return `${r.topic}-${String(r.partition)}`;
}
