/**
 * The topics file of `ballast assign` (YAML, or JSON, which YAML reads too): new topics and partitions
 * added to existing ones. Unknown keys are errors; every problem names its path and line.
 *
 *   topics:
 *     - {name: payments, partitions: 12, replicationFactor: 3, size: 20GiB}
 *   addPartitions:
 *     - {topic: orders, partitions: 24}
 */
import { LIMITS } from "./limits.js";
import { loadYaml } from "./parse.js";
import { Checker } from "./validate.js";

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Expected bytes per replica. */
  readonly size?: number;
}

export interface PartitionsSpec {
  readonly topic: string;
  /** The partition count the topic grows to. */
  readonly partitions: number;
  readonly replicationFactor?: number;
}

export interface TopicsSpec {
  readonly topics: readonly TopicSpec[];
  readonly addPartitions: readonly PartitionsSpec[];
}

export function parseTopicsSpec(text: string, source?: string): TopicsSpec {
  const { data, locate } = loadYaml(text, source);
  const c = new Checker(locate);
  const root = c.asMapping(data ?? {}, [], "the topics file");
  c.onlyKeys(root, [], ["topics", "addPartitions"], "the topics file");
  const topics = root["topics"] === undefined ? [] : c.list(root, "topics", [], "topics");
  const grows = root["addPartitions"] === undefined ? [] : c.list(root, "addPartitions", [], "addPartitions");
  return {
    topics: topics.map((_, i): TopicSpec => {
      const t = c.mapping(topics, i, ["topics"], "a topic", ["name", "partitions", "replicationFactor", "size"]);
      const path = ["topics", i];
      const spec = {
        name: c.topicName(t, "name", path, "the topic name"),
        partitions: c.integer(t, "partitions", path, "the partition count", LIMITS.partitionsPerTopic),
        replicationFactor: c.integer(t, "replicationFactor", path, "the replication factor", LIMITS.brokers),
      };
      return t["size"] === undefined ? spec : { ...spec, size: c.quantity(t, "size", path, "size") };
    }),
    addPartitions: grows.map((_, i): PartitionsSpec => {
      const g = c.mapping(grows, i, ["addPartitions"], "added partitions", ["topic", "partitions", "replicationFactor"]);
      const path = ["addPartitions", i];
      const spec = { topic: c.topicName(g, "topic", path, "the topic name"), partitions: c.integer(g, "partitions", path, "the new partition count", LIMITS.partitionsPerTopic) };
      return g["replicationFactor"] === undefined ? spec : { ...spec, replicationFactor: c.integer(g, "replicationFactor", path, "the replication factor", LIMITS.brokers) };
    }),
  };
}
