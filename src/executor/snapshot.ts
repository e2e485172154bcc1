/**
 * A snapshot (format version 2) of a live cluster, read through the Kafka port: registered brokers
 * with their racks, every topic's replicas, leaders, in-sync and offline replicas, partition sizes from
 * DescribeLogDirs, and produce/consume rates from an optional metrics file. Brokers that hold replicas
 * but are not registered appear with `status: dead`, so a plan drains them. Broker capacities come
 * only from an optional capacity file.
 */
import { type CapacitySpec, applyCapacities } from "../model/capacity-file.js";
import { BallastError } from "../model/errors.js";
import { topicNameProblem } from "../model/names.js";
import { hasControl, quote } from "../model/text.js";
import type { Metrics } from "../model/metrics.js";
import { ratesOf } from "../model/metrics.js";
import type { Broker, Cluster, Partition, Topic, TrafficSource } from "../model/types.js";
import type { KafkaPort } from "./port.js";
import { partitionKey } from "./port.js";

export interface SnapshotOptions {
  readonly name?: string;
  readonly metrics?: Metrics;
  /** How `metrics` was measured, recorded in the snapshot. */
  readonly traffic?: TrafficSource;
  /** Record each broker's listener host as its `host` (several brokers per machine). Default off. */
  readonly hostsFromListeners?: boolean;
  /** Broker capacities (a capacity file): Kafka knows none, so without them the snapshot has none. */
  readonly capacity?: CapacitySpec;
}

/** The rack given to unregistered (dead) brokers when the others have racks: their rack is unknown. */
export const UNKNOWN_RACK = "unknown";

export async function liveSnapshot(port: KafkaPort, options: SnapshotOptions = {}): Promise<Cluster> {
  const description = await port.describeCluster();
  const topics = (await port.describeTopics()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const registered = [...description.brokers].sort((a, b) => a.id - b.id);
  if (registered.length === 0) throw new BallastError("KAFKA", "the cluster reports no registered brokers");
  const sizes = await partitionSizes(port, registered.map((b) => b.id));
  const withRacks = registered.some((b) => b.rack !== undefined);
  checkText(registered, topics.map((t) => t.name), options.hostsFromListeners === true);
  const known = new Set(registered.map((b) => b.id));
  const brokers: Broker[] = registered.map((b) => ({
    id: b.id,
    ...(withRacks && { rack: b.rack ?? UNKNOWN_RACK }),
    ...(options.hostsFromListeners === true && { host: b.host }),
    status: "alive",
    capacity: {},
  }));
  const dead = new Set<number>();
  const outTopics: Topic[] = topics.map((t) => {
    const parts = [...t.partitions].sort((a, b) => a.partition - b.partition);
    return {
      name: t.name,
      partitions: parts.map((p): Partition => {
        for (const r of p.replicas) if (!known.has(r)) dead.add(r);
        const rates = ratesOf(options.metrics, t.name, p.partition, parts.length);
        const leader = p.replicas.includes(p.leader) ? p.leader : p.replicas[0]!;
        return {
          topic: t.name,
          partition: p.partition,
          replicas: [...p.replicas],
          leader,
          size: sizes.get(partitionKey(p)) ?? 0,
          bytesIn: rates.bytesIn,
          bytesOut: rates.bytesOut,
          isr: p.isr.filter((b) => p.replicas.includes(b)),
          offline: p.offline.filter((b) => p.replicas.includes(b)),
        };
      }),
    };
  });
  for (const id of [...dead].sort((a, b) => a - b)) {
    brokers.push({ id, ...(withRacks && { rack: UNKNOWN_RACK }), status: "dead", capacity: {} });
  }
  brokers.sort((a, b) => a.id - b.id);
  const cluster: Cluster = {
    version: 2,
    ...(options.name !== undefined && { name: options.name }),
    ...(options.traffic !== undefined && { traffic: options.traffic }),
    brokers,
    topics: outTopics,
  };
  return options.capacity === undefined ? cluster : applyCapacities(cluster, options.capacity);
}

/**
 * What the cluster reports goes into files and onto terminals: a rack or host with control
 * characters (a terminal escape in broker.rack) or a topic name outside Kafka's rule is refused, as
 * the snapshot file would be.
 */
function checkText(brokers: readonly { id: number; rack?: string; host: string }[], topics: readonly string[], hosts: boolean): void {
  for (const b of brokers) {
    for (const [what, value] of [
      ["rack", b.rack],
      ["host", hosts ? b.host : undefined],
    ] as const) {
      if (value !== undefined && (value === "" || hasControl(value))) {
        throw new BallastError("KAFKA", `broker ${String(b.id)} reports the ${what} ${quote(value)}, which a snapshot cannot hold (empty, or control characters)`);
      }
    }
  }
  for (const name of topics) {
    const problem = topicNameProblem(name);
    if (problem !== undefined) throw new BallastError("KAFKA", `the cluster reports a topic ${quote(name)}: ${problem}`);
  }
}

/** Largest replica size per partition across brokers (future replicas left out). */
async function partitionSizes(port: KafkaPort, brokerIds: readonly number[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const dirs = await port.describeLogDirs(brokerIds);
  for (const list of dirs.values()) {
    for (const r of list) {
      if (r.isFuture) continue;
      const k = partitionKey(r);
      out.set(k, Math.max(out.get(k) ?? 0, r.size));
    }
  }
  return out;
}
