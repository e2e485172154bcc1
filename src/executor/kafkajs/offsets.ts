/**
 * The requests traffic sampling needs, all Ballast's own encoders (kafkajs throws on the first
 * per-partition error in its ListOffsets and OffsetFetch replies, and cannot ask for all of a group's
 * offsets at once):
 *
 * ListOffsets (2) v1, to each partition's leader:
 *   Request:  replica_id INT32, topics => [name STRING, partitions => [partition_index INT32, timestamp INT64]]
 *   Response: topics => [name STRING, partitions => [partition_index INT32, error_code INT16, timestamp INT64, offset INT64]]
 *   timestamp -1 asks for the log end offset, -2 for the log start offset.
 * ListGroups (16) v0, to every broker:
 *   Request:  (empty)
 *   Response: error_code INT16, groups => [group_id STRING, protocol_type STRING]
 * FindCoordinator (10) v1:
 *   Request:  key STRING, key_type INT8 (0: group)
 *   Response: throttle_time_ms INT32, error_code INT16, error_message NULLABLE_STRING, node_id INT32, host STRING, port INT32
 * OffsetFetch (9) v2, to the group's coordinator:
 *   Request:  group_id STRING, topics => [name STRING, partition_indexes [INT32]] (null: every partition)
 *   Response: topics => [name STRING, partitions => [partition_index INT32, committed_offset INT64,
 *               metadata NULLABLE_STRING, error_code INT16]], error_code INT16
 */
import type { ProtocolRequest } from "./wire.js";

export const LATEST = -1;
export const EARLIEST = -2;

export interface OffsetReply {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly offset: number;
}

export function listOffsetsRequest(topics: ReadonlyMap<string, readonly number[]>, timestamp: number): ProtocolRequest<OffsetReply[]> {
  return {
    apiKey: 2,
    apiVersion: 1,
    apiName: "ListOffsets",
    flexible: false,
    encode: (w) => {
      w.int32(-1).array([...topics], (w, [name, partitions]) => {
        w.string(name).array(partitions, (w, p) => w.int32(p).int64(timestamp));
      });
    },
    decode: (r) =>
      r.array((r) => {
        const topic = r.string();
        return r.array((r) => {
          const partition = r.int32();
          const errorCode = r.int16();
          r.int64(); // timestamp
          return { topic, partition, errorCode, offset: r.int64() };
        });
      }).flat(),
  };
}

export function listGroupsRequest(): ProtocolRequest<{ errorCode: number; groups: Array<{ groupId: string; protocolType: string }> }> {
  return {
    apiKey: 16,
    apiVersion: 0,
    apiName: "ListGroups",
    flexible: false,
    encode: () => undefined,
    decode: (r) => ({ errorCode: r.int16(), groups: r.array((r) => ({ groupId: r.string(), protocolType: r.string() })) }),
  };
}

export function findCoordinatorRequest(groupId: string): ProtocolRequest<{ errorCode: number; errorMessage: string | null; nodeId: number }> {
  return {
    apiKey: 10,
    apiVersion: 1,
    apiName: "FindCoordinator",
    flexible: false,
    encode: (w) => {
      w.string(groupId).int8(0);
    },
    decode: (r) => {
      r.int32(); // throttle_time_ms
      const errorCode = r.int16();
      const errorMessage = r.nullableString();
      const nodeId = r.int32();
      r.string();
      r.int32();
      return { errorCode, errorMessage, nodeId };
    },
  };
}

export function offsetFetchRequest(groupId: string): ProtocolRequest<{ errorCode: number; offsets: OffsetReply[] }> {
  return {
    apiKey: 9,
    apiVersion: 2,
    apiName: "OffsetFetch",
    flexible: false,
    encode: (w) => {
      w.string(groupId).nullableArray(null, () => undefined);
    },
    decode: (r) => {
      const offsets = r
        .array((r) => {
          const topic = r.string();
          return r.array((r) => {
            const partition = r.int32();
            const offset = r.int64();
            r.nullableString();
            return { topic, partition, offset, errorCode: r.int16() };
          });
        })
        .flat();
      return { errorCode: r.int16(), offsets };
    },
  };
}
