/**
 * AlterPartitionReassignments (API key 45) and ListPartitionReassignments (API key 46), version 0,
 * both flexible (compact strings and arrays, tagged fields), both sent to the controller.
 *
 * kafkajs implements both, but its Alter cannot send the null replica list that cancels a
 * reassignment, throws away per-partition results on any error, and its admin refreshes the
 * metadata of every topic first (failing on any leaderless partition); so Ballast sends its own.
 *
 * Alter request v0:  timeout_ms INT32, topics => [name COMPACT_STRING,
 *                      partitions => [partition_index INT32, replicas COMPACT_NULLABLE_ARRAY<INT32> TAGS] TAGS] TAGS
 *                    (replicas null cancels the partition's ongoing reassignment)
 * Alter response v0: throttle_time_ms INT32, error_code INT16, error_message COMPACT_NULLABLE_STRING,
 *                      responses => [name COMPACT_STRING, partitions => [partition_index INT32, error_code INT16,
 *                      error_message COMPACT_NULLABLE_STRING TAGS] TAGS] TAGS
 * List request v0:   timeout_ms INT32, topics COMPACT_NULLABLE_ARRAY (null = all) TAGS
 * List response v0:  throttle_time_ms INT32, error_code INT16, error_message COMPACT_NULLABLE_STRING,
 *                      topics => [name COMPACT_STRING, partitions => [partition_index INT32, replicas [INT32],
 *                      adding_replicas [INT32], removing_replicas [INT32] TAGS] TAGS] TAGS
 */
import type { ProtocolRequest, Reader } from "./wire.js";

export interface ReassignmentEntry {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[] | null;
}

export interface PartitionError {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface TopLevel<T> {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly items: T[];
}

export interface Ongoing {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: number[];
  readonly addingReplicas: number[];
  readonly removingReplicas: number[];
}

const int32 = (r: Reader): number => r.int32();

/**
 * The response shape both reassignment APIs share: throttle time, a top-level error, then topics
 * each with partitions (`partition` reads one), every struct ending in tagged fields.
 */
function decodeTopLevel<T>(r: Reader, partition: (r: Reader, topic: string) => T): TopLevel<T> {
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const errorMessage = r.compactNullableString();
  const items = r
    .compactArray((r) => {
      const topic = r.compactString();
      const parts = r.compactArray((r) => {
        const p = partition(r, topic);
        r.skipTags();
        return p;
      });
      r.skipTags();
      return parts;
    })
    .flat();
  r.skipTags();
  return { errorCode, errorMessage, items };
}

/** Groups entries by topic, keeping the order topics first appear in. */
function byTopic(entries: readonly ReassignmentEntry[]): Map<string, ReassignmentEntry[]> {
  const out = new Map<string, ReassignmentEntry[]>();
  for (const e of entries) {
    const list = out.get(e.topic);
    if (list) list.push(e);
    else out.set(e.topic, [e]);
  }
  return out;
}

export function alterPartitionReassignmentsRequest(
  entries: readonly ReassignmentEntry[],
  timeoutMs: number,
): ProtocolRequest<TopLevel<PartitionError>> {
  return {
    apiKey: 45,
    apiVersion: 0,
    apiName: "AlterPartitionReassignments",
    flexible: true,
    timeoutMs,
    encode: (w) => {
      w.int32(timeoutMs)
        .compactArray([...byTopic(entries)], (w, [topic, parts]) =>
          w
            .compactString(topic)
            .compactArray(parts, (w, p) =>
              w
                .int32(p.partition)
                .compactNullableArray(p.replicas, (w, id) => w.int32(id))
                .noTags(),
            )
            .noTags(),
        )
        .noTags();
    },
    decode: (r) =>
      decodeTopLevel(r, (r, topic) => ({ topic, partition: r.int32(), errorCode: r.int16(), errorMessage: r.compactNullableString() })),
  };
}

export function listPartitionReassignmentsRequest(timeoutMs: number): ProtocolRequest<TopLevel<Ongoing>> {
  return {
    apiKey: 46,
    apiVersion: 0,
    apiName: "ListPartitionReassignments",
    flexible: true,
    timeoutMs,
    encode: (w) => {
      w.int32(timeoutMs)
        .compactNullableArray(null, () => undefined)
        .noTags();
    },
    decode: (r) =>
      decodeTopLevel(r, (r, topic) => ({
        topic,
        partition: r.int32(),
        replicas: r.compactArray(int32),
        addingReplicas: r.compactArray(int32),
        removingReplicas: r.compactArray(int32),
      })),
  };
}
