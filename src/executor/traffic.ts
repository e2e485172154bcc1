/**
 * Per-partition traffic measured from the brokers' own answers over a window, with nothing
 * installed on the brokers (`ballast snapshot --sample 60s`):
 *
 * - bytes in: how far each partition's log end offset moved (ListOffsets to its leader), times the
 *   partition's bytes per offset (the leader replica's size from DescribeLogDirs over the offsets
 *   still in the log, end − start). Offsets only grow, so segments deleted by retention during the
 *   window do not hide growth the way a size difference would; the size is divided by the offsets
 *   that remain, so deleted segments do not skew bytes per offset either.
 * - bytes out: how far every consumer group's committed offset moved on the partition (OffsetFetch),
 *   times the same bytes per offset. Replication out of the leader is not counted here: the planner
 *   adds (replicas − 1) × bytes in to each leader itself.
 *
 * Accuracy is bounded by the window against how often producers batch and consumers commit (a
 * group committing every 5 s measured over 60 s is off by up to 5/60 per partition).
 */
import type { Metrics, Rates } from "../model/metrics.js";
import type { KafkaPort, LogOffsets, ReplicaLogDir } from "./port.js";
import { partitionKey } from "./port.js";
import type { Clock } from "./types.js";

export interface TrafficSample {
  readonly metrics: Metrics;
  /** The window actually measured, seconds (the sleep plus the time the requests took). */
  readonly windowSeconds: number;
}

export interface Reading {
  readonly at: number;
  readonly logs: ReadonlyMap<string, LogOffsets>;
  readonly groups: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** Samples every partition's traffic over `windowMs`, sleeping on `clock`. */
export async function sampleTraffic(port: KafkaPort, clock: Clock, windowMs: number): Promise<TrafficSample> {
  const topics = await port.describeTopics();
  const led = topics.flatMap((t) => t.partitions.filter((p) => p.leader >= 0).map((p) => ({ topic: p.topic, partition: p.partition, leader: p.leader })));
  const read = async (): Promise<Reading> => {
    const at = clock.now();
    const [logs, groups] = await Promise.all([port.logOffsets(led), port.committedOffsets()]);
    return { at, logs, groups };
  };
  const before = await read();
  await clock.sleep(windowMs);
  const after = await read();
  const leaders = new Map(led.map((p) => [partitionKey(p), p.leader]));
  const sizes = leaderSizes(await port.describeLogDirs([...new Set(leaders.values())].sort((a, b) => a - b)), leaders);
  const windowSeconds = Math.max(after.at - before.at, 1) / 1000;
  return { metrics: { topics: new Map(), partitions: rates(before, after, sizes, windowSeconds) }, windowSeconds };
}

/** Size of each partition's leader replica (future replicas left out). */
function leaderSizes(dirs: ReadonlyMap<number, readonly ReplicaLogDir[]>, leaders: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [broker, list] of dirs) {
    for (const r of list) if (!r.isFuture && leaders.get(partitionKey(r)) === broker) out.set(partitionKey(r), r.size);
  }
  return out;
}

/** Rates from two readings (pure). A partition with no retained records takes its topic's bytes per offset. */
export function rates(before: Reading, after: Reading, sizes: ReadonlyMap<string, number>, seconds: number): Map<string, Rates> {
  const perOffset = new Map<string, number>();
  const topicTotals = new Map<string, { bytes: number; offsets: number }>();
  for (const [key, log] of after.logs) {
    const size = sizes.get(key);
    const retained = log.end - log.start;
    if (size === undefined || retained <= 0) continue;
    perOffset.set(key, size / retained);
    const topic = topicOf(key);
    const t = topicTotals.get(topic) ?? { bytes: 0, offsets: 0 };
    topicTotals.set(topic, { bytes: t.bytes + size, offsets: t.offsets + retained });
  }
  const out = new Map<string, Rates>();
  for (const [key, log] of after.logs) {
    const was = before.logs.get(key);
    if (was === undefined) continue;
    const topic = topicTotals.get(topicOf(key));
    const bytesPerOffset = perOffset.get(key) ?? (topic !== undefined ? topic.bytes / topic.offsets : 0);
    let consumed = 0;
    for (const [group, offsets] of after.groups) {
      const now = offsets.get(key);
      const then = before.groups.get(group)?.get(key);
      if (now !== undefined && then !== undefined && now > then) consumed += now - then;
    }
    const produced = Math.max(0, log.end - was.end);
    out.set(key, { bytesIn: (produced * bytesPerOffset) / seconds, bytesOut: (consumed * bytesPerOffset) / seconds });
  }
  return out;
}

/** The topic of a `topic-partition` key. */
function topicOf(key: string): string {
  return key.slice(0, key.lastIndexOf("-"));
}
