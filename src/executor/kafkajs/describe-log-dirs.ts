/**
 * DescribeLogDirs (API key 35), version 1: every replica a broker holds, per log directory, with its
 * size on disk. Sent to each broker on its own; kafkajs does not implement it.
 *
 * Request v1:  topics => [topic STRING, partitions [INT32]] (nullable: null = every replica)
 *              (Kafka answers with the named partitions it holds; the others are left out)
 * Response v1: throttle_time_ms INT32,
 *              results => [error_code INT16, log_dir STRING,
 *                topics => [name STRING, partitions => [partition_index INT32, partition_size INT64,
 *                  offset_lag INT64, is_future_key BOOL]]]
 */
import type { ProtocolRequest } from "./wire.js";

export interface LogDirReplica {
  readonly partition: number;
  readonly size: number;
  readonly offsetLag: number;
  readonly isFuture: boolean;
}

export interface LogDirResult {
  readonly errorCode: number;
  readonly logDir: string;
  readonly topics: ReadonlyArray<{ readonly name: string; readonly partitions: readonly LogDirReplica[] }>;
}

/** Every replica of the broker, or only those of `partitions` (topic → partition numbers). */
export function describeLogDirsRequest(partitions: ReadonlyMap<string, readonly number[]> | null = null): ProtocolRequest<LogDirResult[]> {
  return {
    apiKey: 35,
    apiVersion: 1,
    apiName: "DescribeLogDirs",
    flexible: false,
    encode: (w) => {
      w.nullableArray(partitions === null ? null : [...partitions], (w, [topic, parts]) => {
        w.string(topic).array(parts, (w, p) => w.int32(p));
      });
    },
    decode: (r) => {
      r.int32(); // throttle_time_ms
      return r.array((r) => ({
        errorCode: r.int16(),
        logDir: r.string(),
        topics: r.array((r) => ({
          name: r.string(),
          partitions: r.array((r) => ({
            partition: r.int32(),
            size: r.int64(),
            offsetLag: r.int64(),
            isFuture: r.bool(),
          })),
        })),
      }));
    },
  };
}
