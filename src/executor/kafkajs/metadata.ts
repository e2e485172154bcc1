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

const int32 = (r: Reader): number => r.int32();

/** `topics: null` asks for every topic, `[]` for none (brokers and controller only). */
export function metadataRequest(topics: readonly string[] | null): ProtocolRequest<MetadataResult> {
  return {
    apiKey: 3,
    apiVersion: 5,
    apiName: "Metadata",
    flexible: false,
    encode: (w) => {
      w.nullableArray(topics, (w, name) => w.string(name)).bool(false);
    },
    decode: (r) => {
      r.int32(); // throttle_time_ms
      const brokers = r.array((r) => ({ nodeId: r.int32(), host: r.string(), port: r.int32(), rack: r.nullableString() }));
      const clusterId = r.nullableString();
      const controllerId = r.int32();
      const topicList = r.array((r) => ({
        errorCode: r.int16(),
        name: r.string(),
        internal: r.bool(),
        partitions: r.array((r) => ({
          errorCode: r.int16(),
          partition: r.int32(),
          leader: r.int32(),
          replicas: r.array(int32),
          isr: r.array(int32),
          offline: r.array(int32),
        })),
      }));
      return { brokers, clusterId, controllerId, topics: topicList };
    },
  };
}
