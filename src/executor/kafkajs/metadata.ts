/**
 * Metadata (API key 3), version 5: brokers with their racks, the cluster id, the controller and,
 * per partition, leader, replicas, ISR and offline replicas.
 *
 * Ballast sends its own Metadata request because kafkajs's reply parser throws on the first
 * partition-level error, so one leaderless partition (a dead broker holding the only replica)
 * would make the whole cluster undescribable — exactly when a rebalance is needed. Here partition
 * errors are data; topic-level errors are reported per topic for the caller to judge.
 *
 * Request v5:  topics => [name STRING] (nullable: null = all topics, [] = none), allow_auto_topic_creation BOOL
 * Response v5: throttle_time_ms INT32, brokers => [node_id INT32, host STRING, port INT32, rack NULLABLE_STRING],
 *              cluster_id NULLABLE_STRING, controller_id INT32,
 *              topics => [error_code INT16, name STRING, is_internal BOOL,
 *                partitions => [error_code INT16, partition_index INT32, leader_id INT32,
 *                  replica_nodes [INT32], isr_nodes [INT32], offline_replicas [INT32]]]
 *
 * Version 8 (Kafka 2.3+; still served by 4.x) is sent when the caller wants to know what it may do:
 * the request adds include_cluster_authorized_operations BOOL, include_topic_authorized_operations
 * BOOL; the response adds leader_epoch INT32 after leader_id, topic_authorized_operations INT32
 * after each topic's partitions and cluster_authorized_operations INT32 at the end. Each is a bit
 * field of ACL operations (bit n set: operation n allowed), INT32_MIN when the broker did not say.
 */
import type { ProtocolRequest, Reader } from "./wire.js";

export interface MetadataBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface MetadataPartition {
  readonly errorCode: number;
  readonly partition: number;
  readonly leader: number;
  readonly replicas: number[];
  readonly isr: number[];
  readonly offline: number[];
}

export interface MetadataTopic {
  readonly errorCode: number;
  readonly name: string;
  readonly internal: boolean;
  readonly partitions: MetadataPartition[];
}

export interface MetadataResult {
  readonly brokers: MetadataBroker[];
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly topics: MetadataTopic[];
}

/** What the principal may do (version 8 replies): ACL operation bit fields, null when not reported. */
export interface AuthorizedOperationBits {
  readonly cluster: number | null;
  /** By topic name; topics the principal may not describe are absent (or carry an error code). */
  readonly topics: ReadonlyMap<string, number | null>;
}

const NOT_REPORTED = -2147483648;

const int32 = (r: Reader): number => r.int32();

/** `topics: null` asks for every topic, `[]` for none (brokers and controller only). */
export function metadataRequest(topics: readonly string[] | null): ProtocolRequest<MetadataResult> {
  const { decode, ...rest } = metadataV(5, topics);
  return { ...rest, decode: (r) => decode(r).result };
}

/** Metadata v8 asking what the principal may do on the cluster and on `topics` (null: every topic). */
export function authorizedOperationsRequest(topics: readonly string[] | null): ProtocolRequest<MetadataResult & { authorized: AuthorizedOperationBits }> {
  const { decode, ...rest } = metadataV(8, topics);
  return { ...rest, decode: (r) => {
    const { result, authorized } = decode(r);
    return { ...result, authorized };
  } };
}

function metadataV(version: 5 | 8, topics: readonly string[] | null): ProtocolRequest<{ result: MetadataResult; authorized: AuthorizedOperationBits }> {
  const bits = (n: number): number | null => (n === NOT_REPORTED ? null : n);
  return {
    apiKey: 3,
    apiVersion: version,
    apiName: "Metadata",
    flexible: false,
    encode: (w) => {
      w.nullableArray(topics, (w, name) => w.string(name)).bool(false);
      if (version === 8) w.bool(true).bool(true);
    },
    decode: (r) => {
      const topicOps = new Map<string, number | null>();
      r.int32(); // throttle_time_ms
      const brokers = r.array((r) => ({ nodeId: r.int32(), host: r.string(), port: r.int32(), rack: r.nullableString() }));
      const clusterId = r.nullableString();
      const controllerId = r.int32();
      const topicList = r.array((r): MetadataTopic => {
        const topic = {
          errorCode: r.int16(),
          name: r.string(),
          internal: r.bool(),
          partitions: r.array((r) => ({
            errorCode: r.int16(),
            partition: r.int32(),
            leader: leaderOf(r, version),
            replicas: r.array(int32),
            isr: r.array(int32),
            offline: r.array(int32),
          })),
        };
        if (version === 8) topicOps.set(topic.name, bits(r.int32()));
        return topic;
      });
      const cluster = version === 8 ? bits(r.int32()) : null;
      return { result: { brokers, clusterId, controllerId, topics: topicList }, authorized: { cluster, topics: topicOps } };
    },
  };
}

/** leader_id, and from version 7 on the leader_epoch after it (skipped). */
function leaderOf(r: Reader, version: number): number {
  const leader = r.int32();
  if (version >= 7) r.int32();
  return leader;
}

