/**
 * ElectLeaders (API key 43), version 1 (KIP-460): preferred leader election for the named
 * partitions. Sent to the controller (in KRaft, the broker that receives it forwards it); kafkajs
 * does not implement it.
 *
 * Request v1:  election_type INT8 (0 preferred, 1 unclean),
 *              topic_partitions => [topic STRING, partitions [INT32]] (nullable: null = all), timeout_ms INT32
 * Response v1: throttle_time_ms INT32, error_code INT16,
 *              replica_election_results => [topic STRING,
 *                partition_result => [partition_id INT32, error_code INT16, error_message NULLABLE_STRING]]
 */
import type { ProtocolRequest } from "./wire.js";

export interface ElectionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface ElectLeadersResult {
  readonly errorCode: number;
  readonly results: ElectionResult[];
}

export const PREFERRED_ELECTION = 0;

export function electLeadersRequest(
  topics: ReadonlyArray<{ readonly topic: string; readonly partitions: readonly number[] }>,
  timeoutMs: number,
): ProtocolRequest<ElectLeadersResult> {
  return {
    apiKey: 43,
    apiVersion: 1,
    apiName: "ElectLeaders",
    flexible: false,
    timeoutMs,
    encode: (w) => {
      w.int8(PREFERRED_ELECTION)
        .nullableArray(topics, (w, t) => w.string(t.topic).array(t.partitions, (w, p) => w.int32(p)))
        .int32(timeoutMs);
    },
    decode: (r) => {
      r.int32(); // throttle_time_ms
      const errorCode = r.int16();
      const results = r
        .array((r) => {
          const topic = r.string();
          return r.array((r) => ({ topic, partition: r.int32(), errorCode: r.int16(), errorMessage: r.nullableString() }));
        })
        .flat();
      return { errorCode, results };
    },
  };
}
