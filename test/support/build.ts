/**
 * Builders for small hand-made clusters in tests: brokers with an optional rack, host and dead
 * status, and topics from replica lists (partitions numbered in order, every replica 1 GiB, no
 * traffic).
 */
import type { Broker, Partition, Topic } from "../../src/model/types.js";

export const GIB = 1024 ** 3;

export function broker(id: number, rack?: string, extra: { host?: string; dead?: boolean } = {}): Broker {
  return {
    id,
    ...(rack === undefined ? {} : { rack }),
    ...(extra.host === undefined ? {} : { host: extra.host }),
    status: extra.dead === true ? "dead" : "alive",
    capacity: {},
  };
}

/** One topic, its partitions numbered in order, every replica 1 GiB. */
export function topic(name: string, replicaLists: readonly (readonly number[])[]): Topic {
  return {
    name,
    partitions: replicaLists.map(
      (replicas, i): Partition => ({ topic: name, partition: i, replicas, leader: replicas[0]!, size: GIB, bytesIn: 0, bytesOut: 0 }),
    ),
  };
}
